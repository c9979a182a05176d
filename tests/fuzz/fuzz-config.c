/*
 * fuzz-config: libFuzzer target over the configuration (config.h): libconfig
 * text in, a configuration or error lines out, never a crash.
 *
 * The input is written to a file "config" in a private folder (HOME points
 * there too) that also holds two files to @include: "good.inc" (settings)
 * and "bad.inc" (a syntax error).  Inputs that could @include anything else
 * (a path with '/', a glob, an escape) are skipped, so the target never
 * reads files outside its folder.
 *
 * The oracle: a NULL configuration comes with errors and a configuration
 * with none; every error and warning is one sanitized line that names the
 * file and, unless it says the file as a whole cannot be read or has too
 * many errors, a line of it that exists; and a configuration that loads
 * keeps every promise of config.h (valid, unique account names; ports,
 * intervals and widths in range; fingerprints in canonical form; absolute
 * paths; a derived Maildir per account; key bindings and macros that are not empty; a
 * from address with its @, an smtp group or a sendmail_command, not both).
 *
 * The folder is made on the first input and removed at exit; replay.c runs
 * the corpus in every build.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "surat/config.h"
#include "surat/format.h"
#include "surat/sanitize.h"
#include "surat/search.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks a string token on some syntax errors (found-libconfig-leak.conf:
 * a string where a setting should start); nothing surat can free.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static char *fuzz_dir;
static char *fuzz_path;

static const char fuzz_good_inc[] = "mouse = true;\nsidebar_width = 30;\n";
static const char fuzz_bad_inc[] = "mouse = ;\n";

/* Remove the folder and its files. */
static void
fuzz_cleanup(void)
{
	const char *files[] = { "config", "good.inc", "bad.inc" };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(files); i++) {
		char *path = g_build_filename(fuzz_dir, files[i], NULL);

		g_unlink(path);
		g_free(path);
	}
	g_rmdir(fuzz_dir);
	g_free(fuzz_dir);
	g_free(fuzz_path);
}

/* Write LEN bytes of TEXT to NAME in the folder (not g_file_set_contents: no fsync per input). */
static void
fuzz_write(const char *name, const char *text, size_t len)
{
	char *path = g_build_filename(fuzz_dir, name, NULL);
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		abort();
	g_free(path);
}

/* Make the folder, once; HOME is it, so ~ expands inside. */
static void
fuzz_setup(void)
{
	if (fuzz_dir != NULL)
		return;
	fuzz_dir = g_dir_make_tmp("surat-fuzz-config-XXXXXX", NULL);
	if (fuzz_dir == NULL)
		abort();
	fuzz_path = g_build_filename(fuzz_dir, "config", NULL);
	fuzz_write("good.inc", fuzz_good_inc, strlen(fuzz_good_inc));
	fuzz_write("bad.inc", fuzz_bad_inc, strlen(fuzz_bad_inc));
	g_setenv("HOME", fuzz_dir, TRUE);
	g_unsetenv("XDG_CONFIG_HOME");
	atexit(fuzz_cleanup);
}

/* True when TEXT may name files outside the folder in an @include. */
static bool
fuzz_includes_elsewhere(const char *text, size_t len)
{
	const char *p;

	for (p = text; p + 8 <= text + len; p++)
		if (g_ascii_strncasecmp(p, "@include", 8) == 0)
			return memchr(text, '/', len) != NULL || memchr(text, '\\', len) != NULL ||
			    memchr(text, '*', len) != NULL || memchr(text, '?', len) != NULL ||
			    memchr(text, '[', len) != NULL;
	return false;
}

/* Lines in the file NAME of the folder (a last line without newline counts). */
static int
fuzz_lines(const char *name, const char *text, size_t len)
{
	const char *p;
	int n = 1;

	if (strcmp(name, "good.inc") == 0)
		text = fuzz_good_inc, len = strlen(fuzz_good_inc);
	else if (strcmp(name, "bad.inc") == 0)
		text = fuzz_bad_inc, len = strlen(fuzz_bad_inc);
	else if (strcmp(name, "config") != 0)
		abort(); /* a file the input could not have read */
	for (p = text; p < text + len; p++)
		n += *p == '\n';
	return n;
}

/* Say which LINE broke the oracle, and stop. */
static void
fuzz_bad_line(const char *line)
{
	fprintf(stderr, "fuzz-config: a bad error or warning line: %s\n", line);
	abort();
}

/*
 * Abort unless LINE is a clean "FILE:LINE: ..." about a file of the folder
 * (a WARNING may be about a file as a whole: "FILE: ...").
 */
static void
fuzz_check_line(const char *line, bool warning, const char *text, size_t len)
{
	size_t dir_len = strlen(fuzz_dir);
	const char *name, *colon;
	char *file, *end;
	long n;

	if (!sanitize_is_clean(line, 0) || strchr(line, '\n') != NULL)
		fuzz_bad_line(line);
	if (strncmp(line, fuzz_dir, dir_len) != 0 || line[dir_len] != '/')
		fuzz_bad_line(line);
	name = line + dir_len + 1;
	if ((colon = strchr(name, ':')) == NULL)
		fuzz_bad_line(line);
	file = g_strndup(name, (gsize)(colon - name));
	/* The two lines about the file as a whole. */
	if (strcmp(file, "config") == 0 && (g_str_has_prefix(colon, ": cannot read: ") ||
	    g_str_has_prefix(colon, ": more than "))) {
		g_free(file);
		return;
	}
	if (warning && colon[1] == ' ') {
		(void)fuzz_lines(file, text, len); /* one of the folder's files */
		g_free(file);
		return;
	}
	n = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end != ':' || n < 1 || n > fuzz_lines(file, text, len))
		fuzz_bad_line(line);
	g_free(file);
}

/* Abort unless S is NULL or an absolute path. */
static void
fuzz_absolute(const char *s)
{
	if (s != NULL && !g_path_is_absolute(s))
		abort();
}

/* Abort unless FINGERPRINT is NULL or "SHA256:" and 64 lowercase hex digits. */
static void
fuzz_fingerprint(const char *fingerprint)
{
	const char *h;

	if (fingerprint == NULL)
		return;
	if (strlen(fingerprint) != 7 + 64 || !g_str_has_prefix(fingerprint, "SHA256:"))
		abort();
	for (h = fingerprint + 7; *h != '\0'; h++)
		if (!g_ascii_isdigit(*h) && (*h < 'a' || *h > 'f'))
			abort();
}

/* Abort unless S is NULL or UTF-8 without control characters (text for a header). */
static void
fuzz_header_text(const char *s)
{
	const char *c;

	if (s == NULL)
		return;
	if (!g_utf8_validate(s, -1, NULL))
		abort();
	for (c = s; *c != '\0'; c = g_utf8_next_char(c))
		if (g_unichar_iscntrl(g_utf8_get_char(c)))
			abort();
}

/* Abort unless A's keys for sending keep what config.h promises. */
static void
fuzz_check_send(const struct account_config *a)
{
	const struct smtp_config *m = a->smtp;

	fuzz_header_text(a->from_name);
	fuzz_header_text(a->from_address);
	if (a->from != NULL && a->from_address == NULL)
		abort();
	if (a->from_address != NULL && (strchr(a->from_address, '@') == NULL ||
	    a->from_address[0] == '@' || strpbrk(a->from_address, " <>") != NULL))
		abort();
	fuzz_absolute(a->signature_file);
	if ((a->sendmail_command == NULL) != (a->sendmail_argv == NULL) ||
	    (a->sendmail_argv != NULL && a->sendmail_argv[0] == NULL))
		abort();
	if (m == NULL)
		return;
	if (a->sendmail_command != NULL || m->host == NULL || m->user == NULL || m->port < 1 ||
	    m->port > 65535 || m->timeout < 1 || m->timeout > 3600 ||
	    (unsigned int)m->tls > SMTP_TLS_NONE || (unsigned int)m->auth > SMTP_AUTH_OAUTHBEARER ||
	    (m->password != NULL && m->password_command != NULL))
		abort();
	fuzz_absolute(m->ca_file);
	fuzz_fingerprint(m->fingerprint);
}

/* A value for every code: a wide character and a word, marked when it is %s. */
static void
fuzz_format_field(void *data, char code, const char *arg, int cols, struct format_field *out)
{
	(void)data;
	(void)arg;
	(void)cols;
	if (code == 's')
		out->mark_start = (gssize)out->text->len;
	g_string_append(out->text, "日x");
	if (code == 's')
		out->mark_end = (gssize)out->text->len;
}

/* A format the config let through compiles for KIND and lays out within 30 columns. */
static void
fuzz_check_format(const char *text, enum format_kind kind)
{
	struct format *f;
	GString *out;
	GArray *marks;
	guint i;

	if (text == NULL)
		return;
	if ((f = format_compile(text, kind, NULL)) == NULL)
		abort();
	out = g_string_new(NULL);
	marks = g_array_new(FALSE, FALSE, sizeof(struct format_mark));
	format_expand(f, 30, fuzz_format_field, NULL, out, marks);
	if (!g_utf8_validate(out->str, (gssize)out->len, NULL) || g_utf8_strlen(out->str, -1) > 30)
		abort();
	for (i = 0; i < marks->len; i++)
		if (g_array_index(marks, struct format_mark, i).end > out->len)
			abort();
	g_array_free(marks, TRUE);
	g_string_free(out, TRUE);
	format_free(f);
}

/* Abort unless C keeps what config.h promises of a loaded configuration. */
static void
fuzz_check_config(const struct surat_config *c)
{
	GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
	size_t i;
	int j;

	if (c->path == NULL || strcmp(c->path, fuzz_path) != 0 || c->store == NULL ||
	    c->theme == NULL || c->date_format == NULL || c->headers_shown == NULL ||
	    c->alternative_order == NULL || c->charset_fallbacks == NULL ||
	    c->download_dir == NULL)
		abort();
	fuzz_absolute(c->store);
	fuzz_absolute(c->download_dir);
	for (j = 0; c->mailcap_path != NULL && c->mailcap_path[j] != NULL; j++)
		fuzz_absolute(c->mailcap_path[j]);
	if (c->sort >= CONFIG_SORT_COUNT || c->sidebar_width < 10 || c->sidebar_width > 80 ||
	    c->index_lines < 1)
		abort();
	if ((c->new_mail_command == NULL) != (c->new_mail_argv == NULL) ||
	    (c->new_mail_argv != NULL && c->new_mail_argv[0] == NULL))
		abort();
	if (c->postponed == NULL || c->index_format == NULL || c->status_format == NULL)
		abort();
	fuzz_check_format(c->index_format, FORMAT_INDEX);
	fuzz_check_format(c->status_format, FORMAT_STATUS);
	fuzz_check_format(c->pager_format, FORMAT_PAGER);
	fuzz_header_text(c->realname);
	for (i = 0; i < c->n_accounts; i++) {
		const struct account_config *a = &c->accounts[i];

		if (!config_account_name_valid(a->name) || g_hash_table_contains(names, a->name))
			abort();
		g_hash_table_add(names, a->name);
		if (config_account(c, a->name) != a)
			abort();
		if (a->port < 1 || a->port > 65535 || a->timeout < 1 || a->poll_interval < 1 ||
		    a->delete_after_days < 0 || a->max_size < 0 || a->line < 1)
			abort();
		if (a->password != NULL && a->password_command != NULL)
			abort();
		if (!a->keep && a->delete_after_days > 0)
			abort();
		if (a->host != NULL && a->user == NULL)
			abort();
		fuzz_absolute(a->ca_file);
		if (a->maildir == NULL || !g_str_has_prefix(a->maildir, c->store) ||
		    strcmp(strrchr(a->maildir, '/') + 1, a->name) != 0)
			abort();
		fuzz_fingerprint(a->fingerprint);
		fuzz_check_send(a);
	}
	g_hash_table_remove_all(names);
	for (i = 0; i < c->n_mailboxes; i++) {
		const struct config_mailbox *m = &c->mailboxes[i];

		if (m->name == NULL || m->name[0] == '\0' || strlen(m->name) > CONFIG_MAILBOX_NAME_MAX ||
		    !g_utf8_validate(m->name, -1, NULL) || !sanitize_is_clean(m->name, 0) ||
		    g_hash_table_contains(names, m->name) || m->query == NULL ||
		    strlen(m->query) > CONFIG_QUERY_MAX || m->line < 1)
			abort();
		g_hash_table_add(names, m->name);
	}
	for (i = 0; i < c->n_bindings; i++) {
		const struct config_binding *b = &c->bindings[i];

		if (b->contexts == 0 || b->keys.len == 0 || b->keys.len > KEYMAP_SEQ_MAX ||
		    b->line < 1)
			abort();
	}
	for (i = 0; i < c->n_macros; i++) {
		const struct config_macro *m = &c->macros[i];
		GArray *steps = keymap_steps_parse(m->sequence, NULL);

		/* A loaded macro binds: keys, contexts and a sequence that parses. */
		if (m->contexts == 0 || m->keys.len == 0 || m->keys.len > KEYMAP_SEQ_MAX ||
		    m->line < 1 || steps == NULL)
			abort();
		g_array_unref(steps);
	}
	g_hash_table_destroy(names);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GPtrArray *errors, *warnings;
	struct surat_config *config;
	guint i;

	if (fuzz_includes_elsewhere((const char *)data, size))
		return 0;
	fuzz_setup();
	fuzz_write("config", (const char *)data, size);
	errors = g_ptr_array_new_with_free_func(g_free);
	warnings = g_ptr_array_new_with_free_func(g_free);
	config = config_load(fuzz_path, errors, warnings);
	if ((config == NULL) != (errors->len > 0))
		abort();
	for (i = 0; i < errors->len; i++)
		fuzz_check_line(g_ptr_array_index(errors, i), false, (const char *)data, size);
	for (i = 0; i < warnings->len; i++)
		fuzz_check_line(g_ptr_array_index(warnings, i), true, (const char *)data, size);
	if (config != NULL)
		fuzz_check_config(config);
	config_free(config);
	g_ptr_array_free(errors, TRUE);
	g_ptr_array_free(warnings, TRUE);
	return 0;
}
