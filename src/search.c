/*
 * search: the query language (search.h).  A recursive-descent parser over
 * the UTF-8 text builds the tree, with the column of each error; it knows
 * no SQL.  The index compiles the tree over its own schema (index-search.c).
 */
#include "search-private.h"
#include "surat/sanitize.h"
#include "surat/suggest.h"

#include <string.h>
#include <time.h>

static const char *const search_prefixes[] = {
	[SEARCH_PREFIX_FROM] = "from",
	[SEARCH_PREFIX_TO] = "to",
	[SEARCH_PREFIX_CC] = "cc",
	[SEARCH_PREFIX_SUBJECT] = "subject",
	[SEARCH_PREFIX_BODY] = "body",
	[SEARCH_PREFIX_IS] = "is",
	[SEARCH_PREFIX_HAS] = "has",
	[SEARCH_PREFIX_ACCOUNT] = "account",
	[SEARCH_PREFIX_FOLDER] = "folder",
	[SEARCH_PREFIX_ID] = "id",
	[SEARCH_PREFIX_DATE] = "date",
	[SEARCH_PREFIX_BEFORE] = "before",
	[SEARCH_PREFIX_AFTER] = "after",
	[SEARCH_PREFIX_SIZE] = "size",
};

static const char *const search_statuses[] = {
	[SEARCH_STATUS_UNREAD] = "unread",
	[SEARCH_STATUS_READ] = "read",
	[SEARCH_STATUS_FLAGGED] = "flagged",
	[SEARCH_STATUS_DELETED] = "deleted",
	[SEARCH_STATUS_REPLIED] = "replied",
	[SEARCH_STATUS_FORWARDED] = "forwarded",
	[SEARCH_STATUS_DRAFT] = "draft",
	[SEARCH_STATUS_PARTIAL] = "partial",
	[SEARCH_STATUS_TAGGED] = "tagged",
	[SEARCH_STATUS_NEW] = "new",
	[SEARCH_STATUS_OLD] = "old",
};

/* The names of the fields in the tree's description. */
static const char *const search_field_names[] = {
	[SEARCH_FIELD_TEXT] = "text",
	[SEARCH_FIELD_FROM] = "from",
	[SEARCH_FIELD_TO] = "to",
	[SEARCH_FIELD_CC] = "cc",
	[SEARCH_FIELD_RECIPIENTS] = "recipients",
	[SEARCH_FIELD_SUBJECT] = "subject",
	[SEARCH_FIELD_BODY] = "body",
	[SEARCH_FIELD_STATUS] = "is",
	[SEARCH_FIELD_ATTACHMENT] = "has",
	[SEARCH_FIELD_ACCOUNT] = "account",
	[SEARCH_FIELD_FOLDER] = "folder",
	[SEARCH_FIELD_ID] = "id",
	[SEARCH_FIELD_DATE] = "date",
	[SEARCH_FIELD_SIZE] = "size",
	[SEARCH_FIELD_ALL] = "all",
	[SEARCH_FIELD_HEADERS] = "headers",
	[SEARCH_FIELD_SENDER] = "sender",
	[SEARCH_FIELD_PARTIES] = "parties",
	[SEARCH_FIELD_REFERENCES] = "references",
	[SEARCH_FIELD_LIST] = "list",
	[SEARCH_FIELD_TO_ME] = "to-me",
	[SEARCH_FIELD_FROM_ME] = "from-me",
	[SEARCH_FIELD_NUMBER] = "number",
};

/* The fields as a person reads them (search_query_explain). */
static const char *const search_field_words[] = {
	[SEARCH_FIELD_TEXT] = "the whole text",
	[SEARCH_FIELD_FROM] = "From",
	[SEARCH_FIELD_TO] = "To",
	[SEARCH_FIELD_CC] = "Cc",
	[SEARCH_FIELD_RECIPIENTS] = "To or Cc",
	[SEARCH_FIELD_SUBJECT] = "Subject",
	[SEARCH_FIELD_BODY] = "the body",
	[SEARCH_FIELD_ID] = "Message-ID",
	[SEARCH_FIELD_HEADERS] = "a header line",
	[SEARCH_FIELD_SENDER] = "Sender",
	[SEARCH_FIELD_PARTIES] = "From, To or Cc",
	[SEARCH_FIELD_REFERENCES] = "References or In-Reply-To",
};

void
search_error_clear(struct search_error *error)
{
	if (error == NULL)
		return;
	g_free(error->message);
	memset(error, 0, sizeof *error);
}

/* Free NODE and what is under it. */
void
search_node_free(gpointer data)
{
	struct search_node *node = data;

	if (node == NULL)
		return;
	if (node->children != NULL)
		g_ptr_array_unref(node->children);
	g_free(node->text);
	g_free(node);
}

/* A new node of KIND at byte OFFSET of P's text. */
struct search_node *
search_node_new(struct search_parser *p, enum search_node_kind kind, size_t offset)
{
	struct search_node *n = g_new0(struct search_node, 1);

	n->kind = kind;
	n->column = (int)g_utf8_pointer_to_offset(p->text, p->text + offset) + 1;
	if (kind != SEARCH_NODE_TERM)
		n->children = g_ptr_array_new_with_free_func(search_node_free);
	n->lo = INT64_MIN;
	n->hi = INT64_MAX;
	return n;
}

void
search_fail(struct search_parser *p, size_t offset, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->failed)
		return;
	p->failed = true;
	if (p->error == NULL)
		return;
	p->error->offset = offset;
	p->error->column = (int)g_utf8_pointer_to_offset(p->text, p->text + offset) + 1;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	/* The message quotes the user's text, which may hold anything. */
	p->error->message = sanitize_text(msg, -1, 0);
	g_free(msg);
}

/* Skip white space. */
void
search_skip(struct search_parser *p)
{
	while (p->text[p->pos] == ' ' || p->text[p->pos] == '\t' || p->text[p->pos] == '\n' ||
	    p->text[p->pos] == '\r')
		p->pos++;
}

/* True when C ends a word. */
bool
search_word_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' ||
	    c == ')' || c == '"' || c == '|';
}

/* The length of the word at P's position. */
static size_t
search_word_len(const struct search_parser *p)
{
	size_t n = 0;

	while (!search_word_end(p->text[p->pos + n]))
		n++;
	return n;
}

/* True when the word at P's position is exactly KEYWORD (an operator). */
static bool
search_keyword(const struct search_parser *p, const char *keyword)
{
	size_t n = strlen(keyword);

	return strncmp(p->text + p->pos, keyword, n) == 0 && search_word_end(p->text[p->pos + n]) &&
	    p->text[p->pos + n] != '"';
}

/* A quoted phrase at P's position (on the '"'); a new string, or NULL after a failure. */
static char *
search_quoted(struct search_parser *p)
{
	size_t start = p->pos;
	const char *end = strchr(p->text + start + 1, '"');
	char *s;

	if (end == NULL) {
		search_fail(p, start, "missing closing '\"' for the quote here");
		return NULL;
	}
	s = g_strndup(p->text + start + 1, (gsize)(end - (p->text + start + 1)));
	p->pos = (size_t)(end - p->text) + 1;
	return s;
}

/* True when S has a character the full-text index keeps (a letter or digit). */
static bool
search_searchable(const char *s)
{
	for (; *s != '\0'; s = g_utf8_next_char(s)) {
		if (g_unichar_isalnum(g_utf8_get_char(s)))
			return true;
	}
	return false;
}

/* Check a full-text VALUE given at OFFSET; false after failing. */
static bool
search_check_words(struct search_parser *p, const char *value, size_t offset)
{
	if (strlen(value) > SEARCH_WORD_MAX) {
		search_fail(p, offset, "a word or phrase longer than %d bytes", SEARCH_WORD_MAX);
		return false;
	}
	if (!search_searchable(value)) {
		search_fail(p, offset, "nothing to search for in '%s': words need a letter or digit",
		    value);
		return false;
	}
	return true;
}

/* Count one more term; false (after failing) past the cap. */
static bool
search_count_term(struct search_parser *p, size_t offset)
{
	if (++p->terms > SEARCH_TERMS_MAX) {
		search_fail(p, offset, "more than %d terms in one query", SEARCH_TERMS_MAX);
		return false;
	}
	return true;
}

/*
 * The value after a field or pattern, at P's position: a quoted phrase or a
 * word.  *QUOTED says which; *OFFSET where it starts.  NULL when there is
 * none (nothing failed yet).
 */
char *
search_value(struct search_parser *p, bool *quoted, size_t *offset)
{
	size_t n;
	char *v;

	*offset = p->pos;
	*quoted = p->text[p->pos] == '"';
	if (*quoted)
		return search_quoted(p);
	n = search_word_len(p);
	if (n == 0)
		return NULL;
	v = g_strndup(p->text + p->pos, n);
	p->pos += n;
	return v;
}

/* Fill the full-text term NODE of FIELD with VALUE; false after failing. */
bool
search_text_term(struct search_parser *p, struct search_node *node, enum search_field field,
    char *value, bool quoted, size_t offset)
{
	node->field = field;
	node->text = value;
	node->phrase = quoted;
	return search_check_words(p, value, offset);
}

bool
search_id_term(struct search_parser *p, struct search_node *node, char *value, size_t offset,
    const char *name)
{
	size_t n = strlen(value);

	node->field = SEARCH_FIELD_ID;
	/* <id@host> as a Message-ID header writes it, or bare. */
	if (n >= 2 && value[0] == '<' && value[n - 1] == '>') {
		memmove(value, value + 1, n - 2);
		value[n - 2] = '\0';
	}
	node->text = value;
	if (value[0] != '\0')
		return true;
	search_fail(p, offset, "%s needs a Message-ID", name);
	return false;
}

/* The term FIELD:VALUE (FIELD_LEN bytes of name at START, value after the colon). */
static struct search_node *
search_field_term(struct search_parser *p, size_t start, size_t field_len)
{
	struct search_node *node = search_node_new(p, SEARCH_NODE_TERM, start);
	char *name = g_ascii_strdown(p->text + start, (gssize)field_len), *value;
	const char *near;
	size_t i, offset;
	bool quoted, ok = false;

	for (i = 0; i < G_N_ELEMENTS(search_prefixes); i++) {
		if (strcmp(name, search_prefixes[i]) == 0)
			break;
	}
	if (i == G_N_ELEMENTS(search_prefixes)) {
		near = suggest_nearest(name, search_prefixes, G_N_ELEMENTS(search_prefixes));
		if (near != NULL)
			search_fail(p, start, "unknown field '%s:'; did you mean %s:?", name, near);
		else
			search_fail(p, start,
			    "unknown field '%s:'; put the word in quotes to search for it", name);
		goto out;
	}
	p->pos = start + field_len + 1;
	value = search_value(p, &quoted, &offset);
	if (value == NULL) {
		if (!p->failed)
			search_fail(p, start, "%s: needs a value right after the colon, as in %s:%s",
			    name, name, i == SEARCH_PREFIX_IS ? "unread" : i == SEARCH_PREFIX_HAS
				? "attachment" : i == SEARCH_PREFIX_DATE ? "7d" : i == SEARCH_PREFIX_SIZE
				? ">1M" : "word");
		goto out;
	}
	switch ((enum search_prefix)i) {
	case SEARCH_PREFIX_FROM:
		ok = search_text_term(p, node, SEARCH_FIELD_FROM, value, quoted, offset);
		break;
	case SEARCH_PREFIX_TO:
		ok = search_text_term(p, node, SEARCH_FIELD_TO, value, quoted, offset);
		break;
	case SEARCH_PREFIX_CC:
		ok = search_text_term(p, node, SEARCH_FIELD_CC, value, quoted, offset);
		break;
	case SEARCH_PREFIX_SUBJECT:
		ok = search_text_term(p, node, SEARCH_FIELD_SUBJECT, value, quoted, offset);
		break;
	case SEARCH_PREFIX_BODY:
		ok = search_text_term(p, node, SEARCH_FIELD_BODY, value, quoted, offset);
		break;
	case SEARCH_PREFIX_IS: {
		size_t k;

		node->field = SEARCH_FIELD_STATUS;
		for (k = 0; k < G_N_ELEMENTS(search_statuses); k++) {
			if (g_ascii_strcasecmp(value, search_statuses[k]) == 0)
				break;
		}
		if (k == G_N_ELEMENTS(search_statuses)) {
			char *lower = g_ascii_strdown(value, -1); /* the names are lower case */

			near = suggest_nearest(lower, search_statuses, G_N_ELEMENTS(search_statuses));
			g_free(lower);
			search_fail(p, offset,
			    "unknown is: value '%s'%s%s%s; use unread, read, flagged, deleted, "
			    "replied, forwarded, draft, partial, tagged, new or old",
			    value, near != NULL ? " (did you mean " : "", near != NULL ? near : "",
			    near != NULL ? "?)" : "");
		} else {
			node->status = (enum search_status)k;
			ok = true;
		}
		g_free(value);
		break;
	}
	case SEARCH_PREFIX_HAS:
		node->field = SEARCH_FIELD_ATTACHMENT;
		if (g_ascii_strcasecmp(value, "attachment") == 0 ||
		    g_ascii_strcasecmp(value, "attachments") == 0)
			ok = true;
		else
			search_fail(p, offset, "unknown has: value '%s'; use has:attachment", value);
		g_free(value);
		break;
	case SEARCH_PREFIX_ACCOUNT:
	case SEARCH_PREFIX_FOLDER:
		node->field = i == SEARCH_PREFIX_ACCOUNT ? SEARCH_FIELD_ACCOUNT : SEARCH_FIELD_FOLDER;
		if (i == SEARCH_PREFIX_FOLDER && g_ascii_strcasecmp(value, "inbox") == 0) {
			g_free(value);
			value = g_strdup("");
		}
		node->text = value;
		ok = true;
		break;
	case SEARCH_PREFIX_ID:
		ok = search_id_term(p, node, value, offset, "id:");
		break;
	case SEARCH_PREFIX_DATE:
	case SEARCH_PREFIX_BEFORE:
	case SEARCH_PREFIX_AFTER:
		node->field = SEARCH_FIELD_DATE;
		ok = search_parse_date(p, (enum search_prefix)i, value, offset, node);
		g_free(value);
		break;
	case SEARCH_PREFIX_SIZE:
		node->field = SEARCH_FIELD_SIZE;
		ok = search_parse_size(p, value, offset, false, node);
		g_free(value);
		break;
	}
out:
	g_free(name);
	if (!ok) {
		search_node_free(node);
		return NULL;
	}
	return node;
}

/* A term at P's position: field:value, a mutt pattern, a word or a phrase. */
static struct search_node *
search_term(struct search_parser *p)
{
	size_t start = p->pos, n, k;
	struct search_node *node;
	char *value;
	bool quoted;

	if (!search_count_term(p, start))
		return NULL;
	if (p->text[start] == '~' || search_mutt_string_at(p))
		return search_mutt_term(p);
	n = search_word_len(p);
	/* FIELD:value: letters, then a colon. */
	for (k = 0; k < n && g_ascii_isalpha(p->text[start + k]); k++)
		;
	if (k > 0 && k < n && p->text[start + k] == ':')
		return search_field_term(p, start, k);
	node = search_node_new(p, SEARCH_NODE_TERM, start);
	value = search_value(p, &quoted, &start);
	if (value == NULL) {
		search_fail(p, start, "expected a word here");
		search_node_free(node);
		return NULL;
	}
	if (!search_text_term(p, node, SEARCH_FIELD_TEXT, value, quoted, start)) {
		search_node_free(node);
		return NULL;
	}
	return node;
}

static struct search_node *search_or(struct search_parser *p);

/* Make PARENT (an AND or OR) from CHILDREN, flattening nested ones of its kind. */
static struct search_node *
search_join(struct search_parser *p, enum search_node_kind kind, GPtrArray *children,
    size_t offset)
{
	struct search_node *n;
	guint i;

	if (children->len == 1) {
		n = g_ptr_array_steal_index(children, 0);
		g_ptr_array_unref(children);
		return n;
	}
	n = search_node_new(p, kind, offset);
	for (i = 0; i < children->len; i++) {
		struct search_node *c = g_ptr_array_index(children, i);

		if (c->kind == kind) {
			while (c->children->len > 0)
				g_ptr_array_add(n->children, g_ptr_array_steal_index(c->children, 0));
			search_node_free(c);
		} else {
			g_ptr_array_add(n->children, c);
		}
	}
	g_ptr_array_set_free_func(children, NULL);
	g_ptr_array_unref(children);
	return n;
}

/* True when P is at an operand's start (not the end, ')' or OR). */
static bool
search_at_operand(struct search_parser *p)
{
	char c = p->text[p->pos];

	return c != '\0' && c != ')' && c != '|' && !search_keyword(p, "OR");
}

struct search_node *
search_group(struct search_parser *p)
{
	size_t start = p->pos;
	struct search_node *inner;

	p->pos++;
	if (++p->depth > SEARCH_DEPTH_MAX) {
		search_fail(p, start, "nested more than %d deep", SEARCH_DEPTH_MAX);
		return NULL;
	}
	search_skip(p);
	if (p->text[p->pos] == ')') {
		search_fail(p, start, "empty parentheses");
		return NULL;
	}
	inner = search_or(p);
	p->depth--;
	if (inner == NULL)
		return NULL;
	search_skip(p);
	if (p->text[p->pos] != ')') {
		search_node_free(inner);
		search_fail(p, start, "missing ')' for the '(' here");
		return NULL;
	}
	p->pos++;
	return inner;
}

/* unary := NOT unary | '(' or ')' | term */
static struct search_node *
search_unary(struct search_parser *p)
{
	size_t start;
	struct search_node *n, *inner;
	char c;

	search_skip(p);
	start = p->pos;
	c = p->text[start];
	if (search_keyword(p, "NOT") || c == '!' ||
	    (c == '-' && strchr(" \t\r\n)|-", p->text[start + 1]) == NULL)) {
		p->pos += search_keyword(p, "NOT") ? 3 : 1;
		if (++p->depth > SEARCH_DEPTH_MAX) {
			search_fail(p, start, "nested more than %d deep", SEARCH_DEPTH_MAX);
			return NULL;
		}
		search_skip(p);
		if (!search_at_operand(p) || search_keyword(p, "AND")) {
			search_fail(p, start, "%s needs something after it",
			    c == 'N' ? "NOT" : c == '!' ? "'!'" : "'-'");
			return NULL;
		}
		inner = search_unary(p);
		p->depth--;
		if (inner == NULL)
			return NULL;
		n = search_node_new(p, SEARCH_NODE_NOT, start);
		g_ptr_array_add(n->children, inner);
		return n;
	}
	if (c == '(')
		return search_group(p);
	if (c == ')') {
		search_fail(p, start, "unexpected ')' with no '(' before it");
		return NULL;
	}
	if (c == '|' || search_keyword(p, "OR") || search_keyword(p, "AND")) {
		search_fail(p, start, "%s needs something before it",
		    c == '|' ? "'|'" : c == 'O' ? "OR" : "AND");
		return NULL;
	}
	if (c == '-' || c == '!') {
		search_fail(p, start, "'%c' needs something right after it", c);
		return NULL;
	}
	return search_term(p);
}

/* and := unary { [AND] unary } */
static struct search_node *
search_and(struct search_parser *p)
{
	GPtrArray *children = g_ptr_array_new_with_free_func(search_node_free);
	size_t start;
	struct search_node *n;

	search_skip(p);
	start = p->pos;
	for (;;) {
		search_skip(p);
		if (children->len > 0 && search_keyword(p, "AND")) {
			size_t at = p->pos;

			p->pos += 3;
			search_skip(p);
			if (!search_at_operand(p) || search_keyword(p, "AND")) {
				search_fail(p, at, "AND needs something after it");
				g_ptr_array_unref(children);
				return NULL;
			}
		} else if (children->len > 0 && !search_at_operand(p)) {
			break;
		}
		n = search_unary(p);
		if (n == NULL) {
			g_ptr_array_unref(children);
			return NULL;
		}
		g_ptr_array_add(children, n);
	}
	return search_join(p, SEARCH_NODE_AND, children, start);
}

/* or := and { (OR | '|') and } */
static struct search_node *
search_or(struct search_parser *p)
{
	GPtrArray *children = g_ptr_array_new_with_free_func(search_node_free);
	size_t start;
	struct search_node *n;

	search_skip(p);
	start = p->pos;
	for (;;) {
		n = search_and(p);
		if (n == NULL) {
			g_ptr_array_unref(children);
			return NULL;
		}
		g_ptr_array_add(children, n);
		search_skip(p);
		if (p->text[p->pos] == '|' || search_keyword(p, "OR")) {
			size_t at = p->pos;

			p->pos += p->text[p->pos] == '|' ? (p->text[p->pos + 1] == '|' ? 2 : 1) : 2;
			search_skip(p);
			if (!search_at_operand(p) || search_keyword(p, "AND")) {
				search_fail(p, at, "%s needs something after it",
				    p->text[at] == '|' ? "'|'" : "OR");
				g_ptr_array_unref(children);
				return NULL;
			}
			continue;
		}
		break;
	}
	return search_join(p, SEARCH_NODE_OR, children, start);
}

struct search_query *
search_parse(const char *text, int64_t now, struct search_error *error)
{
	struct search_parser p = { 0 };
	struct search_query *q;
	struct search_node *root = NULL;
	const char *bad;

	if (text == NULL)
		text = "";
	p.text = text;
	p.now = now != 0 ? now : (int64_t)time(NULL);
	p.error = error;
	if (strlen(text) > SEARCH_TEXT_MAX) {
		p.text = "";
		search_fail(&p, 0, "the query is longer than %d bytes", SEARCH_TEXT_MAX);
		return NULL;
	}
	if (!g_utf8_validate(text, -1, &bad)) {
		p.text = "";
		search_fail(&p, 0, "not valid UTF-8");
		if (error != NULL) {
			error->offset = (size_t)(bad - text);
			error->column = 1 + (int)g_utf8_strlen(text, (gssize)(bad - text));
		}
		return NULL;
	}
	search_skip(&p);
	if (text[p.pos] != '\0') {
		root = search_or(&p);
		if (root != NULL) {
			search_skip(&p);
			if (text[p.pos] == ')')
				search_fail(&p, p.pos, "unexpected ')' with no '(' before it");
			else if (text[p.pos] != '\0')
				search_fail(&p, p.pos, "unexpected text here");
		}
		if (p.failed) {
			search_node_free(root);
			return NULL;
		}
	}
	q = g_new0(struct search_query, 1);
	q->text = g_strdup(text);
	q->root = root;
	return q;
}

void
search_query_free(struct search_query *query)
{
	if (query == NULL)
		return;
	g_free(query->text);
	search_node_free(query->root);
	g_free(query);
}

const char *
search_query_text(const struct search_query *query)
{
	return query != NULL ? query->text : "";
}

const struct search_node *
search_query_root(const struct search_query *query)
{
	return query != NULL ? query->root : NULL;
}

/* Append a bound of a range: a number, or "-" when open. */
static void
search_describe_bound(GString *s, int64_t v, int64_t open)
{
	if (v == open)
		g_string_append(s, " -");
	else
		g_string_append_printf(s, " %" G_GINT64_FORMAT, (gint64)v);
}

/* Append NODE's S-expression to S. */
static void
search_describe_node(GString *s, const struct search_node *node)
{
	guint i;

	static const char *const kinds[] = {
		[SEARCH_NODE_AND] = "(and",
		[SEARCH_NODE_OR] = "(or",
		[SEARCH_NODE_NOT] = "(not",
		[SEARCH_NODE_THREAD] = "(thread",
		[SEARCH_NODE_PARENT] = "(parent",
		[SEARCH_NODE_CHILDREN] = "(children",
	};

	switch (node->kind) {
	case SEARCH_NODE_AND:
	case SEARCH_NODE_OR:
	case SEARCH_NODE_NOT:
	case SEARCH_NODE_THREAD:
	case SEARCH_NODE_PARENT:
	case SEARCH_NODE_CHILDREN:
		g_string_append(s, kinds[node->kind]);
		for (i = 0; i < node->children->len; i++) {
			g_string_append_c(s, ' ');
			search_describe_node(s, g_ptr_array_index(node->children, i));
		}
		g_string_append_c(s, ')');
		return;
	case SEARCH_NODE_TERM:
		break;
	}
	g_string_append_printf(s, "(%s", search_field_names[node->field]);
	switch (node->field) {
	case SEARCH_FIELD_STATUS:
		g_string_append_printf(s, " %s", search_statuses[node->status]);
		break;
	case SEARCH_FIELD_ATTACHMENT:
		g_string_append(s, " attachment");
		break;
	case SEARCH_FIELD_DATE:
	case SEARCH_FIELD_SIZE:
	case SEARCH_FIELD_NUMBER:
		search_describe_bound(s, node->lo, INT64_MIN);
		search_describe_bound(s, node->hi, INT64_MAX);
		break;
	case SEARCH_FIELD_ALL:
	case SEARCH_FIELD_LIST:
	case SEARCH_FIELD_TO_ME:
	case SEARCH_FIELD_FROM_ME:
		break;
	default:
		if (node->match == SEARCH_MATCH_REGEX)
			g_string_append_printf(s, " /%s/%s", node->text, node->caseless ? "i" : "");
		else if (node->match == SEARCH_MATCH_STRING)
			g_string_append_printf(s, " =\"%s\"%s", node->text, node->caseless ? "i" : "");
		else
			g_string_append_printf(s, " \"%s\"%s", node->text,
			    search_node_is_fulltext(node) && !node->phrase ? "*" : "");
		break;
	}
	g_string_append_c(s, ')');
}

/* Append a day of a date range (local time) to S. */
static void
search_explain_day(GString *s, int64_t t)
{
	GDateTime *d = g_date_time_new_from_unix_local(t);

	if (d == NULL) {
		g_string_append_printf(s, "%" G_GINT64_FORMAT, (gint64)t);
		return;
	}
	g_string_append_printf(s, "%04d-%02d-%02d", g_date_time_get_year(d),
	    g_date_time_get_month(d), g_date_time_get_day_of_month(d));
	g_date_time_unref(d);
}

/* Append "from LO to HI" of a range (HI excluded), as a person reads it. */
static void
search_explain_range(GString *s, const struct search_node *node, bool dates)
{
	int64_t last = node->hi != INT64_MAX ? node->hi - 1 : INT64_MAX;

	if (node->lo != INT64_MIN) {
		g_string_append(s, " from ");
		if (dates)
			search_explain_day(s, node->lo);
		else
			g_string_append_printf(s, "%" G_GINT64_FORMAT, (gint64)node->lo);
	}
	if (node->hi != INT64_MAX) {
		g_string_append(s, node->lo != INT64_MIN ? " to " : " up to ");
		if (dates)
			search_explain_day(s, last);
		else
			g_string_append_printf(s, "%" G_GINT64_FORMAT, (gint64)last);
	}
	if (node->lo == INT64_MIN && node->hi == INT64_MAX)
		g_string_append(s, " of any value");
}

/* Append NODE as a person reads it to S. */
static void
search_explain_node(GString *s, const struct search_node *node)
{
	guint i;

	switch (node->kind) {
	case SEARCH_NODE_AND:
	case SEARCH_NODE_OR:
		g_string_append_c(s, '(');
		for (i = 0; i < node->children->len; i++) {
			if (i > 0)
				g_string_append(s, node->kind == SEARCH_NODE_AND ? " and " : " or ");
			search_explain_node(s, g_ptr_array_index(node->children, i));
		}
		g_string_append_c(s, ')');
		return;
	case SEARCH_NODE_NOT:
	case SEARCH_NODE_THREAD:
	case SEARCH_NODE_PARENT:
	case SEARCH_NODE_CHILDREN:
		g_string_append(s, node->kind == SEARCH_NODE_NOT ? "not "
			: node->kind == SEARCH_NODE_THREAD	 ? "in a thread with a message where "
			: node->kind == SEARCH_NODE_PARENT	 ? "its parent has "
								 : "a reply to it has ");
		search_explain_node(s, g_ptr_array_index(node->children, 0));
		return;
	case SEARCH_NODE_TERM:
		break;
	}
	switch (node->field) {
	case SEARCH_FIELD_STATUS:
		g_string_append_printf(s, "is %s", search_statuses[node->status]);
		return;
	case SEARCH_FIELD_ATTACHMENT:
		g_string_append(s, "has an attachment");
		return;
	case SEARCH_FIELD_ACCOUNT:
		g_string_append_printf(s, "in account \"%s\"", node->text);
		return;
	case SEARCH_FIELD_FOLDER:
		g_string_append_printf(s, "in folder \"%s\"", node->text[0] != '\0' ? node->text : "inbox");
		return;
	case SEARCH_FIELD_DATE:
		g_string_append(s, "dated");
		search_explain_range(s, node, true);
		return;
	case SEARCH_FIELD_SIZE:
		g_string_append(s, "sized");
		search_explain_range(s, node, false);
		g_string_append(s, " bytes");
		return;
	case SEARCH_FIELD_NUMBER:
		g_string_append(s, "numbered");
		search_explain_range(s, node, false);
		g_string_append(s, " in its folder by arrival");
		return;
	case SEARCH_FIELD_ALL:
		g_string_append(s, "any message");
		return;
	case SEARCH_FIELD_LIST:
		g_string_append(s, "came through a mailing list (List-Id or List-Post)");
		return;
	case SEARCH_FIELD_TO_ME:
		g_string_append(s, "is to one of your addresses (To or Cc)");
		return;
	case SEARCH_FIELD_FROM_ME:
		g_string_append(s, "is from one of your addresses");
		return;
	default:
		break;
	}
	if (node->field == SEARCH_FIELD_ID && node->match == SEARCH_MATCH_WORDS) {
		g_string_append_printf(s, "Message-ID is <%s>", node->text);
		return;
	}
	g_string_append_printf(s, "%s ", search_field_words[node->field]);
	switch (node->match) {
	case SEARCH_MATCH_REGEX:
		g_string_append_printf(s, "matches the regular expression /%s/ (%s)", node->text,
		    node->caseless ? "any case" : "case counts: it has an upper-case letter");
		break;
	case SEARCH_MATCH_STRING:
		g_string_append_printf(s, "contains \"%s\" (%s)", node->text,
		    node->caseless ? "any case" : "case counts: it has an upper-case letter");
		break;
	case SEARCH_MATCH_WORDS:
		if (node->phrase)
			g_string_append_printf(s, "has the words \"%s\" in that order", node->text);
		else
			g_string_append_printf(s, "has words starting with \"%s\"", node->text);
		break;
	}
}

char *
search_query_explain(const struct search_query *query)
{
	GString *s = g_string_new(NULL);
	char *out;

	if (query == NULL || query->root == NULL)
		g_string_append(s, "any message");
	else
		search_explain_node(s, query->root);
	/* The query's text may hold anything. */
	out = sanitize_text(s->str, -1, 0);
	g_string_free(s, TRUE);
	return out;
}

char *
search_query_describe(const struct search_query *query)
{
	GString *s = g_string_new(NULL);

	if (query == NULL || query->root == NULL)
		g_string_append(s, "(all)");
	else
		search_describe_node(s, query->root);
	return g_string_free(s, FALSE);
}

/* Append the positive full-text words under NODE to WORDS. */
static void
search_words_node(const struct search_node *node, GPtrArray *words)
{
	guint i;

	if (node->kind == SEARCH_NODE_NOT)
		return;
	if (node->kind != SEARCH_NODE_TERM) {
		for (i = 0; i < node->children->len; i++)
			search_words_node(g_ptr_array_index(node->children, i), words);
		return;
	}
	if (search_node_is_fulltext(node))
		g_ptr_array_add(words, g_strdup(node->text));
}

void
search_query_words(const struct search_query *query, GPtrArray *words)
{
	if (query != NULL && query->root != NULL)
		search_words_node(query->root, words);
}

bool
search_node_is_fulltext(const struct search_node *node)
{
	return node->kind == SEARCH_NODE_TERM && node->field <= SEARCH_FIELD_BODY &&
	    node->match == SEARCH_MATCH_WORDS;
}

bool
search_node_reads_bodies(const struct search_node *node)
{
	guint i;

	if (node == NULL)
		return false;
	if (node->kind == SEARCH_NODE_TERM)
		return node->field == SEARCH_FIELD_TEXT || node->field == SEARCH_FIELD_BODY;
	for (i = 0; node->children != NULL && i < node->children->len; i++)
		if (search_node_reads_bodies(g_ptr_array_index(node->children, i)))
			return true;
	return false;
}
