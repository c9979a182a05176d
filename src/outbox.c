/*
 * outbox: the queue of messages to send and its policy (outbox.h has the
 * order a run keeps and why).
 *
 * The header work here is on bytes, not through a MIME rewrite: a message
 * goes out, and into Sent, byte for byte as it was written, but for the
 * fields it lacked (added at the top) and the Bcc fields (left out of what
 * goes on the wire only).
 */
#include "surat/outbox.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "surat/command.h"
#include "surat/folder.h"
#include "surat/mime-lib.h"
#include "surat/sanitize.h"
#include "surat/smtp.h"
#include "surat/store.h"

G_DEFINE_QUARK(surat-outbox-error-quark, outbox_error)

#define OUTBOX_SENDMAIL_OUTPUT 4096 /* bytes of a sendmail_command's output kept */
#define OUTBOX_ERROR_TEXT      300  /* bytes of a reason kept for the status line */

/* True when the line at P (before END) is the empty line, LF or CRLF (a file put there by hand). */
static bool
outbox_empty_line(const char *p, const char *end)
{
	return p < end && (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'));
}

/* The length of TEXT's header (up to and with the empty line), or LEN when it has no body. */
static size_t
outbox_header_len(const char *text, size_t len)
{
	const char *p = text;

	for (;;) {
		const char *nl = memchr(p, '\n', len - (size_t)(p - text));

		if (nl == NULL)
			return len;
		if (outbox_empty_line(nl + 1, text + len))
			return (size_t)(nl + (nl[1] == '\r' ? 3 : 2) - text);
		p = nl + 1;
	}
}

/*
 * Where the value starts when the field at LINE (a line start of the
 * header) is named NAME, else 0; space before the colon is the obsolete
 * syntax (RFC 5322 4.5.8) readers still take: "Bcc :" is a Bcc too.
 */
static size_t
outbox_field_is(const char *line, size_t left, const char *name)
{
	size_t n = strlen(name);

	if (left <= n || g_ascii_strncasecmp(line, name, n) != 0)
		return 0;
	while (n < left && (line[n] == ' ' || line[n] == '\t'))
		n++;
	return n < left && line[n] == ':' ? n + 1 : 0;
}

/* The end of the field starting at LINE: past its continuation lines. */
static const char *
outbox_field_end(const char *line, const char *end)
{
	const char *p = line;

	for (;;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			return end;
		p = nl + 1;
		if (p >= end || (*p != ' ' && *p != '\t'))
			return p;
	}
}

/*
 * The values of every field NAME in the header HDR (HLEN bytes), unfolded,
 * appended to VALUES (g_free'd strings).
 */
static void
outbox_field_values(const char *hdr, size_t hlen, const char *name, GPtrArray *values)
{
	const char *p = hdr, *end = hdr + hlen;

	while (p < end && !outbox_empty_line(p, end)) {
		const char *next = outbox_field_end(p, end);
		size_t at = outbox_field_is(p, (size_t)(next - p), name);

		if (at > 0) {
			const char *v = p + at;
			GString *value = g_string_new(NULL);

			for (; v < next; v++)
				if (*v != '\n' && *v != '\r')
					g_string_append_c(value, *v);
			g_ptr_array_add(values, g_strstrip(g_string_free(value, FALSE)));
		}
		p = next;
	}
}

static bool
outbox_has_field(const char *hdr, size_t hlen, const char *name)
{
	GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
	bool has;

	outbox_field_values(hdr, hlen, name, values);
	has = values->len > 0;
	g_ptr_array_unref(values);
	return has;
}

const char *
outbox_domain(const char *address)
{
	const char *at = address != NULL ? strrchr(address, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : "localhost";
}

char *
outbox_from_field(const struct account_config *account)
{
	InternetAddressList *list;
	InternetAddress *mailbox;
	char *from;

	if (account->from_address == NULL)
		return NULL;
	list = internet_address_list_new();
	mailbox = internet_address_mailbox_new(account->from_name, account->from_address);
	/* UTF-8 as every field surat writes (compose.h), not the Latin-1 GMime would pick. */
	internet_address_set_charset(mailbox, "utf-8");
	internet_address_list_add(list, mailbox); /* the list takes its own reference */
	g_object_unref(mailbox);
	from = internet_address_list_to_string(list, NULL, TRUE);
	g_object_unref(list);
	return from;
}

char *
outbox_prepare(const struct account_config *account, const char *text, size_t len,
    size_t *out_len, GError **error)
{
	GString *lf = g_string_sized_new(len + 256), *out;
	size_t i, hlen;

	for (i = 0; i < len; i++)
		if (!(text[i] == '\r' && i + 1 < len && text[i + 1] == '\n'))
			g_string_append_c(lf, text[i]);
	hlen = outbox_header_len(lf->str, lf->len);
	if (lf->len == 0 || lf->str[0] == '\n' || memchr(lf->str, ':', hlen) == NULL) {
		g_set_error(error, OUTBOX_ERROR, OUTBOX_ERROR_MESSAGE,
		    "the message has no header (it must start with fields such as To: and Subject:)");
		g_string_free(lf, TRUE);
		return NULL;
	}
	if (!mime_lib_load(error)) {
		g_string_free(lf, TRUE);
		return NULL;
	}
	out = g_string_sized_new(lf->len + 256);
	if (!outbox_has_field(lf->str, hlen, "From")) {
		char *from = outbox_from_field(account);

		if (from == NULL) {
			g_set_error(error, OUTBOX_ERROR, OUTBOX_ERROR_CONFIG,
			    "account %s: the message has no From and the account no from = "
			    "\"Name <address>\"",
			    account->name);
			g_string_free(out, TRUE);
			g_string_free(lf, TRUE);
			return NULL;
		}
		g_string_append_printf(out, "From: %s\n", from);
		g_free(from);
	}
	if (!outbox_has_field(lf->str, hlen, "Date")) {
		GDateTime *now = g_date_time_new_now_local();
		char *date = g_mime_utils_header_format_date(now);

		g_string_append_printf(out, "Date: %s\n", date);
		g_free(date);
		g_date_time_unref(now);
	}
	if (!outbox_has_field(lf->str, hlen, "Message-ID")) {
		char *id = g_mime_utils_generate_message_id(outbox_domain(account->from_address));

		g_string_append_printf(out, "Message-ID: <%s>\n", id);
		g_free(id);
	}
	g_string_append_len(out, lf->str, (gssize)lf->len);
	g_string_free(lf, TRUE);
	*out_len = out->len;
	return g_string_free(out, FALSE);
}

/* Append the mailbox addresses of the address list VALUE to ADDRS, each once. */
static void
outbox_add_addresses(const char *value, GPtrArray *addrs)
{
	InternetAddressList *list = internet_address_list_parse(NULL, value);
	int i, n;

	if (list == NULL)
		return;
	n = internet_address_list_length(list);
	for (i = 0; i < n; i++) {
		InternetAddress *a = internet_address_list_get_address(list, i);

		if (G_TYPE_CHECK_INSTANCE_TYPE(a, internet_address_group_get_type())) {
			char *members = internet_address_list_to_string(
			    internet_address_group_get_members((InternetAddressGroup *)a), NULL,
			    FALSE);

			if (members != NULL && members[0] != '\0')
				outbox_add_addresses(members, addrs);
			g_free(members);
		} else if (G_TYPE_CHECK_INSTANCE_TYPE(a, internet_address_mailbox_get_type())) {
			const char *addr = internet_address_mailbox_get_addr((InternetAddressMailbox *)a);
			guint j;
			bool seen = false;

			for (j = 0; j < addrs->len && !seen; j++)
				seen = g_ascii_strcasecmp(g_ptr_array_index(addrs, j), addr) == 0;
			if (addr != NULL && addr[0] != '\0' && !seen)
				g_ptr_array_add(addrs, g_strdup(addr));
		}
	}
	g_object_unref(list);
}

/*
 * The first block of Resent- fields in the header HDR (HLEN bytes): *LEN
 * bytes from the pointer returned, or NULL when there is none.  A message
 * bounced again carries the blocks of every bounce before, newest on top
 * (RFC 5322 3.6.6); only that one is this bounce's.
 */
static const char *
outbox_resent_block(const char *hdr, size_t hlen, size_t *len)
{
	const char *p = hdr, *end = hdr + hlen, *start = NULL;

	while (p < end && !outbox_empty_line(p, end)) {
		const char *next = outbox_field_end(p, end);
		bool resent = (size_t)(next - p) > 7 && g_ascii_strncasecmp(p, "Resent-", 7) == 0;

		if (resent && start == NULL)
			start = p;
		else if (!resent && start != NULL)
			break;
		p = next;
	}
	*len = start != NULL ? (size_t)(p - start) : 0;
	return start;
}

bool
outbox_envelope(const char *text, size_t len, char **sender, GPtrArray *rcpts, GError **error)
{
	static const char *const rcpt_fields[] = { "To", "Cc", "Bcc" };
	static const char *const resent_fields[] = { "Resent-To", "Resent-Cc", "Resent-Bcc" };
	size_t hlen = outbox_header_len(text, len), block_len;
	const char *block = outbox_resent_block(text, hlen, &block_len);
	GPtrArray *values = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *from = g_ptr_array_new_with_free_func(g_free);
	const char *const *fields = rcpt_fields;
	bool resent;
	guint i;

	*sender = NULL;
	if (!mime_lib_load(error))
		goto fail;
	/* a bounce (RFC 5322 3.6.6) goes to its Resent- addresses, from its Resent- sender */
	for (i = 0; block != NULL && i < G_N_ELEMENTS(resent_fields); i++)
		outbox_field_values(block, block_len, resent_fields[i], values);
	resent = values->len > 0;
	g_ptr_array_set_size(values, 0);
	if (resent) {
		fields = resent_fields;
		text = block;
		hlen = block_len;
	}
	outbox_field_values(text, hlen, resent ? "Resent-Sender" : "Sender", values);
	if (values->len == 0)
		outbox_field_values(text, hlen, resent ? "Resent-From" : "From", values);
	for (i = 0; i < values->len; i++)
		outbox_add_addresses(g_ptr_array_index(values, i), from);
	g_ptr_array_set_size(values, 0);
	for (i = 0; i < G_N_ELEMENTS(rcpt_fields); i++)
		outbox_field_values(text, hlen, fields[i], values);
	for (i = 0; i < values->len; i++)
		outbox_add_addresses(g_ptr_array_index(values, i), rcpts);
	if (from->len == 0) {
		g_set_error(error, OUTBOX_ERROR, OUTBOX_ERROR_MESSAGE,
		    "the message has no sender: no address in From");
		goto fail;
	}
	if (rcpts->len == 0) {
		g_set_error(error, OUTBOX_ERROR, OUTBOX_ERROR_MESSAGE,
		    "the message has no recipient: no address in To, Cc or Bcc");
		goto fail;
	}
	*sender = g_strdup(g_ptr_array_index(from, 0));
	g_ptr_array_unref(from);
	g_ptr_array_unref(values);
	return true;
fail:
	g_ptr_array_unref(from);
	g_ptr_array_unref(values);
	return false;
}

GString *
outbox_wire_text(const char *text, size_t len)
{
	size_t hlen = outbox_header_len(text, len);
	const char *p = text, *end = text + hlen;
	GString *out = g_string_sized_new(len);

	while (p < end && !outbox_empty_line(p, end)) {
		const char *next = outbox_field_end(p, end);

		if (!outbox_field_is(p, (size_t)(next - p), "Bcc") &&
		    !outbox_field_is(p, (size_t)(next - p), "Resent-Bcc"))
			g_string_append_len(out, p, next - p);
		p = next;
	}
	g_string_append_len(out, p, (gssize)(len - (size_t)(p - text)));
	return out;
}

bool
outbox_queue(struct index *idx, const struct surat_config *config,
    const struct account_config *account, const char *text, size_t len, const char *sender,
    const char *const *rcpts, size_t n, const char *marks, int64_t *id, GError **error)
{
	char *joined = g_strjoinv(" ", (char **)rcpts);
	bool ok;

	(void)n;
	*id = 0;
	if (!folder_recover(idx, config->store, error) || !index_begin(idx, error)) {
		g_free(joined);
		return false;
	}
	/* the file is durable before the transaction that records it commits */
	ok = folder_add(idx, config->store, account->name, OUTBOX_FOLDER, text, len, "S",
		 (const char *const *)config->charset_fallbacks, id, error);
	if (ok) {
		struct index_message msg = { 0 };

		/*
		 * The file is there; if its entry cannot be committed it goes, so a
		 * message its sender was told failed is never sent later after all.
		 */
		(void)index_get(idx, *id, &msg, NULL);
		ok = index_outbox_put(idx, *id, sender, joined, marks, error) &&
		    index_commit(idx, error);
		if (!ok && msg.id != 0) {
			char *path = folder_message_path(config->store, &msg);

			(void)unlink(path);
			g_free(path);
		}
		index_message_clear(&msg);
	}
	if (!ok) {
		index_rollback(idx);
		*id = 0;
	}
	g_free(joined);
	return ok;
}

/* --- a run ------------------------------------------------------------- */

struct outbox_run {
	struct index *idx;
	const struct surat_config *config;
	const struct account_config *account;
	const struct outbox_options *options;
	struct outbox_result *result;
	struct smtp_session *smtp;
	char *secret;
};

static void
outbox_event(struct outbox_run *run, enum outbox_event_kind kind, int64_t id, const char *text)
{
	if (run->options->event != NULL)
		run->options->event(run->options->event_data, kind, id, text);
}

static void
outbox_trace(void *data, char direction, const char *line)
{
	struct outbox_run *run = data;
	char *text = g_strdup_printf("%c: %s", direction, line);

	outbox_event(run, OUTBOX_EVENT_TRACE, 0, text);
	g_free(text);
}

/* The next try after ATTEMPTS failed ones: 1 minute, doubling, at most an hour. */
static int64_t
outbox_next_try(int attempts)
{
	int64_t wait = OUTBOX_RETRY_FIRST;

	while (attempts-- > 1 && wait < OUTBOX_RETRY_MAX)
		wait *= 2;
	return (int64_t)time(NULL) + MIN(wait, OUTBOX_RETRY_MAX);
}

/* Record the failure WHY of entry O (waiting for a later try, or REFUSED) and tell. */
static bool
outbox_failed(struct outbox_run *run, struct index_outbox *o, bool refused, const char *why,
    GError **error)
{
	const char *end = why;

	/* cut at a character: a server's text may be UTF-8, and the index keeps text */
	(void)g_utf8_validate(why, (gssize)MIN(strlen(why), (size_t)OUTBOX_ERROR_TEXT), &end);
	g_free(o->error);
	o->error = g_strndup(why, (gsize)(end - why));
	o->attempts++;
	o->state = refused ? INDEX_OUTBOX_REFUSED : INDEX_OUTBOX_WAITING;
	o->next_try = refused ? 0 : outbox_next_try(o->attempts);
	if (refused)
		run->result->refused++;
	else
		run->result->waiting++;
	outbox_event(run, refused ? OUTBOX_EVENT_REFUSED : OUTBOX_EVENT_WAITING, o->id, why);
	return index_outbox_update(run->idx, o, error);
}

/*
 * Set the flags MARKS ("R:12 P:13") asks for on the rows it names; a row
 * gone meanwhile is skipped, and so is one whose file is gone or cannot be
 * renamed: a mark is not worth a sent message held in the Outbox, and the
 * queue behind it, run after run.
 */
static bool
outbox_apply_marks(struct outbox_run *run, const char *marks, GError **error)
{
	char **words = g_strsplit(marks != NULL ? marks : "", " ", -1), **w;
	GError *e = NULL;
	bool ok = true;

	for (w = words; *w != NULL && ok; w++) {
		GArray *ids;
		gint64 id;
		guint done = 0;
		char flag[2] = { (*w)[0], '\0' };

		if ((flag[0] != STORE_FLAG_REPLIED && flag[0] != STORE_FLAG_PASSED) ||
		    (*w)[1] != ':' || !g_ascii_string_to_signed(*w + 2, 10, 1, G_MAXINT64, &id, NULL))
			continue;
		ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
		g_array_append_val(ids, id);
		ok = folder_set_flags(run->idx, run->config->store, ids, flag, NULL, 0, &done, &e);
		g_array_unref(ids);
		if (!ok && (e->domain == FOLDER_ERROR || e->domain == STORE_ERROR)) {
			g_clear_error(&e);
			ok = true;
		} else if (!ok) {
			g_propagate_error(error, e);
			e = NULL;
		}
	}
	g_strfreev(words);
	return ok;
}

/*
 * Row ID was accepted by the server: set the flags its entry asks for on
 * the messages it answered or passed on, move it to the record folder (or
 * remove it), and forget its entry.
 */
static bool
outbox_finish(struct outbox_run *run, int64_t id, GError **error)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct index_outbox o = { 0 };
	guint done = 0;
	bool ok;

	if (!index_outbox_get(run->idx, id, &o, error) ||
	    !outbox_apply_marks(run, o.marks, error)) {
		index_outbox_clear(&o);
		g_array_unref(ids);
		return false;
	}
	index_outbox_clear(&o);
	g_array_append_val(ids, id);
	if (run->config->record != NULL)
		ok = folder_move(run->idx, run->config->store, ids, run->account->name,
		    run->config->record, NULL, 0, &done, error);
	else
		ok = folder_expunge(run->idx, run->config->store, run->config, ids, &done, error);
	ok = ok && index_outbox_drop(run->idx, id, error);
	g_array_unref(ids);
	return ok;
}

/*
 * Entry *O of row ID: the index's, or one made from the file's header when
 * there is none (the index was rebuilt, or the file put there by hand).
 */
static bool
outbox_entry(struct outbox_run *run, int64_t id, const char *text, size_t len,
    struct index_outbox *o, GError **error)
{
	GPtrArray *rcpts;
	char *sender = NULL, *joined;
	bool ok;

	if (!index_outbox_get(run->idx, id, o, error))
		return false;
	if (o->id != 0)
		return true;
	rcpts = g_ptr_array_new_with_free_func(g_free);
	ok = outbox_envelope(text, len, &sender, rcpts, error);
	if (ok) {
		g_ptr_array_add(rcpts, NULL);
		joined = g_strjoinv(" ", (char **)rcpts->pdata);
		ok = index_outbox_put(run->idx, id, sender, joined, NULL, error) &&
		    index_outbox_get(run->idx, id, o, error);
		g_free(joined);
	}
	g_free(sender);
	g_ptr_array_unref(rcpts);
	return ok;
}

/* Hand TEXT to sendmail_command; false with ERROR (SMTP_ERROR codes) when it did not take it. */
static bool
outbox_sendmail(struct outbox_run *run, const struct index_outbox *o, const GString *wire,
    GError **error)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	char **rcpts = g_strsplit(o->rcpts, " ", -1), **r, *err_text = NULL;
	FILE *err = tmpfile();
	GBytes *out;
	int status = 0;
	bool ok = false;

	for (r = run->account->sendmail_argv; *r != NULL; r++)
		g_ptr_array_add(argv, g_strdup(*r));
	g_ptr_array_add(argv, g_strdup("--"));
	for (r = rcpts; *r != NULL; r++)
		if (**r != '\0')
			g_ptr_array_add(argv, g_strdup(*r));
	g_ptr_array_add(argv, NULL);
	out = command_run_status((char **)argv->pdata, wire->str, wire->len,
	    run->account->timeout * 1000, OUTBOX_SENDMAIL_OUTPUT, err != NULL ? fileno(err) : -1,
	    &status, error);
	if (out == NULL)
		goto out;
	g_bytes_unref(out);
	if (status == 0) {
		ok = true;
		goto out;
	}
	if (err != NULL) {
		char buf[OUTBOX_SENDMAIL_OUTPUT];
		size_t n;

		rewind(err);
		n = fread(buf, 1, sizeof buf - 1, err);
		buf[n] = '\0';
		g_strstrip(buf);
		if (buf[0] != '\0') {
			char *nl = strchr(buf, '\n');

			if (nl != NULL)
				*nl = '\0';
			err_text = sanitize_text(buf, -1, 0);
		}
	}
	/* sysexits.h: 75 is EX_TEMPFAIL; a signal is no answer either */
	g_set_error(error, SMTP_ERROR, status == 75 || status >= 128 ? SMTP_ERROR_TEMPORARY :
								      SMTP_ERROR_REJECTED,
	    "%s exited with status %d%s%s", run->account->sendmail_argv[0], status,
	    err_text != NULL ? ": " : "", err_text != NULL ? err_text : "");
out:
	g_free(err_text);
	if (err != NULL)
		fclose(err);
	g_strfreev(rcpts);
	g_ptr_array_unref(argv);
	return ok;
}

/* Open the SMTP session and log in; false with ERROR. */
static bool
outbox_connect(struct outbox_run *run, GError **error)
{
	const struct smtp_config *c = run->account->smtp;
	struct smtp_open_options o = {
		.host = c->host,
		.port = c->port,
		.tls = c->tls,
		.ca_file = c->ca_file,
		.fingerprint = c->fingerprint,
		.helo = outbox_domain(run->account->from_address),
		.timeout = c->timeout,
		.trace = run->options->trace ? outbox_trace : NULL,
		.trace_data = run,
		.abort = run->options->abort,
	};
	char *where = g_strdup_printf("%s:%d", c->host, c->port);

	outbox_event(run, OUTBOX_EVENT_CONNECT, 0, where);
	g_free(where);
	if (c->auth != SMTP_AUTH_NONE) {
		run->secret = command_password(c->password, c->password_command, c->timeout, error);
		if (run->secret == NULL)
			return false;
	}
	run->smtp = smtp_open(&o, error);
	if (run->smtp == NULL)
		return false;
	return smtp_login(run->smtp, c->auth, c->user, run->secret, c->tls == SMTP_TLS_NONE, error);
}

/*
 * Send row ID.  False with ERROR only when the run must stop: the index
 * failed, or the session ended (*STOP).
 */
static bool
outbox_send_one(struct outbox_run *run, int64_t id, bool *stop, GError **error)
{
	struct index_message msg = { 0 };
	struct index_outbox o = { 0 };
	char *path = NULL, *text = NULL, *reply = NULL;
	gsize len = 0;
	GString *wire = NULL;
	GError *e = NULL;
	bool ok = false, sent;

	if (!index_get(run->idx, id, &msg, error))
		goto out;
	if (msg.id == 0 || !folder_locate(run->idx, run->config->store, &msg, &e)) {
		/* gone meanwhile (the user deleted it): nothing to send */
		g_clear_error(&e);
		ok = true;
		goto out;
	}
	path = folder_message_path(run->config->store, &msg);
	if (!g_file_get_contents(path, &text, &len, &e)) {
		/* no text, no envelope from it: the entry, if there is one, keeps the reason */
		if (!index_outbox_get(run->idx, id, &o, error))
			goto out;
		if (o.id != 0) {
			ok = outbox_failed(run, &o, false, e->message, error);
		} else {
			run->result->waiting++;
			outbox_event(run, OUTBOX_EVENT_WAITING, id, e->message);
			ok = true;
		}
		goto out;
	}
	if (!outbox_entry(run, id, text, len, &o, &e)) {
		if (e->domain == OUTBOX_ERROR) {
			/* a file put there by hand without an envelope: the user must fix it */
			ok = index_outbox_put(run->idx, id, "", "", NULL, error) &&
			    index_outbox_get(run->idx, id, &o, error) &&
			    outbox_failed(run, &o, true, e->message, error);
			goto out;
		}
		g_propagate_error(error, e);
		e = NULL;
		goto out;
	}
	if (o.state == INDEX_OUTBOX_SENT) {
		ok = outbox_finish(run, id, error);
		goto out;
	}
	if (!run->options->all &&
	    (o.state == INDEX_OUTBOX_REFUSED || o.next_try > (int64_t)time(NULL))) {
		run->result->waiting += o.state == INDEX_OUTBOX_WAITING;
		run->result->refused += o.state == INDEX_OUTBOX_REFUSED;
		ok = true;
		goto out;
	}
	if (len > OUTBOX_MAX_SIZE) {
		char *why = g_strdup_printf("the message is larger than %d MB", OUTBOX_MAX_SIZE >> 20);

		ok = outbox_failed(run, &o, true, why, error);
		g_free(why);
		goto out;
	}
	wire = outbox_wire_text(text, len);
	if (run->account->sendmail_argv != NULL) {
		sent = outbox_sendmail(run, &o, wire, &e);
	} else {
		char **rcpts = g_strsplit(o.rcpts, " ", -1);

		if (run->smtp == NULL && !outbox_connect(run, &e)) {
			*stop = true;
			ok = outbox_failed(run, &o, false, e->message, error);
			g_strfreev(rcpts);
			if (ok) {
				g_propagate_error(error, e);
				e = NULL;
				ok = false;
			}
			goto out;
		}
		sent = smtp_send(run->smtp, o.sender, (const char *const *)rcpts,
		    g_strv_length(rcpts), wire->str, wire->len, &reply, &e);
		g_strfreev(rcpts);
	}
	if (sent) {
		/* on record before the move: a crash from here on never sends it again */
		o.state = INDEX_OUTBOX_SENT;
		o.attempts++;
		g_clear_pointer(&o.error, g_free);
		if (!index_outbox_update(run->idx, &o, error))
			goto out;
		run->result->sent++;
		outbox_event(run, OUTBOX_EVENT_SENT, id, reply != NULL ? reply : "accepted");
		ok = outbox_finish(run, id, error);
		goto out;
	}
	if (e->domain == SMTP_ERROR && e->code == SMTP_ERROR_UNANSWERED) {
		char *why = g_strdup_printf("%s; it will be sent again", e->message);

		*stop = true;
		ok = outbox_failed(run, &o, false, why, error);
		g_free(why);
		goto out;
	}
	/* a 4xx or 5xx keeps the session, but for a 421; anything else has ended it */
	*stop = run->smtp != NULL && !smtp_alive(run->smtp);
	ok = outbox_failed(run, &o,
	    e->domain == SMTP_ERROR &&
		(e->code == SMTP_ERROR_REJECTED || e->code == SMTP_ERROR_TOO_BIG),
	    e->message, error);
out:
	g_clear_error(&e);
	if (wire != NULL)
		g_string_free(wire, TRUE);
	g_free(reply);
	g_free(text);
	g_free(path);
	index_outbox_clear(&o);
	index_message_clear(&msg);
	return ok;
}

bool
outbox_run(struct index *idx, const struct surat_config *config,
    const struct account_config *account, const struct outbox_options *options,
    struct outbox_result *result, GError **error)
{
	struct outbox_run run = { idx, config, account, options, result, NULL, NULL };
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GArray *orphans = g_array_new(FALSE, FALSE, sizeof(int64_t));
	char *lock_path;
	GError *e = NULL;
	bool ok = false, stop = false;
	int lock = -1;
	guint i;

	memset(result, 0, sizeof(*result));
	if (account->smtp == NULL && account->sendmail_argv == NULL) {
		g_set_error_literal(error, OUTBOX_ERROR, OUTBOX_ERROR_CONFIG,
		    "cannot send: set smtp = { host = ...; } or sendmail_command");
		goto out_unlocked;
	}
	if (!folder_create(config->store, account->name, OUTBOX_FOLDER, error))
		goto out_unlocked;
	lock_path = g_build_filename(account->maildir, ".send.lock", NULL);
	lock = store_lock(lock_path, account->timeout, options->abort, &e);
	g_free(lock_path);
	if (lock < 0) {
		g_set_error_literal(error, OUTBOX_ERROR, OUTBOX_ERROR_LOCK, e->message);
		g_error_free(e);
		goto out_unlocked;
	}
	if (!folder_recover(idx, config->store, error) ||
	    !index_outbox_orphans(idx, account->name, OUTBOX_FOLDER, orphans, error))
		goto out;
	for (i = 0; i < orphans->len; i++)
		if (!index_outbox_drop(idx, g_array_index(orphans, int64_t, i), error))
			goto out;
	if (!index_outbox_ids(idx, account->name, OUTBOX_FOLDER, ids, error))
		goto out;
	ok = true;
	for (i = 0; i < ids->len && ok && !stop; i++)
		ok = outbox_send_one(&run, g_array_index(ids, int64_t, i), &stop, error);
	if (stop && ok) {
		/* the rest of the queue waits for the next run, as it is */
		result->waiting += ids->len - i;
	}
	if (run.smtp != NULL) {
		(void)smtp_quit(run.smtp, NULL);
		smtp_session_free(run.smtp);
	}
out:
	close(lock);
out_unlocked:
	command_password_free(run.secret);
	g_array_unref(orphans);
	g_array_unref(ids);
	return ok;
}
