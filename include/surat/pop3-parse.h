/*
 * pop3-parse: the pure parsers of the POP3 client, apart so that they can
 * be tested and fuzzed on bytes alone: status lines with RESP-CODES (RFC
 * 2449), CAPA lines, STAT, LIST and UIDL lines, the dot-stuffed lines of
 * multi-line replies, and a streaming decoder for message bodies
 * (dot-unstuffing, CRLF and bare LF to LF, any byte values, lines of any
 * length, a size cap).
 *
 * Input is never a C string: every parser takes a pointer and a length.
 * Errors are POP3_ERROR_PROTOCOL with a message for people that quotes the
 * server's text sanitized and capped.
 *
 * What it never does: I/O, or allocate per line of a message body.
 *
 * It needs nothing of pop3.h, which includes it: the error domain, the caps
 * on what a server controls and struct pop3_caps are defined here, as the
 * parsers use them and pop3.h's API hands them on.
 */
#ifndef SURAT_POP3_PARSE_H
#define SURAT_POP3_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define POP3_ERROR (pop3_error_quark())
GQuark pop3_error_quark(void);

/* What went wrong; fetch.c decides by the code, people read the message. */
enum pop3_error_code {
	POP3_ERROR_IO,          /* connect failed, connection lost */
	POP3_ERROR_TIMEOUT,     /* no reply within the timeout */
	POP3_ERROR_TLS,         /* handshake or verification failed (says why) */
	POP3_ERROR_INSECURE,    /* would send a secret unprotected: refused */
	POP3_ERROR_PROTOCOL,    /* a reply that breaks the protocol or a cap */
	POP3_ERROR_AUTH,        /* credentials rejected ([AUTH] or plain -ERR) */
	POP3_ERROR_IN_USE,      /* [IN-USE]: another client holds the mailbox */
	POP3_ERROR_LOGIN_DELAY, /* [LOGIN-DELAY]: logged in too soon */
	POP3_ERROR_SYS_TEMP,    /* [SYS/TEMP]: try again later */
	POP3_ERROR_SYS_PERM,    /* [SYS/PERM]: the server says it will not work */
	POP3_ERROR_SERVER,      /* another -ERR to a command */
	POP3_ERROR_UNSUPPORTED, /* the server lacks what was asked (TOP, a mechanism) */
	POP3_ERROR_ABORT,       /* *abort was set */
};

/* Caps on what a server controls. */
#define POP3_MAX_LINE      (64 * 1024)   /* reply or message line */
#define POP3_MAX_GREETING  4096
#define POP3_MAX_MESSAGES  1000000       /* STAT / UIDL / LIST entries */
#define POP3_MAX_UIDL      70            /* RFC 1939: 1..70 printable characters */
#define POP3_MAX_MESSAGE   (512 * 1024 * 1024) /* one message */
/*
 * A size the server announces (LIST) above this is taken as this, and a
 * STAT total above POP3_MAX_MESSAGES times it likewise: sums of sizes and
 * the events' signed 64-bit fields can never overflow.
 */
#define POP3_MAX_SIZE      ((uint64_t)1 << 40)

#define POP3_EXPIRE_NONE  (-1) /* CAPA had no EXPIRE */
#define POP3_EXPIRE_NEVER (-2) /* EXPIRE NEVER */

/* What the server said it can do (CAPA); all false/absent without CAPA. */
struct pop3_caps {
	bool capa;            /* the server answered CAPA */
	bool top, uidl, user, pipelining, resp_codes, auth_resp_code, stls, utf8;
	char **sasl;          /* NULL-terminated mechanism names, upper case */
	int login_delay;      /* seconds, or -1 */
	int expire;           /* days, POP3_EXPIRE_NONE or POP3_EXPIRE_NEVER */
	char *implementation; /* sanitized, or NULL */
};

#define POP3_MAX_QUOTE     200 /* bytes of server text quoted in a message */
#define POP3_MAX_CAPA      200 /* CAPA lines */
#define POP3_MAX_SASL      32  /* mechanisms kept from CAPA SASL */
#define POP3_MAX_SASL_NAME 20  /* RFC 4422: a mechanism name is 1..20 characters */

enum pop3_status_kind {
	POP3_STATUS_OK,   /* "+OK" */
	POP3_STATUS_ERR,  /* "-ERR" */
	POP3_STATUS_CONT, /* "+ " (or "+"): a SASL challenge follows */
};

/* The RESP-CODES surat acts on (RFC 2449, 3206). */
enum pop3_resp_code {
	POP3_RESP_NONE,
	POP3_RESP_IN_USE,
	POP3_RESP_LOGIN_DELAY,
	POP3_RESP_SYS_TEMP,
	POP3_RESP_SYS_PERM,
	POP3_RESP_AUTH,
	POP3_RESP_OTHER, /* a code we do not know */
};

/* A status line, pointing into the line it was parsed from. */
struct pop3_status {
	enum pop3_status_kind kind;
	enum pop3_resp_code code;
	const char *code_text; /* inside the brackets, or NULL */
	size_t code_len;
	const char *text;      /* after the indicator and the code, spaces skipped */
	size_t text_len;
};

/*
 * Parse the status line LINE (LEN bytes, no CRLF).  "+OK" and "-ERR" are
 * matched without regard to case and must end or be followed by a space;
 * with ALLOW_CONT, "+ " and a lone "+" are challenges.  False when the line
 * is none of these.
 */
bool pop3_parse_status(const char *line, size_t len, bool allow_cont, struct pop3_status *st);

/* TEXT (LEN bytes) sanitized to one line and capped at POP3_MAX_QUOTE (g_free). */
char *pop3_quote(const char *text, size_t len);

/*
 * A line of a multi-line reply (not a body): true when it is the final ".";
 * otherwise a leading "." is removed (RFC 1939 byte-stuffing).
 */
bool pop3_unstuff_line(const char **line, size_t *len);

/* Empty CAPS: nothing known (all false, login_delay -1, expire POP3_EXPIRE_NONE). */
void pop3_caps_init(struct pop3_caps *caps);

/* Free CAPS's strings and make it empty again. */
void pop3_caps_clear(struct pop3_caps *caps);

/*
 * Add one CAPA line (LEN bytes) to CAPS.  Unknown capabilities are ignored;
 * malformed arguments of known ones are ignored too (a server's quirk is
 * not worth failing a fetch for).  *PER_USER is set when LOGIN-DELAY or
 * EXPIRE says its value may change after login ("USER"); may be NULL.
 */
void pop3_caps_parse_line(struct pop3_caps *caps, const char *line, size_t len, bool *per_user);

/* True when CAPS lists the SASL mechanism NAME. */
bool pop3_caps_has_sasl(const struct pop3_caps *caps, const char *name);

/*
 * A decimal number from the start of P (LEN bytes): digits only, no sign,
 * at most MAX.  *USED is how many bytes it took.  False when there is no
 * digit or it exceeds MAX.
 */
bool pop3_parse_number(const char *p, size_t len, uint64_t max, uint64_t *value, size_t *used);

/*
 * "+OK count size" text of STAT (after "+OK "): count <= POP3_MAX_MESSAGES;
 * size clamped to POP3_MAX_SIZE * POP3_MAX_MESSAGES.
 */
bool pop3_parse_stat(const char *text, size_t len, unsigned int *count, uint64_t *size,
    GError **error);

/* A LIST line "num size"; size clamped to POP3_MAX_SIZE. */
bool pop3_parse_list_line(const char *line, size_t len, unsigned int *num, uint64_t *size,
    GError **error);

/*
 * A UIDL line "num uidl": num 1..POP3_MAX_MESSAGES, uidl 1..POP3_MAX_UIDL
 * bytes of 0x21..0x7E, copied into UIDL (POP3_MAX_UIDL + 1 bytes).
 */
bool pop3_parse_uidl_line(const char *line, size_t len, unsigned int *num, char *uidl,
    GError **error);

/* Where a body decoder is in the byte stream. */
enum pop3_body_state {
	POP3_BODY_BOL,     /* at the start of a line */
	POP3_BODY_DOT,     /* after a "." at the start of a line */
	POP3_BODY_DOT_CR,  /* after ".\r" at the start of a line */
	POP3_BODY_MID,     /* inside a line */
	POP3_BODY_MID_CR,  /* inside a line, after a '\r' held back */
	POP3_BODY_END,     /* the final "." was seen */
};

/* What pop3_body_feed did. */
enum pop3_body_result {
	POP3_BODY_MORE,    /* all input taken; the message goes on */
	POP3_BODY_DONE,    /* the final ".": *USED bytes were taken, the rest is the next reply */
	POP3_BODY_TOO_BIG, /* the message passed the cap */
};

/*
 * A streaming decoder of one multi-line body: DATA holds the message so far
 * (LEN bytes, LF line ends, any byte values).  The buffer is kept across
 * pop3_body_reset(), so a session reuses it for every message.
 */
struct pop3_body {
	enum pop3_body_state state;
	char *data;
	size_t len, cap;
	size_t max;       /* the cap on the message: FLUSHED + LEN */
	size_t flushed;   /* bytes of this message handed out by pop3_body_flush */
	uint64_t wire;    /* bytes taken from the stream for this message */
};

void pop3_body_init(struct pop3_body *b, size_t max);
void pop3_body_reset(struct pop3_body *b);
void pop3_body_clear(struct pop3_body *b);

/*
 * The DATA so far has been handed out (a piece of a message streamed to a
 * file): empty the buffer, keep the decoder's state and count it against
 * the cap.
 */
void pop3_body_flush(struct pop3_body *b);

/*
 * Decode IN (LEN bytes, any split of the stream) into B.  A line "." ends
 * the message (CRLF or a bare LF); a leading "." of any other line is
 * removed; CRLF and lone LF become LF; a CR not before LF is kept.
 */
enum pop3_body_result pop3_body_feed(struct pop3_body *b, const char *in, size_t len,
    size_t *used);

#endif
