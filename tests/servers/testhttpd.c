/* testhttpd: runs maintop's demo HTTP server from the command line for the
 * shell tests and the benchmark; also finds free ports and makes
 * certificates. */
#include "build.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_httpd.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: testhttpd [--addr A] [--port N] [--port-file F] [--verbose]\n"
	    "                 [--cert C --key K [--tls-port N] [--client-ca CA]]\n"
	    "                 [--cert2 C --key2 K [--tls2-port N]]\n"
	    "       testhttpd --free-port\n"
	    "       testhttpd --make-cert CERT KEY DAYS\n"
	    "Port 0 (the default) picks a free port.  Once listening, prints\n"
	    "\"PORT n\" (and \"TLS_PORT n\", \"TLS2_PORT n\") to the port file,\n"
	    "or to stdout without one.  --client-ca makes the first TLS\n"
	    "listener require a client certificate from CA (mutual TLS).\n"
	    "Stops on SIGTERM or SIGINT.\n");
}

static int
parse_port(const char *s, int *out)
{
	char *end;
	long n;

	n = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < 0 || n > 65535) {
		fprintf(stderr, "testhttpd: bad port: %s\n", s);
		return -1;
	}
	*out = (int)n;
	return 0;
}

int
main(int argc, char **argv)
{
	enum { O_PORT = 256, O_PORTFILE, O_CERT, O_KEY, O_TLSPORT, O_CERT2,
	    O_KEY2, O_TLS2PORT, O_ADDR, O_FREE, O_MAKECERT, O_VERBOSE,
	    O_HELP, O_CLIENTCA };
	static const struct option longopts[] = {
		{ "addr", required_argument, NULL, O_ADDR },
		{ "port", required_argument, NULL, O_PORT },
		{ "port-file", required_argument, NULL, O_PORTFILE },
		{ "cert", required_argument, NULL, O_CERT },
		{ "key", required_argument, NULL, O_KEY },
		{ "tls-port", required_argument, NULL, O_TLSPORT },
		{ "client-ca", required_argument, NULL, O_CLIENTCA },
		{ "cert2", required_argument, NULL, O_CERT2 },
		{ "key2", required_argument, NULL, O_KEY2 },
		{ "tls2-port", required_argument, NULL, O_TLS2PORT },
		{ "free-port", no_argument, NULL, O_FREE },
		{ "make-cert", no_argument, NULL, O_MAKECERT },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 }
	};
	struct demo_httpd_opts o;
	char *cause = NULL;
	int c, port, makecert = 0;

	demo_httpd_opts_init(&o);
	o.print_ports = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case O_ADDR:
			o.addr = optarg;
			break;
		case O_PORT:
			if (parse_port(optarg, &o.port) != 0)
				return 2;
			break;
		case O_PORTFILE:
			o.port_file = optarg;
			break;
		case O_CERT:
			o.tls.cert = optarg;
			break;
		case O_KEY:
			o.tls.key = optarg;
			break;
		case O_TLSPORT:
			if (parse_port(optarg, &o.tls.port) != 0)
				return 2;
			break;
		case O_CLIENTCA:
			o.tls.client_ca = optarg;
			break;
		case O_CERT2:
			o.tls2.cert = optarg;
			break;
		case O_KEY2:
			o.tls2.key = optarg;
			break;
		case O_TLS2PORT:
			if (parse_port(optarg, &o.tls2.port) != 0)
				return 2;
			break;
		case O_FREE:
			port = demo_httpd_free_port();
			if (port < 0) {
				fprintf(stderr, "testhttpd: no free port\n");
				return 1;
			}
			printf("%d\n", port);
			return 0;
		case O_MAKECERT:
			makecert = 1;
			break;
		case O_VERBOSE:
			o.verbose = 1;
			break;
		case O_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (makecert) {
		if (argc - optind != 3 || atoi(argv[optind + 2]) < 1) {
			usage(stderr);
			return 2;
		}
		if (demo_httpd_make_cert(argv[optind], argv[optind + 1],
		    atoi(argv[optind + 2]), &cause) != 0) {
			fprintf(stderr, "testhttpd: %s\n", cause);
			free(cause);
			return 1;
		}
		return 0;
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (demo_httpd_run(&o, &cause) != 0) {
		fprintf(stderr, "testhttpd: %s\n", cause);
		free(cause);
		return 1;
	}
	return 0;
}
