/* ui: the mail reader's entry point. */
#include <stdio.h>

#include "surat/ui.h"

/* Placeholder until the interface lands. */
int
ui_run(const struct surat_config *config)
{
	fputs("surat: the interface is not built yet\n", stderr);
	return 1;
}
