#!/bin/sh
# TLS per HTTP check against the real test server with mutual TLS: a CA,
# a server certificate for svc.maintop.test only and client certificates,
# all made here with openssl.  ca_file trusts the CA instead of the
# system's, tls_server_name is the name the certificate is checked
# against while connecting to 127.0.0.1, client_cert and client_key prove
# who asks; every missing piece fails, and the key never shows.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/health/common.sh"

hc_init http openssl
P=$HC_TMP/pki
mkdir -p "$P"

# ca NAME CN: a self-signed CA.  leaf NAME CN CA EXT: a key and a
# certificate signed by CA with the extensions EXT.
ca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$P/$1.key" -out "$P/$1.pem" -days 400 \
	    -subj "/CN=$2" >>"$P/openssl.log" 2>&1
}
leaf() {
	printf '%s\n' "$4" >"$P/$1.ext"
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$P/$1.key" -out "$P/$1.csr" -subj "/CN=$2" \
	    >>"$P/openssl.log" 2>&1 &&
	openssl x509 -req -in "$P/$1.csr" -CA "$P/$3.pem" -CAkey "$P/$3.key" \
	    -CAcreateserial -days 400 -extfile "$P/$1.ext" -out "$P/$1.pem" \
	    >>"$P/openssl.log" 2>&1 &&
	chmod 600 "$P/$1.key"
}
if ! ca ca "maintop test CA" || ! ca rogue "another CA" ||
    ! leaf srv svc.maintop.test ca \
    "subjectAltName=DNS:svc.maintop.test
extendedKeyUsage=serverAuth" ||
    ! leaf client maintop-client ca "extendedKeyUsage=clientAuth" ||
    ! leaf stranger maintop-stranger rogue "extendedKeyUsage=clientAuth"
then
	sed 's/^/# /' "$P/openssl.log"
	bail "openssl could not make the certificates"
fi
if ! servers_start_mtls "$P/srv.pem" "$P/srv.key" "$P/ca.pem"; then
	bail "testhttpd with mutual TLS did not start"
fi
T=https://127.0.0.1:$MTLS_PORT_TEST

hc_conf <<EOF2
settings = { timeout = "5s"; };
http = (
  { name = "mtls"; url = "$T/client"; ca_file = "$P/ca.pem";
    tls_server_name = "svc.maintop.test";
    client_cert = "$P/client.pem"; client_key = "$P/client.key";
    body_contains = "maintop-client"; },
  { name = "relative"; url = "$T/client"; ca_file = "pki/ca.pem";
    tls_server_name = "svc.maintop.test";
    client_cert = "pki/client.pem"; client_key = "pki/client.key"; },
  { name = "nocert"; url = "$T/client"; ca_file = "$P/ca.pem";
    tls_server_name = "svc.maintop.test"; },
  { name = "noname"; url = "$T/client"; ca_file = "$P/ca.pem";
    client_cert = "$P/client.pem"; client_key = "$P/client.key"; },
  { name = "noca"; url = "$T/client"; tls_server_name = "svc.maintop.test";
    client_cert = "$P/client.pem"; client_key = "$P/client.key"; },
  { name = "wrongname"; url = "$T/client"; ca_file = "$P/ca.pem";
    tls_server_name = "other.maintop.test";
    client_cert = "$P/client.pem"; client_key = "$P/client.key"; },
  { name = "rogueca"; url = "$T/client"; ca_file = "$P/rogue.pem";
    tls_server_name = "svc.maintop.test";
    client_cert = "$P/client.pem"; client_key = "$P/client.key"; },
  { name = "stranger"; url = "$T/client"; ca_file = "$P/ca.pem";
    tls_server_name = "svc.maintop.test";
    client_cert = "$P/stranger.pem"; client_key = "$P/stranger.key"; }
);
EOF2

# A line from the middle of each private key: it must never be printed.
keyline() {
	sed -n 2p "$P/$1.key"
}
leaks() {
	cat "$HC_OUT" "$HC_ERR" >"$HC_TMP/tls.out"
	! grep -qF -e "$(keyline client)" -e "$(keyline stranger)" \
	    "$HC_TMP/tls.out"
}

hc_run mtls relative
is "CA, server name and client certificate: ok" "$(hc_get mtls .state)" ok
is "the server saw the client certificate" "$(hc_fig mtls status)" 200
check "the server named the client (body_contains maintop-client)" \
    sh -c 'test "$(jq -r ".[0].message" "$1" | grep -c "does not contain")" = 0' \
    sh "$HC_OUT"
near "the certificate's days are read" "$(hc_fig mtls cert_days)" 400 0.1
is "paths relative to the configuration file: ok" \
    "$(hc_get relative .state)" ok
is "the target is the URL as written" "$(hc_get mtls .target)" "$T/client"
check "no key in the output" leaks

hc_run nocert noname noca wrongname rogueca stranger
is "no client certificate: crit" "$(hc_get nocert .state)" crit
is "no tls_server_name (the certificate has no 127.0.0.1): crit" \
    "$(hc_get noname .state)" crit
check "no tls_server_name: the message is about the name" \
    sh -c 'jq -r ".[] | select(.name == \"noname\") | .message" "$1" |
    grep -qi "name\|subject\|127.0.0.1"' sh "$HC_OUT"
is "no ca_file (the system's CAs do not know it): crit" \
    "$(hc_get noca .state)" crit
check "no ca_file: the message is about the certificate" \
    sh -c 'jq -r ".[] | select(.name == \"noca\") | .message" "$1" |
    grep -qi "certificate"' sh "$HC_OUT"
is "tls_server_name the certificate does not hold: crit" \
    "$(hc_get wrongname .state)" crit
is "ca_file of another CA: crit" "$(hc_get rogueca .state)" crit
is "a client certificate of another CA: crit" \
    "$(hc_get stranger .state)" crit
check "no key in the output of the failures" leaks
hc_text mtls stranger
is "line mode: exit 2" "$HC_RC" 2
check "line mode: no key" leaks

# --- validate ------------------------------------------------------------------

chmod 644 "$P/client.key"
hc_conf <<EOF2
http = (
  { name = "a"; url = "$T/client"; client_cert = "$P/client.pem";
    client_key = "$P/client.key"; },
  { name = "b"; url = "$T/client"; client_cert = "$P/client.pem"; },
  { name = "c"; url = "$T/client"; ca_file = "$P/nosuch.pem"; },
  { name = "d"; url = "http://127.0.0.1:1/"; ca_file = "$P/ca.pem"; },
  { name = "e"; url = "$T/client"; tls_server_name = "svc:443"; },
  { name = "f"; url = "$T/client"; tls_verify = false;
    tls_server_name = "svc.maintop.test"; }
);
EOF2
HC_RC=0
"$MAINTOP" validate -c "$HC_CONF" >"$HC_OUT" 2>"$HC_ERR" || HC_RC=$?
is "validate: exit 1" "$HC_RC" 1
check "a client_key others can read: refused with chmod 600" \
    grep -q "maintop.conf:3: error: permissions 0644 for client_key .*chmod 600" \
    "$HC_ERR"
check "client_cert without client_key: refused" \
    grep -q "maintop.conf:4: error: 'client_cert' and 'client_key' go together" \
    "$HC_ERR"
check "a missing ca_file: file, line, path" \
    grep -q "maintop.conf:5: error: ca_file .*nosuch.pem: No such file" "$HC_ERR"
check "ca_file on http://: refused" \
    grep -q "maintop.conf:6: error: 'ca_file' is for https:// URLs" "$HC_ERR"
check "tls_server_name with a port: refused" \
    grep -q "maintop.conf:7: error: 'tls_server_name' must be a host name" \
    "$HC_ERR"
check "tls_server_name with tls_verify = false: refused" \
    grep -q "maintop.conf:9: error: 'tls_server_name' with tls_verify = false" \
    "$HC_ERR"
check "validate: no key" leaks
chmod 600 "$P/client.key"

hc_done
