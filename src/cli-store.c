/* cli-store: surat list and surat reindex. */
#include <stdio.h>

#include "surat/cli.h"

/* Placeholders until the store and index land. */
int
cli_list(const char *cli_path, int argc, char **argv)
{
	fputs("surat: list is not built yet\n", stderr);
	return 1;
}

int
cli_reindex(const char *cli_path, int argc, char **argv)
{
	fputs("surat: reindex is not built yet\n", stderr);
	return 1;
}
