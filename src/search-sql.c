/*
 * search-sql: the query language's compiler (search-private.h).  The tree
 * search.c parsed becomes an SQL condition whose every value is a bound
 * parameter; the full-text terms of an AND or OR are merged into one FTS5
 * MATCH, so SQLite runs one full-text lookup where it can.
 *
 * What it must never do: put a byte of the user's text into the SQL (it goes
 * into parameters), or let the user's text be FTS5 syntax (each word or
 * phrase becomes an FTS5 string with its quotes doubled; column filters and
 * operators are ours).
 */
#include "search-private.h"

#include <string.h>

/* The FTS5 column filter of each full-text field ("" for all columns). */
static const char *const search_fts_columns[] = {
	[SEARCH_FIELD_TEXT] = "",
	[SEARCH_FIELD_FROM] = "{sender} : ",
	[SEARCH_FIELD_TO] = "{recipients} : ",
	[SEARCH_FIELD_CC] = "{cc} : ",
	[SEARCH_FIELD_RECIPIENTS] = "{recipients cc} : ",
	[SEARCH_FIELD_SUBJECT] = "{subject} : ",
	[SEARCH_FIELD_BODY] = "{body} : ",
};

bool
search_node_is_fts(const struct search_node *node)
{
	return node->kind == SEARCH_NODE_TERM && node->field <= SEARCH_FIELD_BODY;
}

/*
 * The FTS5 expression of NODE, when all of it can be one (terms, ANDs with
 * at least one term that is not negated, ORs of such), else NULL.
 */
static char *
search_fts_expr(const struct search_node *node)
{
	GString *s;
	const char *t;
	guint i, pos = 0;

	if (search_node_is_fts(node)) {
		s = g_string_new(search_fts_columns[node->field]);
		g_string_append_c(s, '"');
		/* scan-build false positive: it takes the AND node search_sql_node builds for a TERM. */
		g_assert(node->text != NULL);
		/* The user's text is an FTS5 string: quotes doubled, nothing else special. */
		for (t = node->text; *t != '\0'; t++) {
			if (*t == '"')
				g_string_append_c(s, '"');
			g_string_append_c(s, *t);
		}
		g_string_append_c(s, '"');
		if (!node->phrase)
			g_string_append(s, " *");
		return g_string_free(s, FALSE);
	}
	if (node->kind == SEARCH_NODE_OR) {
		s = g_string_new("(");
		for (i = 0; i < node->children->len; i++) {
			char *c = search_fts_expr(g_ptr_array_index(node->children, i));

			if (c == NULL) {
				g_string_free(s, TRUE);
				return NULL;
			}
			g_string_append_printf(s, "%s%s", i > 0 ? " OR " : "", c);
			g_free(c);
		}
		g_string_append_c(s, ')');
		return g_string_free(s, FALSE);
	}
	if (node->kind != SEARCH_NODE_AND)
		return NULL;
	/* AND: the positive parts ANDed, then each negated part with FTS5's NOT. */
	s = g_string_new("(");
	for (i = 0; i < node->children->len; i++) {
		const struct search_node *c = g_ptr_array_index(node->children, i);
		char *e;

		if (c->kind == SEARCH_NODE_NOT)
			continue;
		if ((e = search_fts_expr(c)) == NULL) {
			g_string_free(s, TRUE);
			return NULL;
		}
		g_string_append_printf(s, "%s%s", pos++ > 0 ? " AND " : "", e);
		g_free(e);
	}
	if (pos == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	g_string_append_c(s, ')');
	for (i = 0; i < node->children->len; i++) {
		const struct search_node *c = g_ptr_array_index(node->children, i);
		char *e;

		if (c->kind != SEARCH_NODE_NOT)
			continue;
		if ((e = search_fts_expr(g_ptr_array_index(c->children, 0))) == NULL) {
			g_string_free(s, TRUE);
			return NULL;
		}
		g_string_prepend_c(s, '(');
		g_string_append_printf(s, " NOT %s)", e);
		g_free(e);
	}
	return g_string_free(s, FALSE);
}

/* Add a text parameter to Q; append its marker to SQL. */
static void
search_param_text(struct search_query *q, GString *sql, char *text)
{
	struct search_param p = { text, 0 };

	g_ptr_array_add(q->texts, text);
	g_array_append_val(q->params, p);
	g_string_append_printf(sql, "%c%u%c", SEARCH_PARAM, q->params->len, SEARCH_END);
}

/* Add a number parameter to Q; append its marker to SQL. */
static void
search_param_number(struct search_query *q, GString *sql, int64_t v)
{
	struct search_param p = { NULL, v };

	g_array_append_val(q->params, p);
	g_string_append_printf(sql, "%c%u%c", SEARCH_PARAM, q->params->len, SEARCH_END);
}

/* Append "A.id IN (full-text match of EXPR)" (EXPR taken). */
static void
search_sql_match(struct search_query *q, GString *sql, char *expr)
{
	g_string_append_printf(sql,
	    "%c.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ", SEARCH_ALIAS);
	search_param_text(q, sql, expr);
	g_string_append_c(sql, ')');
}

/* The flag letter of a status that is one flag, or 0. */
static char
search_status_flag(enum search_status status)
{
	switch (status) {
	case SEARCH_STATUS_FLAGGED:
		return 'F';
	case SEARCH_STATUS_DELETED:
		return 'T';
	case SEARCH_STATUS_REPLIED:
		return 'R';
	case SEARCH_STATUS_FORWARDED:
		return 'P';
	case SEARCH_STATUS_DRAFT:
		return 'D';
	case SEARCH_STATUS_READ:
		return 'S';
	default:
		return 0;
	}
}

/* Append the SQL of the term NODE (not a full-text one). */
static void
search_sql_term(struct search_query *q, GString *sql, const struct search_node *node)
{
	const char a = SEARCH_ALIAS;
	char flag;

	switch (node->field) {
	case SEARCH_FIELD_STATUS:
		/*
		 * The rare marks have partial indexes (index.c); without planner
		 * statistics SQLite would scan the table rather than use them,
		 * so they are named.
		 */
		if (node->status == SEARCH_STATUS_FLAGGED || node->status == SEARCH_STATUS_DELETED) {
			flag = search_status_flag(node->status);
			g_string_append_printf(sql,
			    "%c.id IN (SELECT id FROM messages INDEXED BY messages_%s"
			    " WHERE state = 1 AND instr(flags, '%c') > 0)",
			    a, flag == 'F' ? "flagged" : "deleted", flag);
			break;
		}
		if ((flag = search_status_flag(node->status)) != 0) {
			g_string_append_printf(sql, "instr(%c.flags, '%c') > 0", a, flag);
			break;
		}
		switch (node->status) {
		case SEARCH_STATUS_PARTIAL:
			g_string_append_printf(sql, "%c.partial = 1", a);
			break;
		case SEARCH_STATUS_TAGGED:
			g_string_append_printf(sql,
			    "%c.id IN (SELECT id FROM messages INDEXED BY messages_tagged"
			    " WHERE state = 1 AND tagged = 1)",
			    a);
			break;
		case SEARCH_STATUS_NEW:
			g_string_append_printf(sql, "(instr(%c.flags, 'S') = 0 AND %c.subdir = 'new')", a,
			    a);
			break;
		case SEARCH_STATUS_OLD:
			g_string_append_printf(sql, "(instr(%c.flags, 'S') = 0 AND %c.subdir = 'cur')", a,
			    a);
			break;
		default:
			g_string_append_printf(sql, "instr(%c.flags, 'S') = 0", a);
			break;
		}
		break;
	case SEARCH_FIELD_ATTACHMENT:
		g_string_append_printf(sql, "%c.has_attachment = 1", a);
		break;
	case SEARCH_FIELD_ACCOUNT:
	case SEARCH_FIELD_FOLDER:
	case SEARCH_FIELD_ID:
		g_string_append_printf(sql, "%c.%s = ", a,
		    node->field == SEARCH_FIELD_ACCOUNT ? "account"
		    : node->field == SEARCH_FIELD_FOLDER ? "folder"
							 : "message_id");
		search_param_text(q, sql, g_strdup(node->text));
		break;
	case SEARCH_FIELD_DATE:
	case SEARCH_FIELD_SIZE: {
		const char *col = node->field == SEARCH_FIELD_DATE ? "date" : "size";

		g_string_append_c(sql, '(');
		if (node->lo != INT64_MIN) {
			g_string_append_printf(sql, "%c.%s >= ", a, col);
			search_param_number(q, sql, node->lo);
		}
		if (node->hi != INT64_MAX) {
			if (node->lo != INT64_MIN)
				g_string_append(sql, " AND ");
			g_string_append_printf(sql, "%c.%s < ", a, col);
			search_param_number(q, sql, node->hi);
		}
		if (node->lo == INT64_MIN && node->hi == INT64_MAX)
			g_string_append_c(sql, '1');
		g_string_append_c(sql, ')');
		break;
	}
	default:
		g_string_append_c(sql, '1');
		break;
	}
}

/* Append the SQL of NODE. */
static void
search_sql_node(struct search_query *q, GString *sql, const struct search_node *node)
{
	char *expr;
	guint i, n = 0;

	if ((expr = search_fts_expr(node)) != NULL) {
		search_sql_match(q, sql, expr);
		return;
	}
	switch (node->kind) {
	case SEARCH_NODE_TERM:
		search_sql_term(q, sql, node);
		return;
	case SEARCH_NODE_NOT:
		g_string_append(sql, "NOT (");
		search_sql_node(q, sql, g_ptr_array_index(node->children, 0));
		g_string_append_c(sql, ')');
		return;
	case SEARCH_NODE_OR:
		g_string_append_c(sql, '(');
		for (i = 0; i < node->children->len; i++) {
			if (i > 0)
				g_string_append(sql, " OR ");
			search_sql_node(q, sql, g_ptr_array_index(node->children, i));
		}
		g_string_append_c(sql, ')');
		return;
	case SEARCH_NODE_AND:
		break;
	}
	/*
	 * AND: its full-text parts become one MATCH (when one of them is not
	 * negated), the rest plain conditions.
	 */
	{
		struct search_node fts = { .kind = SEARCH_NODE_AND };
		GPtrArray *rest = g_ptr_array_new();

		fts.children = g_ptr_array_new();
		for (i = 0; i < node->children->len; i++) {
			struct search_node *c = g_ptr_array_index(node->children, i);
			const struct search_node *inner = c->kind == SEARCH_NODE_NOT
			    ? g_ptr_array_index(c->children, 0)
			    : c;
			char *e = search_fts_expr(inner);

			if (e != NULL)
				g_ptr_array_add(fts.children, c);
			else
				g_ptr_array_add(rest, c);
			g_free(e);
		}
		g_string_append_c(sql, '(');
		expr = fts.children->len > 0 ? search_fts_expr(&fts) : NULL;
		if (expr != NULL) {
			search_sql_match(q, sql, expr);
			n++;
		} else {
			/* Only negated full-text parts: each its own condition. */
			g_ptr_array_extend(rest, fts.children, NULL, NULL);
		}
		for (i = 0; i < rest->len; i++) {
			if (n++ > 0)
				g_string_append(sql, " AND ");
			search_sql_node(q, sql, g_ptr_array_index(rest, i));
		}
		g_string_append_c(sql, ')');
		g_ptr_array_free(fts.children, TRUE);
		g_ptr_array_free(rest, TRUE);
	}
}

bool
search_query_is_fulltext(const struct search_query *query)
{
	char *expr;

	if (query == NULL || query->root == NULL || (expr = search_fts_expr(query->root)) == NULL)
		return false;
	g_free(expr);
	return true;
}

void
search_sql_compile(struct search_query *q, const struct search_node *root)
{
	GString *sql = g_string_new(NULL);

	if (root != NULL)
		search_sql_node(q, sql, root);
	else
		g_string_append_c(sql, '1');
	q->sql = g_string_free(sql, FALSE);
}

char *
search_query_sql(const struct search_query *query, const char *alias, const char *prefix)
{
	GString *s = g_string_new(NULL);
	const char *p;

	if (query == NULL)
		return g_string_free(g_string_append_c(s, '1'), FALSE);
	for (p = query->sql; *p != '\0'; p++) {
		if (*p == SEARCH_ALIAS) {
			g_string_append(s, alias);
		} else if (*p == SEARCH_PARAM) {
			g_string_append_printf(s, ":%s", prefix);
			for (p++; *p != SEARCH_END && *p != '\0'; p++)
				g_string_append_c(s, *p);
		} else {
			g_string_append_c(s, *p);
		}
	}
	return g_string_free(s, FALSE);
}

const struct search_param *
search_query_params(const struct search_query *query, size_t *n)
{
	if (query == NULL) {
		*n = 0;
		return NULL;
	}
	*n = query->params->len;
	return (const struct search_param *)(void *)query->params->data;
}
