/*
 * pop3-transfer: the commands on the messages of a logged-in session
 * (pop3-private.h): STAT, the UIDL and LIST listings (checked, in
 * message-number order), and RETR, TOP and DELE, pipelined with a window of
 * commands in flight when the server offers PIPELINING, each batch sent
 * with one write.
 *
 * What it must never do: trust a message number, a size or a UIDL from the
 * server without checking it, or hold a large message whole when the caller
 * takes it in pieces.
 */
#include "pop3-private.h"

#include <string.h>

#include "surat/net.h"

#define POP3_WINDOW       64  /* commands in flight with PIPELINING */
#define POP3_KEEP_BUFFER  (32 * 1024 * 1024) /* a larger message buffer is not kept */
#define POP3_LISTING_LINE 32 /* bytes a UIDL or LIST line is counted as, for the deadline */

bool
pop3_stat(struct pop3_session *s, unsigned int *count, uint64_t *size, GError **error)
{
	struct pop3_status st;

	if (!pop3_simple(s, "STAT", 0, &st, error))
		return false;
	if (!pop3_parse_stat(st.text, st.text_len, count, size, error))
		return pop3_die(s);
	s->stat_known = true;
	s->stat_count = *count;
	return true;
}

/* Free MSG's string (NULL-safe for the GArray clear function). */
void
pop3_msg_clear(struct pop3_msg *msg)
{
	g_free(msg->uidl);
	msg->uidl = NULL;
}

/* Empty MSGS, freeing its strings whether or not it has a clear function. */
static void
pop3_msgs_empty(GArray *msgs)
{
	guint i;

	for (i = 0; i < msgs->len; i++)
		pop3_msg_clear(&g_array_index(msgs, struct pop3_msg, i));
	g_array_set_size(msgs, 0);
}

/* What a UIDL or LIST listing is expected to hold, for its deadline. */
static uint64_t
pop3_listing_size(const struct pop3_session *s)
{
	return s->stat_known ? (uint64_t)s->stat_count * POP3_LISTING_LINE : 0;
}

/* Remember the sizes LIST announced, so each RETR and TOP gets its deadline. */
static void
pop3_keep_sizes(struct pop3_session *s, GArray *msgs)
{
	guint i;

	g_free(s->list_sizes);
	s->list_sizes_n = s->stat_count + 1;
	s->list_sizes = g_new0(guint32, s->list_sizes_n);
	for (i = 0; i < msgs->len; i++) {
		const struct pop3_msg *m = &g_array_index(msgs, struct pop3_msg, i);

		if (m->num < s->list_sizes_n)
			s->list_sizes[m->num] = (guint32)MIN(m->size, (uint64_t)G_MAXUINT32);
	}
}

/* The size LIST announced for message NUM, or 0. */
static uint64_t
pop3_announced(const struct pop3_session *s, unsigned int num)
{
	return num < s->list_sizes_n ? s->list_sizes[num] : 0;
}

/* What pop3_uidl_line collects. */
struct pop3_uidl_ctx {
	GArray *msgs;
	GHashTable *seen; /* uidl -> num, borrowed from MSGS */
};

/* Check a message number NUM against STAT's count. */
static bool
pop3_num_in_range(struct pop3_session *s, const char *what, unsigned int num, GError **error)
{
	if (s->stat_known && num > s->stat_count) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "%s: message %u is beyond the %u messages STAT reported", what, num,
		    s->stat_count);
		return false;
	}
	return true;
}

/* Take one UIDL line. */
static bool
pop3_uidl_line(struct pop3_session *s, const char *line, size_t len, void *data, GError **error)
{
	struct pop3_uidl_ctx *ctx = data;
	struct pop3_msg m = { 0 };
	char uidl[POP3_MAX_UIDL + 1];
	gpointer prev;

	if (!pop3_parse_uidl_line(line, len, &m.num, uidl, error) ||
	    !pop3_num_in_range(s, "UIDL", m.num, error))
		return false;
	if (g_hash_table_lookup_extended(ctx->seen, uidl, NULL, &prev)) {
		char *q = pop3_quote(uidl, strlen(uidl));

		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "UIDL: messages %u and %u have the same unique id \"%s\"",
		    GPOINTER_TO_UINT(prev), m.num, q);
		g_free(q);
		return false;
	}
	m.uidl = g_strdup(uidl);
	g_array_append_val(ctx->msgs, m);
	g_hash_table_insert(ctx->seen, m.uidl, GUINT_TO_POINTER(m.num));
	return true;
}

/* Compare two struct pop3_msg by number. */
static gint
pop3_msg_cmp(gconstpointer a, gconstpointer b)
{
	const struct pop3_msg *x = a, *y = b;

	return x->num < y->num ? -1 : x->num > y->num;
}

/*
 * Put MSGS in message-number order (RFC 1939 fixes no order for a listing)
 * and fail when a number repeats.  Already ordered: one pass, no sort.
 */
static bool
pop3_msgs_sort(GArray *msgs, const char *what, GError **error)
{
	guint i;

	for (i = 1; i < msgs->len; i++)
		if (g_array_index(msgs, struct pop3_msg, i - 1).num >=
		    g_array_index(msgs, struct pop3_msg, i).num)
			break;
	if (i >= msgs->len)
		return true;
	g_array_sort(msgs, pop3_msg_cmp);
	for (i = 1; i < msgs->len; i++) {
		if (g_array_index(msgs, struct pop3_msg, i - 1).num ==
		    g_array_index(msgs, struct pop3_msg, i).num) {
			g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
			    "%s: message %u is listed twice", what,
			    g_array_index(msgs, struct pop3_msg, i).num);
			return false;
		}
	}
	return true;
}

bool
pop3_uidl(struct pop3_session *s, GArray *msgs, GError **error)
{
	struct pop3_uidl_ctx ctx = { msgs, NULL };
	struct pop3_status st;
	bool ok;

	pop3_msgs_empty(msgs);
	if (!pop3_ready(s, POP3_STATE_TRANSACTION, POP3_STATE_TRANSACTION, "UIDL", error) ||
	    !pop3_send(s, "UIDL", NULL, error) ||
	    !pop3_read_reply(s, "UIDL", false, pop3_listing_size(s), &st, error))
		return false;
	if (st.kind == POP3_STATUS_ERR) {
		pop3_set_err_reply(s, error, "UIDL", &st, POP3_ERROR_UNSUPPORTED,
		    "the server does not support UIDL");
		return false;
	}
	ctx.seen = g_hash_table_new(g_str_hash, g_str_equal);
	ok = pop3_read_multi(s, "UIDL", POP3_MAX_MESSAGES, pop3_uidl_line, &ctx, error) &&
	    pop3_msgs_sort(msgs, "UIDL", error);
	g_hash_table_destroy(ctx.seen);
	if (!ok) {
		pop3_msgs_empty(msgs);
		return pop3_die(s);
	}
	return true;
}

/* What pop3_list_line updates. */
struct pop3_list_ctx {
	GArray *msgs;
	guint pos;          /* where the next number is expected */
	GHashTable *index;  /* num -> position + 1, built on the first miss */
	GHashTable *listed; /* numbers seen in this LIST */
};

/* Take one LIST line. */
static bool
pop3_list_line(struct pop3_session *s, const char *line, size_t len, void *data, GError **error)
{
	struct pop3_list_ctx *ctx = data;
	struct pop3_msg m = { 0 }, *at = NULL;
	guint i;

	if (!pop3_parse_list_line(line, len, &m.num, &m.size, error) ||
	    !pop3_num_in_range(s, "LIST", m.num, error))
		return false;
	if (g_hash_table_contains(ctx->listed, GUINT_TO_POINTER(m.num))) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "LIST: message %u is listed twice", m.num);
		return false;
	}
	g_hash_table_add(ctx->listed, GUINT_TO_POINTER(m.num));
	if (ctx->pos < ctx->msgs->len &&
	    g_array_index(ctx->msgs, struct pop3_msg, ctx->pos).num == m.num) {
		at = &g_array_index(ctx->msgs, struct pop3_msg, ctx->pos);
	} else {
		if (ctx->index == NULL) {
			ctx->index = g_hash_table_new(g_direct_hash, g_direct_equal);
			for (i = 0; i < ctx->msgs->len; i++)
				g_hash_table_insert(ctx->index,
				    GUINT_TO_POINTER(g_array_index(ctx->msgs, struct pop3_msg, i).num),
				    GUINT_TO_POINTER(i + 1));
		}
		i = GPOINTER_TO_UINT(g_hash_table_lookup(ctx->index, GUINT_TO_POINTER(m.num)));
		if (i > 0) {
			at = &g_array_index(ctx->msgs, struct pop3_msg, i - 1);
			ctx->pos = i - 1;
		}
	}
	if (at != NULL) {
		at->size = m.size;
	} else {
		g_array_append_val(ctx->msgs, m);
		ctx->pos = ctx->msgs->len - 1;
		if (ctx->index != NULL)
			g_hash_table_insert(ctx->index, GUINT_TO_POINTER(m.num),
			    GUINT_TO_POINTER(ctx->msgs->len));
	}
	ctx->pos++;
	return true;
}

bool
pop3_list(struct pop3_session *s, GArray *msgs, GError **error)
{
	struct pop3_list_ctx ctx = { msgs, 0, NULL, NULL };
	struct pop3_status st;
	bool ok;

	if (!pop3_simple(s, "LIST", pop3_listing_size(s), &st, error))
		return false;
	ctx.listed = g_hash_table_new(g_direct_hash, g_direct_equal);
	ok = pop3_read_multi(s, "LIST", POP3_MAX_MESSAGES, pop3_list_line, &ctx, error) &&
	    pop3_msgs_sort(msgs, "LIST", error);
	if (ok && s->stat_known)
		pop3_keep_sizes(s, msgs);
	if (ctx.index != NULL)
		g_hash_table_destroy(ctx.index);
	g_hash_table_destroy(ctx.listed);
	return ok ? true : pop3_die(s);
}

/*
 * Read one message body into s->body; the trace gets its size.  With PIECE,
 * every POP3_PIECE bytes decoded are handed to it (LAST false) and the
 * buffer emptied, so a large message never sits in memory whole; what is
 * left at the end stays in s->body for the caller's last call.
 */
static bool
pop3_read_body(struct pop3_session *s, unsigned int num, pop3_piece_fn piece, void *piece_data,
    GError **error)
{
	enum pop3_body_result r;
	const char *data;
	size_t len, used;
	char note[64];
	GError *e = NULL;

	pop3_body_reset(&s->body);
	for (;;) {
		if (!net_peek(s->conn, &data, &len, &e))
			return pop3_fail_net(s, e, error);
		r = pop3_body_feed(&s->body, data, len, &used);
		net_consume(s->conn, used);
		if (r == POP3_BODY_DONE)
			break;
		if (r == POP3_BODY_TOO_BIG)
			return pop3_fail(s, error, POP3_ERROR_PROTOCOL,
			    "message %u is larger than %d MB, more than surat accepts", num,
			    POP3_MAX_MESSAGE / (1024 * 1024));
		if (piece != NULL && s->body.len >= POP3_PIECE) {
			if (!piece(piece_data, num, s->body.data, s->body.len, false, error))
				return pop3_die(s);
			pop3_body_flush(&s->body);
		}
	}
	if (s->trace != NULL) {
		g_snprintf(note, sizeof note, "<%zu octets>", s->body.flushed + s->body.len);
		pop3_trace(s, 'S', note);
	}
	return true;
}

/* How many commands may be in flight. */
static size_t
pop3_window(const struct pop3_session *s)
{
	return s->pipelining && s->caps.pipelining ? POP3_WINDOW : 1;
}

/*
 * Send the commands FMT NUMS[*sent..] (TOP adds LINES) to fill the window
 * while DONE are answered; one write for the batch.
 */
static bool
pop3_refill(struct pop3_session *s, const char *verb, int lines, const unsigned int *nums,
    size_t n, size_t *sent, size_t done, GError **error)
{
	size_t window = pop3_window(s), in_flight = *sent - done;
	char cmd[64];

	if (*sent == n || in_flight > window / 2)
		return true;
	while (*sent < n && *sent - done < window) {
		if (lines >= 0)
			g_snprintf(cmd, sizeof cmd, "%s %u %d", verb, nums[*sent], lines);
		else
			g_snprintf(cmd, sizeof cmd, "%s %u", verb, nums[*sent]);
		pop3_queue(s, cmd, NULL);
		(*sent)++;
	}
	return pop3_flush(s, error);
}

/* Check the caller's message numbers. */
static bool
pop3_nums_valid(struct pop3_session *s, const char *verb, const unsigned int *nums, size_t n,
    GError **error)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (nums[i] == 0 || nums[i] > POP3_MAX_MESSAGES) {
			g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
			    "%s: %u is not a message number", verb, nums[i]);
			return false;
		}
	}
	return true;
}

/*
 * RETR (LINES < 0) or TOP LINES for each of NUMS, pipelined when possible,
 * each message to FN whole or, when PIECE is set instead, in pieces.
 * A -ERR to one command is remembered and the others still run; it is
 * returned at the end with the session alive.
 */
static bool
pop3_fetch_many(struct pop3_session *s, const char *verb, int lines, const unsigned int *nums,
    size_t n, pop3_message_fn fn, pop3_piece_fn piece, void *data, GError **error)
{
	size_t sent = 0, done;
	struct pop3_status st;
	char what[64];
	GError *refused = NULL;
	bool top = lines >= 0;

	g_assert(fn != NULL || piece != NULL);
	if (!pop3_ready(s, POP3_STATE_TRANSACTION, POP3_STATE_TRANSACTION, verb, error) ||
	    !pop3_nums_valid(s, verb, nums, n, error))
		return false;
	if (top && s->caps.capa && !s->caps.top) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_UNSUPPORTED,
		    "%s does not offer TOP", s->host);
		return false;
	}
	for (done = 0; done < n; done++) {
		if (s->abort != NULL && *s->abort != 0) {
			g_clear_error(&refused);
			return pop3_fail(s, error, POP3_ERROR_ABORT, "%s: cancelled", verb);
		}
		if (!pop3_refill(s, verb, lines, nums, n, &sent, done, error))
			goto dead;
		g_snprintf(what, sizeof what, "%s %u", verb, nums[done]);
		if (!pop3_read_reply(s, what, false, pop3_announced(s, nums[done]), &st, error))
			goto dead;
		if (st.kind == POP3_STATUS_ERR) {
			if (top && !s->caps.capa && !s->top_works) {
				char *q = pop3_quote(st.text, st.text_len);

				g_clear_error(&refused);
				g_set_error(&refused, POP3_ERROR, POP3_ERROR_UNSUPPORTED,
				    "%s does not support TOP; the server said: \"%s\"", s->host, q);
				g_free(q);
			} else if (refused == NULL) {
				pop3_set_err_reply(s, &refused, what, &st, POP3_ERROR_SERVER,
				    "the server refused");
			}
			continue;
		}
		if (!pop3_read_body(s, nums[done], piece, data, error))
			goto dead;
		if (top)
			s->top_works = true;
		if (piece != NULL ? !piece(data, nums[done], s->body.data != NULL ? s->body.data : "",
			s->body.len, true, error) :
		    !fn(data, nums[done], s->body.data != NULL ? s->body.data : "", s->body.len,
			error)) {
			g_clear_error(&refused);
			return pop3_die(s);
		}
		if (s->body.cap > POP3_KEEP_BUFFER)
			pop3_body_clear(&s->body);
	}
	if (refused != NULL) {
		g_propagate_error(error, refused);
		return false;
	}
	return true;
dead:
	g_clear_error(&refused);
	return false;
}

bool
pop3_retr_many(struct pop3_session *s, const unsigned int *nums, size_t n, pop3_message_fn fn,
    void *data, GError **error)
{
	return pop3_fetch_many(s, "RETR", -1, nums, n, fn, NULL, data, error);
}

bool
pop3_top_many(struct pop3_session *s, const unsigned int *nums, size_t n, unsigned int lines,
    pop3_message_fn fn, void *data, GError **error)
{
	return pop3_fetch_many(s, "TOP", (int)MIN(lines, (unsigned int)G_MAXINT), nums, n, fn,
	    NULL, data, error);
}

bool
pop3_retr_pieces(struct pop3_session *s, const unsigned int *nums, size_t n, pop3_piece_fn fn,
    void *data, GError **error)
{
	return pop3_fetch_many(s, "RETR", -1, nums, n, NULL, fn, data, error);
}

bool
pop3_top_pieces(struct pop3_session *s, const unsigned int *nums, size_t n, unsigned int lines,
    pop3_piece_fn fn, void *data, GError **error)
{
	return pop3_fetch_many(s, "TOP", (int)MIN(lines, (unsigned int)G_MAXINT), nums, n, NULL,
	    fn, data, error);
}

bool
pop3_dele_many(struct pop3_session *s, const unsigned int *nums, size_t n, GError **error)
{
	size_t sent = 0, done;
	struct pop3_status st;
	char what[64];
	GError *refused = NULL;

	if (!pop3_ready(s, POP3_STATE_TRANSACTION, POP3_STATE_TRANSACTION, "DELE", error) ||
	    !pop3_nums_valid(s, "DELE", nums, n, error))
		return false;
	for (done = 0; done < n; done++) {
		if (s->abort != NULL && *s->abort != 0) {
			g_clear_error(&refused);
			return pop3_fail(s, error, POP3_ERROR_ABORT, "DELE: cancelled");
		}
		g_snprintf(what, sizeof what, "DELE %u", nums[done]);
		if (!pop3_refill(s, "DELE", -1, nums, n, &sent, done, error) ||
		    !pop3_read_status(s, what, false, &st, error)) {
			g_clear_error(&refused);
			return false;
		}
		if (st.kind == POP3_STATUS_ERR && refused == NULL)
			pop3_set_err_reply(s, &refused, what, &st, POP3_ERROR_SERVER,
			    "the server refused");
	}
	if (refused != NULL) {
		g_propagate_error(error, refused);
		return false;
	}
	return true;
}
