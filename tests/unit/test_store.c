/* Tests of the team store's password: taken from the environment as
 * maintop started (captured on the main thread before any other thread),
 * never from the live one that the loop changes (TZ) while a store thread
 * connects, and never in an error. */
#include <stdlib.h>
#include <string.h>

#include "childenv.h"
#include "store.h"
#include "store_pg.h"
#include "tap.h"

#define SECRET	"store-Secret-7c1e"

int
main(void)
{
	struct store_conf conf;
	char *cause = NULL;
	PGconn *conn;

	/* Port 1 of this host: nothing listens, so a connection that is
	 * tried is refused at once. */
	conf.conninfo = "host=127.0.0.1 port=1 dbname=team connect_timeout=2";
	conf.password_env = "MAINTOP_TEST_STORE_PW";
	setenv("MAINTOP_TEST_STORE_PW", SECRET, 1);
	unsetenv("MAINTOP_TEST_STORE_LATE");
	childenv_capture();

	/* The live environment changes after the capture (as setenv("TZ")
	 * does on the loop): the store does not see it. */
	unsetenv("MAINTOP_TEST_STORE_PW");
	conn = store_pg_connect(&conf, &cause);
	ok(conn == NULL && cause != NULL, "nothing listens on port 1");
	ok(cause != NULL && strstr(cause, "cannot reach the store") != NULL,
	    "the password captured at the start is used: the store is tried "
	    "(%s)", cause != NULL ? cause : "no cause");
	ok(cause != NULL && strstr(cause, SECRET) == NULL,
	    "... and the error does not hold it");
	free(cause);
	cause = NULL;

	conf.password_env = "MAINTOP_TEST_STORE_LATE";
	setenv("MAINTOP_TEST_STORE_LATE", SECRET, 1);
	conn = store_pg_connect(&conf, &cause);
	is_int(conn == NULL, 1, "a variable set after the start is not read");
	is_str(cause, "environment variable MAINTOP_TEST_STORE_LATE "
	    "(settings.store.password_env) is not set", "... and says so");
	free(cause);
	unsetenv("MAINTOP_TEST_STORE_LATE");
	return tap_done();
}
