/*
 * fetch: the policy of one account's fetch.  pop3.c speaks, deliver.c
 * stores; this file decides, in the order DESIGN promise 1 asks:
 *
 *   lock the account -> recover unfinished deliveries -> connect and log in
 *   -> STAT, UIDL, LIST -> RETR what the index does not know (TOP n 0 for
 *   messages over max_size), delivered in batches (group commit) -> DELE
 *   only what is durably stored, and what was expunged here while
 *   delete_on_server_when_deleted is on -> QUIT, which commits the DELEs ->
 *   forget the expunged UIDLs the server no longer has.
 *
 * An error or an abort before QUIT leaves the server untouched (no QUIT, so
 * it rolls the DELEs back); what was committed stays committed and is known
 * by its UIDL next time.  Never prints: progress goes to the observer.
 *
 * Here: the order of a run (fetch_account), the lock, the secret and the
 * login, the UIDLs (digests of the headers when the server has none) and
 * each message as it arrives.  What to fetch, DELE and forget is
 * fetch-plan.c's; the store thread and the queue to it are fetch-store.c's
 * (fetch-private.h).  surat serverinfo is here too (fetch_serverinfo).
 */
#include "fetch-private.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "surat/command.h"
#include "surat/sanitize.h"
#include "surat/store.h"

G_DEFINE_QUARK(surat-fetch-error-quark, fetch_error)

/* SQLite's page cache for the fetch's writes, in KB (index_set_cache_kb). */
#define FETCH_INDEX_CACHE_KB  1024

/* Tell the observer about something that works but is unwise. */
void
fetch_warn(struct fetch_run *run, const char *fmt, ...)
{
	const struct fetch_observer *o = run->options->observer;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (o != NULL && o->warning != NULL)
		o->warning(o->data, run->account->name, text);
	g_free(text);
}

/* True when the caller asked to stop. */
static bool
fetch_aborted(const struct fetch_run *run, GError **error)
{
	if (run->options->abort != NULL && *run->options->abort) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_ABORT, "interrupted");
		return true;
	}
	return false;
}

/*
 * Take the account's lock (<maildir>/.lock), waiting up to the account's
 * timeout.  Returns the lock's fd, or -1.
 */
static int
fetch_lock(const struct account_config *account, volatile sig_atomic_t *abort, GError **error)
{
	char *path = g_build_filename(account->maildir, ".lock", NULL);
	GError *local = NULL;
	int fd = store_lock(path, account->timeout, abort, &local);

	if (fd < 0) {
		if (local->code == STORE_ERROR_BUSY)
			g_set_error(error, FETCH_ERROR, FETCH_ERROR_LOCK,
			    "another fetch is running (lock %s); gave up after %d s", path,
			    account->timeout);
		else
			g_set_error_literal(error, FETCH_ERROR, FETCH_ERROR_STORE, local->message);
		g_error_free(local);
	}
	g_free(path);
	return fd;
}

char *
fetch_secret(const struct account_config *account, GError **error)
{
	GError *local = NULL;
	char *secret = command_password(account->password, account->password_command,
	    account->timeout, &local);

	if (secret == NULL) {
		g_set_error_literal(error, FETCH_ERROR, FETCH_ERROR_SECRET, local->message);
		g_error_free(local);
	}
	return secret;
}

void
fetch_secret_free(char *secret)
{
	command_password_free(secret);
}

const char *
fetch_error_word(const GError *error)
{
	static const char *const pop3_words[] = {
		[POP3_ERROR_IO] = "io",
		[POP3_ERROR_TIMEOUT] = "timeout",
		[POP3_ERROR_TLS] = "tls",
		[POP3_ERROR_INSECURE] = "insecure",
		[POP3_ERROR_PROTOCOL] = "protocol",
		[POP3_ERROR_AUTH] = "auth",
		[POP3_ERROR_IN_USE] = "in-use",
		[POP3_ERROR_LOGIN_DELAY] = "login-delay",
		[POP3_ERROR_SYS_TEMP] = "sys-temp",
		[POP3_ERROR_SYS_PERM] = "sys-perm",
		[POP3_ERROR_SERVER] = "server",
		[POP3_ERROR_UNSUPPORTED] = "unsupported",
		[POP3_ERROR_ABORT] = "abort",
	};

	if (error == NULL)
		return "io";
	if (error->domain == POP3_ERROR && error->code >= 0 &&
	    (size_t)error->code < G_N_ELEMENTS(pop3_words) && pop3_words[error->code] != NULL)
		return pop3_words[error->code];
	if (error->domain == FETCH_ERROR)
		return error->code == FETCH_ERROR_LOCK ? "lock" :
		    error->code == FETCH_ERROR_SECRET ? "config" : "store";
	return "store";
}

/* The pop3_open options for ACCOUNT. */
static void
fetch_open_options(const struct account_config *account, bool pipelining, pop3_trace_fn trace,
    void *trace_data, volatile sig_atomic_t *abort, struct pop3_open_options *o)
{
	memset(o, 0, sizeof *o);
	o->host = account->host;
	o->port = account->port;
	o->tls = account->tls;
	o->ca_file = account->ca_file;
	o->fingerprint = account->fingerprint;
	o->timeout = account->timeout;
	o->pipelining = pipelining;
	o->trace = trace;
	o->trace_data = trace_data;
	o->abort = abort;
}

/* Connect and log in; the secret lives only as long as this call. */
static struct pop3_session *
fetch_connect(struct fetch_run *run, GError **error)
{
	const struct account_config *a = run->account;
	const struct fetch_observer *o = run->options->observer;
	struct pop3_open_options opts;
	struct pop3_session *s;
	const struct pop3_caps *caps;
	char *secret;
	bool ok;

	fetch_open_options(a, run->options->pipelining, run->options->trace,
	    run->options->trace_data, run->options->abort, &opts);
	s = pop3_open(&opts, error);
	if (s == NULL)
		return NULL;
	caps = pop3_caps(s);
	if (caps->login_delay > 0 && o != NULL && o->login_delay != NULL)
		o->login_delay(o->data, a->name, caps->login_delay);
	if (a->keep && caps->expire == 0)
		fetch_warn(run, "the server says EXPIRE 0: it may delete mail once fetched, "
				"although keep = true");
	else if (a->keep && caps->expire > 0 && a->delete_after_days == 0)
		fetch_warn(run, "the server deletes mail %d days after it is fetched (EXPIRE %d)",
		    caps->expire, caps->expire);
	secret = fetch_secret(a, error);
	if (secret == NULL) {
		pop3_session_free(s);
		return NULL;
	}
	ok = pop3_login(s, a->auth, a->user, secret, a->tls == POP3_TLS_NONE, error);
	fetch_secret_free(secret);
	if (!ok) {
		pop3_session_free(s);
		return NULL;
	}
	return s;
}

/*
 * The pop3_msg of message NUM, or NULL when the server did not list it.
 * The number is the key, never the position: a listing may skip numbers
 * (pop3_uidl and pop3_list leave MSGS in number order).
 */
static struct pop3_msg *
fetch_msg(struct fetch_run *run, unsigned int num)
{
	guint lo = 0, hi = run->msgs->len;

	while (lo < hi) {
		guint mid = lo + (hi - lo) / 2;
		struct pop3_msg *m = &g_array_index(run->msgs, struct pop3_msg, mid);

		if (m->num == num)
			return m;
		if (m->num < num)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * A piece of message NUM (pop3_piece_fn): whole or headers-only (PARTIAL),
 * or for --rest the rest of ROW.  A message that comes in one piece is
 * queued from memory; a larger one is written to a tmp file piece by piece
 * (deliver_stream), so no message is ever held whole: the memory a fetch
 * needs does not grow with the largest message.
 */
static bool
fetch_piece(struct fetch_run *run, unsigned int num, const char *buf, size_t len, bool last,
    bool partial, bool rest, GError **error)
{
	const struct fetch_observer *o = run->options->observer;
	struct pop3_msg *m = fetch_msg(run, num);
	const struct index_message *row = NULL;
	struct deliver_stream *stream;
	size_t size;

	if (m == NULL || m->uidl == NULL ||
	    (rest && (row = g_hash_table_lookup(run->rows, m->uidl)) == NULL)) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "the server sent message %u, which %s", num,
		    rest ? "was not asked for" : "it did not list");
		return false;
	}
	if (run->stream == NULL && !last) {
		run->stream = deliver_stream_open(run->deliver, row, error);
		if (run->stream == NULL)
			return false;
	}
	if (run->stream != NULL && !deliver_stream_write(run->stream, buf, len, error))
		return false;
	if (!last)
		return true;
	stream = run->stream;
	run->stream = NULL;
	size = stream != NULL ? deliver_stream_size(stream) : len;
	run->received++;
	if (o != NULL && o->message != NULL)
		o->message(o->data, run->account->name, run->received, size);
	return fetch_store_queue(run, buf, len, stream, m->uidl, partial, row, error);
}

/* RETR callback: a whole message. */
bool
fetch_on_message(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error)
{
	return fetch_piece(data, num, buf, len, last, false, false, error);
}

/* TOP n 0 callback: the headers of a message over max_size. */
bool
fetch_on_top(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error)
{
	return fetch_piece(data, num, buf, len, last, true, false, error);
}

/* RETR callback for --rest: the whole of a message stored headers-only. */
bool
fetch_on_rest(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error)
{
	return fetch_piece(data, num, buf, len, last, false, true, error);
}

/* After RETR or TOP: a message cut off by an error is not delivered. */
void
fetch_pieces_end(struct fetch_run *run)
{
	deliver_stream_discard(run->stream);
	run->stream = NULL;
}

/*
 * TOP (or RETR) callback when the server has no UIDL: name the message by
 * a digest of its header block, the bytes up to the first empty line (TOP
 * n 0 may add an empty body line), hashed piece by piece as they come.
 */
static bool
fetch_on_headers(void *data, unsigned int num, const char *buf, size_t len, bool last,
    GError **error)
{
	struct fetch_run *run = data;
	struct pop3_msg *m = fetch_msg(run, num);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0, i;
	const char *end;
	size_t head = len;
	GString *uidl;

	if (m == NULL) {
		g_set_error(error, POP3_ERROR, POP3_ERROR_PROTOCOL,
		    "the server sent message %u, which it did not list", num);
		return false;
	}
	if (run->head_md == NULL) {
		run->head_md = EVP_MD_CTX_new();
		if (run->head_md == NULL || !EVP_DigestInit_ex(run->head_md, EVP_sha256(), NULL))
			goto digest_failed;
		run->head_done = false;
		run->head_nl = false;
	}
	if (!run->head_done && len > 0) {
		if (run->head_nl && buf[0] == '\n') {
			head = 0;
			run->head_done = true;
		} else if ((end = memmem(buf, len, "\n\n", 2)) != NULL) {
			head = (size_t)(end - buf) + 1;
			run->head_done = true;
		}
		if (!EVP_DigestUpdate(run->head_md, buf, head))
			goto digest_failed;
		run->head_nl = buf[len - 1] == '\n';
	}
	if (!last)
		return true;
	if (!EVP_DigestFinal_ex(run->head_md, md, &md_len))
		goto digest_failed;
	EVP_MD_CTX_free(run->head_md);
	run->head_md = NULL;
	/*
	 * The headers' digest and the size: two different messages would need
	 * the same Received:, Message-ID: and Date: lines and the same length.
	 * The same key twice on one server (a message delivered twice) gets a
	 * suffix, so each copy is fetched and stored once.
	 */
	uidl = g_string_new("sha256-");
	for (i = 0; i < 20 && i < md_len; i++)
		g_string_append_printf(uidl, "%02x", md[i]);
	g_string_append_printf(uidl, "-%" G_GUINT64_FORMAT, m->size);
	for (i = 2; g_hash_table_contains(run->digests, uidl->str); i++) {
		char *base = g_strdup(uidl->str);
		char *dash = strrchr(base, '+');

		if (dash != NULL && i > 2)
			*dash = '\0';
		g_string_printf(uidl, "%s+%u", base, i);
		g_free(base);
	}
	g_hash_table_add(run->digests, g_strdup(uidl->str));
	g_free(m->uidl);
	m->uidl = g_string_free(uidl, FALSE);
	return true;
digest_failed:
	g_set_error(error, FETCH_ERROR, FETCH_ERROR_STORE, "cannot compute a digest");
	return false;
}

/*
 * Give each message a UIDL: the server's, or without UIDL support a digest
 * of its headers (the same message gives the same digest every time).
 */
static bool
fetch_uidls(struct fetch_run *run, GError **error)
{
	GError *local = NULL;
	unsigned int *nums;
	guint i;
	bool ok;

	/* Sizes (LIST) are read later, and only when something is to be fetched. */
	if (pop3_uidl(run->session, run->msgs, &local))
		return true;
	if (!g_error_matches(local, POP3_ERROR, POP3_ERROR_UNSUPPORTED)) {
		g_propagate_error(error, local);
		return false;
	}
	g_clear_error(&local);
	if (!pop3_list(run->session, run->msgs, error))
		return false;
	run->listed = true;
	run->digest_uidls = true;
	fetch_warn(run, "the server has no UIDL: messages are recognised by a digest of their "
			"headers");
	nums = g_new(unsigned int, run->msgs->len);
	for (i = 0; i < run->msgs->len; i++)
		nums[i] = g_array_index(run->msgs, struct pop3_msg, i).num;
	ok = pop3_top_pieces(run->session, nums, run->msgs->len, 0, fetch_on_headers, run, &local);
	if (!ok && g_error_matches(local, POP3_ERROR, POP3_ERROR_UNSUPPORTED)) {
		/* No TOP either: the whole message gives the headers (hashed as it passes). */
		g_clear_error(&local);
		EVP_MD_CTX_free(run->head_md);
		run->head_md = NULL;
		ok = pop3_retr_pieces(run->session, nums, run->msgs->len, fetch_on_headers, run,
		    &local);
	}
	EVP_MD_CTX_free(run->head_md);
	run->head_md = NULL;
	g_free(nums);
	if (!ok)
		g_propagate_error(error, local);
	return ok;
}

/* The local half of getting ready: the index, recovery, the known UIDLs. */
struct fetch_local {
	struct fetch_run *run;
	const char *path;
	bool ok;
	GError *error;
};

/* Thread: open the index, settle unfinished deliveries, load the UIDLs. */
static gpointer
fetch_local_main(gpointer data)
{
	struct fetch_local *local = data;
	struct fetch_run *run = local->run;

	run->idx = index_open(local->path, &local->error);
	if (run->idx != NULL && !index_set_cache_kb(run->idx, FETCH_INDEX_CACHE_KB, &local->error)) {
		local->ok = false;
		return NULL;
	}
	/* Recovery first: what a crash left half-done is settled before UIDLs are compared. */
	if (run->idx != NULL)
		run->deliver = deliver_open(run->idx, run->account->name, run->account->maildir,
		    (const char *const *)run->config->charset_fallbacks, &local->error);
	/* The bodies' full-text entries are made after the fetch (reindex_bodies). */
	if (run->deliver != NULL)
		deliver_set_bodies_later(run->deliver, true);
	local->ok = run->deliver != NULL && fetch_plan_load_known(run, &local->error);
	return NULL;
}

bool
fetch_account(const struct surat_config *config, const struct account_config *account,
    const struct fetch_options *options, GError **error)
{
	struct fetch_run run;
	char *index_path = NULL;
	unsigned int count = 0;
	uint64_t size = 0;
	struct fetch_local local = { 0 };
	GThread *local_thread;
	int lock = -1;
	bool ok = false, fetched;

	memset(&run, 0, sizeof run);
	run.config = config;
	run.account = account;
	run.options = options;
	run.msgs = g_array_new(FALSE, TRUE, sizeof(struct pop3_msg));
	g_array_set_clear_func(run.msgs, (GDestroyNotify)pop3_msg_clear);
	run.known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	run.rows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)index_message_free);
	run.deleled = g_ptr_array_new();
	run.digests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	if (!store_maildir_create(account->maildir, error))
		goto out;
	lock = fetch_lock(account, options->abort, error);
	if (lock < 0)
		goto out;
	index_path = g_build_filename(config->store, "index.db", NULL);
	/*
	 * The index is opened, recovered and read on a thread while this one
	 * connects and logs in: neither waits for the other.
	 */
	local.run = &run;
	local.path = index_path;
	local_thread = g_thread_new("surat-index", fetch_local_main, &local);
	if (!fetch_aborted(&run, error))
		run.session = fetch_connect(&run, error);
	g_thread_join(local_thread);
	if (run.session == NULL) {
		g_clear_error(&local.error);
		goto out;
	}
	if (!local.ok) {
		g_propagate_error(error, local.error);
		goto out;
	}
	if (!pop3_stat(run.session, &count, &size, error))
		goto out;
	if (count > 0 && !fetch_uidls(&run, error))
		goto out;
	if (options->rest && !fetch_plan_load_rest(&run, error))
		goto out;
	fetch_store_start(&run);
	fetched = options->rest ? fetch_plan_rest(&run, error) : fetch_plan_new(&run, error);
	/* Whatever arrived complete is stored, even after an error or abort. */
	if (!fetch_store_finish(&run, fetched ? error : NULL) || !fetched)
		goto out;
	if (fetch_aborted(&run, error))
		goto out;
	if (!options->rest && !fetch_plan_delete(&run, error))
		goto out;
	if (!pop3_quit(run.session, error))
		goto out;
	if (!fetch_plan_forget_gone(&run, error))
		goto out;
	if (run.deleted > 0 && options->observer != NULL && options->observer->deleted != NULL)
		options->observer->deleted(options->observer->data, account->name, run.deleted);
	ok = true;
out:
	if (options->fetched != NULL)
		*options->fetched = run.stored;
	if (options->deleted != NULL)
		*options->deleted = ok ? run.deleted : 0;
	/* Without QUIT (error or abort) the server rolls back every DELE. */
	fetch_store_finish(&run, NULL);
	pop3_session_free(run.session);
	/* Messages received but not committed are dropped; the next run gets them. */
	deliver_free(run.deliver);
	index_free(run.idx);
	if (lock >= 0)
		close(lock);
	g_free(index_path);
	g_ptr_array_free(run.deleled, TRUE);
	g_hash_table_destroy(run.digests);
	g_hash_table_destroy(run.rows);
	g_hash_table_destroy(run.known);
	g_array_free(run.msgs, TRUE);
	return ok;
}

/* Append one "name: value" line to OUT. */
static void
fetch_info_line(GString *out, const char *name, const char *value)
{
	char *clean = sanitize_text(value != NULL ? value : "", -1, 0);

	g_string_append_printf(out, "%-16s %s\n", name, clean);
	g_free(clean);
}

bool
fetch_serverinfo(const struct account_config *account, bool login, pop3_trace_fn trace,
    void *trace_data, GString *out, GError **error)
{
	struct pop3_open_options opts;
	const struct pop3_caps *caps;
	const struct pop3_tls_info *tls;
	struct pop3_session *s;
	GString *list;
	char *secret, *text;
	bool ok = true;
	int i;

	fetch_open_options(account, true, trace, trace_data, NULL, &opts);
	s = pop3_open(&opts, error);
	if (s == NULL)
		return false;
	caps = pop3_caps(s);
	text = g_strdup_printf("%s:%d (%s)", account->host, account->port,
	    config_tls_name(account->tls));
	fetch_info_line(out, "server", text);
	g_free(text);
	fetch_info_line(out, "greeting", pop3_greeting(s));
	tls = pop3_tls_info(s);
	if (tls != NULL) {
		text = g_strdup_printf("%s, %s", tls->protocol, tls->cipher);
		fetch_info_line(out, "tls", text);
		g_free(text);
		fetch_info_line(out, "subject", tls->subject);
		fetch_info_line(out, "issuer", tls->issuer);
		text = g_strdup_printf("%s to %s", tls->not_before, tls->not_after);
		fetch_info_line(out, "valid", text);
		g_free(text);
		fetch_info_line(out, "fingerprint", tls->fingerprint);
	} else {
		fetch_info_line(out, "tls", "none: the connection is not encrypted");
	}
	if (!caps->capa) {
		fetch_info_line(out, "capabilities", "(the server does not answer CAPA)");
	} else {
		list = g_string_new(NULL);
		if (caps->user)
			g_string_append(list, "USER ");
		if (caps->top)
			g_string_append(list, "TOP ");
		if (caps->uidl)
			g_string_append(list, "UIDL ");
		if (caps->pipelining)
			g_string_append(list, "PIPELINING ");
		if (caps->resp_codes)
			g_string_append(list, "RESP-CODES ");
		if (caps->auth_resp_code)
			g_string_append(list, "AUTH-RESP-CODE ");
		/* After STLS the server no longer lists it, but it was offered. */
		if (caps->stls || account->tls == POP3_TLS_STARTTLS)
			g_string_append(list, "STLS ");
		if (caps->utf8)
			g_string_append(list, "UTF8 ");
		fetch_info_line(out, "capabilities", g_strstrip(list->str));
		g_string_truncate(list, 0);
		for (i = 0; caps->sasl != NULL && caps->sasl[i] != NULL; i++)
			g_string_append_printf(list, "%s%s", i > 0 ? " " : "", caps->sasl[i]);
		fetch_info_line(out, "sasl", list->len > 0 ? list->str : "(none)");
		g_string_free(list, TRUE);
		fetch_info_line(out, "implementation", caps->implementation != NULL ?
		    caps->implementation : "(not given)");
		text = caps->login_delay >= 0 ?
		    g_strdup_printf("%d s between logins", caps->login_delay) :
		    g_strdup("(not given)");
		fetch_info_line(out, "login-delay", text);
		g_free(text);
		text = caps->expire == POP3_EXPIRE_NONE ? g_strdup("(not given)") :
		    caps->expire == POP3_EXPIRE_NEVER ? g_strdup("never: mail stays on the server") :
		    caps->expire == 0 ? g_strdup("0: mail may be deleted once fetched") :
		    g_strdup_printf("%d days after it is fetched", caps->expire);
		fetch_info_line(out, "expire", text);
		g_free(text);
	}
	if (login) {
		secret = fetch_secret(account, error);
		ok = secret != NULL &&
		    pop3_login(s, account->auth, account->user, secret,
			account->tls == POP3_TLS_NONE, error);
		fetch_secret_free(secret);
		if (ok) {
			unsigned int count = 0;
			uint64_t size = 0;

			fetch_info_line(out, "login", pop3_auth_used(s));
			if (pop3_stat(s, &count, &size, error)) {
				text = g_strdup_printf("%u messages, %" G_GUINT64_FORMAT " bytes", count,
				    size);
				fetch_info_line(out, "mailbox", text);
				g_free(text);
				ok = pop3_quit(s, error);
			} else {
				ok = false;
			}
		}
	}
	pop3_session_free(s);
	return ok;
}
