/*
 * search: the one query language of `/` (search), `l` (limit), saved
 * searches and `surat list QUERY`.  search_parse turns the text into a tree
 * (struct search_node) with the column of every error; index.h takes the
 * query in struct index_filter and compiles the tree to SQL over its own
 * schema (index-search.c).  This module knows no SQL.
 *
 * The language (README and surat(1) describe it for users):
 *
 *   query   := or
 *   or      := and { ("OR" | "|") and }
 *   and     := unary { ["AND"] unary }          juxtaposition is AND
 *   unary   := ("NOT" | "!" | "-") unary | "(" or ")" | term
 *   term    := FIELD ":" value | "~" LETTER [value] | word | "phrase"
 *
 *   from: to: cc: subject: body:   words in that header (or the body text)
 *   is:unread read flagged deleted replied forwarded draft partial tagged
 *      new old                      (new: unread in new/; old: unread in cur/)
 *   has:attachment   account:NAME   folder:NAME (inbox for the inbox)
 *   id:MESSAGE-ID
 *   date:D  before:D  after:D       D: 2026-01-15, 2026-01, 2026, today,
 *                                   yesterday, 7d 2w 3m 1y 12h (that long ago);
 *                                   date: also takes ranges D..D, D.., ..D
 *   size:>1M size:<10k size:>=N size:<=N size:N (at least N) size:1M..5M
 *   bare words and "quoted phrases" search the whole text (subject, from,
 *   to, cc, body).
 *
 * A word matches words that start with it ("meet" finds "meeting"); a quoted
 * phrase matches those words in that order, exactly.  Operators are upper
 * case (AND, OR, NOT); "and", "or" and "not" are words.  NOT binds tightest,
 * then AND, then OR.  No other bare word is a keyword: "all" is a word here;
 * the interface's l, T and C-t read an answer that is only "all" as every
 * message (mutt's), before it comes to search_parse.
 *
 * mutt's patterns mean what they mean in mutt.  ~f ~t ~c ~C (to or cc)
 * ~s ~b ~B (whole message) ~h (any header line) ~i (Message-ID) ~e
 * (Sender) ~L (from, to or cc) ~x (References, In-Reply-To) take a regular
 * expression matched anywhere in the field, case-insensitive unless it has
 * an upper-case letter (one after a backslash does not count: \S); =f =t =c
 * =C =s =b =B =h =i =e =L =x take a plain string the same way.  ~l (came
 * through a mailing list), ~p (to one of my addresses), ~P (from one of
 * them), ~N (new) ~O (old) ~U (unread) ~R (read) ~F (flagged) ~D (deleted)
 * ~T (tagged) ~Q (replied) ~A (all) take none.  ~(P) is the messages in
 * threads with a message matching P, ~<(P) those whose parent matches, ~>(P)
 * those with a reply that matches.  ~m N-M is messages N to M of their
 * folder in the order they arrived (~m N, ~m -M, ~m N-).  ~d and ~z in
 * mutt's forms: ~d 01/01/2026-31/01/2026, ~d 15/01/2026, ~d -31/01/26,
 * ~d 01/01/2026-, ~d <7d (newer), ~d >2w (older), ~d =1d (that day);
 * ~z <1M, ~z >10K, ~z 1K-10K, ~z -10K.  ! negates, | is OR, terms side by
 * side are ANDed; both syntaxes mix freely.
 *
 * What it must never do: put user text into SQL (every value is a bound
 * parameter) or hand FTS5 user text as query syntax (each word or phrase is
 * an FTS5 string with its quotes doubled).  Nothing here touches SQLite.
 */
#ifndef SURAT_SEARCH_H
#define SURAT_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/* Caps on what a query may be; past them, search_parse fails with a message. */
#define SEARCH_TEXT_MAX  4096 /* bytes of query text */
#define SEARCH_TERMS_MAX 64   /* terms (field or word) in one query */
#define SEARCH_DEPTH_MAX 32   /* nested parentheses and NOTs */
#define SEARCH_WORD_MAX  256  /* bytes in one word or phrase */

/* Why a query was refused, and where. */
struct search_error {
	int column;     /* 1-based, in characters of the query text */
	size_t offset;  /* the same place as a byte offset */
	char *message;  /* one sanitized line, no column: "unknown field 'form:'; did you mean from:?" */
};

/* Free what ERROR holds and zero it (NULL is fine). */
void search_error_clear(struct search_error *error);

/* What a node is. */
enum search_node_kind {
	SEARCH_NODE_AND,  /* every child */
	SEARCH_NODE_OR,   /* any child */
	SEARCH_NODE_NOT,  /* not its one child */
	SEARCH_NODE_TERM, /* a field test */
	SEARCH_NODE_THREAD,   /* ~(P): in a thread with a message matching its one child */
	SEARCH_NODE_PARENT,   /* ~<(P): its parent matches its one child */
	SEARCH_NODE_CHILDREN, /* ~>(P): a reply to it matches its one child */
};

/* What a term tests. */
enum search_field {
	SEARCH_FIELD_TEXT,       /* whole text: subject, from, to, cc, body (bare words, ~B) */
	SEARCH_FIELD_FROM,
	SEARCH_FIELD_TO,
	SEARCH_FIELD_CC,
	SEARCH_FIELD_RECIPIENTS, /* to or cc (~C) */
	SEARCH_FIELD_SUBJECT,
	SEARCH_FIELD_BODY,
	SEARCH_FIELD_STATUS,     /* is: */
	SEARCH_FIELD_ATTACHMENT, /* has:attachment */
	SEARCH_FIELD_ACCOUNT,
	SEARCH_FIELD_FOLDER,
	SEARCH_FIELD_ID,         /* Message-ID, exact */
	SEARCH_FIELD_DATE,       /* lo <= date < hi */
	SEARCH_FIELD_SIZE,       /* lo <= size < hi */
	SEARCH_FIELD_ALL,        /* ~A: every message */
	SEARCH_FIELD_HEADERS,    /* ~h: any header line of the file */
	SEARCH_FIELD_SENDER,     /* ~e: the Sender header */
	SEARCH_FIELD_PARTIES,    /* ~L: from, to or cc */
	SEARCH_FIELD_REFERENCES, /* ~x: References or In-Reply-To */
	SEARCH_FIELD_LIST,       /* ~l: a List-Id or List-Post header */
	SEARCH_FIELD_TO_ME,      /* ~p: to or cc one of my addresses */
	SEARCH_FIELD_FROM_ME,    /* ~P: from one of my addresses */
	SEARCH_FIELD_NUMBER,     /* ~m: lo <= number in its folder by arrival < hi */
};

/* How a term's text is matched. */
enum search_match {
	SEARCH_MATCH_WORDS,  /* the word index: words by prefix, or a phrase */
	SEARCH_MATCH_REGEX,  /* a regular expression anywhere in the field (~ patterns) */
	SEARCH_MATCH_STRING, /* a plain string anywhere in the field (= patterns) */
};

/* The values of is: (and of mutt's status patterns). */
enum search_status {
	SEARCH_STATUS_UNREAD,
	SEARCH_STATUS_READ,
	SEARCH_STATUS_FLAGGED,
	SEARCH_STATUS_DELETED,   /* marked for deletion (T) */
	SEARCH_STATUS_REPLIED,
	SEARCH_STATUS_FORWARDED, /* passed (P) */
	SEARCH_STATUS_DRAFT,
	SEARCH_STATUS_PARTIAL,   /* headers only */
	SEARCH_STATUS_TAGGED,
	SEARCH_STATUS_NEW,       /* unread and still in new/ (mutt's N) */
	SEARCH_STATUS_OLD,       /* unread and in cur/ (mutt's O) */
};

/* One node of the tree; read-only for users of search.h. */
struct search_node {
	enum search_node_kind kind;
	int column;            /* where its text starts (1-based characters) */
	GPtrArray *children;   /* AND, OR: two or more; NOT, THREAD..CHILDREN: one */
	/* TERM: */
	enum search_field field;
	char *text;            /* words or phrase (TEXT..BODY), name (ACCOUNT, FOLDER, ID) */
	bool phrase;           /* TEXT..BODY: quoted, matched exactly in order; else prefix words */
	enum search_match match; /* how TEXT is matched (WORDS for field:value and bare words) */
	bool caseless;         /* REGEX, STRING: upper and lower case alike */
	enum search_status status;
	int64_t lo, hi;        /* DATE, SIZE, NUMBER: lo <= value < hi; INT64_MIN / INT64_MAX when open */
};

struct search_query;

/*
 * Parse TEXT (UTF-8) into a query.  NOW is the time relative dates count
 * from (Unix seconds; 0: the current time); calendar dates are in the local
 * time zone.  Blank text is a query that matches every message.  Returns
 * NULL and fills *ERROR (which must be zeroed or cleared) when the text is
 * not a query: unknown fields and patterns (with the nearest known one),
 * bad values, unbalanced parentheses or quotes, an operator with nothing to
 * apply to, text over the caps.
 */
struct search_query *search_parse(const char *text, int64_t now, struct search_error *error);

/* Free QUERY (NULL is fine). */
void search_query_free(struct search_query *query);

/* The text QUERY was parsed from (borrowed, as long as QUERY). */
const char *search_query_text(const struct search_query *query);

/* The root of the tree, or NULL for a query that matches everything. */
const struct search_node *search_query_root(const struct search_query *query);

/* True when NODE is a term of the word index (TEXT..BODY, matched as words). */
bool search_node_is_fulltext(const struct search_node *node);

/* True when NODE or a node under it looks for words in bodies (TEXT, BODY); NULL: false. */
bool search_node_reads_bodies(const struct search_node *node);

/*
 * The tree as a one-line S-expression, for tests and the log:
 * (and (from "alice") (not (is unread)) (date 1767225600 1769904000)).
 * A new string.
 */
char *search_query_describe(const struct search_query *query);

/*
 * How QUERY was read, in words for a person, for when it matched nothing:
 * "subject matches the regular expression /Re:.*plan/ (case counts)".  A
 * new string, sanitized.
 */
char *search_query_explain(const struct search_query *query);

/*
 * True when the regular expression PATTERN is matched without regard to
 * case: it has no upper-case letter outside a backslash escape (mutt's rule).
 */
bool search_regex_caseless(const char *pattern);

/*
 * The words and phrases QUERY looks for in the text, not under a NOT,
 * appended to WORDS (g_free'd char *): what the pager may highlight.
 */
void search_query_words(const struct search_query *query, GPtrArray *words);

#endif
