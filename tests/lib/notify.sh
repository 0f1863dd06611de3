# Receivers for the notification tests, real parts on loopback: an SMTP
# sink (python3-aiosmtpd) behind Debian's msmtp-mta as /usr/sbin/sendmail,
# and an HTTP webhook receiver.  Sourced after tests/lib/tap.sh; not a test
# by itself.
#
#   notify_require          skip_all unless python3, aiosmtpd and sendmail
#                           are installed
#   wait_file FILE          waits up to 10 s for FILE to be non-empty
#   smtp_start DIR          starts the sink, delivering to the maildir
#                           DIR/mail, and writes $HOME/.msmtprc for it
#                           (bails when it does not start)
#   mail_count PATTERN      how many received mails match PATTERN (grep -E)
#   mail_wait N PATTERN     waits up to 20 s until mail_count PATTERN >= N
#   hook_start DIR FAILS    starts a webhook receiver that answers 500 to the
#                           first FAILS POSTs and 200 after; each POST is
#                           DIR/hook.N.CODE (the body) and .headers beside
#                           it; sets $hook_port (bails when it does not
#                           start)
#   notify_live NAME        for a test of a running agent against the test
#                           HTTP server (tests/lib/servers.sh, sourced with
#                           SERVERS_NO_TRAP=1): makes $tmp, sets HOME and
#                           TZ, starts the server ($U its URL; bails when it
#                           does not start) and a trap that stops the agent
#                           ($apid), the receivers and the servers
#
# The receivers' pids are added to $pids, for the caller's trap.

PY=/usr/bin/python3

notify_require() {
	[ -x "$PY" ] || skip_all "python3 not found: apt-get install python3"
	"$PY" -c 'import aiosmtpd' 2>/dev/null ||
		skip_all "aiosmtpd not found: apt-get install python3-aiosmtpd"
	[ -x /usr/sbin/sendmail ] ||
		skip_all "/usr/sbin/sendmail not found: apt-get install msmtp-mta"
}

wait_file() {
	_i=0
	while [ ! -s "$1" ] && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	[ -s "$1" ]
}

smtp_start() {
	_d=$1
	mkdir -p "$_d/mail/tmp" "$_d/mail/new" "$_d/mail/cur"
	"$PY" - "$_d/smtp.port" "$_d/mail" <<'PYEOF' &
import asyncio, sys, socket
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
c = Controller(Mailbox(sys.argv[2]), hostname="127.0.0.1", port=port)
c.start()
open(sys.argv[1] + ".tmp", "w").write(str(port))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
import time
while True:
    time.sleep(3600)
PYEOF
	pids="${pids:-} $!"
	wait_file "$_d/smtp.port" || bail "the SMTP sink did not start"
	MAILDIR_TEST=$_d/mail
	cat > "$HOME/.msmtprc" <<MSMTPEOF
defaults
auth off
tls off
account default
host 127.0.0.1
port $(cat "$_d/smtp.port")
from maintop@example.test
MSMTPEOF
	chmod 600 "$HOME/.msmtprc"
}

mail_count() {
	_c=0
	for _m in "$MAILDIR_TEST"/new/*; do
		[ -f "$_m" ] && grep -Eq -- "$1" "$_m" && _c=$((_c + 1))
	done
	echo "$_c"
}

mail_wait() {
	_i=0
	while [ "$(mail_count "$2")" -lt "$1" ] && [ $_i -lt 200 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	[ "$(mail_count "$2")" -ge "$1" ]
}

hook_start() {
	"$PY" - "$1/hook.port" "$1/hook" "$2" <<'PYEOF' &
import http.server, os, sys
posts = [0]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        posts[0] += 1
        code = 500 if posts[0] <= int(sys.argv[3]) else 200
        name = sys.argv[2] + ".%d.%d" % (posts[0], code)
        with open(name + ".headers", "w") as f:
            f.write(str(self.headers))
        with open(name + ".tmp", "wb") as f:
            f.write(body)
        os.rename(name + ".tmp", name)
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"no" if code == 500 else b"ok")
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1] + ".tmp", "w").write(str(s.server_address[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.serve_forever()
PYEOF
	pids="${pids:-} $!"
	wait_file "$1/hook.port" || bail "the webhook receiver did not start"
	hook_port=$(cat "$1/hook.port")
}

notify_live() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/maintop-$1.XXXXXX")
	pids= apid=
	trap '[ -n "$apid" ] && kill "$apid" 2>/dev/null; for p in $pids; do kill "$p" 2>/dev/null; done; servers_stop_all; rm -rf "$tmp"' EXIT
	export HOME="$tmp" TZ=UTC
	servers_start_http || bail "testhttpd did not start"
	U=$HTTP_URL_TEST
}
