/*
 * search-mutt: mutt's pattern dialect of the query language (search-private.h).
 * The ~ patterns that take text take a regular expression, as in mutt, and
 * the = patterns a plain string; ~d and ~z take a date or size range
 * (search-range.c), ~m a range of numbers; ~( ~<( ~>( take a group.  Each
 * becomes a node of the same tree the field:value terms build, so the index
 * sees one language.
 */
#include <stdlib.h>
#include <string.h>

#include "search-private.h"

/* What a mutt pattern letter means. */
struct search_mutt {
	char letter;
	enum search_field field;
	enum search_status status; /* for SEARCH_FIELD_STATUS */
};

static const struct search_mutt search_mutt_patterns[] = {
	{ 'f', SEARCH_FIELD_FROM, 0 },
	{ 't', SEARCH_FIELD_TO, 0 },
	{ 'c', SEARCH_FIELD_CC, 0 },
	{ 'C', SEARCH_FIELD_RECIPIENTS, 0 },
	{ 's', SEARCH_FIELD_SUBJECT, 0 },
	{ 'b', SEARCH_FIELD_BODY, 0 },
	{ 'B', SEARCH_FIELD_TEXT, 0 },
	{ 'h', SEARCH_FIELD_HEADERS, 0 },
	{ 'i', SEARCH_FIELD_ID, 0 },
	{ 'e', SEARCH_FIELD_SENDER, 0 },
	{ 'L', SEARCH_FIELD_PARTIES, 0 },
	{ 'x', SEARCH_FIELD_REFERENCES, 0 },
	{ 'd', SEARCH_FIELD_DATE, 0 },
	{ 'z', SEARCH_FIELD_SIZE, 0 },
	{ 'm', SEARCH_FIELD_NUMBER, 0 },
	{ 'A', SEARCH_FIELD_ALL, 0 },
	{ 'l', SEARCH_FIELD_LIST, 0 },
	{ 'p', SEARCH_FIELD_TO_ME, 0 },
	{ 'P', SEARCH_FIELD_FROM_ME, 0 },
	{ 'N', SEARCH_FIELD_STATUS, SEARCH_STATUS_NEW },
	{ 'O', SEARCH_FIELD_STATUS, SEARCH_STATUS_OLD },
	{ 'U', SEARCH_FIELD_STATUS, SEARCH_STATUS_UNREAD },
	{ 'R', SEARCH_FIELD_STATUS, SEARCH_STATUS_READ },
	{ 'F', SEARCH_FIELD_STATUS, SEARCH_STATUS_FLAGGED },
	{ 'D', SEARCH_FIELD_STATUS, SEARCH_STATUS_DELETED },
	{ 'T', SEARCH_FIELD_STATUS, SEARCH_STATUS_TAGGED },
	{ 'Q', SEARCH_FIELD_STATUS, SEARCH_STATUS_REPLIED },
};

/* The letters whose patterns take text: a regular expression after ~, a string after =. */
#define SEARCH_MUTT_TEXT_LETTERS "ftcCsbBhieLx"

/* True when FIELD's pattern takes no value. */
static bool
search_mutt_bare(enum search_field field)
{
	return field == SEARCH_FIELD_STATUS || field == SEARCH_FIELD_ALL ||
	    field == SEARCH_FIELD_LIST || field == SEARCH_FIELD_TO_ME ||
	    field == SEARCH_FIELD_FROM_ME;
}

bool
search_mutt_string_at(const struct search_parser *p)
{
	const char *t = p->text + p->pos;

	return t[0] == '=' && t[1] != '\0' && strchr(SEARCH_MUTT_TEXT_LETTERS, t[1]) != NULL &&
	    (t[2] == ' ' || t[2] == '\t' || t[2] == '"' || t[2] == '\'');
}

bool
search_regex_caseless(const char *pattern)
{
	const char *s;

	for (s = pattern; *s != '\0'; s = g_utf8_next_char(s)) {
		if (*s == '\\' && s[1] != '\0') {
			s++; /* \S, \W, \B: an escape, not a letter the user typed */
			continue;
		}
		if (g_unichar_isupper(g_utf8_get_char(s)))
			return false;
	}
	return true;
}

/*
 * The regular expression or string after a pattern, at P's position: in
 * double or single quotes (a backslash before the quote keeps it in; other
 * backslashes stay for the regular expression), or up to white space, '|'
 * or a ')' that closes nothing in it.  NULL when there is none.
 */
static char *
search_mutt_text(struct search_parser *p, size_t *offset)
{
	GString *s;
	const char *t = p->text;
	char quote;
	int depth = 0;

	*offset = p->pos;
	quote = t[p->pos];
	if (quote == '"' || quote == '\'') {
		s = g_string_new(NULL);
		for (p->pos++; t[p->pos] != quote; p->pos++) {
			if (t[p->pos] == '\0') {
				search_fail(p, *offset, "missing closing '%c' for the quote here", quote);
				g_string_free(s, TRUE);
				return NULL;
			}
			if (t[p->pos] == '\\' && t[p->pos + 1] == quote)
				p->pos++;
			g_string_append_c(s, t[p->pos]);
		}
		p->pos++;
		return g_string_free(s, FALSE);
	}
	s = g_string_new(NULL);
	while (t[p->pos] != '\0' && t[p->pos] != ' ' && t[p->pos] != '\t' && t[p->pos] != '\n' &&
	    t[p->pos] != '\r' && t[p->pos] != '|' && !(t[p->pos] == ')' && depth == 0)) {
		if (t[p->pos] == '\\' && t[p->pos + 1] != '\0')
			g_string_append_c(s, t[p->pos++]);
		else if (t[p->pos] == '(')
			depth++;
		else if (t[p->pos] == ')')
			depth--;
		g_string_append_c(s, t[p->pos++]);
	}
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* Fill NODE with the pattern text VALUE (taken) given at OFFSET; false after failing. */
static bool
search_mutt_match(struct search_parser *p, struct search_node *node, char *value, size_t offset,
    bool regex)
{
	GError *err = NULL;
	GRegex *re;

	node->text = value;
	node->match = regex ? SEARCH_MATCH_REGEX : SEARCH_MATCH_STRING;
	node->caseless = search_regex_caseless(value);
	if (strlen(value) > SEARCH_WORD_MAX) {
		search_fail(p, offset, "a pattern longer than %d bytes", SEARCH_WORD_MAX);
		return false;
	}
	if (!regex)
		return true;
	re = g_regex_new(value, node->caseless ? G_REGEX_CASELESS : 0, 0, &err);
	if (re == NULL) {
		const char *why = strstr(err->message, ": ");

		/* GLib's message starts "Error while compiling regular expression X at char N". */
		search_fail(p, offset, "not a regular expression: %s",
		    why != NULL ? why + 2 : err->message);
		g_error_free(err);
		return false;
	}
	g_regex_unref(re);
	return true;
}

/* A number of ~m's range, or -1. */
static int64_t
search_mutt_number(const char *s, size_t len)
{
	char *end, buf[24];
	long long v;

	if (len == 0 || len >= sizeof buf || !g_ascii_isdigit(s[0]))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	v = strtoll(buf, &end, 10);
	return *end == '\0' && v > 0 ? (int64_t)v : -1;
}

/* ~m VALUE: N, N-M, -M, N- (1-based, M included) into NODE's lo and hi. */
static bool
search_mutt_range(struct search_parser *p, const char *value, size_t offset,
    struct search_node *node)
{
	const char *dash = strchr(value, '-');
	int64_t a, b;

	if (dash == NULL) {
		if ((a = search_mutt_number(value, strlen(value))) < 0)
			goto bad;
		node->lo = a;
		node->hi = a + 1;
		return true;
	}
	if (dash > value) {
		if ((a = search_mutt_number(value, (size_t)(dash - value))) < 0)
			goto bad;
		node->lo = a;
	}
	if (dash[1] != '\0') {
		if ((b = search_mutt_number(dash + 1, strlen(dash + 1))) < 0)
			goto bad;
		node->hi = b + 1;
	}
	if (dash == value && dash[1] == '\0')
		goto bad;
	if (node->lo != INT64_MIN && node->hi != INT64_MAX && node->lo >= node->hi) {
		search_fail(p, offset, "~m %s: the range ends before it starts", value);
		return false;
	}
	return true;
bad:
	search_fail(p, offset, "~m takes message numbers: ~m 5, ~m 10-20, ~m -20 or ~m 10-");
	return false;
}

/* ~( ~<( ~>( at P's position (on the '~'); KIND is the node's. */
static struct search_node *
search_mutt_thread(struct search_parser *p, enum search_node_kind kind)
{
	size_t start = p->pos;
	struct search_node *node, *inner;

	p->pos += kind == SEARCH_NODE_THREAD ? 1 : 2;
	if (p->text[p->pos] != '(') {
		search_fail(p, start, "~%c needs a pattern in parentheses right after it, as in ~%c(~f alice)",
		    p->text[start + 1], p->text[start + 1]);
		return NULL;
	}
	if ((inner = search_group(p)) == NULL)
		return NULL;
	node = search_node_new(p, kind, start);
	g_ptr_array_add(node->children, inner);
	return node;
}

/* A mutt pattern at P's position (on the '~' or the '=' of a string pattern). */
struct search_node *
search_mutt_term(struct search_parser *p)
{
	size_t start = p->pos, i, offset;
	struct search_node *node;
	char sign = p->text[start], letter = p->text[start + 1], *value;
	bool ok;

	if (letter == '(')
		return search_mutt_thread(p, SEARCH_NODE_THREAD);
	if (letter == '<' || letter == '>')
		return search_mutt_thread(p, letter == '<' ? SEARCH_NODE_PARENT : SEARCH_NODE_CHILDREN);
	for (i = 0; i < G_N_ELEMENTS(search_mutt_patterns); i++) {
		if (search_mutt_patterns[i].letter == letter)
			break;
	}
	if (i == G_N_ELEMENTS(search_mutt_patterns)) {
		if (search_word_end(letter))
			search_fail(p, start, "'~' needs a pattern letter, as in ~f or ~s");
		else
			search_fail(p, start,
			    "unknown pattern '~%c'; surat knows ~f ~t ~c ~C ~s ~b ~B ~h ~i ~e ~L ~x "
			    "~l ~p ~P ~N ~O ~U ~R ~F ~D ~T ~Q ~A ~d ~z ~m ~( ~<( ~>(",
			    letter);
		return NULL;
	}
	node = search_node_new(p, SEARCH_NODE_TERM, start);
	node->field = search_mutt_patterns[i].field;
	node->status = search_mutt_patterns[i].status;
	p->pos = start + 2;
	if (search_mutt_bare(node->field)) {
		/* ~N~F is two patterns, as in mutt. */
		if (!search_word_end(p->text[p->pos]) && p->text[p->pos] != '~' &&
		    p->text[p->pos] != '!') {
			search_fail(p, start, "~%c takes no value; put a space after it", letter);
			search_node_free(node);
			return NULL;
		}
		return node;
	}
	search_skip(p);
	value = NULL;
	offset = p->pos;
	if (p->text[p->pos] != '~' && p->text[p->pos] != '!')
		value = search_mutt_text(p, &offset);
	if (value == NULL) {
		if (!p->failed)
			search_fail(p, start, "%c%c needs a value, as in %c%c %s", sign, letter, sign,
			    letter,
			    letter == 'd' ? "<7d" : letter == 'z' ? ">1M" : letter == 'm' ? "1-10"
				: sign == '=' ? "word" : "regex");
		search_node_free(node);
		return NULL;
	}
	switch (node->field) {
	case SEARCH_FIELD_DATE:
		ok = search_parse_mutt_date(p, value, offset, node);
		g_free(value);
		break;
	case SEARCH_FIELD_SIZE:
		ok = search_parse_size(p, value, offset, true, node);
		g_free(value);
		break;
	case SEARCH_FIELD_NUMBER:
		ok = search_mutt_range(p, value, offset, node);
		g_free(value);
		break;
	default:
		ok = search_mutt_match(p, node, value, offset, sign == '~');
		break;
	}
	if (!ok) {
		search_node_free(node);
		return NULL;
	}
	return node;
}
