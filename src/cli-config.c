/*
 * cli-config: what every command shares (the one way a line reaches standard
 * error, loading the configuration) and `surat check-config`.  The only place
 * configuration errors are printed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "surat/cli.h"
#include "surat/config.h"
#include "surat/muttrc.h"
#include "surat/sanitize.h"
#include "surat/theme.h"

void
cli_stderr(const char *fmt, ...)
{
	va_list ap;
	char *line, *safe;

	va_start(ap, fmt);
	line = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	safe = sanitize_text(line, -1, 0);
	fprintf(stderr, "%s\n", safe);
	g_free(safe);
	g_free(line);
}

/* Print each line of LINES on stderr after PREFIX. */
static void
cli_config_print(GPtrArray *lines, const char *prefix)
{
	guint i;

	for (i = 0; i < lines->len; i++)
		cli_stderr("%s%s", prefix, (const char *)lines->pdata[i]);
}

int
cli_load_config(const char *cli_path, struct surat_config **config)
{
	GPtrArray *errors, *warnings;
	struct stat st;
	char *path;

	*config = NULL;
	path = config_default_path(cli_path);
	if (stat(path, &st) != 0 && errno == ENOENT) {
		cli_stderr("surat: no configuration at %s; create it (see surat.conf(5))", path);
		g_free(path);
		return 2;
	}
	errors = g_ptr_array_new_with_free_func(g_free);
	warnings = g_ptr_array_new_with_free_func(g_free);
	*config = config_load(path, errors, warnings);
	cli_config_print(warnings, "surat: warning: ");
	cli_config_print(errors, "surat: ");
	g_ptr_array_free(warnings, TRUE);
	g_ptr_array_free(errors, TRUE);
	g_free(path);
	return *config == NULL ? 2 : 0;
}

int
cli_check_config(const char *cli_path, int argc, char **argv)
{
	struct surat_config *config;
	struct theme *theme = NULL;
	GError *error = NULL;
	GString *names;
	char *line, *safe;
	size_t i;
	int status;

	if (argc > 1) {
		fputs("surat: check-config takes no arguments; usage: surat [-c FILE] "
		      "check-config\n", stderr);
		return 2;
	}
	if ((status = cli_load_config(cli_path, &config)) != 0)
		return status;
	if (config->theme_path != NULL &&
	    (theme = theme_load(config->theme_path, &error)) == NULL) {
		cli_stderr("surat: %s", error->message);
		g_error_free(error);
		config_free(config);
		return 2;
	}
	names = g_string_new(NULL);
	for (i = 0; i < config->n_accounts; i++)
		g_string_append_printf(names, "%s%s", i == 0 ? " (" : ", ",
		    config->accounts[i].name);
	if (config->n_accounts > 0)
		g_string_append_c(names, ')');
	line = g_strdup_printf("%s: OK: %zu account%s%s, store %s, theme %s", config->path,
	    config->n_accounts, config->n_accounts == 1 ? "" : "s", names->str, config->store,
	    config->theme);
	safe = sanitize_text(line, -1, 0);
	printf("%s\n", safe);
	g_free(safe);
	g_free(line);
	g_string_free(names, TRUE);
	theme_free(theme);
	config_free(config);
	return 0;
}

int
cli_import_muttrc(int argc, char **argv)
{
	unsigned int translated = 0, left = 0;
	GError *error = NULL;
	char *text;

	if (argc != 2 || argv[1][0] == '-') {
		cli_stderr("usage: surat import-muttrc FILE (prints surat settings; writes no file)");
		return 2;
	}
	if ((text = muttrc_translate(argv[1], &translated, &left, &error)) == NULL) {
		cli_stderr("surat: %s; give the muttrc to translate, e.g. ~/.muttrc", error->message);
		g_error_free(error);
		return 1;
	}
	fputs(text, stdout);
	g_free(text);
	cli_stderr("surat: %u commands translated, %u left as comments; save the output into your "
	    "surat config and run surat check-config", translated, left);
	return 0;
}
