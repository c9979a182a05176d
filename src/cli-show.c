/*
 * cli-show: surat show [--full-headers] FILE|-, the rendering the pager
 * shows, printed as plain text.  Any readable file renders (exit 0), however
 * malformed; only a file that cannot be read fails (exit 1).
 */
#include <stdio.h>
#include <string.h>

#include "surat/cli.h"
#include "surat/render.h"
#include "surat/sanitize.h"

static const char cli_show_usage[] = "usage: surat show [--full-headers] FILE|-\n";

/* Print a usage error about ARG (sanitized) and the usage line; returns 2. */
static int
cli_show_usage_error(const char *what, const char *arg)
{
	char *clean = sanitize_text(arg != NULL ? arg : "", -1, 0);

	if (arg != NULL)
		fprintf(stderr, "surat show: %s '%s'\n", what, clean);
	else
		fprintf(stderr, "surat show: %s\n", what);
	fputs(cli_show_usage, stderr);
	g_free(clean);
	return 2;
}

int
cli_show(int argc, char **argv)
{
	struct render_options options = { 0 };
	struct rendering *r;
	const char *path = NULL;
	GError *error = NULL;
	char *text, *clean;
	bool options_done = false;
	int i, status = 0;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (!options_done && strcmp(arg, "--full-headers") == 0) {
			options.full_headers = true;
		} else if (!options_done && (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)) {
			fputs(cli_show_usage, stdout);
			return 0;
		} else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
			return cli_show_usage_error("unknown option", arg);
		} else if (path == NULL) {
			path = arg;
		} else {
			return cli_show_usage_error("only one FILE is shown, not also", arg);
		}
	}
	if (path == NULL)
		return cli_show_usage_error("a FILE (or - for standard input) is needed", NULL);

	r = render_file(path, &options, &error);
	if (r == NULL) {
		clean = sanitize_text(error->message, -1, 0);
		fprintf(stderr, "surat: %s\n", clean);
		g_free(clean);
		g_error_free(error);
		return 1;
	}
	text = render_to_text(r);
	if (fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
		perror("surat: standard output");
		status = 1;
	}
	g_free(text);
	render_free(r);
	return status;
}
