/*
 * main: command dispatch only.  Each command lives in its own file and
 * reports its own errors; exit status 0 success, 1 runtime failure, 2 usage
 * or configuration error.
 */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "surat/cli.h"
#include "surat/config.h"
#include "surat/ui.h"

static const char main_usage[] =
    "usage: surat [-c FILE]                  open the mail reader\n"
    "       surat [-c FILE] show [--full-headers] [--width N] FILE|-\n"
    "                                        render one message as plain text\n"
    "       surat show --attachments | --part N | --raw FILE|-\n"
    "                                        its parts, one part's bytes, its source\n"
    "       surat [-c FILE] list [QUERY]     one line per cached message\n"
    "       surat [-c FILE] fetch [-v] [--rest] [ACCOUNT...]\n"
    "                                        fetch new mail once (all accounts at once)\n"
    "       surat [-c FILE] serverinfo [-v] [--login] ACCOUNT\n"
    "                                        what the server offers, its certificate\n"
    "       surat [-c FILE] reindex          update the index from the Maildirs\n"
    "       surat [-c FILE] send [-t] [-v] [--account NAME] [RECIPIENT...] < MESSAGE\n"
    "                                        queue a message and send it (SMTP or\n"
    "                                        sendmail_command); -t: recipients from it\n"
    "       surat [-c FILE] send --queue [-v] [ACCOUNT...]\n"
    "                                        send what waits in the Outboxes\n"
    "       surat [-c FILE] addresses [--limit N] TEXT\n"
    "                                        aliases and addresses TEXT starts, best\n"
    "                                        first (a query_command for mutt too)\n"
    "       surat [-c FILE] mailto:URL       write to a mailto: link (RFC 6068): the\n"
    "                                        editor, then the compose screen\n"
    "       surat [-c FILE] check-config     validate the configuration\n"
    "       surat import-muttrc FILE         print a mutt configuration as surat\n"
    "                                        settings (what is left, as comments)\n"
    "       surat --version | --help\n"
    "\n"
    "The configuration is read from -c FILE, else $SURAT_CONFIG, else\n"
    "$XDG_CONFIG_HOME/surat/config, else ~/.config/surat/config.\n"
    "See surat(1) and surat.conf(5).\n";

/* True when the environment variable NAME is unset or empty. */
static bool
main_unset(const char *name)
{
	const char *v = getenv(name);

	return v == NULL || *v == '\0';
}

/* Run the mail reader; MAILTO (a mailto: URL, or NULL) opens the compose screen first. */
static int
main_ui(const char *cli_path, const char *mailto)
{
	struct ui_start start = { mailto };
	struct surat_config *config;
	int status = cli_load_config(cli_path, &config);

	if (status != 0)
		return status;
	status = ui_run(config, &start);
	config_free(config);
	return status;
}

int
main(int argc, char **argv)
{
	const char *cli_path = NULL;
	const char *command;
	int i = 1;

	setlocale(LC_ALL, "");
	/*
	 * No locale set at all (env -i, a bare ssh or cron environment): the
	 * terminal is all but surely UTF-8, and in "C" curses would draw every
	 * byte past ASCII as an escape.  An explicit LANG=C is kept.
	 */
	if (strcmp(nl_langinfo(CODESET), "UTF-8") != 0 && main_unset("LC_ALL") &&
	    main_unset("LC_CTYPE") && main_unset("LANG"))
		setlocale(LC_CTYPE, "C.UTF-8");
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("surat %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(main_usage, stdout);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "-c") == 0) {
		if (i + 1 >= argc) {
			fputs("surat: -c needs a FILE\n", stderr);
			return 2;
		}
		cli_path = argv[i + 1];
		i += 2;
	} else if (i < argc && strncmp(argv[i], "-c", 2) == 0) {
		cli_path = argv[i] + 2;
		i++;
	}
	if (i >= argc)
		return main_ui(cli_path, NULL);
	command = argv[i];
	/* surat as the mailto handler: xdg-open and browsers run "surat mailto:...". */
	if (strncasecmp(command, "mailto:", 7) == 0) {
		if (i + 1 < argc) {
			cli_stderr("surat: give the mailto: URL as one argument (quote it: "
			    "surat 'mailto:...'); see surat --help");
			return 2;
		}
		return main_ui(cli_path, command);
	}
	/* Each command sees its own name as argv[0]. */
	argc -= i;
	argv += i;
	if (strcmp(command, "show") == 0)
		return cli_show(cli_path, argc, argv);
	if (strcmp(command, "list") == 0)
		return cli_list(cli_path, argc, argv);
	if (strcmp(command, "fetch") == 0)
		return cli_fetch(cli_path, argc, argv);
	if (strcmp(command, "serverinfo") == 0)
		return cli_serverinfo(cli_path, argc, argv);
	if (strcmp(command, "reindex") == 0)
		return cli_reindex(cli_path, argc, argv);
	if (strcmp(command, "send") == 0)
		return cli_send(cli_path, argc, argv);
	if (strcmp(command, "addresses") == 0)
		return cli_addresses(cli_path, argc, argv);
	if (strcmp(command, "check-config") == 0)
		return cli_check_config(cli_path, argc, argv);
	if (strcmp(command, "import-muttrc") == 0)
		return cli_import_muttrc(argc, argv);
	cli_stderr("surat: unknown command '%s'; see surat --help", command);
	return 2;
}
