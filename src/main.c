/* maintop's entry point: parses the command line and runs one mode. */
#include "build.h"

#include <stdio.h>

int
main(int argc, char **argv)
{
	printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	return 0;
}
