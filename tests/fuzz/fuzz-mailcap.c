/*
 * fuzz-mailcap: libFuzzer target over mailcap files (mailcap.h) and the
 * expansion of their commands, with the oracle of DESIGN promise 3: nothing
 * from a message reaches a shell unquoted.
 *
 * The input is three parts, one per line: a MIME type (from the message),
 * a file name (standing for the temporary path; surat chooses it, but it
 * must be quoted whatever it holds), and the rest, a mailcap file.  The file
 * is read with mailcap_add_text (never mailcap_find: test= would run
 * commands); every warning is sanitized and names the file and line.  For
 * each entry, mailcap_command either refuses or returns
 * { "/bin/sh", "-c", COMMAND }, where:
 *
 *   - the path is quoted wherever it lands: what the shell reads as syntax
 *     in COMMAND (everything outside single quotes and backslash escapes)
 *     is the same whatever bytes the path holds;
 *   - a type that is not a plain type/subtype (^[a-zA-Z0-9.+/_-]+$, not
 *     starting with '-') is never put in: the command is the same as with
 *     a harmless type.
 *
 * No global setup; replay.c runs the corpus in every build.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "surat/mailcap.h"
#include "surat/sanitize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FILE "fuzz.mailcap"

/*
 * What /bin/sh reads as syntax in COMMAND: every byte that is not inside
 * single quotes and not escaped by a backslash, the quote and backslash
 * characters themselves left out.  Inside double quotes everything counts
 * ($ and ` stay live there).
 */
static char *
fuzz_shell_active(const char *command)
{
	GString *out = g_string_new(NULL);
	enum { NORMAL, SINGLE, DOUBLE } state = NORMAL;
	const char *p;

	for (p = command; *p != '\0'; p++) {
		switch (state) {
		case NORMAL:
			if (*p == '\\') {
				if (p[1] != '\0')
					p++; /* an escaped byte is a literal */
			} else if (*p == '\'') {
				state = SINGLE;
			} else if (*p == '"') {
				state = DOUBLE;
			} else {
				g_string_append_c(out, *p);
			}
			break;
		case SINGLE:
			if (*p == '\'')
				state = NORMAL;
			break;
		case DOUBLE:
			if (*p == '\\' && p[1] != '\0' && strchr("$`\"\\", p[1]) != NULL)
				p++; /* \$ \` \" \\ are literals in double quotes too */
			else if (*p == '"')
				state = NORMAL;
			else
				g_string_append_c(out, *p);
			break;
		}
	}
	/* An unclosed quote is the template's own problem; mark where it is. */
	g_string_append_c(out, "NSD"[state]);
	return g_string_free(out, FALSE);
}

/* True when TYPE may stand in a command. */
static bool
fuzz_type_safe(const char *type)
{
	return type[0] != '\0' && type[0] != '-' &&
	    strspn(type, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+/_-") ==
	    strlen(type);
}

/* The view command of E for TYPE and PATH, or NULL when refused (checking the refusal). */
static char *
fuzz_command(const struct mailcap_entry *e, const char *type, const char *path)
{
	GError *error = NULL;
	bool pipe_file = false;
	char **argv = mailcap_command(e, type, path, &pipe_file, &error), *command;

	if (argv == NULL) {
		if (error == NULL || error->domain != MAILCAP_ERROR ||
		    !g_str_has_prefix(error->message, FUZZ_FILE ":") ||
		    !sanitize_is_clean(error->message, 0))
			abort();
		g_error_free(error);
		return NULL;
	}
	if (error != NULL || g_strv_length(argv) != 3 || strcmp(argv[0], "/bin/sh") != 0 ||
	    strcmp(argv[1], "-c") != 0)
		abort();
	command = g_strdup(argv[2]);
	g_strfreev(argv);
	return command;
}

/* Check the expansion of entry E with the message's TYPE and the path PATH. */
static void
fuzz_entry(const struct mailcap_entry *e, const char *type, const char *path)
{
	char *command, *other, *path_z, *a, *b, *p;

	if (e->type == NULL || e->view == NULL || e->line < 1 ||
	    strcmp(e->file, FUZZ_FILE) != 0)
		abort();
	for (p = e->type; *p != '\0'; p++)
		if (g_ascii_isupper(*p))
			abort();
	command = fuzz_command(e, type, path);
	if (command == NULL)
		return;
	/* The same path with every byte changed: the shell's syntax must not change. */
	path_z = g_strdup(path);
	for (p = path_z; *p != '\0'; p++)
		*p = *p == 'Z' ? 'Q' : 'Z';
	other = fuzz_command(e, type, path_z);
	if (other == NULL)
		abort();
	a = fuzz_shell_active(command);
	b = fuzz_shell_active(other);
	if (strcmp(a, b) != 0)
		abort();
	g_free(a);
	g_free(b);
	g_free(other);
	g_free(path_z);
	/* A type that may not stand in a command did not get in. */
	if (!fuzz_type_safe(type)) {
		other = fuzz_command(e, "application/octet-stream", path);
		if (other == NULL || strcmp(command, other) != 0)
			abort();
		g_free(other);
	}
	g_free(command);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = g_strndup((const char *)data, size), *type, *name, *rest, *path, *nl;
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	struct mailcap *m = mailcap_new();
	guint i;

	type = text;
	name = (nl = strchr(type, '\n')) != NULL ? (*nl = '\0', nl + 1) : type + strlen(type);
	rest = (nl = strchr(name, '\n')) != NULL ? (*nl = '\0', nl + 1) : name + strlen(name);
	path = g_strconcat("/tmp/surat-fuzz/", name, NULL);
	mailcap_add_text(m, rest, FUZZ_FILE, warnings);
	for (i = 0; i < warnings->len; i++) {
		const char *w = g_ptr_array_index(warnings, i);

		if (!g_str_has_prefix(w, FUZZ_FILE ":") || !g_ascii_isdigit(w[strlen(FUZZ_FILE) + 1]) ||
		    !sanitize_is_clean(w, 0))
			abort();
	}
	/* A file of many entries: the first hundred are enough to check. */
	for (i = 0; i < m->entries->len && i < 100; i++)
		fuzz_entry(g_ptr_array_index(m->entries, i), type, path);
	mailcap_free(m);
	g_ptr_array_free(warnings, TRUE);
	g_free(path);
	g_free(text);
	return 0;
}
