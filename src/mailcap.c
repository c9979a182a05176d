/*
 * mailcap: an RFC 1524 reader and the safe expansion of its commands.
 *
 * A mailcap command is the user's (or the system's) shell text; surat adds
 * to it only its own temporary path (single-quoted), a MIME type that passed
 * a strict pattern, and the fixed "utf-8".  Anything else a template asks for
 * from the message is refused, never substituted.
 *
 * What it never does: run a view command (the caller does), or read more
 * than 1 MB of a file.
 */
#include "surat/mailcap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "surat/command.h"
#include "surat/path.h"
#include "surat/sanitize.h"

#define MAILCAP_MAX_FILE    (1024 * 1024)
#define MAILCAP_MAX_ENTRIES 10000
#define MAILCAP_TEST_MS     5000
#define MAILCAP_MAX_PARAM   32  /* bytes of a %{name} */
#define MAILCAP_MAX_NAME    127 /* characters of a type or a subtype (RFC 6838) */

G_DEFINE_QUARK(surat-mailcap-error-quark, mailcap_error)

/* Free one entry. */
static void
mailcap_entry_free(gpointer data)
{
	struct mailcap_entry *e = data;

	g_free(e->type);
	g_free(e->view);
	g_free(e->test);
	g_free(e->file);
	g_free(e);
}

struct mailcap *
mailcap_new(void)
{
	struct mailcap *m = g_new0(struct mailcap, 1);

	m->entries = g_ptr_array_new_with_free_func(mailcap_entry_free);
	return m;
}

void
mailcap_free(struct mailcap *m)
{
	if (m == NULL)
		return;
	g_ptr_array_free(m->entries, TRUE);
	g_free(m);
}

/*
 * The length of the name at P (a type or a subtype) when it is one surat
 * puts into a command, else 0: an RFC 2045 token, kept to the characters of
 * RFC 6838's restricted names that mean nothing to a shell (letters, digits,
 * ". + - _"), starting with a letter or digit (so never taken for an
 * option), at most 127 characters.
 */
static size_t
mailcap_name_len(const char *p)
{
	size_t n;

	if (!g_ascii_isalnum(*p))
		return 0;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_");
	return n <= MAILCAP_MAX_NAME ? n : 0;
}

/* True when TYPE may stand in a command: "type/subtype", each a name as above. */
static bool
mailcap_type_safe(const char *type)
{
	size_t n;

	if (type == NULL || (n = mailcap_name_len(type)) == 0 || type[n] != '/')
		return false;
	type += n + 1;
	return (n = mailcap_name_len(type)) > 0 && type[n] == '\0';
}

/* Add a warning "NAME:LINE: what" (sanitized) to WARNINGS. */
static void G_GNUC_PRINTF(4, 5)
mailcap_warn(GPtrArray *warnings, const char *name, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg, *text;

	if (warnings == NULL)
		return;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	text = g_strdup_printf("%s:%d: %s", name, line, msg);
	g_ptr_array_add(warnings, sanitize_text(text, -1, 0));
	g_free(text);
	g_free(msg);
}

/* Split ENTRY at the semicolons a backslash does not quote; fields trimmed, backslashes kept. */
static GPtrArray *
mailcap_fields(const char *entry)
{
	GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
	GString *field = g_string_new(NULL);
	const char *p;

	for (p = entry; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			g_string_append_c(field, *p++);
			g_string_append_c(field, *p);
		} else if (*p == ';') {
			g_ptr_array_add(fields, g_strstrip(g_strdup(field->str)));
			g_string_truncate(field, 0);
		} else {
			g_string_append_c(field, *p);
		}
	}
	g_ptr_array_add(fields, g_strstrip(g_strdup(field->str)));
	g_string_free(field, TRUE);
	return fields;
}

/* Add the entry TEXT, read at NAME:LINE, to M. */
static void
mailcap_add_entry(struct mailcap *m, const char *text, const char *name, int line,
    GPtrArray *warnings)
{
	GPtrArray *fields = mailcap_fields(text);
	struct mailcap_entry *e;
	const char *type = g_ptr_array_index(fields, 0);
	guint i;

	if (fields->len < 2 || *type == '\0' ||
	    strspn(type, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.+-_/*") !=
	    strlen(type)) {
		mailcap_warn(warnings, name, line, "not an entry \"type/subtype; command\"; skipped");
		g_ptr_array_free(fields, TRUE);
		return;
	}
	if (m->entries->len >= MAILCAP_MAX_ENTRIES) {
		g_ptr_array_free(fields, TRUE);
		return;
	}
	e = g_new0(struct mailcap_entry, 1);
	e->type = strchr(type, '/') != NULL ? g_ascii_strdown(type, -1) :
	    g_strconcat(type, "/*", NULL);
	if (strchr(type, '/') == NULL) {
		char *lower = g_ascii_strdown(e->type, -1);

		g_free(e->type);
		e->type = lower;
	}
	e->view = g_strdup(g_ptr_array_index(fields, 1));
	e->file = g_strdup(name);
	e->line = line;
	for (i = 2; i < fields->len; i++) {
		const char *f = g_ptr_array_index(fields, i);
		const char *eq = strchr(f, '=');
		char *key = g_ascii_strdown(f, eq != NULL ? (gssize)(eq - f) : -1);

		g_strstrip(key);
		if (strcmp(key, "needsterminal") == 0) {
			e->needsterminal = true;
		} else if (strcmp(key, "copiousoutput") == 0) {
			e->copiousoutput = true;
		} else if (strcmp(key, "test") == 0 && eq != NULL) {
			g_free(e->test);
			e->test = g_strstrip(g_strdup(eq + 1));
		}
		/* nametemplate, compose, edit, print, description ...: not used. */
		g_free(key);
	}
	g_ptr_array_add(m->entries, e);
	g_ptr_array_free(fields, TRUE);
}

void
mailcap_add_text(struct mailcap *m, const char *text, const char *name, GPtrArray *warnings)
{
	const char *p = text, *end;
	GString *entry = g_string_new(NULL);
	int line = 0, first = 0;

	if (m == NULL || text == NULL)
		return;
	end = text + strlen(text);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl != NULL ? nl : end;
		size_t n = (size_t)(stop - p);
		bool more;

		line++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (entry->len == 0) {
			const char *q = p;

			while (q < p + n && (*q == ' ' || *q == '\t'))
				q++;
			first = line;
			if (q == p + n || *q == '#') {
				p = nl != NULL ? nl + 1 : end;
				continue;
			}
		}
		/* A backslash at the end continues the entry on the next line. */
		more = n > 0 && p[n - 1] == '\\';
		g_string_append_len(entry, p, (gssize)(more ? n - 1 : n));
		if (!more || nl == NULL) {
			mailcap_add_entry(m, entry->str, name, first, warnings);
			g_string_truncate(entry, 0);
		}
		p = nl != NULL ? nl + 1 : end;
	}
	if (entry->len > 0)
		mailcap_add_entry(m, entry->str, name, first, warnings);
	g_string_free(entry, TRUE);
}

bool
mailcap_add_file(struct mailcap *m, const char *path, GPtrArray *warnings, GError **error)
{
	char *full = path_expand(path), buf[65536];
	GString *text;
	ssize_t n;
	int fd, saved;

	if (full == NULL)
		return true;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR)) {
		g_free(full);
		return true;
	}
	if (fd < 0) {
		saved = errno;
		g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_READ, "%s: %s", full,
		    g_strerror(saved));
		g_free(full);
		return false;
	}
	text = g_string_new(NULL);
	while (text->len < MAILCAP_MAX_FILE && (n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_READ, "%s: %s", full,
			    g_strerror(saved));
			g_string_free(text, TRUE);
			g_free(full);
			return false;
		}
		g_string_append_len(text, buf, n);
	}
	close(fd);
	if (text->len > MAILCAP_MAX_FILE) {
		g_string_truncate(text, MAILCAP_MAX_FILE);
		mailcap_warn(warnings, full, 0, "larger than 1 MB; only the first 1 MB is read");
	}
	mailcap_add_text(m, text->str, full, warnings);
	g_string_free(text, TRUE);
	g_free(full);
	return true;
}

struct mailcap *
mailcap_load(const char *const *paths, GPtrArray *warnings)
{
	static const char *const defaults[] = { "~/.mailcap", "/etc/mailcap", NULL };
	struct mailcap *m = mailcap_new();
	int i;

	if (paths == NULL)
		paths = defaults;
	for (i = 0; paths[i] != NULL; i++) {
		GError *error = NULL;

		if (!mailcap_add_file(m, paths[i], warnings, &error)) {
			if (warnings != NULL)
				g_ptr_array_add(warnings, sanitize_text(error->message, -1, 0));
			g_error_free(error);
		}
	}
	return m;
}

char *
mailcap_quote(const char *s)
{
	GString *out = g_string_new("'");

	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\'')
			g_string_append(out, "'\\''");
		else
			g_string_append_c(out, *s);
	}
	g_string_append_c(out, '\'');
	return g_string_free(out, FALSE);
}

/* Where /bin/sh is in the command written so far: outside quotes, in '...' or in "...". */
struct mailcap_shell {
	enum { MAILCAP_SH_PLAIN, MAILCAP_SH_SINGLE, MAILCAP_SH_DOUBLE } quote;
	bool escaped; /* the last byte was a backslash that quotes the next one */
};

/* Move SH past the byte C of the command. */
static void
mailcap_shell_step(struct mailcap_shell *sh, char c)
{
	if (sh->escaped) {
		sh->escaped = false;
	} else if (sh->quote == MAILCAP_SH_SINGLE) {
		if (c == '\'')
			sh->quote = MAILCAP_SH_PLAIN;
	} else if (c == '\\') {
		sh->escaped = true;
	} else if (c == '"') {
		sh->quote = sh->quote == MAILCAP_SH_DOUBLE ? MAILCAP_SH_PLAIN : MAILCAP_SH_DOUBLE;
	} else if (c == '\'' && sh->quote == MAILCAP_SH_PLAIN) {
		sh->quote = MAILCAP_SH_SINGLE;
	}
}

/* Append S to OUT, following the shell's quoting in SH. */
static void
mailcap_append(GString *out, struct mailcap_shell *sh, const char *s)
{
	for (; *s != '\0'; s++) {
		g_string_append_c(out, *s);
		mailcap_shell_step(sh, *s);
	}
}

/*
 * Append PATH single-quoted to OUT.  Inside the template's own quotes
 * ('%s' or "%s", which many mailcap files have) those are closed first and
 * opened again after, so the path is never outside quotes; after a
 * backslash it cannot be quoted, and is refused.
 */
static bool
mailcap_append_path(GString *out, struct mailcap_shell *sh, const char *path, GError **error)
{
	const char *close = sh->quote == MAILCAP_SH_SINGLE ? "'" :
	    sh->quote == MAILCAP_SH_DOUBLE ? "\"" : "";
	char *quoted;

	if (sh->escaped) {
		g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_UNSAFE,
		    "%%s right after a backslash cannot be quoted");
		return false;
	}
	quoted = mailcap_quote(path);
	g_string_append_printf(out, "%s%s%s", close, quoted, close);
	g_free(quoted);
	return true;
}

char *
mailcap_expand(const char *template, const char *type, const char *path, bool *uses_file,
    GError **error)
{
	GString *out = g_string_new(NULL);
	struct mailcap_shell sh = { MAILCAP_SH_PLAIN, false };
	const char *p;
	char one[2] = { 0 };

	if (uses_file != NULL)
		*uses_file = false;
	for (p = template != NULL ? template : ""; *p != '\0'; p++) {
		if (*p == '\\') {
			if (p[1] != '\0') {
				one[0] = *++p;
				mailcap_append(out, &sh, one);
			}
			continue;
		}
		if (*p != '%' || p[1] == '\0') {
			one[0] = *p;
			mailcap_append(out, &sh, one);
			continue;
		}
		p++;
		if (*p == '%') {
			mailcap_append(out, &sh, "%");
		} else if (*p == 's') {
			if (path == NULL) {
				g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_UNSAFE,
				    "%%s needs a file and there is none");
				goto refuse;
			}
			if (!mailcap_append_path(out, &sh, path, error))
				goto refuse;
			if (uses_file != NULL)
				*uses_file = true;
		} else if (*p == 't') {
			if (!mailcap_type_safe(type)) {
				g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_UNSAFE,
				    "%%t: the message's type is not a plain type/subtype (letters, "
				    "digits and . + - _, each starting with a letter or digit); surat "
				    "does not put it into a command");
				goto refuse;
			}
			mailcap_append(out, &sh, type);
		} else if (*p == '{') {
			const char *close = strchr(p, '}');
			char *name;

			if (close == NULL || close - p - 1 > MAILCAP_MAX_PARAM) {
				g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_UNSAFE,
				    "an unclosed %%{ in the command");
				goto refuse;
			}
			name = g_ascii_strdown(p + 1, close - p - 1);
			if (strcmp(name, "charset") != 0) {
				char *clean = sanitize_text(name, -1, 0);

				g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_UNSAFE,
				    "%%{%s} would put text from the message into a command; surat "
				    "refuses it (only %%s, %%t and %%{charset} are supported)", clean);
				g_free(clean);
				g_free(name);
				goto refuse;
			}
			/* attach.h writes text parts as UTF-8: a fixed value, never the message's. */
			mailcap_append(out, &sh, "utf-8");
			g_free(name);
			p = close;
		} else {
			g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_UNSAFE,
			    "%%%c is not supported (only %%s, %%t and %%{charset} are)", g_ascii_isprint(*p) ? *p : '?');
			goto refuse;
		}
	}
	return g_string_free(out, FALSE);
refuse:
	g_string_free(out, TRUE);
	return NULL;
}

/* True when ENTRY's type covers TYPE (lowercase). */
static bool
mailcap_matches(const struct mailcap_entry *e, const char *type)
{
	size_t n = strlen(e->type);

	if (strcmp(e->type, "*/*") == 0)
		return true;
	if (n >= 2 && strcmp(e->type + n - 2, "/*") == 0)
		return strncmp(e->type, type, n - 1) == 0;
	return strcmp(e->type, type) == 0;
}

/* True when ENTRY has no test=, or its test passes for TYPE and PATH. */
static bool
mailcap_test_passes(const struct mailcap_entry *e, const char *type, const char *path)
{
	char *argv[4] = { "/bin/sh", "-c", NULL, NULL };
	bool ok;

	if (e->test == NULL)
		return true;
	if ((argv[2] = mailcap_expand(e->test, type, path, NULL, NULL)) == NULL)
		return false;
	ok = command_test(argv, MAILCAP_TEST_MS);
	g_free(argv[2]);
	return ok;
}

const struct mailcap_entry *
mailcap_find(const struct mailcap *m, const char *type, unsigned int flags, const char *path)
{
	char *lower;
	guint i;

	if (m == NULL || !mailcap_type_safe(type))
		return NULL;
	lower = g_ascii_strdown(type, -1);
	for (i = 0; i < m->entries->len; i++) {
		const struct mailcap_entry *e = g_ptr_array_index(m->entries, i);

		if (!mailcap_matches(e, lower))
			continue;
		if ((flags & MAILCAP_COPIOUSOUTPUT) && !e->copiousoutput)
			continue;
		if ((flags & MAILCAP_NO_TERMINAL) && e->needsterminal)
			continue;
		if (!mailcap_test_passes(e, lower, path))
			continue;
		g_free(lower);
		return e;
	}
	g_free(lower);
	return NULL;
}

char **
mailcap_command(const struct mailcap_entry *entry, const char *type, const char *path,
    bool *pipe_file, GError **error)
{
	char **argv;
	char *command;
	bool uses_file = false;

	if (entry == NULL) {
		char *clean = sanitize_text(type != NULL ? type : "", -1, 0);

		g_set_error(error, MAILCAP_ERROR, MAILCAP_ERROR_NONE, "no mailcap entry for %s",
		    clean);
		g_free(clean);
		return NULL;
	}
	command = mailcap_expand(entry->view, type, path, &uses_file, error);
	if (command == NULL) {
		g_prefix_error(error, "%s:%d: ", entry->file != NULL ? entry->file : "mailcap",
		    entry->line);
		return NULL;
	}
	if (pipe_file != NULL)
		*pipe_file = !uses_file;
	argv = g_new0(char *, 4);
	argv[0] = g_strdup("/bin/sh");
	argv[1] = g_strdup("-c");
	argv[2] = command;
	return argv;
}
