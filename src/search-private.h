/*
 * search-private: what the query language's parser (search.c), its date
 * and size values (search-range.c) and its compiler to SQL (search-sql.c)
 * share.  Only those three include it.
 */
#ifndef SURAT_SEARCH_PRIVATE_H
#define SURAT_SEARCH_PRIVATE_H

#include <glib.h>

#include "surat/search.h"

/* Markers in the compiled template, replaced by search_query_sql. */
#define SEARCH_ALIAS '\x01'  /* the table alias */
#define SEARCH_PARAM '\x02'  /* a parameter: the marker, its number, SEARCH_END */
#define SEARCH_END   '\x03'

struct search_query {
	char *text;
	struct search_node *root;
	GArray *params;      /* struct search_param; texts owned by texts */
	GPtrArray *texts;    /* the parameters' strings */
	char *sql;           /* template with markers */
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
