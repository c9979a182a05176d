/*
 * index-contacts: the address book completion ranks (index.h), schema 8's
 * `contacts`, counted from the messages rows after the fact: a fetch writes
 * nothing more for it, and the first Tab of a session counts what came
 * since the last one.
 */
#include "index-private.h"

#include <string.h>

/* What one pass found out about an address. */
struct contact_count {
	char *address; /* as first written */
	char *name;    /* the newest name with it, or NULL */
	int written, seen;
	int64_t last_written, last_seen;
};

static void
contact_count_free(gpointer data)
{
	struct contact_count *c = data;

	g_free(c->address);
	g_free(c->name);
	g_free(c);
}

void
index_contact_free(struct index_contact *c)
{
	if (c == NULL)
		return;
	g_free(c->address);
	g_free(c->name);
	g_free(c);
}

/* Count ADDRESS (NAME may be NULL) once, written or seen at DATE, in COUNTS. */
static void
contacts_note(GHashTable *counts, const char *address, const char *name, bool written,
    int64_t date)
{
	struct contact_count *c;
	char *key;

	if (address == NULL || strchr(address, '@') == NULL || strlen(address) > 320)
		return;
	key = g_ascii_strdown(address, -1);
	if ((c = g_hash_table_lookup(counts, key)) == NULL) {
		c = g_new0(struct contact_count, 1);
		c->address = g_strdup(address);
		g_hash_table_insert(counts, key, c);
	} else {
		g_free(key);
	}
	/* Rows come oldest id first: the newest name wins. */
	if (name != NULL && name[0] != '\0' && g_ascii_strcasecmp(name, address) != 0) {
		g_free(c->name);
		c->name = g_strdup(name);
	}
	if (written) {
		c->written++;
		c->last_written = MAX(c->last_written, date);
	} else {
		c->seen++;
		c->last_seen = MAX(c->last_seen, date);
	}
}

/*
 * The recipients of one list: ADDRS space-separated, LIST the display form
 * ("Name, Name"), whose names pair with the addresses only when the counts
 * agree (a name holding ", " would shift them: then no names).
 */
static void
contacts_note_list(GHashTable *counts, const char *list, const char *addrs, int64_t date)
{
	char **a = g_strsplit(addrs != NULL ? addrs : "", " ", -1);
	char **n = g_strsplit(list != NULL ? list : "", ", ", -1);
	bool paired = g_strv_length(a) == g_strv_length(n);
	guint i;

	for (i = 0; a[i] != NULL; i++)
		if (a[i][0] != '\0')
			contacts_note(counts, a[i], paired ? n[i] : NULL, true, date);
	g_strfreev(a);
	g_strfreev(n);
}

struct contacts_pass {
	GHashTable *counts;
	const char *record;
	const char *postponed;
	const char *const *own;
};

static bool
contacts_is_own(const char *const *own, const char *address)
{
	for (; own != NULL && *own != NULL; own++)
		if (g_ascii_strcasecmp(*own, address) == 0)
			return true;
	return false;
}

/* One messages row onto the pass (index_step_fn). */
static bool
contacts_row(sqlite3_stmt *stmt, void *data)
{
	struct contacts_pass *p = data;
	const char *folder = (const char *)sqlite3_column_text(stmt, 1);
	const char *from_addr = (const char *)sqlite3_column_text(stmt, 4);
	int64_t date = sqlite3_column_int64(stmt, 2);

	if (folder == NULL || from_addr == NULL)
		return true;
	/* A draft was never sent to anyone. */
	if (p->postponed != NULL && strcmp(folder, p->postponed) == 0)
		return true;
	if ((p->record != NULL && strcmp(folder, p->record) == 0) ||
	    contacts_is_own(p->own, from_addr)) {
		contacts_note_list(p->counts, (const char *)sqlite3_column_text(stmt, 5),
		    (const char *)sqlite3_column_text(stmt, 6), date);
		contacts_note_list(p->counts, (const char *)sqlite3_column_text(stmt, 7),
		    (const char *)sqlite3_column_text(stmt, 8), date);
	} else {
		contacts_note(p->counts, from_addr, (const char *)sqlite3_column_text(stmt, 3),
		    false, date);
	}
	return true;
}

/* Add C's counts to its row of the book. */
static bool
contacts_store(struct index *idx, const struct contact_count *c, GError **error)
{
	sqlite3_stmt *stmt = index_sql(idx,
	    "INSERT INTO contacts (address, name, written, last_written, seen, last_seen)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (address) DO UPDATE SET"
	    " name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE name END,"
	    " written = written + excluded.written,"
	    " last_written = max(last_written, excluded.last_written),"
	    " seen = seen + excluded.seen, last_seen = max(last_seen, excluded.last_seen)",
	    error);

	if (stmt == NULL)
		return false;
	index_bind_text0(stmt, 1, c->address);
	index_bind_text0(stmt, 2, c->name);
	sqlite3_bind_int(stmt, 3, c->written);
	sqlite3_bind_int64(stmt, 4, c->last_written);
	sqlite3_bind_int(stmt, 5, c->seen);
	sqlite3_bind_int64(stmt, 6, c->last_seen);
	return index_run(idx, stmt, error);
}

/* The rows counted so far (*FROM) and the last row to count now (*STOP). */
static bool
contacts_range(struct index *idx, int64_t *from, int64_t *stop, GError **error)
{
	sqlite3_stmt *stmt;

	if ((stmt = index_sql(idx, "SELECT upto FROM contacts_done", error)) == NULL ||
	    (*from = index_query_int(idx, stmt, error)) < 0)
		return false;
	/* A row still being written (state 0) is counted once it is stored. */
	if ((stmt = index_sql(idx, "SELECT coalesce(min(id) - 1, max(?1, coalesce((SELECT max(id)"
	    " FROM messages), 0))) FROM messages WHERE state = 0", error)) == NULL)
		return false;
	sqlite3_bind_int64(stmt, 1, *from);
	return (*stop = index_query_int(idx, stmt, error)) >= 0;
}

bool
index_contacts_update(struct index *idx, const char *record, const char *postponed,
    const char *const *own, GError **error)
{
	struct contacts_pass p = { NULL, record, postponed, own };
	sqlite3_stmt *stmt;
	GHashTableIter it;
	gpointer value;
	int64_t from, stop;
	bool ok = false;

	/* Nothing new is the usual answer: no write lock for it. */
	if (!contacts_range(idx, &from, &stop, error))
		return false;
	if (stop <= from)
		return true;
	if (!index_begin(idx, error))
		return false;
	/* Again inside the transaction: another process may have counted meanwhile. */
	if (!contacts_range(idx, &from, &stop, error))
		goto out;
	if (stop > from) {
		p.counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, contact_count_free);
		stmt = index_sql(idx, "SELECT id, folder, date, from_name, from_addr, to_list, to_addr,"
		    " cc_list, cc_addr FROM messages WHERE id > ?1 AND id <= ?2 AND state = 1"
		    " ORDER BY id", error);
		if (stmt == NULL)
			goto out;
		sqlite3_bind_int64(stmt, 1, from);
		sqlite3_bind_int64(stmt, 2, stop);
		if (!index_each(idx, stmt, contacts_row, &p, error))
			goto out;
		g_hash_table_iter_init(&it, p.counts);
		while (g_hash_table_iter_next(&it, NULL, &value))
			if (!contacts_store(idx, value, error))
				goto out;
	}
	if ((stmt = index_sql(idx, "UPDATE contacts_done SET upto = ?1", error)) == NULL)
		goto out;
	sqlite3_bind_int64(stmt, 1, MAX(stop, from));
	ok = index_run(idx, stmt, error) && index_commit(idx, error);
out:
	if (!ok)
		index_rollback(idx);
	if (p.counts != NULL)
		g_hash_table_destroy(p.counts);
	return ok;
}

/* PREFIX with LIKE's wildcards and the escape itself escaped. */
static char *
contacts_like(const char *before, const char *prefix)
{
	GString *s = g_string_new(before);
	const char *c;

	for (c = prefix; *c != '\0'; c++) {
		if (*c == '%' || *c == '_' || *c == '\\')
			g_string_append_c(s, '\\');
		g_string_append_c(s, *c);
	}
	g_string_append_c(s, '%');
	return g_string_free(s, FALSE);
}

/* A row of contacts onto OUT (index_step_fn). */
static bool
contacts_found(sqlite3_stmt *stmt, void *data)
{
	struct index_contact *c = g_new0(struct index_contact, 1);

	c->address = index_column_text(stmt, 0);
	c->name = index_column_text(stmt, 1);
	c->written = sqlite3_column_int(stmt, 2);
	c->seen = sqlite3_column_int(stmt, 3);
	g_ptr_array_add(data, c);
	return true;
}

bool
index_contacts_find(struct index *idx, const char *prefix, guint limit, int64_t now,
    GPtrArray *out, GError **error)
{
	/*
	 * Written to weighs four times heard from; either fades by half in a
	 * month.  LIKE is case-insensitive for ASCII, which covers the
	 * addresses; a name's other letters match as typed.
	 */
	sqlite3_stmt *stmt = index_sql(idx,
	    "SELECT address, name, written, seen FROM contacts"
	    " WHERE address LIKE ?1 ESCAPE '\\' OR name LIKE ?1 ESCAPE '\\'"
	    " OR name LIKE ?2 ESCAPE '\\'"
	    " ORDER BY 4.0 * written / (1 + max(?3 - last_written, 0) / 2592000.0)"
	    " + 1.0 * seen / (1 + max(?3 - last_seen, 0) / 2592000.0) DESC, address"
	    " LIMIT ?4",
	    error);
	char *starts, *word;
	bool ok;

	if (stmt == NULL)
		return false;
	starts = contacts_like("", prefix);
	word = contacts_like("% ", prefix);
	sqlite3_bind_text(stmt, 1, starts, -1, g_free);
	sqlite3_bind_text(stmt, 2, word, -1, g_free);
	sqlite3_bind_int64(stmt, 3, now);
	sqlite3_bind_int(stmt, 4, (int)MIN(limit, (guint)G_MAXINT));
	ok = index_each(idx, stmt, contacts_found, out, error);
	return ok;
}
