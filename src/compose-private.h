/*
 * compose-private: what compose.c (drafts from messages, bounce),
 * compose-editor.c (the editor's file, address checks), compose-mailto.c
 * (a draft from a mailto: URL) and compose-build.c (the MIME message)
 * share.  Only those files include it.
 */
#ifndef SURAT_COMPOSE_PRIVATE_H
#define SURAT_COMPOSE_PRIVATE_H

#include <stdbool.h>
#include <glib.h>
#include "surat/mime-lib.h"

#include "surat/compose.h"

#define COMPOSE_FLOWED_WIDTH 78 /* RFC 3676: longer lines are wrapped */

/*
 * The strict address parser options (a new object: free it with
 * g_mime_parser_options_free).  GMime must be loaded.
 */
GMimeParserOptions *compose_strict_options(void);


/*
 * VALUE parsed as an address list with OPTIONS (NULL: GMime's lenient
 * defaults), each name set to be encoded as UTF-8.  A new list, empty when
 * nothing parses.
 */
InternetAddressList *compose_parse_addresses(GMimeParserOptions *options, const char *value);

/* The number of mailboxes in LIST, group members too. */
int compose_count_mailboxes(InternetAddressList *list);


/* Append NAME to OUT as a display name: as it is when it can be, else quoted. */
void compose_append_phrase(GString *out, const char *name);

/*
 * LIST as the editor shows it ("Name <addr>, addr, group: addr;"), every
 * name and address made safe one by one (a name with bidi marks shows
 * them, quoted, and still parses); NULL when LIST is empty.
 */
char *compose_list_text(InternetAddressList *list);

/* TEXT safe and short enough to quote in an error (g_free): 60 bytes, then "...". */
char *compose_shown(const char *text);

/* True when ADDR is local@domain, both there, no space in the domain. */
bool compose_addr_ok(const char *addr);

/* TEXT (LEN bytes) with CR LF turned into LF (g_free). */
char *compose_lf(const char *text, size_t len);

/* Format=flowed text (RFC 3676, DelSp=no) from the plain text BODY (g_free). */
char *compose_flowed_encode(const char *body);

/* Plain text from the format=flowed TEXT, DELSP when DelSp=yes (g_free). */
char *compose_flowed_decode(const char *text, bool delsp);

/* The identity's From: "Name <address>", or NULL when the account has no address. */
char *compose_identity_from(const struct compose_identity *identity);

/* Append "-- \n" and SIGNATURE (may be NULL or blank: nothing) to BODY. */
void compose_append_signature(GString *body, const char *signature);

/* TEXT made safe for one line of the editor's file, stripped; NULL for NULL. */
char *compose_clean(const char *text);

/*
 * The message in TEXT (LEN bytes, which it borrows), or NULL with
 * COMPOSE_ERROR_MESSAGE, or GMime's loading error.
 */
GMimeMessage *compose_parse(const char *text, size_t len, GError **error);

/* The ids of the header VALUE (may be NULL) appended to IDS (g_free'd, without <>). */
void compose_parse_ids(const char *value, GPtrArray *ids);

/* IDS space-separated, or NULL when there are none. */
char *compose_join_ids(GPtrArray *ids);

/* The values of every header NAME of MESSAGE, in order (borrowed; free the array). */
GPtrArray *compose_header_values(GMimeMessage *message, const char *name);

/* TEXT without its quote marks (">", "> >", ">>" and one space after); *DEPTH gets how many. */
const char *compose_unquote(const char *text, int *depth);

/* Append DEPTH quote marks in the house style ("> > ") and TEXT; bare marks end in no space. */
void compose_append_quoted(GString *out, int depth, const char *text);

#endif
