/*
 * search-mutt: mutt's pattern dialect of the query language (search-private.h):
 * ~f ~t ~c ~C ~s ~b ~B ~i take a value, ~d and ~z a date or size range
 * (search-range.c), ~N ~O ~U ~R ~F ~D ~T ~Q ~A none.  Each becomes a node of
 * the same tree the field:value terms build, so the index sees one language.
 */
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
	{ 'i', SEARCH_FIELD_ID, 0 },
	{ 'd', SEARCH_FIELD_DATE, 0 },
	{ 'z', SEARCH_FIELD_SIZE, 0 },
	{ 'A', SEARCH_FIELD_ALL, 0 },
	{ 'N', SEARCH_FIELD_STATUS, SEARCH_STATUS_NEW },
	{ 'O', SEARCH_FIELD_STATUS, SEARCH_STATUS_OLD },
	{ 'U', SEARCH_FIELD_STATUS, SEARCH_STATUS_UNREAD },
	{ 'R', SEARCH_FIELD_STATUS, SEARCH_STATUS_READ },
	{ 'F', SEARCH_FIELD_STATUS, SEARCH_STATUS_FLAGGED },
	{ 'D', SEARCH_FIELD_STATUS, SEARCH_STATUS_DELETED },
	{ 'T', SEARCH_FIELD_STATUS, SEARCH_STATUS_TAGGED },
	{ 'Q', SEARCH_FIELD_STATUS, SEARCH_STATUS_REPLIED },
};

/* A mutt pattern at P's position (on the '~'). */
struct search_node *
search_mutt_term(struct search_parser *p)
{
	size_t start = p->pos, i, offset;
	struct search_node *node;
	char letter = p->text[start + 1], *value;
	bool quoted, ok;

	for (i = 0; i < G_N_ELEMENTS(search_mutt_patterns); i++) {
		if (search_mutt_patterns[i].letter == letter)
			break;
	}
	if (i == G_N_ELEMENTS(search_mutt_patterns)) {
		if (search_word_end(letter))
			search_fail(p, start, "'~' needs a pattern letter, as in ~f or ~s");
		else
			search_fail(p, start,
			    "unknown pattern '~%c'; surat knows ~f ~t ~c ~C ~s ~b ~B ~i ~N ~O ~U ~R "
			    "~F ~D ~T ~Q ~A ~d ~z",
			    letter);
		return NULL;
	}
	node = search_node_new(p, SEARCH_NODE_TERM, start);
	node->field = search_mutt_patterns[i].field;
	node->status = search_mutt_patterns[i].status;
	p->pos = start + 2;
	if (node->field == SEARCH_FIELD_STATUS || node->field == SEARCH_FIELD_ALL) {
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
	if (p->text[p->pos] != '~' && p->text[p->pos] != '!')
		value = search_value(p, &quoted, &offset);
	if (value == NULL) {
		if (!p->failed)
			search_fail(p, start, "~%c needs a value, as in ~%c %s", letter, letter,
			    letter == 'd' ? "<7d" : letter == 'z' ? ">1M" : "word");
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
	case SEARCH_FIELD_ID:
		ok = search_id_term(p, node, value, offset, "~i");
		break;
	default:
		ok = search_text_term(p, node, node->field, value, quoted, offset);
		break;
	}
	if (!ok) {
		search_node_free(node);
		return NULL;
	}
	return node;
}
