/*
 * search-private: what the query language's parser (search.c), its mutt
 * pattern dialect (search-mutt.c) and its date and size values
 * (search-range.c) share.  Only those three include it; the compiler to
 * SQL is the index's (index-search.c), over the public tree.
 */
#ifndef SURAT_SEARCH_PRIVATE_H
#define SURAT_SEARCH_PRIVATE_H

#include <glib.h>

#include "surat/search.h"

struct search_query {
	char *text;
	struct search_node *root;
};

/* The parser's state. */
struct search_parser {
	const char *text;
	size_t pos;
	int64_t now;
	int depth;
	int terms;
	struct search_error *error;
	bool failed;
};

/* Fields written FIELD:value. */
enum search_prefix {
	SEARCH_PREFIX_FROM,
	SEARCH_PREFIX_TO,
	SEARCH_PREFIX_CC,
	SEARCH_PREFIX_SUBJECT,
	SEARCH_PREFIX_BODY,
	SEARCH_PREFIX_IS,
	SEARCH_PREFIX_HAS,
	SEARCH_PREFIX_ACCOUNT,
	SEARCH_PREFIX_FOLDER,
	SEARCH_PREFIX_ID,
	SEARCH_PREFIX_DATE,
	SEARCH_PREFIX_BEFORE,
	SEARCH_PREFIX_AFTER,
	SEARCH_PREFIX_SIZE,
};

/* Fail at byte OFFSET with a message (only the first failure counts). */
void search_fail(struct search_parser *p, size_t offset, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* search.c: the parser's pieces the mutt dialect shares. */
struct search_node *search_node_new(struct search_parser *p, enum search_node_kind kind,
    size_t offset);
void search_node_free(gpointer data);
/* Skip white space. */
void search_skip(struct search_parser *p);
/* True when C ends a word. */
bool search_word_end(char c);
/*
 * The value after a field or pattern, at P's position: a quoted phrase or a
 * word.  *QUOTED says which; *OFFSET where it starts.  NULL when there is
 * none (nothing failed yet).
 */
char *search_value(struct search_parser *p, bool *quoted, size_t *offset);
/* Fill the full-text term NODE of FIELD with VALUE (taken); false after failing. */
bool search_text_term(struct search_parser *p, struct search_node *node, enum search_field field,
    char *value, bool quoted, size_t offset);

/* Fill NODE as the Message-ID VALUE (taken; <> dropped); false after failing ("NAME needs..."). */
bool search_id_term(struct search_parser *p, struct search_node *node, char *value, size_t offset,
    const char *name);

/* search.c: the group "( or )" at P's position (on the '('), or NULL after failing. */
struct search_node *search_group(struct search_parser *p);

/* search-mutt.c: the mutt pattern at P's position (on the '~' or '='), or NULL after failing. */
struct search_node *search_mutt_term(struct search_parser *p);
/* True when P is on one of mutt's plain-string patterns (=s, =f...). */
bool search_mutt_string_at(const struct search_parser *p);

/* A date: FIELD value (date, before or after) into NODE's lo and hi. */
bool search_parse_date(struct search_parser *p, enum search_prefix field, const char *value,
    size_t offset, struct search_node *node);
/* mutt's ~d VALUE into NODE. */
bool search_parse_mutt_date(struct search_parser *p, const char *value, size_t offset,
    struct search_node *node);
/* A size: value (native, or mutt's ~z when MUTT) into NODE. */
bool search_parse_size(struct search_parser *p, const char *value, size_t offset, bool mutt,
    struct search_node *node);

/* True when NODE is a full-text term. */
bool search_node_is_fts(const struct search_node *node);

/* Compile the tree ROOT into Q's SQL template and parameters. */
void search_sql_compile(struct search_query *q, const struct search_node *root);

#endif
