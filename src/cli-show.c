/* cli-show: surat show FILE|-. */
#include <stdio.h>

#include "surat/cli.h"

/* Placeholder until the renderer lands. */
int
cli_show(int argc, char **argv)
{
	fputs("surat: show is not built yet\n", stderr);
	return 1;
}
