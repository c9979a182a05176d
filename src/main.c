/*
 * main: command dispatch only.  Each command lives in its own file and
 * reports its own errors; exit status 0 success, 1 runtime failure, 2 usage
 * or configuration error.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

static const char main_usage[] =
    "usage: surat [-c FILE]                  open the mail reader\n"
    "       surat --version | --help\n";

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("surat %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		fputs(main_usage, stdout);
		return 0;
	}
	fputs(main_usage, stderr);
	return 2;
}
