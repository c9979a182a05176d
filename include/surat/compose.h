/*
 * compose: writing mail, without the interface.  A draft is what a person
 * edits (header values as typed, the body as text, the files to attach);
 * this module makes the draft of a new message (or one from a mailto: URL),
 * a reply, group reply, list reply, forward or "edit as new" from a
 * message, turns a draft into the text of the editor's file and back, and
 * builds the MIME message that is queued (GMime: RFC 2047 headers, RFC 2231
 * attachment names, Message-ID, Date, In-Reply-To and References).
 *
 * Knows no terminal, no network, no index: the interface runs the editor,
 * outbox.h sends, folder.h files drafts.  Everything from a message that a
 * draft quotes went through the renderer (render.h), so it is sanitized
 * text; what a person typed is theirs and goes out as typed.
 */
#ifndef SURAT_COMPOSE_H
#define SURAT_COMPOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "config.h"
#include "render.h"

#define COMPOSE_ERROR (compose_error_quark())
GQuark compose_error_quark(void);

enum compose_error_code {
	COMPOSE_ERROR_ADDRESS, /* a header's addresses do not parse; the message names the header
	                          and the part that is wrong */
	COMPOSE_ERROR_HEADER,  /* a header line of the editor's file that is not "Name: value" */
	COMPOSE_ERROR_FILE,    /* an attachment that cannot be read */
	COMPOSE_ERROR_MESSAGE, /* a message to answer or forward that cannot be read */
	COMPOSE_ERROR_URL,     /* not a mailto: URL, or a % not followed by two hex digits */
};

/* A file to attach (or a part of a recalled draft, extracted to a file). */
struct compose_attachment {
	char *path;       /* the file read when the message is built (absolute) */
	char *name;       /* the file name the message gives it (RFC 2231); default: basename */
	char *type;       /* "image/png": g_content_type_guess on the name and the first bytes */
	bool inline_disp; /* Content-Disposition: inline (else attachment); T toggles it */
	int64_t size;     /* bytes, for the compose screen */
};

/* What a person edits. */
struct compose_draft {
	/* Header values as written: UTF-8, display names, commas; NULL or "" = empty. */
	char *from;
	char *to;
	char *cc;
	char *bcc;
	char *reply_to;
	char *subject;
	GPtrArray *headers;     /* other fields typed in the editor: "Name: value" (g_free'd) */
	char *in_reply_to;      /* the id answered, without <>; NULL */
	char *references;       /* ids without <>, space-separated, oldest first; NULL */
	char *body;             /* UTF-8 text, LF line ends */
	GPtrArray *attachments; /* struct compose_attachment *, in order */
	GPtrArray *forwarded;   /* forward_format = attach: message files attached as
	                           message/rfc822, in order (g_free'd paths); may be empty */
};

struct compose_draft *compose_draft_new(void);
void compose_draft_free(struct compose_draft *d);

/*
 * The attachment of the file PATH (made absolute): its base name, its
 * type (g_content_type_guess on the name and the first 4 KB) and size,
 * Content-Disposition attachment.  Fails with COMPOSE_ERROR_FILE when it
 * is not a regular file that can be read, or when GMime (which brings
 * GIO's type guess) cannot be loaded.
 */
struct compose_attachment *compose_attachment_new(const char *path, GError **error);
void compose_attachment_free(struct compose_attachment *a);

/*
 * Who writes: the account's from (from_name, from_address), and the
 * addresses that are also the person's own (the accounts' from addresses
 * and `alternates`, matched case-insensitively as regular expressions over
 * the whole address: compose adds the anchors and G_REGEX_CASELESS itself).
 */
struct compose_identity {
	const struct account_config *account;
	const GRegex *alternates; /* may be NULL */
	const char *const *own;   /* other own addresses (every account's from_address); may be NULL */
};

/* True when ADDRESS is one of IDENTITY's own (from, own, alternates). */
bool compose_is_own(const struct compose_identity *identity, const char *address);

/*
 * A new message: From is the identity's, the body empty but for the
 * SIGNATURE (the text of signature_file, may be NULL) after "-- \n".
 */
struct compose_draft *compose_new(const struct compose_identity *identity, const char *signature);

/*
 * A new message from the mailto: URL (RFC 6068), for a mailto handler
 * (surat mailto:URL) and the link view.  To is the URL's addresses (before
 * the "?", comma-separated) and every to= field's; Cc and Bcc are the cc=
 * and bcc= fields' (a field given twice keeps both lists); Subject, the
 * body and In-Reply-To (its first id) are the first subject=, body= and
 * in-reply-to=.  Every other field (from, sender, reply-to, x-..., attach)
 * is left out: a link cannot set what the person neither sees nor chooses.
 * The scheme and the field names in any case; %XX undone, and "+" stays a
 * "+" (RFC 6068 is not a form).  Decided here: bytes that are not UTF-8
 * once decoded are read as windows-1252 (an old page's Latin-1), as the
 * editor's file is, rather than refused; every value is made safe as
 * sanitize_text makes it (a link is text from outside: a control shows as
 * ^X, a one-line field gets no line break); the body's line ends (%0D%0A,
 * %0A, a lone %0D) become \n; a "#" is text (mailto: has no fragment).
 * From is the identity's; the SIGNATURE follows the body, after an empty
 * line, as compose_new puts it.  No recipient at all is fine (the person
 * writes one).  COMPOSE_ERROR_URL when URL is not a mailto: URL or a % is
 * not followed by two hex digits; COMPOSE_ERROR_ADDRESS when To, Cc or Bcc
 * does not parse (the check of the editor's file); both kinds of message
 * start with "mailto: ".
 */
struct compose_draft *compose_from_mailto(const struct compose_identity *identity,
    const char *url, const char *signature, GError **error);

enum compose_reply_kind {
	COMPOSE_REPLY,       /* to Reply-To, else From (else Sender) */
	COMPOSE_GROUP_REPLY, /* that, plus every To and Cc, minus the person's own addresses */
	COMPOSE_LIST_REPLY,  /* to the List-Post address (mailto:), else the List-Id's list if it
	                        is in To or Cc; COMPOSE_ERROR_MESSAGE when neither says one */
};

/*
 * The draft of a reply of KIND to the message TEXT (LEN bytes), whose body
 * as the pager shows it is RENDERED (its body lines are quoted with "> ",
 * its headers and attachment list left out).  From is the own address the
 * message was sent to (To, Cc, Delivered-To, in that order) when one is,
 * else the identity's.  Subject gets "Re: " unless it has one (Re, RE,
 * Aw, Sv ...: any case).  In-Reply-To is the message's id, References its
 * References (trimmed to the first and the last 10 ids, RFC 5322 3.6.4)
 * plus its id.  The body starts with ATTRIBUTION ("On %d, %n wrote:", %d
 * the message's date as date_format, %n the sender's name or address, %a
 * the sender's address, %s the subject, %% a %), then the quote, an empty
 * line, and the SIGNATURE after "-- ".  Quoted are RENDERED's body and quote
 * lines (quotes one level deeper, "> > "); its signature, surat's own
 * notes and the link list are not, nor blank lines at either end.  An
 * answer to the person's own message (its From is one of theirs) goes to
 * its To (and Cc), as mutt's does.  RENDERED may be NULL: the message is
 * rendered with the default options.  COMPOSE_ERROR_MESSAGE when TEXT is
 * not a message.
 */
struct compose_draft *compose_reply(const struct compose_identity *identity, const char *text,
    size_t len, const struct rendering *rendered, enum compose_reply_kind kind,
    const char *attribution, const char *date_format, const char *signature, GError **error);

/*
 * The draft of a forward of the N messages TEXTS[i] (LENS[i] bytes) with
 * their renderings RENDERED[i]: Subject "Fwd: " and the first one's
 * subject; inline, the body holds each as "----- Forwarded message from
 * NAME -----", its From, Date, To, Cc and Subject, its body as rendered,
 * and "----- End forwarded message -----"; with ATTACH (forward_format =
 * attach), each is attached as message/rfc822 from PATHS[i] instead.
 * From is chosen as compose_reply chooses it (for the first message);
 * "Fwd: " is not added to a subject that has it.  The body starts with an
 * empty line for the person's words.  RENDERED (or an entry of it) may be
 * NULL: the message is rendered with the default options.
 * COMPOSE_ERROR_MESSAGE when N is 0, a text is not a message, or ATTACH
 * lacks a path.
 */
struct compose_draft *compose_forward(const struct compose_identity *identity,
    const char *const *texts, const size_t *lens, const char *const *paths,
    const struct rendering *const *rendered, size_t n, bool attach, const char *signature,
    GError **error);

/*
 * "Edit as new" (e) and recall (R): a draft from the message TEXT: its
 * From, To, Cc, Bcc, Reply-To, Subject and other fields decoded, In-Reply-To
 * and References kept, its first text/plain part (decoded to UTF-8) as the
 * body, and each other part extracted into a new file in DIR (a private
 * temporary folder of the caller's) as an attachment.  Left out: the
 * fields a message gets on its way or when it is sent (Received, Date,
 * Message-ID, MIME-Version, Content-*, User-Agent, List-*, ...), the HTML
 * alternative of the body, and signature parts.  A format=flowed body is
 * unflowed; a message/rfc822 part goes to forwarded.  Names are made safe
 * as attach_safe_name makes them.  COMPOSE_ERROR_MESSAGE when TEXT is not
 * a message; COMPOSE_ERROR_FILE when a part cannot be saved (then no file
 * is left in DIR).
 */
struct compose_draft *compose_from_message(const char *text, size_t len, const char *dir,
    GError **error);

/*
 * The editor's file for D: "From: ", "To: ", "Cc: ", "Bcc: ", "Subject: ",
 * "Reply-To: " lines (always, empty ones too), D's other fields, an empty
 * line, the body.  UTF-8, not encoded.
 */
char *compose_editor_text(const struct compose_draft *d);

/*
 * Read the editor's file TEXT (LEN bytes) back into D: the header lines
 * (continuation lines joined; names in any case) replace D's fields, the
 * rest is the body.  Each address field is checked (RFC 5322 with display
 * names, UTF-8 allowed); on a mistake D is left as it was and ERROR says
 * which header and what ("To: \"bob@\" is not an address").  The person's
 * text is never lost: the caller keeps the file.  In-Reply-To and
 * References lines the person writes set those fields (else D keeps its
 * own); other fields with an empty value are dropped; an address field
 * written twice has both lists.  Text that is not UTF-8 is read as
 * windows-1252 (an editor that saved Latin-1).  The header ends at the
 * first empty (or blank) line.
 */
bool compose_editor_parse(struct compose_draft *d, const char *text, size_t len,
    GError **error);

/*
 * Check the address list VALUE of the field NAME (NULL or blank is fine):
 * every element, between commas, must be one mailbox with local@domain
 * ("Name <local@domain>", display names in UTF-8 allowed) or a group.
 * False with COMPOSE_ERROR_ADDRESS naming NAME and the element.  GMime must
 * be loaded (mime_lib_load).
 */
bool compose_check_addresses(const char *name, const char *value, GError **error);

/*
 * "Name <address>" (the name quoted when it needs it), ADDRESS alone
 * without a name; NULL without ADDRESS.
 */
char *compose_mailbox_text(const char *name, const char *address);

/* The address list of the alias WORD, or NULL when it is none (contacts.h's aliases). */
typedef const char *(*compose_alias_fn)(const char *word, void *data);

/*
 * The address list VALUE with each element (between commas outside quotes,
 * <> and comments) that is a bare word without '@' and names an alias
 * replaced by that alias's list, aliases of aliases too (a loop stops at
 * the word that closes it), as mutt expands them.  A new string.
 */
char *compose_expand_aliases(const char *value, compose_alias_fn lookup, void *data);

/* compose_editor_parse, with aliases in the address fields expanded through LOOKUP first. */
bool compose_editor_parse_aliases(struct compose_draft *d, const char *text, size_t len,
    compose_alias_fn lookup, void *data, GError **error);

/*
 * A bounce (b): the message TEXT unchanged, with Resent-From (the
 * identity's), Resent-To (TO, checked as an address list), Resent-Date and
 * Resent-Message-ID added at the top (RFC 5322 3.6.6).  A new string,
 * *OUT_LEN its length; the envelope goes to TO's addresses.
 */
char *compose_bounce(const struct compose_identity *identity, const char *text, size_t len,
    const char *to, size_t *out_len, GError **error);

/* How a draft becomes a message. */
struct compose_build_options {
	bool flowed;            /* text_flowed: format=flowed (RFC 3676) */
	const char *user_agent; /* a User-Agent field; NULL: none */
	bool draft;             /* for Drafts: no Message-ID or Date added, nothing checked */
};

/*
 * The message D describes, as the bytes to queue (LF line ends; Bcc kept,
 * outbox.h leaves it out on the wire): headers RFC 2047-encoded where they
 * are not ASCII, Date and Message-ID (at the From address's domain)
 * added, text/plain with charset us-ascii when the body is ASCII else
 * utf-8 (quoted-printable when a line is too long or 8-bit), multipart/
 * mixed with the attachments (base64 unless text, RFC 2231 names) and
 * forwarded messages.  A new string (g_free), *LEN its length.
 *
 * Decided here: a body that is not ASCII goes quoted-printable, not 8bit
 * (8bit needs the server's 8BITMIME, which smtp.c does not work around);
 * "too long" is RFC 5322's 998 bytes; with O->flowed, lines over 78
 * characters are broken at spaces (DelSp=no), quoted lines written ">> "
 * and "From ", ">" and " " space-stuffed.  Names, subject and other
 * fields are encoded as UTF-8, attachment names RFC 2231 in UTF-8.  Text
 * attachments are 7bit or quoted-printable when that suits them, a
 * message/rfc822 attachment goes as a message, others base64; an
 * attachment of no type gets one from g_content_type_guess.  Fields of
 * D->headers named MIME-Version or Content-* are left out (the parts say
 * those); a Date or Message-ID there is used instead of a new one.
 * O may be NULL (the defaults).  Unless O->draft, every address field is
 * checked, From must have an address and To, Cc or Bcc one:
 * COMPOSE_ERROR_ADDRESS; COMPOSE_ERROR_FILE for a file that cannot be
 * read; COMPOSE_ERROR_HEADER for a field of D->headers that is not
 * "Name: value".
 */
char *compose_build(const struct compose_draft *d, const struct compose_build_options *o,
    size_t *len, GError **error);

#endif
