/* cli-config: loading the configuration for every command; check-config. */
#include <stdio.h>

#include "surat/cli.h"

/* Placeholder until the config module lands. */
int
cli_load_config(const char *cli_path, struct surat_config **config)
{
	*config = NULL;
	fputs("surat: configuration support is not built yet\n", stderr);
	return 2;
}

int
cli_check_config(const char *cli_path, int argc, char **argv)
{
	return cli_load_config(cli_path, NULL);
}

/* Placeholder until the config module lands. */
void
config_free(struct surat_config *config)
{
}
