/*
 * index-search: the query language's trees (search.h) compiled to SQL over
 * the messages table, in the index layer beside the schema whose names it
 * uses (messages_fts and its columns, flags, subdir, has_attachment, the
 * partial indexes).  The full-text terms of an AND or OR are merged into
 * one FTS5 MATCH, so SQLite runs one full-text lookup where it can.
 *
 * What it must never do: put a byte of the user's text into the SQL (it goes
 * into parameters), or let the user's text be FTS5 syntax (each word or
 * phrase becomes an FTS5 string with its quotes doubled; column filters and
 * operators are ours).
 */
#include <string.h>

#include "index-private.h"
#include "surat/search.h"

/* One bound parameter: the Nth is named :<prefix>N. */
struct index_search_param {
	char *text; /* owned; NULL for a number */
	int64_t number;
};

struct index_search {
	const char *alias;  /* while compiling: the messages table's alias in the statement */
	int nested;         /* while compiling: thread patterns' subqueries open (their aliases) */
	char *prefix;       /* of the parameters' names */
	GString *sql;
	GArray *params;     /* struct index_search_param */
};

/* The FTS5 column filter of each full-text field ("" for all columns). */
static const char *const index_search_columns[] = {
	[SEARCH_FIELD_TEXT] = "",
	[SEARCH_FIELD_FROM] = "{sender} : ",
	[SEARCH_FIELD_TO] = "{recipients} : ",
	[SEARCH_FIELD_CC] = "{cc} : ",
	[SEARCH_FIELD_RECIPIENTS] = "{recipients cc} : ",
	[SEARCH_FIELD_SUBJECT] = "{subject} : ",
	[SEARCH_FIELD_BODY] = "{body} : ",
};

/*
 * The FTS5 expression of NODE, when all of it can be one (terms, ANDs with
 * at least one term that is not negated, ORs of such), else NULL.
 */
static char *
index_search_fts(const struct search_node *node)
{
	GString *s;
	const char *t;
	guint i, pos = 0;

	if (search_node_is_fulltext(node)) {
		s = g_string_new(index_search_columns[node->field]);
		g_string_append_c(s, '"');
		/* scan-build false positive: it takes the AND node index_search_node builds for a TERM. */
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
			char *c = index_search_fts(g_ptr_array_index(node->children, i));

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
		if ((e = index_search_fts(c)) == NULL) {
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
		if ((e = index_search_fts(g_ptr_array_index(c->children, 0))) == NULL) {
			g_string_free(s, TRUE);
			return NULL;
		}
		g_string_prepend_c(s, '(');
		g_string_append_printf(s, " NOT %s)", e);
		g_free(e);
	}
	return g_string_free(s, FALSE);
}

/* Add the text parameter TEXT (taken) to Q; append its name to SQL. */
static void
index_search_text(struct index_search *q, GString *sql, char *text)
{
	struct index_search_param p = { text, 0 };

	g_array_append_val(q->params, p);
	g_string_append_printf(sql, ":%s%u", q->prefix, q->params->len);
}

/* Add a number parameter to Q; append its name to SQL. */
static void
index_search_number(struct index_search *q, GString *sql, int64_t v)
{
	struct index_search_param p = { NULL, v };

	g_array_append_val(q->params, p);
	g_string_append_printf(sql, ":%s%u", q->prefix, q->params->len);
}

/* Append "A.id IN (full-text match of EXPR)" (EXPR taken). */
static void
index_search_match(struct index_search *q, GString *sql, char *expr)
{
	g_string_append_printf(sql,
	    "%s.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ", q->alias);
	index_search_text(q, sql, expr);
	g_string_append_c(sql, ')');
}

/* The flag letter of a status that is one flag, or 0. */
static char
index_search_flag(enum search_status status)
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

/* The bits of surat_regexp's second argument (index-match.c). */
#define INDEX_SEARCH_CASELESS 1
#define INDEX_SEARCH_STRING   2
#define INDEX_SEARCH_LINES    4

/* HOW for NODE's pattern: surat_regexp's bits. */
static int
index_search_how(const struct search_node *node, bool lines)
{
	return (node->caseless ? INDEX_SEARCH_CASELESS : 0) |
	    (node->match == SEARCH_MATCH_STRING ? INDEX_SEARCH_STRING : 0) |
	    (lines ? INDEX_SEARCH_LINES : 0);
}

/* The ']' that closes the class opening at P ('['), or NULL: []a], [^]a] and [[:alpha:]] too. */
static const char *
index_search_class_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '[' && p[1] == ':' && strstr(p + 2, ":]") != NULL)
			p = strstr(p + 2, ":]") + 1;
		else if (*p == ']')
			return p;
	}
	return NULL;
}

/* A run of text every match of a pattern holds, and whether a word starts where it does. */
struct index_search_run {
	GString *text;
	bool word_start; /* after \b, or at a ^ that starts the pattern */
};

static void
index_search_run_free(gpointer data)
{
	struct index_search_run *r = data;

	g_string_free(r->text, TRUE);
	g_free(r);
}

/* Close the run RUN (if it holds anything) onto RUNS; a new empty one follows. */
static struct index_search_run *
index_search_run_end(GPtrArray *runs, struct index_search_run *run, bool word_start)
{
	if (run->text->len > 0) {
		g_ptr_array_add(runs, run);
		run = g_new0(struct index_search_run, 1);
		run->text = g_string_new(NULL);
	}
	run->word_start = word_start;
	return run;
}

/*
 * The runs of ASCII text every match of NODE's pattern must contain, or
 * NULL when the pattern has what this does not follow (alternatives,
 * inline options, \Q...\E): so a prefilter built on them never drops a
 * match.  FOR_LIKE: runs also end at what LIKE cannot stand for (a
 * caseless k or s, which PCRE finds in the Kelvin sign and the long s).
 */
static GPtrArray *
index_search_runs(const struct search_node *node, bool for_like)
{
	GPtrArray *runs = g_ptr_array_new_with_free_func(index_search_run_free);
	struct index_search_run *run = g_new0(struct index_search_run, 1);
	const char *p = node->text;
	bool regex = node->match == SEARCH_MATCH_REGEX;

	run->text = g_string_new(NULL);
	if (regex && (strchr(p, '|') != NULL || strstr(p, "(?") != NULL || strstr(p, "\\Q") != NULL))
		goto none;
	/* A pattern that starts with ^ starts at a word when its text does. */
	run->word_start = regex && *p == '^';
	while (*p != '\0') {
		unsigned char c = (unsigned char)*p;
		bool literal = true, boundary = false;

		if (regex) {
			if (c == '\\' && p[1] != '\0') {
				/* \. is a dot; \d \w \b \1 are classes, anchors, references. */
				if (g_ascii_isalnum(p[1]) || (unsigned char)p[1] >= 0x80) {
					literal = false;
					boundary = p[1] == 'b';
				}
				p++;
				c = (unsigned char)*p;
			} else if (c == '[' || c == '(') {
				/* A class or a group: skipped whole (what is in it may not be there). */
				int depth = 0;

				for (; *p != '\0'; p++) {
					if (*p == '\\' && p[1] != '\0')
						p++;
					else if (*p == '[' && (p = index_search_class_end(p)) == NULL)
						goto none;
					else if (*p == '(')
						depth++;
					else if (*p == ')')
						depth--;
					if (depth == 0)
						break;
				}
				if (p == NULL || *p == '\0')
					goto none;
				literal = false;
			} else if (c == '*' || c == '?' || c == '{') {
				/* The character before may be missing: it left the run (look-ahead below). */
				if (c == '{' && (p = strchr(p, '}')) == NULL)
					goto none;
				literal = false;
			} else if (c == '+') {
				/* At least once: what came before stays; the run ends. */
				literal = false;
			} else if (c == '.' || c == '^' || c == '$' || c == ')' || c == ']' || c == '}') {
				literal = false;
				boundary = c == '^' && p == node->text;
			}
		}
		if (literal && (c >= 0x80 || c < 0x20 || c == '%' || c == '_' ||
		    (for_like && node->caseless && (c == 'k' || c == 'K' || c == 's' || c == 'S'))))
			literal = false;
		/* A repeat after this character could make it optional: look ahead. */
		if (literal && regex && (p[1] == '*' || p[1] == '?' || p[1] == '{'))
			literal = false;
		if (literal)
			g_string_append_c(run->text, (char)c);
		else
			run = index_search_run_end(runs, run, boundary);
		if (*p != '\0')
			p++;
	}
	run = index_search_run_end(runs, run, false);
	index_search_run_free(run);
	return runs;
none:
	index_search_run_free(run);
	g_ptr_array_unref(runs);
	return NULL;
}

/* Shorter runs of text than this are no help as a prefilter. */
#define INDEX_SEARCH_LITERAL_MIN 3

/*
 * The longest run of text every match of NODE's pattern holds, or NULL when
 * there is none long enough: what a LIKE may test before the regular
 * expression runs.
 */
static char *
index_search_literal(const struct search_node *node)
{
	GPtrArray *runs = index_search_runs(node, true);
	const char *best = NULL;
	char *out = NULL;
	guint i;

	for (i = 0; runs != NULL && i < runs->len; i++) {
		const struct index_search_run *r = g_ptr_array_index(runs, i);

		if (best == NULL || r->text->len > strlen(best))
			best = r->text->str;
	}
	if (best != NULL && strlen(best) >= INDEX_SEARCH_LITERAL_MIN)
		out = g_strdup(best);
	if (runs != NULL)
		g_ptr_array_unref(runs);
	return out;
}

/*
 * The longest word every match of NODE's pattern holds at the start of a
 * word (after a space or punctuation in its text, or after \b), lower case,
 * or NULL: what the word index can look up by prefix before any body is
 * read.  The tokenizer splits words where the pattern's punctuation is, and
 * folds case and accents as the pattern's caseless matching does or wider.
 */
static char *
index_search_word(const struct search_node *node)
{
	GPtrArray *runs = index_search_runs(node, false);
	char *best = NULL;
	guint i;

	for (i = 0; runs != NULL && i < runs->len; i++) {
		const struct index_search_run *r = g_ptr_array_index(runs, i);
		const char *t = r->text->str;
		bool at_start = r->word_start;

		while (*t != '\0') {
			size_t n = 0;

			while (g_ascii_isalnum(t[n]))
				n++;
			/* The last word may go on past the run: a prefix is all it promises. */
			if (n >= INDEX_SEARCH_LITERAL_MIN && at_start && (best == NULL || n > strlen(best))) {
				g_free(best);
				best = g_ascii_strdown(t, (gssize)n);
			}
			if (t[n] == '\0')
				break;
			t += n + 1;
			at_start = true;
		}
	}
	if (runs != NULL)
		g_ptr_array_unref(runs);
	return best;
}

/*
 * The literal text of each alternative of NODE's pattern (a|b|c at its top
 * level; one for a pattern without), or NULL when one of them has none:
 * text that holds none of them cannot match.
 */
static GPtrArray *
index_search_literals(const struct search_node *node)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *p = node->text, *start = p;
	int depth = 0;

	for (;; p++) {
		if (node->match == SEARCH_MATCH_REGEX && *p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (node->match == SEARCH_MATCH_REGEX && *p == '[') {
			if ((p = index_search_class_end(p)) == NULL)
				goto none;
			continue;
		}
		if (node->match == SEARCH_MATCH_REGEX && *p == '(')
			depth++;
		else if (node->match == SEARCH_MATCH_REGEX && *p == ')')
			depth--;
		if (*p == '\0' || (node->match == SEARCH_MATCH_REGEX && *p == '|' && depth == 0)) {
			struct search_node branch = *node;
			char *literal;

			branch.text = g_strndup(start, (gsize)(p - start));
			literal = index_search_literal(&branch);
			g_free(branch.text);
			if (literal == NULL)
				goto none;
			g_ptr_array_add(out, literal);
			if (*p == '\0')
				return out;
			start = p + 1;
		}
	}
none:
	g_ptr_array_unref(out);
	return NULL;
}

/* Append "(EXPR LIKE '%a%' OR EXPR LIKE '%b%')" for the LITERALS, each a parameter. */
static void
index_search_likes(struct index_search *q, GString *sql, const GPtrArray *literals,
    const char *expr)
{
	guint i;

	g_string_append_c(sql, '(');
	for (i = 0; i < literals->len; i++) {
		g_string_append_printf(sql, "%s%s LIKE ", i > 0 ? " OR " : "", expr);
		index_search_text(q, sql,
		    g_strdup_printf("%%%s%%", (const char *)g_ptr_array_index(literals, i)));
	}
	g_string_append_c(sql, ')');
}

/* Append surat_regexp(NODE's pattern, HOW, EXPR) alone. */
static void
index_search_regexp_call(struct index_search *q, GString *sql, const struct search_node *node,
    int how, const char *expr)
{
	g_string_append(sql, "surat_regexp(");
	index_search_text(q, sql, g_strdup(node->text));
	g_string_append_printf(sql, ", %d, %s)", how, expr);
}

/* Append surat_regexp(NODE's pattern, ..., EXPR), with LINES for a block of lines. */
static void
index_search_regexp(struct index_search *q, GString *sql, const struct search_node *node,
    const char *expr, bool lines)
{
	GPtrArray *literals = index_search_literals(node);

	if (literals == NULL) {
		index_search_regexp_call(q, sql, node, index_search_how(node, lines), expr);
		return;
	}
	/*
	 * LIKE first: text without the pattern's literal part (of one of its
	 * alternatives) cannot match, and LIKE costs a fraction of a regular
	 * expression.
	 */
	g_string_append_c(sql, '(');
	index_search_likes(q, sql, literals, expr);
	g_string_append(sql, " AND ");
	index_search_regexp_call(q, sql, node, index_search_how(node, lines), expr);
	g_string_append_c(sql, ')');
	g_ptr_array_unref(literals);
}

/* Append NODE's pattern against any of the columns COLUMNS (NULL-ended) of the row. */
static void
index_search_columns_match(struct index_search *q, GString *sql, const struct search_node *node,
    const char *const *columns)
{
	GPtrArray *literals = columns[1] != NULL ? index_search_literals(node) : NULL;
	GString *all;
	guint i;

	if (literals == NULL) {
		g_string_append_c(sql, '(');
		for (i = 0; columns[i] != NULL; i++) {
			char *expr = g_strdup_printf("%s.%s", q->alias, columns[i]);

			if (i > 0)
				g_string_append(sql, " OR ");
			index_search_regexp(q, sql, node, expr, false);
			g_free(expr);
		}
		g_string_append_c(sql, ')');
		return;
	}
	/*
	 * Several columns: one LIKE over them joined by newlines (a literal
	 * never holds one), then the pattern against each column as mutt
	 * matches each address.
	 */
	all = g_string_new("(");
	for (i = 0; columns[i] != NULL; i++)
		g_string_append_printf(all, "%s%s.%s", i > 0 ? " || char(10) || " : "", q->alias,
		    columns[i]);
	g_string_append_c(all, ')');
	g_string_append_c(sql, '(');
	index_search_likes(q, sql, literals, all->str);
	g_string_append(sql, " AND (");
	for (i = 0; columns[i] != NULL; i++) {
		char *expr = g_strdup_printf("%s.%s", q->alias, columns[i]);

		if (i > 0)
			g_string_append(sql, " OR ");
		index_search_regexp_call(q, sql, node, index_search_how(node, false), expr);
		g_free(expr);
	}
	g_string_append(sql, "))");
	g_string_free(all, TRUE);
	g_ptr_array_unref(literals);
}

/*
 * Append NODE's pattern against the row's body text (the full-text table
 * keeps it): surat_body_set finds the set once for the count, the page and
 * the cursor's place alike.
 */
static void
index_search_body_match(struct index_search *q, GString *sql, const struct search_node *node)
{
	char *literal = index_search_literal(node), *word = index_search_word(node);

	g_string_append_printf(sql, "%s.id IN (SELECT value FROM json_each(surat_body_set(",
	    q->alias);
	index_search_text(q, sql, g_strdup(node->text));
	g_string_append_printf(sql, ", %d, ", index_search_how(node, false));
	if (literal != NULL)
		index_search_text(q, sql, g_strdup_printf("%%%s%%", literal));
	else
		g_string_append(sql, "NULL");
	g_string_append(sql, ", ");
	/* The word index's candidates: an FTS5 string of [a-z0-9] only, as a prefix. */
	if (word != NULL)
		index_search_text(q, sql, g_strdup_printf("{body} : \"%s\" *", word));
	else
		g_string_append(sql, "NULL");
	g_string_append(sql, ")))");
	g_free(literal);
	g_free(word);
}

/*
 * Append surat_file_match: PATTERN (HOW) over the header block of the row's
 * file, or over its FIELD: lines ("" for all).
 */
static void
index_search_file_match(struct index_search *q, GString *sql, const char *pattern, int how,
    const char *field)
{
	const char *a = q->alias;

	g_string_append(sql, "surat_file_match(");
	index_search_text(q, sql, g_strdup(pattern));
	g_string_append_printf(sql, ", %d, ", how);
	index_search_text(q, sql, g_strdup(field));
	g_string_append_printf(sql, ", %s.id, %s.account, %s.folder, %s.subdir, %s.base, %s.flags)",
	    a, a, a, a, a, a);
}

/* Append the SQL of a term NODE matched by a pattern (~ or =), not the word index. */
static void
index_search_pattern(struct index_search *q, GString *sql, const struct search_node *node)
{
	static const char *const from[] = { "from_name", "from_addr", NULL };
	static const char *const to[] = { "to_list", "to_addr", NULL };
	static const char *const cc[] = { "cc_list", "cc_addr", NULL };
	static const char *const recipients[] = { "to_list", "to_addr", "cc_list", "cc_addr",
		NULL };
	static const char *const parties[] = { "from_name", "from_addr", "to_list", "to_addr",
		"cc_list", "cc_addr", NULL };
	static const char *const subject[] = { "subject", NULL };
	static const char *const id[] = { "message_id", NULL };
	static const char *const refs[] = { "refs", "in_reply_to", NULL };
	switch (node->field) {
	case SEARCH_FIELD_FROM:
		index_search_columns_match(q, sql, node, from);
		break;
	case SEARCH_FIELD_TO:
		index_search_columns_match(q, sql, node, to);
		break;
	case SEARCH_FIELD_CC:
		index_search_columns_match(q, sql, node, cc);
		break;
	case SEARCH_FIELD_RECIPIENTS:
		index_search_columns_match(q, sql, node, recipients);
		break;
	case SEARCH_FIELD_PARTIES:
		index_search_columns_match(q, sql, node, parties);
		break;
	case SEARCH_FIELD_SUBJECT:
		index_search_columns_match(q, sql, node, subject);
		break;
	case SEARCH_FIELD_ID:
		index_search_columns_match(q, sql, node, id);
		break;
	case SEARCH_FIELD_REFERENCES:
		index_search_columns_match(q, sql, node, refs);
		break;
	case SEARCH_FIELD_BODY:
		index_search_body_match(q, sql, node);
		break;
	case SEARCH_FIELD_TEXT:
		/* mutt's ~B: the headers the index keeps, and the body. */
		g_string_append_c(sql, '(');
		index_search_columns_match(q, sql, node, parties);
		g_string_append(sql, " OR ");
		index_search_columns_match(q, sql, node, subject);
		g_string_append(sql, " OR ");
		index_search_body_match(q, sql, node);
		g_string_append_c(sql, ')');
		break;
	case SEARCH_FIELD_HEADERS:
		index_search_file_match(q, sql, node->text, index_search_how(node, true), "");
		break;
	case SEARCH_FIELD_SENDER: {
		/* The column where the row has it (schema 9), else the file. */
		char *expr = g_strdup_printf("%s.sender", q->alias);

		g_string_append_printf(sql, "(CASE WHEN %s IS NULL THEN ", expr);
		index_search_file_match(q, sql, node->text, index_search_how(node, true), "sender");
		g_string_append(sql, " ELSE ");
		index_search_regexp(q, sql, node, expr, false);
		g_string_append(sql, " END)");
		g_free(expr);
		break;
	}
	default:
		g_string_append_c(sql, '0');
		break;
	}
}

/* Append the SQL of the term NODE (not a full-text one). */
static void
index_search_term(struct index_search *q, GString *sql, const struct search_node *node)
{
	const char *a = q->alias;
	char flag;

	if (node->match != SEARCH_MATCH_WORDS) {
		index_search_pattern(q, sql, node);
		return;
	}
	switch (node->field) {
	case SEARCH_FIELD_STATUS:
		/*
		 * The rare marks have partial indexes (index.c); without planner
		 * statistics SQLite would scan the table rather than use them,
		 * so they are named.
		 */
		if (node->status == SEARCH_STATUS_FLAGGED || node->status == SEARCH_STATUS_DELETED) {
			flag = index_search_flag(node->status);
			g_string_append_printf(sql,
			    "%s.id IN (SELECT id FROM messages INDEXED BY messages_%s"
			    " WHERE state = 1 AND instr(flags, '%c') > 0)",
			    a, flag == 'F' ? "flagged" : "deleted", flag);
			break;
		}
		if ((flag = index_search_flag(node->status)) != 0) {
			g_string_append_printf(sql, "instr(%s.flags, '%c') > 0", a, flag);
			break;
		}
		switch (node->status) {
		case SEARCH_STATUS_PARTIAL:
			g_string_append_printf(sql, "%s.partial = 1", a);
			break;
		case SEARCH_STATUS_TAGGED:
			g_string_append_printf(sql,
			    "%s.id IN (SELECT id FROM messages INDEXED BY messages_tagged"
			    " WHERE state = 1 AND tagged = 1)",
			    a);
			break;
		case SEARCH_STATUS_NEW:
			g_string_append_printf(sql, "(instr(%s.flags, 'S') = 0 AND %s.subdir = 'new')", a,
			    a);
			break;
		case SEARCH_STATUS_OLD:
			g_string_append_printf(sql, "(instr(%s.flags, 'S') = 0 AND %s.subdir = 'cur')", a,
			    a);
			break;
		default:
			g_string_append_printf(sql, "instr(%s.flags, 'S') = 0", a);
			break;
		}
		break;
	case SEARCH_FIELD_ATTACHMENT:
		g_string_append_printf(sql, "%s.has_attachment = 1", a);
		break;
	case SEARCH_FIELD_ACCOUNT:
	case SEARCH_FIELD_FOLDER:
	case SEARCH_FIELD_ID:
		g_string_append_printf(sql, "%s.%s = ", a,
		    node->field == SEARCH_FIELD_ACCOUNT ? "account"
		    : node->field == SEARCH_FIELD_FOLDER ? "folder"
							 : "message_id");
		index_search_text(q, sql, g_strdup(node->text));
		break;
	case SEARCH_FIELD_DATE:
	case SEARCH_FIELD_SIZE: {
		const char *col = node->field == SEARCH_FIELD_DATE ? "date" : "size";

		g_string_append_c(sql, '(');
		if (node->lo != INT64_MIN) {
			g_string_append_printf(sql, "%s.%s >= ", a, col);
			index_search_number(q, sql, node->lo);
		}
		if (node->hi != INT64_MAX) {
			if (node->lo != INT64_MIN)
				g_string_append(sql, " AND ");
			g_string_append_printf(sql, "%s.%s < ", a, col);
			index_search_number(q, sql, node->hi);
		}
		if (node->lo == INT64_MIN && node->hi == INT64_MAX)
			g_string_append_c(sql, '1');
		g_string_append_c(sql, ')');
		break;
	}
	case SEARCH_FIELD_LIST:
		/* The column where the row has it (schema 9), else the file. */
		g_string_append_printf(sql, "(CASE WHEN %s.list IS NULL THEN ", a);
		index_search_file_match(q, sql, "^list-(id|post):",
		    INDEX_SEARCH_CASELESS | INDEX_SEARCH_LINES, "");
		g_string_append_printf(sql, " ELSE length(%s.list) > 0 END)", a);
		break;
	case SEARCH_FIELD_TO_ME:
		/* One call a row: surat_own takes space-separated addresses. */
		g_string_append_printf(sql, "surat_own(%s.to_addr || char(32) || %s.cc_addr)", a, a);
		break;
	case SEARCH_FIELD_FROM_ME:
		g_string_append_printf(sql, "surat_own(%s.from_addr)", a);
		break;
	case SEARCH_FIELD_NUMBER:
		/* mutt's message numbers: the folder's messages in the order they came. */
		g_string_append_printf(sql,
		    "%s.id IN (SELECT id FROM (SELECT id, row_number() OVER"
		    " (PARTITION BY account, folder ORDER BY arrival, id) AS n"
		    " FROM messages WHERE state = 1) WHERE n >= ",
		    a);
		index_search_number(q, sql, node->lo != INT64_MIN ? node->lo : 1);
		if (node->hi != INT64_MAX) {
			g_string_append(sql, " AND n < ");
			index_search_number(q, sql, node->hi);
		}
		g_string_append_c(sql, ')');
		break;
	default:
		g_string_append_c(sql, '1');
		break;
	}
}

static void index_search_node(struct index_search *q, GString *sql,
    const struct search_node *node);

/*
 * Append a thread pattern NODE (~( ~<( ~>(): its one child is compiled over
 * other rows of the table, under an alias of their own.
 */
static void
index_search_thread(struct index_search *q, GString *sql, const struct search_node *node)
{
	const struct search_node *inner = g_ptr_array_index(node->children, 0);
	const char *outer = q->alias;
	char *alias = g_strdup_printf("t%d", ++q->nested);

	switch (node->kind) {
	case SEARCH_NODE_THREAD:
		/* A row not threaded yet is a thread of its own. */
		g_string_append_printf(sql,
		    "((%s.thread_id > 0 AND %s.thread_id IN (SELECT %s.thread_id FROM messages %s"
		    " WHERE %s.state = 1 AND %s.thread_id > 0 AND ",
		    outer, outer, alias, alias, alias, alias);
		break;
	case SEARCH_NODE_PARENT:
		g_string_append_printf(sql,
		    "(%s.thread_parent > 0 AND %s.thread_parent IN (SELECT %s.id FROM messages %s"
		    " WHERE %s.state = 1 AND ",
		    outer, outer, alias, alias, alias);
		break;
	default:
		g_string_append_printf(sql,
		    "(%s.id IN (SELECT %s.thread_parent FROM messages %s"
		    " WHERE %s.state = 1 AND %s.thread_parent > 0 AND ",
		    outer, alias, alias, alias, alias);
		break;
	}
	q->alias = alias;
	g_string_append_c(sql, '(');
	index_search_node(q, sql, inner);
	g_string_append(sql, ")))");
	q->alias = outer;
	if (node->kind == SEARCH_NODE_THREAD) {
		g_string_append_printf(sql, " OR (%s.thread_id = 0 AND (", outer);
		index_search_node(q, sql, inner);
		g_string_append(sql, ")))");
	}
	q->nested--;
	g_free(alias);
}

/* Append the SQL of NODE. */
static void
index_search_node(struct index_search *q, GString *sql, const struct search_node *node)
{
	char *expr;
	guint i, n = 0;

	if ((expr = index_search_fts(node)) != NULL) {
		index_search_match(q, sql, expr);
		return;
	}
	switch (node->kind) {
	case SEARCH_NODE_TERM:
		index_search_term(q, sql, node);
		return;
	case SEARCH_NODE_THREAD:
	case SEARCH_NODE_PARENT:
	case SEARCH_NODE_CHILDREN:
		index_search_thread(q, sql, node);
		return;
	case SEARCH_NODE_NOT:
		g_string_append(sql, "NOT (");
		index_search_node(q, sql, g_ptr_array_index(node->children, 0));
		g_string_append_c(sql, ')');
		return;
	case SEARCH_NODE_OR:
		g_string_append_c(sql, '(');
		for (i = 0; i < node->children->len; i++) {
			if (i > 0)
				g_string_append(sql, " OR ");
			index_search_node(q, sql, g_ptr_array_index(node->children, i));
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
			char *e = index_search_fts(inner);

			if (e != NULL)
				g_ptr_array_add(fts.children, c);
			else
				g_ptr_array_add(rest, c);
			g_free(e);
		}
		g_string_append_c(sql, '(');
		expr = fts.children->len > 0 ? index_search_fts(&fts) : NULL;
		if (expr != NULL) {
			index_search_match(q, sql, expr);
			n++;
		} else {
			/* Only negated full-text parts: each its own condition. */
			g_ptr_array_extend(rest, fts.children, NULL, NULL);
		}
		for (i = 0; i < rest->len; i++) {
			if (n++ > 0)
				g_string_append(sql, " AND ");
			index_search_node(q, sql, g_ptr_array_index(rest, i));
		}
		g_string_append_c(sql, ')');
		g_ptr_array_free(fts.children, TRUE);
		g_ptr_array_free(rest, TRUE);
	}
}

struct index_search *
index_search_compile(const struct search_query *query, const char *alias, const char *prefix)
{
	const struct search_node *root = query != NULL ? search_query_root(query) : NULL;
	struct index_search *q = g_new0(struct index_search, 1);

	q->alias = alias;
	q->prefix = g_strdup(prefix);
	q->sql = g_string_new(NULL);
	q->params = g_array_new(FALSE, FALSE, sizeof(struct index_search_param));
	if (root != NULL)
		index_search_node(q, q->sql, root);
	else
		g_string_append_c(q->sql, '1');
	/* The caller's alias is needed only while compiling. */
	q->alias = NULL;
	return q;
}

const char *
index_search_sql(const struct index_search *search)
{
	return search->sql->str;
}

size_t
index_search_n_params(const struct index_search *search)
{
	return search->params->len;
}

void
index_search_bind(sqlite3_stmt *stmt, const struct index_search *search)
{
	guint i;

	for (i = 0; i < search->params->len; i++) {
		const struct index_search_param *p =
		    &g_array_index(search->params, struct index_search_param, i);
		char name[32];
		int at;

		g_snprintf(name, sizeof name, ":%s%u", search->prefix, i + 1);
		if ((at = sqlite3_bind_parameter_index(stmt, name)) <= 0)
			continue;
		/* Copied: SEARCH may be freed before the cached statement is reset. */
		if (p->text != NULL)
			sqlite3_bind_text(stmt, at, p->text, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(stmt, at, p->number);
	}
}

void
index_search_free(struct index_search *search)
{
	guint i;

	if (search == NULL)
		return;
	for (i = 0; i < search->params->len; i++)
		g_free(g_array_index(search->params, struct index_search_param, i).text);
	g_array_free(search->params, TRUE);
	g_string_free(search->sql, TRUE);
	g_free(search->prefix);
	g_free(search);
}

bool
index_search_is_fulltext(const struct search_query *query)
{
	const struct search_node *root = query != NULL ? search_query_root(query) : NULL;
	char *expr;

	if (root == NULL || (expr = index_search_fts(root)) == NULL)
		return false;
	g_free(expr);
	return true;
}

/* True when NODE or a node under it is costly (index_search_is_costly). */
static bool
index_search_node_costly(const struct search_node *node)
{
	guint i;

	if (node->kind == SEARCH_NODE_THREAD || node->kind == SEARCH_NODE_PARENT ||
	    node->kind == SEARCH_NODE_CHILDREN)
		return true;
	if (node->kind == SEARCH_NODE_TERM)
		return node->match != SEARCH_MATCH_WORDS || node->field == SEARCH_FIELD_NUMBER ||
		    node->field == SEARCH_FIELD_LIST || node->field == SEARCH_FIELD_TO_ME ||
		    node->field == SEARCH_FIELD_FROM_ME;
	for (i = 0; i < node->children->len; i++)
		if (index_search_node_costly(g_ptr_array_index(node->children, i)))
			return true;
	return false;
}

bool
index_search_is_costly(const struct search_query *query)
{
	const struct search_node *root = query != NULL ? search_query_root(query) : NULL;

	return root != NULL && index_search_node_costly(root);
}

void
index_search_describe_params(const struct index_search *search, GString *out)
{
	guint i;

	for (i = 0; i < search->params->len; i++) {
		const struct index_search_param *p =
		    &g_array_index(search->params, struct index_search_param, i);

		/* Unit separators keep "a" "b" apart from "a b". */
		if (p->text != NULL)
			g_string_append_printf(out, "\x1ft%s", p->text);
		else
			g_string_append_printf(out, "\x1fn%" G_GINT64_FORMAT, (gint64)p->number);
	}
}
