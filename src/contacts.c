/*
 * contacts: mutt alias files and query_command (contacts.h).
 */
#include "surat/contacts.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "surat/command.h"
#include "surat/muttrc.h"
#include "surat/sanitize.h"

#define CONTACTS_FILE_MAX   (16 * 1024 * 1024) /* bytes of an alias file read */
#define CONTACTS_KEY_MAX    64
#define CONTACTS_QUERY_MAX  (1024 * 1024)      /* bytes of a query_command's output */

G_DEFINE_QUARK(surat-contacts-error-quark, contacts_error)

struct contacts_aliases {
	GHashTable *by_key; /* lower-case key -> struct contact_entry * */
};

void
contact_entry_free(struct contact_entry *e)
{
	if (e == NULL)
		return;
	g_free(e->key);
	g_free(e->name);
	g_free(e->address);
	g_free(e);
}

static struct contact_entry *
contact_entry_new(const char *key, const char *name, const char *address)
{
	struct contact_entry *e = g_new0(struct contact_entry, 1);

	e->key = g_strdup(key);
	e->name = name != NULL && *name != '\0' ? g_strdup(name) : NULL;
	e->address = g_strdup(address);
	return e;
}

/* The next word of *LINE (quotes kept out of a quoted one), or NULL at its end. */
static char *
contacts_word(const char **line)
{
	const char *p = *line + strspn(*line, " \t"), *start;
	char *word;

	if (*p == '\0')
		return NULL;
	if (*p == '"') {
		start = ++p;
		while (*p != '\0' && *p != '"')
			p++;
		word = g_strndup(start, (gsize)(p - start));
		if (*p == '"')
			p++;
	} else {
		start = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		word = g_strndup(start, (gsize)(p - start));
	}
	*line = p;
	return word;
}

/* LINE with a comment cut off: `#` at its start or after a blank, outside quotes. */
static void
contacts_cut_comment(char *line)
{
	bool quoted = false;
	char *p;

	for (p = line; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == '#' && !quoted && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

/* One logical line of an alias file onto ALIASES (muttrc_line_fn). */
static void
contacts_alias_line(char *line, unsigned int first, void *data)
{
	struct contacts_aliases *aliases = data;
	const char *p = line;
	char *word, *key = NULL, *value;

	(void)first;
	contacts_cut_comment(line);
	word = contacts_word(&p);
	if (word == NULL || strcmp(word, "alias") != 0) {
		g_free(word);
		return;
	}
	g_free(word);
	/* alias [-group NAME]... KEY ADDRESSES */
	while ((word = contacts_word(&p)) != NULL && strcmp(word, "-group") == 0) {
		g_free(word);
		g_free(contacts_word(&p));
	}
	key = word;
	value = g_strstrip(g_strdup(p));
	if (key != NULL && *key != '\0' && *value != '\0' && g_utf8_validate(key, -1, NULL) &&
	    g_utf8_validate(value, -1, NULL))
		g_hash_table_replace(aliases->by_key, g_utf8_strdown(key, -1),
		    contact_entry_new(key, NULL, value));
	g_free(key);
	g_free(value);
}

struct contacts_aliases *
contacts_aliases_load(const char *path, GError **error)
{
	struct contacts_aliases *aliases = g_new0(struct contacts_aliases, 1);
	char *text = NULL;
	GError *e = NULL;
	gsize len = 0;

	aliases->by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)contact_entry_free);
	if (path == NULL)
		return aliases;
	if (!g_file_get_contents(path, &text, &len, &e)) {
		if (g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
			g_error_free(e);
			return aliases;
		}
		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_FILE,
		    "%s cannot be read (%s); fix it or set alias_file to another file", path,
		    e->message);
		g_error_free(e);
		contacts_aliases_free(aliases);
		return NULL;
	}
	if (len > CONTACTS_FILE_MAX)
		text[CONTACTS_FILE_MAX] = '\0';
	/* Continuations and all, as mutt reads it. */
	muttrc_each_line(text, contacts_alias_line, aliases);
	g_free(text);
	return aliases;
}

void
contacts_aliases_free(struct contacts_aliases *aliases)
{
	if (aliases == NULL)
		return;
	g_hash_table_destroy(aliases->by_key);
	g_free(aliases);
}

const char *
contacts_alias_lookup(const struct contacts_aliases *aliases, const char *key)
{
	struct contact_entry *e;
	char *lower;

	if (aliases == NULL || key == NULL || !g_utf8_validate(key, -1, NULL))
		return NULL;
	lower = g_utf8_strdown(key, -1);
	e = g_hash_table_lookup(aliases->by_key, lower);
	g_free(lower);
	return e != NULL ? e->address : NULL;
}

/* True when a word of TEXT (after a blank, a quote, '<' or at its start) begins with PREFIX. */
static bool
contacts_word_starts(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	const char *p;

	for (p = text; *p != '\0'; p++)
		if ((p == text || strchr(" \t\"<,(", p[-1]) != NULL) &&
		    g_ascii_strncasecmp(p, prefix, n) == 0)
			return true;
	return false;
}

static gint
contacts_by_key(gconstpointer a, gconstpointer b)
{
	const struct contact_entry *x = *(struct contact_entry *const *)a;
	const struct contact_entry *y = *(struct contact_entry *const *)b;

	return g_ascii_strcasecmp(x->key, y->key);
}

void
contacts_aliases_complete(const struct contacts_aliases *aliases, const char *prefix,
    GPtrArray *out)
{
	GPtrArray *found = g_ptr_array_new();
	GHashTableIter it;
	gpointer value;
	size_t n = strlen(prefix);
	guint i;

	if (aliases == NULL) {
		g_ptr_array_free(found, TRUE);
		return;
	}
	g_hash_table_iter_init(&it, aliases->by_key);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct contact_entry *e = value;

		if (g_ascii_strncasecmp(e->key, prefix, n) == 0 ||
		    contacts_word_starts(e->address, prefix))
			g_ptr_array_add(found, e);
	}
	g_ptr_array_sort(found, contacts_by_key);
	for (i = 0; i < found->len; i++) {
		struct contact_entry *e = g_ptr_array_index(found, i);

		g_ptr_array_add(out, contact_entry_new(e->key, e->name, e->address));
	}
	g_ptr_array_free(found, TRUE);
}

bool
contacts_alias_key_ok(const char *key, GError **error)
{
	const char *p;

	if (key == NULL || *key == '\0' || strlen(key) > CONTACTS_KEY_MAX) {
		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_ALIAS,
		    "An alias is 1 to %d characters; type a short name", CONTACTS_KEY_MAX);
		return false;
	}
	if (!g_utf8_validate(key, -1, NULL))
		goto bad;
	for (p = key; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (!g_unichar_isgraph(c) || strchr(",\"'#<>@\\;", (int)c) != NULL)
			goto bad;
	}
	return true;
bad:
	g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_ALIAS,
	    "An alias is one word without spaces, commas, quotes, #, <, >, @, ; or \\; type "
	    "another");
	return false;
}

bool
contacts_alias_add(const char *path, const char *key, const char *addresses, GError **error)
{
	struct contacts_aliases *now;
	char *dir, *line;
	bool taken;
	ssize_t n;
	int fd;

	if (!contacts_alias_key_ok(key, error))
		return false;
	if (addresses == NULL || *addresses == '\0' || strpbrk(addresses, "\r\n") != NULL) {
		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_ALIAS,
		    "The alias %s needs its addresses on one line", key);
		return false;
	}
	if ((now = contacts_aliases_load(path, error)) == NULL)
		return false;
	taken = contacts_alias_lookup(now, key) != NULL;
	contacts_aliases_free(now);
	if (taken) {
		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_ALIAS,
		    "The alias %s is in %s already; type another name or edit the file", key,
		    path);
		return false;
	}
	dir = g_path_get_dirname(path);
	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_FILE,
		    "%s cannot be made (%s); make it or set alias_file", dir, g_strerror(errno));
		g_free(dir);
		return false;
	}
	g_free(dir);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_FILE,
		    "%s cannot be opened (%s); check its permissions or set alias_file", path,
		    g_strerror(errno));
		return false;
	}
	line = g_strdup_printf("alias %s %s\n", key, addresses);
	n = write(fd, line, strlen(line));
	if (n != (ssize_t)strlen(line) || fsync(fd) != 0) {
		/* A short write with no errno is a full disk. */
		int saved = n >= 0 && n != (ssize_t)strlen(line) ? ENOSPC : errno;

		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_FILE,
		    "%s cannot be written (%s); the alias is not saved", path, g_strerror(saved));
		close(fd);
		g_free(line);
		return false;
	}
	g_free(line);
	if (close(fd) != 0) {
		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_FILE,
		    "%s cannot be written (%s); the alias is not saved", path, g_strerror(errno));
		return false;
	}
	return true;
}

bool
contacts_query(const char *command, const char *text, int timeout_ms, GPtrArray *out,
    GError **error)
{
	char **argv, **lines, *shown;
	GError *e = NULL;
	GBytes *bytes;
	gsize len;
	const char *data;
	char *copy;
	int status = 0;
	guint i;

	if ((argv = command_argv_with(command, "%s", text, &e)) == NULL)
		goto failed;
	bytes = command_run_status(argv, NULL, 0, timeout_ms, CONTACTS_QUERY_MAX, -1, &status,
	    &e);
	if (bytes == NULL)
		goto failed;
	data = g_bytes_get_data(bytes, &len);
	copy = g_strndup(data != NULL ? data : "", len);
	g_bytes_unref(bytes);
	lines = g_strsplit(copy, "\n", -1);
	g_free(copy);
	/* mutt's protocol: 1 with a line of its own is "nothing found". */
	if (status != 0 && !(status == 1 && (lines[0] == NULL || lines[1] == NULL ||
	    lines[1][0] == '\0'))) {
		shown = sanitize_text(argv[0], -1, 0);
		g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_COMMAND,
		    "query_command %s exited with status %d; try it in a shell", shown, status);
		g_free(shown);
		g_strfreev(lines);
		g_strfreev(argv);
		return false;
	}
	for (i = 1; status == 0 && lines[0] != NULL && lines[i] != NULL; i++) {
		char **fields = g_strsplit(lines[i], "\t", 3);
		char *address = fields[0] != NULL ? g_strstrip(fields[0]) : NULL;
		char *name = fields[0] != NULL && fields[1] != NULL ? g_strstrip(fields[1]) : NULL;

		if (address != NULL && strchr(address, '@') != NULL &&
		    g_utf8_validate(lines[i], -1, NULL)) {
			char *safe_address = sanitize_text(address, -1, 0);
			char *safe_name = name != NULL ? sanitize_text(name, -1, 0) : NULL;

			g_ptr_array_add(out, contact_entry_new(NULL, safe_name, safe_address));
			g_free(safe_address);
			g_free(safe_name);
		}
		g_strfreev(fields);
	}
	g_strfreev(lines);
	g_strfreev(argv);
	return true;
failed:
	g_set_error(error, CONTACTS_ERROR, CONTACTS_ERROR_COMMAND, "query_command: %s",
	    e->message);
	g_error_free(e);
	g_strfreev(argv);
	return false;
}
