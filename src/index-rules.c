/*
 * index-rules: which of several queries each row on screen matches (colour
 * rules, issue 13).  The queries are compiled to SQL once, into one
 * statement "CASE WHEN (rule 1) THEN 0 WHEN (rule 2) THEN 1 ... END" over
 * the rows whose ids are bound as a JSON array, so a page costs one query
 * however many rules there are and however big the mailbox is: each
 * condition is tested on those rows only (a full-text term is one FTS5
 * lookup for the statement).
 */
#include "index-private.h"

#include <string.h>

#include "surat/search.h"

struct index_rules {
	char *sql;          /* the statement, the same text each time (cached prepared) */
	GPtrArray *compiled; /* struct index_search *, one per rule */
};

struct index_rules *
index_rules_new(const struct search_query *const *queries, size_t n)
{
	struct index_rules *rules = g_new0(struct index_rules, 1);
	GString *sql = g_string_new("SELECT m.id, CASE");
	size_t i;

	rules->compiled = g_ptr_array_new_with_free_func((GDestroyNotify)index_search_free);
	for (i = 0; i < n; i++) {
		char prefix[16];
		struct index_search *s;

		/* Each rule's parameters under its own prefix: :r0_1, :r1_1... */
		g_snprintf(prefix, sizeof prefix, "r%zu_", i);
		s = index_search_compile(queries[i], "m", prefix);
		g_string_append_printf(sql, " WHEN (%s) THEN %zu", index_search_sql(s), i);
		g_ptr_array_add(rules->compiled, s);
	}
	if (n == 0)
		g_string_append(sql, " WHEN 0 THEN 0");
	g_string_append(sql, " ELSE -1 END FROM messages m"
	    " WHERE m.id IN (SELECT value FROM json_each(:ids))");
	rules->sql = g_string_free(sql, FALSE);
	return rules;
}

void
index_rules_free(struct index_rules *rules)
{
	if (rules == NULL)
		return;
	g_ptr_array_free(rules->compiled, TRUE);
	g_free(rules->sql);
	g_free(rules);
}

size_t
index_rules_count(const struct index_rules *rules)
{
	return rules != NULL ? rules->compiled->len : 0;
}

/* What index_rules_match's rows go to. */
struct index_rules_fill {
	const int64_t *ids;
	size_t n_ids;
	int *first;
	GHashTable *where; /* id -> position + 1 in IDS */
};

/* One row: its id and the rule it matched first. */
static bool
index_rules_row(sqlite3_stmt *stmt, void *data)
{
	struct index_rules_fill *f = data;
	int64_t id = sqlite3_column_int64(stmt, 0);
	size_t i;

	/* Few rows (a screen): a hash table only when a page is long. */
	if (f->where != NULL) {
		gpointer at = g_hash_table_lookup(f->where, &id);

		if (at != NULL)
			f->first[GPOINTER_TO_SIZE(at) - 1] = sqlite3_column_int(stmt, 1);
		return true;
	}
	for (i = 0; i < f->n_ids; i++)
		if (f->ids[i] == id)
			f->first[i] = sqlite3_column_int(stmt, 1);
	return true;
}

bool
index_rules_match(struct index *idx, const struct index_rules *rules, const int64_t *ids,
    size_t n_ids, int *first, GError **error)
{
	struct index_rules_fill fill = { ids, n_ids, first, NULL };
	GString *json;
	sqlite3_stmt *stmt;
	GError *failed = NULL;
	size_t i;
	bool ok;

	for (i = 0; i < n_ids; i++)
		first[i] = -1;
	if (rules == NULL || rules->compiled->len == 0 || n_ids == 0)
		return true;
	if ((stmt = index_sql(idx, rules->sql, error)) == NULL)
		return false;
	json = g_string_new("[");
	for (i = 0; i < n_ids; i++)
		g_string_append_printf(json, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "", ids[i]);
	g_string_append_c(json, ']');
	index_bind_named_text(stmt, ":ids", json->str);
	for (i = 0; i < rules->compiled->len; i++)
		index_search_bind(stmt, g_ptr_array_index(rules->compiled, i));
	if (n_ids > 64) {
		fill.where = g_hash_table_new(g_int64_hash, g_int64_equal);
		for (i = 0; i < n_ids; i++)
			g_hash_table_insert(fill.where, (gpointer)&ids[i], GSIZE_TO_POINTER(i + 1));
	}
	ok = index_each(idx, stmt, index_rules_row, &fill, &failed);
	if (fill.where != NULL)
		g_hash_table_destroy(fill.where);
	g_string_free(json, TRUE);
	if (!ok) {
		/* A plain SQL error here is FTS5 refusing a rule's words. */
		g_error_free(failed);
		if (sqlite3_errcode(idx->db) == SQLITE_ERROR)
			index_set_error(idx, error, INDEX_ERROR_QUERY, "cannot test the colour rules");
		else
			index_set_error(idx, error, INDEX_ERROR_DB, NULL);
	}
	return ok;
}
