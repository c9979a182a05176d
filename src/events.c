/*
 * events: the fetcher-to-display line protocol.  One table of names and
 * field shapes serves the encoder and the parser.
 */
#include "surat/events.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "surat/sanitize.h"

G_DEFINE_QUARK(surat-events-error-quark, events_error)

/* What follows the name of each event on its line. */
enum events_shape {
	EVENTS_SHAPE_NUMBER,           /* hello VERSION */
	EVENTS_SHAPE_ACCOUNT_NUMBER,   /* stored ACCOUNT N */
	EVENTS_SHAPE_ACCOUNT_NUMBERS,  /* start ACCOUNT COUNT BYTES */
	EVENTS_SHAPE_ACCOUNT_TEXT,     /* warning ACCOUNT TEXT */
	EVENTS_SHAPE_ACCOUNT_CODE_TEXT, /* error ACCOUNT CODE TEXT */
	EVENTS_SHAPE_ACCOUNT_NUMBER_TEXT /* wait ACCOUNT ID TEXT */
};

static const struct {
	enum events_kind kind;
	const char *name;
	enum events_shape shape;
} events_table[] = {
	{ EVENT_HELLO, "hello", EVENTS_SHAPE_NUMBER },
	{ EVENT_START, "start", EVENTS_SHAPE_ACCOUNT_NUMBERS },
	{ EVENT_MSG, "msg", EVENTS_SHAPE_ACCOUNT_NUMBERS },
	{ EVENT_STORED, "stored", EVENTS_SHAPE_ACCOUNT_NUMBER },
	{ EVENT_DELETED, "deleted", EVENTS_SHAPE_ACCOUNT_NUMBER },
	{ EVENT_DELAY, "delay", EVENTS_SHAPE_ACCOUNT_NUMBER },
	{ EVENT_WARNING, "warning", EVENTS_SHAPE_ACCOUNT_TEXT },
	{ EVENT_ERROR, "error", EVENTS_SHAPE_ACCOUNT_CODE_TEXT },
	{ EVENT_DONE, "done", EVENTS_SHAPE_ACCOUNT_NUMBERS },
	{ EVENT_SEND, "send", EVENTS_SHAPE_ACCOUNT_NUMBER },
	{ EVENT_SENT, "sent", EVENTS_SHAPE_ACCOUNT_NUMBER },
	{ EVENT_WAIT, "wait", EVENTS_SHAPE_ACCOUNT_NUMBER_TEXT },
	{ EVENT_REFUSED, "refused", EVENTS_SHAPE_ACCOUNT_NUMBER_TEXT },
};

const char *
events_kind_name(enum events_kind kind)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(events_table); i++)
		if (events_table[i].kind == kind)
			return events_table[i].name;
	return "unknown";
}

/* The next space-separated field of [*P, END) into FIELD (NUL-terminated). */
static bool
events_field(const char **p, const char *end, char *field, size_t size)
{
	const char *start = *p;
	size_t n;

	while (*p < end && **p != ' ')
		(*p)++;
	n = (size_t)(*p - start);
	if (n == 0 || n >= size)
		return false;
	memcpy(field, start, n);
	field[n] = '\0';
	if (*p < end)
		(*p)++; /* the space */
	return true;
}

/* An error code field: one word of lower-case letters, digits and '-' ("sys-temp"). */
static bool
events_code(const char **p, const char *end, char *code, size_t size)
{
	return events_field(p, end, code, size) &&
	    code[strspn(code, "abcdefghijklmnopqrstuvwxyz0123456789-")] == '\0';
}

/* A decimal number >= 0 field. */
static bool
events_number(const char **p, const char *end, int64_t *out)
{
	char buf[24], *stop;
	long long v;

	if (!events_field(p, end, buf, sizeof buf) || !g_ascii_isdigit(buf[0]))
		return false;
	errno = 0;
	v = strtoll(buf, &stop, 10);
	if (errno != 0 || *stop != '\0' || v < 0)
		return false;
	*out = v;
	return true;
}

bool
events_parse(const char *line, size_t len, struct event *ev, GError **error)
{
	const char *p = line, *end = line + len;
	char name[16];
	size_t i;
	bool ok = false;

	memset(ev, 0, sizeof *ev);
	if (len > EVENTS_LINE_MAX || memchr(line, '\0', len) != NULL ||
	    !events_field(&p, end, name, sizeof name)) {
		g_set_error(error, EVENTS_ERROR, 0, "malformed event line");
		return false;
	}
	for (i = 0; i < G_N_ELEMENTS(events_table); i++)
		if (strcmp(events_table[i].name, name) == 0)
			break;
	if (i == G_N_ELEMENTS(events_table)) {
		ev->kind = EVENT_UNKNOWN;
		return true;
	}
	ev->kind = events_table[i].kind;
	switch (events_table[i].shape) {
	case EVENTS_SHAPE_NUMBER:
		ok = events_number(&p, end, &ev->a) && p == end;
		break;
	case EVENTS_SHAPE_ACCOUNT_NUMBER:
		ok = events_field(&p, end, ev->account, sizeof ev->account) &&
		    config_account_name_valid(ev->account) && events_number(&p, end, &ev->a) &&
		    p == end;
		break;
	case EVENTS_SHAPE_ACCOUNT_NUMBERS:
		ok = events_field(&p, end, ev->account, sizeof ev->account) &&
		    config_account_name_valid(ev->account) && events_number(&p, end, &ev->a) &&
		    events_number(&p, end, &ev->b) && p == end;
		break;
	case EVENTS_SHAPE_ACCOUNT_CODE_TEXT:
		ok = events_field(&p, end, ev->account, sizeof ev->account) &&
		    config_account_name_valid(ev->account) &&
		    events_code(&p, end, ev->code, sizeof ev->code);
		goto text;
	case EVENTS_SHAPE_ACCOUNT_NUMBER_TEXT:
		ok = events_field(&p, end, ev->account, sizeof ev->account) &&
		    config_account_name_valid(ev->account) && events_number(&p, end, &ev->a);
		goto text;
	case EVENTS_SHAPE_ACCOUNT_TEXT:
		ok = events_field(&p, end, ev->account, sizeof ev->account) &&
		    config_account_name_valid(ev->account);
	text:
		if (ok) {
			char *clean = sanitize_text(p, end - p, 0);
			size_t n = strlen(clean);

			/* Cut at a character boundary within the cap. */
			if (n > EVENTS_TEXT_MAX) {
				const char *cut = g_utf8_find_prev_char(clean, clean + EVENTS_TEXT_MAX + 1);

				n = cut != NULL ? (size_t)(cut - clean) : 0;
			}
			memcpy(ev->text, clean, n);
			ev->text[n] = '\0';
			g_free(clean);
		}
		break;
	}
	if (!ok) {
		g_set_error(error, EVENTS_ERROR, 0, "malformed '%s' event", name);
		ev->kind = EVENT_UNKNOWN;
	}
	return ok;
}

char *
events_format(const struct event *ev)
{
	const char *name = events_kind_name(ev->kind);
	char *text, *line;
	size_t n;

	switch (ev->kind) {
	case EVENT_HELLO:
		return g_strdup_printf("%s %" G_GINT64_FORMAT "\n", name, ev->a);
	case EVENT_STORED:
	case EVENT_DELETED:
	case EVENT_DELAY:
	case EVENT_SEND:
	case EVENT_SENT:
		return g_strdup_printf("%s %s %" G_GINT64_FORMAT "\n", name, ev->account, ev->a);
	case EVENT_START:
	case EVENT_MSG:
	case EVENT_DONE:
		return g_strdup_printf("%s %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", name,
		    ev->account, ev->a, ev->b);
	case EVENT_WARNING:
	case EVENT_ERROR:
	case EVENT_WAIT:
	case EVENT_REFUSED:
		text = sanitize_text(ev->text, -1, 0);
		n = strlen(text);
		if (n > EVENTS_TEXT_MAX) {
			const char *cut = g_utf8_find_prev_char(text, text + EVENTS_TEXT_MAX + 1);

			text[cut != NULL ? cut - text : 0] = '\0';
		}
		if (ev->kind == EVENT_ERROR)
			line = g_strdup_printf("%s %s %s %s\n", name, ev->account,
			    ev->code[0] != '\0' ? ev->code : "io", text);
		else if (ev->kind == EVENT_WAIT || ev->kind == EVENT_REFUSED)
			line = g_strdup_printf("%s %s %" G_GINT64_FORMAT " %s\n", name, ev->account,
			    ev->a, text);
		else
			line = g_strdup_printf("%s %s %s\n", name, ev->account, text);
		g_free(text);
		return line;
	case EVENT_UNKNOWN:
		break;
	}
	return g_strdup("");
}

bool
events_write(int fd, const struct event *ev)
{
	char *line = events_format(ev);
	size_t len = strlen(line), done = 0;

	while (done < len) {
		ssize_t n = write(fd, line + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	g_free(line);
	return done == len;
}

void
events_send(int fd, enum events_kind kind, const char *account, int64_t a, int64_t b)
{
	struct event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	if (account != NULL)
		g_strlcpy(ev.account, account, sizeof ev.account);
	ev.a = a;
	ev.b = b;
	events_write(fd, &ev);
}

void
events_send_text(int fd, enum events_kind kind, const char *account, const char *code,
    const char *text)
{
	struct event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	g_strlcpy(ev.account, account, sizeof ev.account);
	if (code != NULL)
		g_strlcpy(ev.code, code, sizeof ev.code);
	g_strlcpy(ev.text, text != NULL ? text : "", sizeof ev.text);
	events_write(fd, &ev);
}

void
events_send_id_text(int fd, enum events_kind kind, const char *account, int64_t id,
    const char *text)
{
	struct event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	g_strlcpy(ev.account, account, sizeof ev.account);
	ev.a = id;
	g_strlcpy(ev.text, text != NULL ? text : "", sizeof ev.text);
	events_write(fd, &ev);
}

struct events_reader {
	GString *partial; /* bytes of a line whose newline has not come yet */
};

struct events_reader *
events_reader_new(void)
{
	struct events_reader *reader = g_new0(struct events_reader, 1);

	reader->partial = g_string_new(NULL);
	return reader;
}

void
events_reader_free(struct events_reader *reader)
{
	if (reader == NULL)
		return;
	g_string_free(reader->partial, TRUE);
	g_free(reader);
}

void
events_reader_reset(struct events_reader *reader)
{
	g_string_truncate(reader->partial, 0);
}

enum events_read
events_reader_read(struct events_reader *reader, int fd, events_line_fn fn, void *data)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof buf);
	const char *line;
	char *nl;
	size_t done = 0;

	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return EVENTS_READ_AGAIN;
	if (n <= 0)
		return EVENTS_READ_END;
	g_string_append_len(reader->partial, buf, n);
	line = reader->partial->str;
	while ((nl = memchr(line, '\n', reader->partial->len - done)) != NULL) {
		size_t len = (size_t)(nl - line);
		struct event ev;
		GError *error = NULL;

		if (events_parse(line, len, &ev, &error))
			fn(&ev, NULL, data);
		else
			fn(NULL, error, data);
		g_clear_error(&error);
		done += len + 1;
		line = nl + 1;
	}
	g_string_erase(reader->partial, 0, (gssize)done);
	if (reader->partial->len > EVENTS_LINE_MAX) {
		GError *error = g_error_new(EVENTS_ERROR, 0, "an over-long line (more than %d bytes)",
		    EVENTS_LINE_MAX);

		g_string_truncate(reader->partial, 0);
		fn(NULL, error, data);
		g_error_free(error);
	}
	return EVENTS_READ_MORE;
}
