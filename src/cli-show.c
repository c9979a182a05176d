/*
 * cli-show: surat show [--full-headers] [--width N] FILE|-, the rendering
 * the pager shows, printed as plain text; --attachments lists the parts,
 * --part N writes one part's decoded bytes (to a file or a pipe, never a
 * terminal), --raw prints the source made safe.  Any readable file renders
 * (exit 0), however malformed; a file that cannot be read fails (exit 1).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "surat/attach.h"
#include "surat/cli.h"
#include "surat/config.h"
#include "surat/mailcap.h"
#include "surat/mime.h"
#include "surat/render.h"
#include "surat/sanitize.h"

static const char cli_show_usage[] =
    "usage: surat show [--full-headers] [--width N] FILE|-\n"
    "       surat show --attachments FILE|-\n"
    "       surat show --part N FILE|- > OUTPUT\n"
    "       surat show --raw FILE|-\n";

enum cli_show_mode {
	CLI_SHOW_RENDER,
	CLI_SHOW_ATTACHMENTS,
	CLI_SHOW_PART,
	CLI_SHOW_RAW,
};

/* Print a usage error about ARG and the usage line; returns 2. */
static int
cli_show_usage_error(const char *what, const char *arg)
{
	if (arg != NULL)
		cli_stderr("surat show: %s '%s'", what, arg);
	else
		cli_stderr("surat show: %s", what);
	fputs(cli_show_usage, stderr);
	return 2;
}

/* Print ERROR as one line, free it; returns 1. */
static int
cli_show_fail(GError *error)
{
	cli_stderr("surat: %s", error->message);
	g_error_free(error);
	return 1;
}

/* Parse a number of 0..MAX from ARG into *OUT; false when it is not one. */
static bool
cli_show_number(const char *arg, long max, long *out)
{
	char *end;

	errno = 0;
	if (arg == NULL || !g_ascii_isdigit(arg[0]))
		return false;
	*out = strtol(arg, &end, 10);
	return errno == 0 && *end == '\0' && *out <= max;
}

/* Write STR to standard output; false (with a message) when it fails. */
static bool
cli_show_print(const char *str)
{
	if (fputs(str, stdout) == EOF || fflush(stdout) == EOF) {
		cli_stderr("surat: standard output: %s", g_strerror(errno));
		return false;
	}
	return true;
}

/*
 * The configuration for rendering: -c or $SURAT_CONFIG must load; the
 * default file is read when it exists, and its absence means the defaults.
 * Returns 0, or 2 after printing the errors.
 */
static int
cli_show_config(const char *cli_path, struct surat_config **config)
{
	const char *env = g_getenv("SURAT_CONFIG");
	char *path;
	bool exists;

	*config = NULL;
	if ((cli_path != NULL && *cli_path != '\0') || (env != NULL && *env != '\0'))
		return cli_load_config(cli_path, config);
	path = config_default_path(NULL);
	exists = g_file_test(path, G_FILE_TEST_EXISTS);
	g_free(path);
	return exists ? cli_load_config(NULL, config) : 0;
}

/* --attachments: one line per part: number, name, type, size, disposition, tab-separated. */
static int
cli_show_attachments(const char *path)
{
	GError *error = NULL;
	struct attach *a = attach_new(path, &error);
	GString *out;
	int n;
	bool ok;

	if (a == NULL)
		return cli_show_fail(error);
	out = g_string_new(NULL);
	for (n = 1; n <= attach_count(a); n++) {
		const struct attach_part *p = attach_get(a, n);

		g_string_append_printf(out, "%d\t%s\t%s\t%" G_GINT64_FORMAT "\t%s\n", p->number,
		    *p->name != '\0' ? p->name : "-", p->type, (gint64)p->size,
		    p->attachment ? "attachment" : "inline");
	}
	ok = cli_show_print(out->str);
	g_string_free(out, TRUE);
	attach_free(a);
	return ok ? 0 : 1;
}

/* --part N: the decoded bytes of part N on standard output, which must not be a terminal. */
static int
cli_show_part(const char *path, long number)
{
	GError *error = NULL;
	struct attach *a;
	bool ok;

	if (isatty(STDOUT_FILENO)) {
		cli_stderr("surat show: --part writes the part's raw bytes; redirect them: "
		    "surat show --part %ld FILE > OUTPUT", number);
		return 2;
	}
	if ((a = attach_new(path, &error)) == NULL)
		return cli_show_fail(error);
	ok = attach_write_fd(a, (int)number, STDOUT_FILENO, &error);
	attach_free(a);
	if (!ok) {
		if (error->code == ATTACH_ERROR_WRITE)
			g_prefix_error(&error, "standard output: ");
		else
			g_prefix_error(&error, "%s: ", path);
		return cli_show_fail(error);
	}
	return 0;
}

/* --raw: the source as it is, made safe for a terminal. */
static int
cli_show_raw(const char *path)
{
	GByteArray *bytes = mime_read_file(path);
	char *clean;
	bool ok;

	if (bytes == NULL) {
		int saved = errno;

		cli_stderr("surat: %s: %s", path, g_strerror(saved));
		return 1;
	}
	clean = sanitize_text(bytes->len > 0 ? (const char *)bytes->data : "", bytes->len,
	    SANITIZE_MULTILINE);
	g_byte_array_free(bytes, TRUE);
	ok = cli_show_print(clean);
	if (ok && *clean != '\0' && clean[strlen(clean) - 1] != '\n')
		ok = cli_show_print("\n");
	g_free(clean);
	return ok ? 0 : 1;
}

/* The default width: the terminal's on a terminal, else 0 (no reflow). */
static int
cli_show_default_width(void)
{
	struct winsize ws;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

/* Render PATH as the pager would and print it. */
static int
cli_show_render(const char *cli_path, const char *path, bool full_headers, long width)
{
	struct render_options options;
	struct surat_config *config;
	struct mailcap *mailcap = NULL;
	struct rendering *r;
	GError *error = NULL;
	char *text;
	int status = cli_show_config(cli_path, &config);

	if (status != 0)
		return status;
	render_options_init(&options, config);
	options.full_headers = full_headers;
	options.width = width >= 0 ? (int)width : cli_show_default_width();
	if (options.auto_view != NULL && options.auto_view[0] != NULL)
		mailcap = mailcap_load(config != NULL ? (const char *const *)config->mailcap_path :
		    NULL, NULL);
	options.mailcap = mailcap;
	r = render_file(path, &options, &error);
	if (r == NULL) {
		mailcap_free(mailcap);
		config_free(config);
		return cli_show_fail(error);
	}
	text = render_to_text(r);
	status = cli_show_print(text) ? 0 : 1;
	g_free(text);
	render_free(r);
	mailcap_free(mailcap);
	config_free(config);
	return status;
}

int
cli_show(const char *cli_path, int argc, char **argv)
{
	enum cli_show_mode mode = CLI_SHOW_RENDER;
	const char *path = NULL;
	bool options_done = false, full_headers = false;
	long width = -1, part = 0;
	int i, modes = 0;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (!options_done && strcmp(arg, "--full-headers") == 0) {
			full_headers = true;
		} else if (!options_done && strcmp(arg, "--attachments") == 0) {
			mode = CLI_SHOW_ATTACHMENTS;
			modes++;
		} else if (!options_done && strcmp(arg, "--raw") == 0) {
			mode = CLI_SHOW_RAW;
			modes++;
		} else if (!options_done && (strcmp(arg, "--part") == 0 ||
		    strcmp(arg, "--width") == 0)) {
			bool is_part = strcmp(arg, "--part") == 0;
			long value;

			if (i + 1 >= argc)
				return cli_show_usage_error(is_part ? "--part needs a number N" :
				    "--width needs a number N", NULL);
			if (!cli_show_number(argv[i + 1], is_part ? INT_MAX : 1000, &value) ||
			    (is_part && value < 1))
				return cli_show_usage_error(is_part ? "--part needs a part number "
				    "(1, 2, ... as --attachments lists them), not" :
				    "--width needs a number of columns from 0 to 1000, not", argv[i + 1]);
			if (is_part) {
				part = value;
				mode = CLI_SHOW_PART;
				modes++;
			} else {
				width = value;
			}
			i++;
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
	if (modes > 1)
		return cli_show_usage_error("choose one of --attachments, --part and --raw", NULL);
	if (path == NULL)
		return cli_show_usage_error("a FILE (or - for standard input) is needed", NULL);
	switch (mode) {
	case CLI_SHOW_ATTACHMENTS:
		return cli_show_attachments(path);
	case CLI_SHOW_PART:
		return cli_show_part(path, part);
	case CLI_SHOW_RAW:
		return cli_show_raw(path);
	case CLI_SHOW_RENDER:
	default:
		return cli_show_render(cli_path, path, full_headers, width);
	}
}
