/*
 * cli: the headless commands behind main.c's dispatch.  Each returns the
 * process exit status (0 success, 1 runtime failure, 2 usage or configuration
 * error) and prints its own one-line errors on stderr, naming the file or
 * account concerned.
 */
#ifndef SURAT_CLI_H
#define SURAT_CLI_H

#include <glib.h>

#include "config.h"

/*
 * Print one line on standard error: the text FMT makes, sanitized as a whole
 * (sanitize.h), then a newline.  Every error, warning and note the commands
 * print goes through here, so a server's text, a file name or an argv word in
 * it cannot reach the terminal raw, whichever caller forgot to clean it.
 */
void cli_stderr(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/*
 * Load the configuration (path resolved by config_default_path(CLI_PATH)),
 * printing every error line and warning on stderr.  Returns 0 and sets
 * *CONFIG, or returns 2.
 */
int cli_load_config(const char *cli_path, struct surat_config **config);

/* surat check-config: the errors, or a one-line summary of what is valid. */
int cli_check_config(const char *cli_path, int argc, char **argv);
/* surat import-muttrc FILE: the settings of a muttrc on stdout; never writes a file. */
int cli_import_muttrc(int argc, char **argv);

/*
 * surat show [--full-headers] [--width N] | --attachments | --part N | --raw
 * FILE|-: the rendering as the pager shows it, in plain text (with the
 * configuration's rendering keys when a configuration exists), the parts,
 * one part's bytes, or the source made safe.
 */
int cli_show(const char *cli_path, int argc, char **argv);

/* surat list [QUERY]: one line per cached message. */
int cli_list(const char *cli_path, int argc, char **argv);

/* surat fetch [-v] [--rest] [--events-fd N] [ACCOUNT...]: fetch new mail once. */
int cli_fetch(const char *cli_path, int argc, char **argv);

/* surat serverinfo [-v] [--login] ACCOUNT: what the server offers. */
int cli_serverinfo(const char *cli_path, int argc, char **argv);

/*
 * surat send [-t] [-v] [--account NAME] [-f ADDRESS] [RECIPIENT...] < MESSAGE:
 * queue it in the Outbox and send it; surat send --queue [-v] [ACCOUNT...]:
 * send what waits (cli-send.c).
 */
int cli_send(const char *cli_path, int argc, char **argv);

/*
 * surat addresses [--limit N] TEXT: the aliases and the index's addresses
 * that TEXT starts, best first, in mutt's query_command format (cli-store.c).
 */
int cli_addresses(const char *cli_path, int argc, char **argv);

/* surat reindex: bring the index up to date with the Maildirs. */
int cli_reindex(const char *cli_path, int argc, char **argv);

#endif
