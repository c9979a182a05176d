/*
 * pop3-parse: pure parsers of what a POP3 server sends (pop3-parse.h).
 *
 * Everything here treats its input as hostile: lengths instead of NULs,
 * every number bounded, every string that may reach a message sanitized and
 * capped.  The body decoder is the hot loop of a fetch: one memchr and one
 * memcpy per line into a buffer that is reused across messages.
 *
 * What it must never do: read past LEN, allocate per body line, or let a
 * server's text into a message unsanitized.
 */
#include "surat/pop3-parse.h"

#include <string.h>

#include "surat/sanitize.h"

G_DEFINE_QUARK(surat-pop3-error-quark, pop3_error)

#define POP3_MAX_CODE        64       /* bytes inside a RESP-CODE's brackets */
#define POP3_MAX_LOGIN_DELAY 31536000 /* a year, in seconds */
#define POP3_MAX_EXPIRE      36500    /* a century, in days */
#define POP3_BODY_MIN_ALLOC  (64 * 1024)

/* True when P (LEN bytes) starts with the word WORD, any case, followed by the end or a space. */
static bool
pop3_parse_word_is(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && g_ascii_strncasecmp(p, word, n) == 0 && (len == n || p[n] == ' ');
}

/* Skip spaces: advance *P and shrink *LEN. */
static void
pop3_parse_skip_spaces(const char **p, size_t *len)
{
	while (*len > 0 && **p == ' ') {
		(*p)++;
		(*len)--;
	}
}

/* The RESP-CODE CODE (LEN bytes) as an enum: the code itself or a sub-code of it. */
static enum pop3_resp_code
pop3_parse_resp_code(const char *code, size_t len)
{
	static const struct {
		const char *name;
		enum pop3_resp_code code;
	} codes[] = {
		{ "IN-USE", POP3_RESP_IN_USE },
		{ "LOGIN-DELAY", POP3_RESP_LOGIN_DELAY },
		{ "SYS/TEMP", POP3_RESP_SYS_TEMP },
		{ "SYS/PERM", POP3_RESP_SYS_PERM },
		{ "AUTH", POP3_RESP_AUTH },
	};
	size_t i, n;

	for (i = 0; i < G_N_ELEMENTS(codes); i++) {
		n = strlen(codes[i].name);
		if (len >= n && g_ascii_strncasecmp(code, codes[i].name, n) == 0 &&
		    (len == n || code[n] == '/'))
			return codes[i].code;
	}
	return POP3_RESP_OTHER;
}

bool
pop3_parse_status(const char *line, size_t len, bool allow_cont, struct pop3_status *st)
{
	const char *p, *close;
	size_t rest;

	memset(st, 0, sizeof *st);
	if (len >= 3 && g_ascii_strncasecmp(line, "+OK", 3) == 0 && (len == 3 || line[3] == ' ')) {
		st->kind = POP3_STATUS_OK;
		p = line + 3;
		rest = len - 3;
	} else if (len >= 4 && g_ascii_strncasecmp(line, "-ERR", 4) == 0 &&
	    (len == 4 || line[4] == ' ')) {
		st->kind = POP3_STATUS_ERR;
		p = line + 4;
		rest = len - 4;
	} else if (allow_cont && len >= 1 && line[0] == '+' && (len == 1 || line[1] == ' ')) {
		st->kind = POP3_STATUS_CONT;
		p = line + 1;
		rest = len - 1;
		pop3_parse_skip_spaces(&p, &rest);
		/* trailing spaces are not base64 */
		while (rest > 0 && p[rest - 1] == ' ')
			rest--;
		st->text = p;
		st->text_len = rest;
		return true;
	} else {
		return false;
	}
	pop3_parse_skip_spaces(&p, &rest);
	if (rest > 1 && p[0] == '[') {
		close = memchr(p + 1, ']', MIN(rest - 1, (size_t)POP3_MAX_CODE + 1));
		if (close != NULL && close > p + 1) {
			st->code_text = p + 1;
			st->code_len = (size_t)(close - p - 1);
			st->code = pop3_parse_resp_code(st->code_text, st->code_len);
			rest -= (size_t)(close + 1 - p);
			p = close + 1;
			pop3_parse_skip_spaces(&p, &rest);
		}
	}
	st->text = p;
	st->text_len = rest;
	return true;
}

char *
pop3_quote(const char *text, size_t len)
{
	char *clean, *out;

	if (len <= POP3_MAX_QUOTE)
		return sanitize_text(text, (ssize_t)len, 0);
	clean = sanitize_text(text, POP3_MAX_QUOTE, 0);
	out = g_strconcat(clean, "...", NULL);
	g_free(clean);
	return out;
}

bool
pop3_unstuff_line(const char **line, size_t *len)
{
	if (*len == 0 || (*line)[0] != '.')
		return false;
	if (*len == 1)
		return true;
	(*line)++;
	(*len)--;
	return false;
}

void
pop3_caps_init(struct pop3_caps *caps)
{
	memset(caps, 0, sizeof *caps);
	caps->login_delay = -1;
	caps->expire = POP3_EXPIRE_NONE;
}

void
pop3_caps_clear(struct pop3_caps *caps)
{
	g_strfreev(caps->sasl);
	g_free(caps->implementation);
	pop3_caps_init(caps);
}

bool
pop3_caps_has_sasl(const struct pop3_caps *caps, const char *name)
{
	char **m;

	for (m = caps->sasl; m != NULL && *m != NULL; m++)
		if (g_ascii_strcasecmp(*m, name) == 0)
			return true;
	return false;
}

bool
pop3_parse_number(const char *p, size_t len, uint64_t max, uint64_t *value, size_t *used)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (v > (max - (uint64_t)(p[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (i == 0)
		return false;
	*value = v;
	*used = i;
	return true;
}

/* The next space-separated word of *P (*LEN): *WORD and *WLEN; false at the end. */
static bool
pop3_parse_next_word(const char **p, size_t *len, const char **word, size_t *wlen)
{
	size_t n = 0;

	pop3_parse_skip_spaces(p, len);
	if (*len == 0)
		return false;
	while (n < *len && (*p)[n] != ' ')
		n++;
	*word = *p;
	*wlen = n;
	*p += n;
	*len -= n;
	return true;
}

/* Add the SASL mechanism NAME (WLEN bytes) to CAPS if it is a valid, new name. */
static void
pop3_caps_add_sasl(struct pop3_caps *caps, const char *name, size_t wlen)
{
	guint n = caps->sasl != NULL ? g_strv_length(caps->sasl) : 0;
	char *upper;
	size_t i;

	if (wlen == 0 || wlen > POP3_MAX_SASL_NAME || n >= POP3_MAX_SASL)
		return;
	for (i = 0; i < wlen; i++)
		if (!g_ascii_isalnum(name[i]) && name[i] != '-' && name[i] != '_')
			return;
	upper = g_ascii_strup(name, (gssize)wlen);
	if (pop3_caps_has_sasl(caps, upper)) {
		g_free(upper);
		return;
	}
	caps->sasl = g_renew(char *, caps->sasl, n + 2);
	caps->sasl[n] = upper;
	caps->sasl[n + 1] = NULL;
}

/* An optional number argument (LOGIN-DELAY, EXPIRE) with its "USER" flag. */
static void
pop3_caps_number_arg(const char *p, size_t len, int max, bool allow_never, int *out,
    bool *per_user)
{
	const char *w;
	size_t wl, used;
	uint64_t v;

	if (!pop3_parse_next_word(&p, &len, &w, &wl))
		return;
	if (allow_never && wl == 5 && g_ascii_strncasecmp(w, "NEVER", 5) == 0) {
		*out = POP3_EXPIRE_NEVER;
	} else if (pop3_parse_number(w, wl, (uint64_t)max, &v, &used) && used == wl) {
		*out = (int)v;
	} else {
		return;
	}
	if (pop3_parse_next_word(&p, &len, &w, &wl) && wl == 4 &&
	    g_ascii_strncasecmp(w, "USER", 4) == 0 && per_user != NULL)
		*per_user = true;
}

void
pop3_caps_parse_line(struct pop3_caps *caps, const char *line, size_t len, bool *per_user)
{
	const char *p = line, *w;
	size_t rest = len, wl;

	if (!pop3_parse_next_word(&p, &rest, &w, &wl))
		return;
	if (pop3_parse_word_is(w, wl, "TOP")) {
		caps->top = true;
	} else if (pop3_parse_word_is(w, wl, "UIDL")) {
		caps->uidl = true;
	} else if (pop3_parse_word_is(w, wl, "USER")) {
		caps->user = true;
	} else if (pop3_parse_word_is(w, wl, "PIPELINING")) {
		caps->pipelining = true;
	} else if (pop3_parse_word_is(w, wl, "RESP-CODES")) {
		caps->resp_codes = true;
	} else if (pop3_parse_word_is(w, wl, "AUTH-RESP-CODE")) {
		caps->auth_resp_code = true;
	} else if (pop3_parse_word_is(w, wl, "STLS")) {
		caps->stls = true;
	} else if (pop3_parse_word_is(w, wl, "UTF8")) {
		caps->utf8 = true;
	} else if (pop3_parse_word_is(w, wl, "SASL")) {
		while (pop3_parse_next_word(&p, &rest, &w, &wl))
			pop3_caps_add_sasl(caps, w, wl);
	} else if (pop3_parse_word_is(w, wl, "LOGIN-DELAY")) {
		pop3_caps_number_arg(p, rest, POP3_MAX_LOGIN_DELAY, false, &caps->login_delay,
		    per_user);
	} else if (pop3_parse_word_is(w, wl, "EXPIRE")) {
		pop3_caps_number_arg(p, rest, POP3_MAX_EXPIRE, true, &caps->expire, per_user);
	} else if (pop3_parse_word_is(w, wl, "IMPLEMENTATION")) {
		pop3_parse_skip_spaces(&p, &rest);
		g_free(caps->implementation);
		caps->implementation = rest > 0 ? pop3_quote(p, rest) : NULL;
	}
}

bool
pop3_parse_stat(const char *text, size_t len, unsigned int *count, uint64_t *size,
    GError **error)
{
	const char *p = text;
	size_t rest = len, used;
	uint64_t c, s;
	char *q;

	if (!pop3_parse_number(p, rest, UINT64_MAX, &c, &used))
		goto bad;
	p += used;
	rest -= used;
	if (rest == 0 || *p != ' ')
		goto bad;
	pop3_parse_skip_spaces(&p, &rest);
	if (!pop3_parse_number(p, rest, UINT64_MAX, &s, &used))
		goto bad;
	if (c > POP3_MAX_MESSAGES) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "STAT: the server claims %" G_GUINT64_FORMAT " messages, more than the %d "
		    "surat accepts",
		    c, POP3_MAX_MESSAGES);
		return false;
	}
	*count = (unsigned int)c;
	*size = MIN(s, POP3_MAX_SIZE * POP3_MAX_MESSAGES);
	return true;
bad:
	q = pop3_quote(text, len);
	g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
	    "STAT: the server's answer is not \"count size\": \"%s\"", q);
	g_free(q);
	return false;
}

/* Set ERROR about a malformed line of the reply to COMMAND. */
static bool
pop3_parse_bad_line(GError **error, const char *command, const char *line, size_t len)
{
	char *q = pop3_quote(line, len);

	g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
	    "%s: the server sent a malformed line: \"%s\"", command, q);
	g_free(q);
	return false;
}

/* The message number at the start of LINE, then the spaces after it. */
static bool
pop3_parse_msg_number(const char **p, size_t *rest, unsigned int *num)
{
	uint64_t v;
	size_t used;

	if (!pop3_parse_number(*p, *rest, POP3_MAX_MESSAGES, &v, &used) || v == 0 ||
	    used == *rest || (*p)[used] != ' ')
		return false;
	*p += used;
	*rest -= used;
	pop3_parse_skip_spaces(p, rest);
	*num = (unsigned int)v;
	return true;
}

bool
pop3_parse_list_line(const char *line, size_t len, unsigned int *num, uint64_t *size,
    GError **error)
{
	const char *p = line;
	size_t rest = len, used;

	if (!pop3_parse_msg_number(&p, &rest, num) ||
	    !pop3_parse_number(p, rest, UINT64_MAX, size, &used))
		return pop3_parse_bad_line(error, "LIST", line, len);
	/* RFC 1939 allows more after the size */
	if (used < rest && p[used] != ' ')
		return pop3_parse_bad_line(error, "LIST", line, len);
	/* Taken at its word up to a cap, so no sum of sizes can overflow. */
	*size = MIN(*size, POP3_MAX_SIZE);
	return true;
}

bool
pop3_parse_uidl_line(const char *line, size_t len, unsigned int *num, char *uidl, GError **error)
{
	const char *p = line;
	size_t rest = len, i;

	if (!pop3_parse_msg_number(&p, &rest, num))
		return pop3_parse_bad_line(error, "UIDL", line, len);
	while (rest > 0 && p[rest - 1] == ' ')
		rest--;
	if (rest == 0) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "UIDL: message %u has an empty unique id", *num);
		return false;
	}
	if (rest > POP3_MAX_UIDL) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "UIDL: the unique id of message %u is %zu bytes long, more than the %d "
		    "RFC 1939 allows",
		    *num, rest, POP3_MAX_UIDL);
		return false;
	}
	for (i = 0; i < rest; i++) {
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e) {
			g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
			    "UIDL: the unique id of message %u contains the byte 0x%02x, not "
			    "printable ASCII",
			    *num, (unsigned char)p[i]);
			return false;
		}
	}
	memcpy(uidl, p, rest);
	uidl[rest] = '\0';
	return true;
}

void
pop3_body_init(struct pop3_body *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void
pop3_body_reset(struct pop3_body *b)
{
	b->state = POP3_BODY_BOL;
	b->len = 0;
	b->flushed = 0;
	b->wire = 0;
}

void
pop3_body_flush(struct pop3_body *b)
{
	b->flushed += b->len;
	b->len = 0;
}

void
pop3_body_clear(struct pop3_body *b)
{
	g_free(b->data);
	pop3_body_init(b, b->max);
}

/* Make room for N more bytes; false past the cap. */
static bool
pop3_body_grow(struct pop3_body *b, size_t n)
{
	size_t cap;

	if (n > b->max - b->flushed - b->len)
		return false;
	/* never past MAX: the appends rely on CAP to enforce it */
	cap = MIN(MAX(b->cap, POP3_BODY_MIN_ALLOC), b->max);
	while (cap - b->len < n)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	b->data = g_realloc(b->data, cap);
	b->cap = cap;
	return true;
}

/* Append N bytes at P. */
static inline bool
pop3_body_append(struct pop3_body *b, const char *p, size_t n)
{
	if (n == 0)
		return true;
	/* (CAP <= MAX bounds a message kept whole; a streamed one counts FLUSHED too) */
	if ((n > b->cap - b->len || n > b->max - b->flushed - b->len) && !pop3_body_grow(b, n))
		return false;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return true;
}

/* Append the byte C. */
static inline bool
pop3_body_append_byte(struct pop3_body *b, char c)
{
	if ((b->len == b->cap || b->flushed + b->len >= b->max) && !pop3_body_grow(b, 1))
		return false;
	b->data[b->len++] = c;
	return true;
}

enum pop3_body_result
pop3_body_feed(struct pop3_body *b, const char *in, size_t len, size_t *used)
{
	const char *p = in, *end = in + len, *nl;
	size_t span;

	while (p < end && b->state != POP3_BODY_END) {
		switch (b->state) {
		case POP3_BODY_END:
			break;
		case POP3_BODY_BOL:
			if (*p == '.') {
				b->state = POP3_BODY_DOT;
				p++;
				break;
			}
			b->state = POP3_BODY_MID;
			/* FALLTHROUGH */
		case POP3_BODY_MID:
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL) {
				span = (size_t)(end - p);
				if (end[-1] == '\r') {
					/* hold the CR: it may be half of a CRLF */
					span--;
					b->state = POP3_BODY_MID_CR;
				}
				if (!pop3_body_append(b, p, span))
					goto too_big;
				p = end;
				break;
			}
			span = (size_t)(nl - p);
			if (span > 0 && nl[-1] == '\r')
				span--;
			if (!pop3_body_append(b, p, span) || !pop3_body_append_byte(b, '\n'))
				goto too_big;
			p = nl + 1;
			b->state = POP3_BODY_BOL;
			break;
		case POP3_BODY_MID_CR:
			if (*p == '\n') {
				p++;
				b->state = POP3_BODY_BOL;
				if (!pop3_body_append_byte(b, '\n'))
					goto too_big;
			} else {
				b->state = POP3_BODY_MID;
				if (!pop3_body_append_byte(b, '\r'))
					goto too_big;
			}
			break;
		case POP3_BODY_DOT:
			if (*p == '\r') {
				b->state = POP3_BODY_DOT_CR;
				p++;
			} else if (*p == '\n') {
				p++;
				b->state = POP3_BODY_END;
			} else {
				/* a stuffed line: the leading dot is gone, the rest is text */
				b->state = POP3_BODY_MID;
			}
			break;
		case POP3_BODY_DOT_CR:
			if (*p == '\n') {
				p++;
				b->state = POP3_BODY_END;
			} else {
				/* ".\r" and more: the dot is stuffing, the CR is text */
				b->state = POP3_BODY_MID_CR;
			}
			break;
		}
	}
	b->wire += (uint64_t)(p - in);
	*used = (size_t)(p - in);
	return b->state == POP3_BODY_END ? POP3_BODY_DONE : POP3_BODY_MORE;
too_big:
	*used = (size_t)(p - in);
	return POP3_BODY_TOO_BIG;
}
