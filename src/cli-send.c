/*
 * cli-send: `surat send`, the headless sender (DESIGN "Interfaces"), for
 * cron, scripts, git send-email --sendmail-cmd and mailto handlers:
 *
 *   surat send [-t] [-v] [--account NAME] [-f ADDRESS] [RECIPIENT...] < MESSAGE
 *   surat send --queue [-v] [--due] [--events-fd N] [ACCOUNT...]
 *
 * The first queues the message in the account's Outbox (durable before
 * anything goes out), then runs that Outbox: exit 0 once the server
 * accepted the message, 1 when it stays queued (the reason on stderr), 2
 * for a usage or configuration error.  The second runs the Outboxes of the
 * accounts named (all that can send when none is) and exits 0 when nothing
 * is left in them; with --due it sends only what is due (a waiting message
 * whose next try has come; refused ones stay), and with --events-fd it
 * writes events.h's sender lines to descriptor N, as the interface's
 * background sender (ui/sender.c) reads them.  sendmail's -i, -oi, -oem and -odb are taken and
 * ignored, so surat can stand where a sendmail is expected.
 */
#include "surat/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "surat/events.h"

#include "surat/index.h"
#include "surat/outbox.h"
#include "surat/sanitize.h"
#include "surat/store.h"

#define CLI_SEND_USAGE                                                                      \
	"usage: surat [-c FILE] send [-t] [-v] [--account NAME] [-f ADDRESS] [RECIPIENT...] " \
	"< MESSAGE\n"                                                                        \
	"       surat [-c FILE] send --queue [-v] [--due] [--events-fd N] [ACCOUNT...]\n"

struct cli_send_args {
	bool t;
	bool queue;
	bool verbose;
	bool due;          /* --due: only what is due, as a background run */
	int events_fd;     /* --events-fd N, or -1 */
	const char *account;
	const char *sender;
	GPtrArray *rcpts; /* borrowed argv words */
};

/* Parse ARGV; false (usage printed) when it is not a send command line. */
static bool
cli_send_parse(int argc, char **argv, struct cli_send_args *a)
{
	int i;
	bool options = true;

	for (i = 1; i < argc; i++) {
		const char *w = argv[i];

		if (options && strcmp(w, "--") == 0) {
			options = false;
		} else if (options && strcmp(w, "-t") == 0) {
			a->t = true;
		} else if (options && strcmp(w, "--queue") == 0) {
			a->queue = true;
		} else if (options && strcmp(w, "-v") == 0) {
			a->verbose = true;
		} else if (options && strcmp(w, "--due") == 0) {
			a->due = true;
		} else if (options && strcmp(w, "--events-fd") == 0 && i + 1 < argc) {
			char *end;

			w = argv[++i];
			a->events_fd = (int)strtol(w, &end, 10);
			if (*end != '\0' || a->events_fd < 3 || fcntl(a->events_fd, F_GETFD) < 0) {
				cli_stderr("surat send: --events-fd %s: not an open descriptor", w);
				return false;
			}
		} else if (options && strcmp(w, "--account") == 0 && i + 1 < argc) {
			a->account = argv[++i];
		} else if (options && strcmp(w, "-f") == 0 && i + 1 < argc) {
			a->sender = argv[++i];
		} else if (options && (strcmp(w, "-i") == 0 || strcmp(w, "-oi") == 0 ||
			       strcmp(w, "-oem") == 0 || strcmp(w, "-odb") == 0)) {
			/* sendmail's: lone dots, error mail, background delivery */
		} else if (options && w[0] == '-') {
			cli_stderr("surat send: unknown option %s", w);
			fputs(CLI_SEND_USAGE, stderr);
			return false;
		} else {
			g_ptr_array_add(a->rcpts, (gpointer)w);
		}
	}
	if ((a->due || a->events_fd >= 0) && !a->queue) {
		cli_stderr("surat send: --due and --events-fd go with --queue");
		fputs(CLI_SEND_USAGE, stderr);
		return false;
	}
	if (a->queue && (a->t || a->account != NULL || a->sender != NULL)) {
		fputs(CLI_SEND_USAGE, stderr);
		return false;
	}
	if (!a->queue && !a->t && a->rcpts->len == 0) {
		cli_stderr("surat send: no recipients: name them, or give -t to take them from the "
			   "message's To, Cc and Bcc");
		fputs(CLI_SEND_USAGE, stderr);
		return false;
	}
	return true;
}

/* True when ACCOUNT can send (smtp or sendmail_command). */
static bool
cli_send_can(const struct account_config *account)
{
	return account->smtp != NULL || account->sendmail_argv != NULL;
}

/*
 * The account to send TEXT from: NAME, else the one whose from address is
 * the message's sender, else the first that can send.  NULL (error printed)
 * when there is none.
 */
static const struct account_config *
cli_send_account(const struct surat_config *config, const char *name, const char *sender)
{
	size_t i;

	if (name != NULL) {
		const struct account_config *a = config_account(config, name);

		if (a == NULL)
			cli_stderr("surat send: %s: no account named %s", config->path, name);
		return a;
	}
	for (i = 0; sender != NULL && i < config->n_accounts; i++) {
		const struct account_config *a = &config->accounts[i];

		if (cli_send_can(a) && a->from_address != NULL &&
		    g_ascii_strcasecmp(a->from_address, sender) == 0)
			return a;
	}
	for (i = 0; i < config->n_accounts; i++)
		if (cli_send_can(&config->accounts[i]))
			return &config->accounts[i];
	cli_stderr("surat send: %s: no account can send: give one smtp = { host = ...; } or "
		   "sendmail_command",
	    config->path);
	return NULL;
}

/* What a run's events are printed with, and written to --events-fd's descriptor. */
struct cli_send_print {
	bool verbose;
	char *told;          /* the reason the last message told of stays, or NULL (g_free) */
	int64_t id;          /* the message `surat send` queued, or 0 */
	bool id_told;        /* a line said why it stays */
	int events_fd;       /* --events-fd, or -1 */
	const char *account; /* for the event lines */
};

/* Print what a run does: -v's dialogue, and every message left behind; and the event lines. */
static void
cli_send_event(void *data, enum outbox_event_kind kind, int64_t id, const char *text)
{
	struct cli_send_print *p = data;

	if (p->events_fd >= 0 && kind == OUTBOX_EVENT_SENT)
		events_send(p->events_fd, EVENT_SENT, p->account, id, 0);
	else if (p->events_fd >= 0 && kind == OUTBOX_EVENT_WAITING)
		events_send_id_text(p->events_fd, EVENT_WAIT, p->account, id, text);
	else if (p->events_fd >= 0 && kind == OUTBOX_EVENT_REFUSED)
		events_send_id_text(p->events_fd, EVENT_REFUSED, p->account, id, text);
	switch (kind) {
	case OUTBOX_EVENT_CONNECT:
		if (p->verbose)
			cli_stderr("surat send: connecting to %s", text);
		break;
	case OUTBOX_EVENT_TRACE:
		if (p->verbose)
			cli_stderr("%s", text);
		break;
	case OUTBOX_EVENT_SENT:
		if (p->verbose)
			cli_stderr("surat send: account %s: message %lld sent: %s", p->account,
			    (long long)id, text);
		break;
	case OUTBOX_EVENT_WAITING:
		cli_stderr("surat send: account %s: message %lld stays in the Outbox for a later "
			   "try: %s",
		    p->account, (long long)id, text);
		break;
	case OUTBOX_EVENT_REFUSED:
		cli_stderr("surat send: account %s: message %lld was refused and stays in the "
			   "Outbox: %s",
		    p->account, (long long)id, text);
		break;
	}
	if (kind == OUTBOX_EVENT_WAITING || kind == OUTBOX_EVENT_REFUSED) {
		g_free(p->told);
		p->told = g_strdup(text);
		p->id_told = p->id_told || (id == p->id && id != 0);
	}
}

/* Read standard input whole, at most OUTBOX_MAX_SIZE bytes; NULL (error printed) else. */
static GString *
cli_send_read_stdin(void)
{
	GString *text = g_string_sized_new(65536);
	char buf[65536];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			cli_stderr("surat send: cannot read the message: %s", g_strerror(errno));
			g_string_free(text, TRUE);
			return NULL;
		}
		g_string_append_len(text, buf, n);
		if (text->len > OUTBOX_MAX_SIZE) {
			cli_stderr("surat send: the message is larger than %d MB",
			    OUTBOX_MAX_SIZE >> 20);
			g_string_free(text, TRUE);
			return NULL;
		}
	}
	return text;
}

/* Queue the message on standard input; its row in *ID.  0, or the exit status. */
static int
cli_send_queue_stdin(struct index *idx, const struct surat_config *config,
    const struct cli_send_args *a, const struct account_config **account, int64_t *id)
{
	GString *in = cli_send_read_stdin();
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	char *text = NULL, *header_sender = NULL;
	const char *sender;
	size_t len = 0;
	GError *error = NULL;
	int status = 1;
	guint i;

	if (in == NULL)
		goto out;
	/* the header's addresses: -t's recipients, and which account sends */
	if (!outbox_envelope(in->str, in->len, &header_sender, rcpts, &error)) {
		bool needed = a->t && rcpts->len == 0;

		g_clear_error(&error);
		if (needed) {
			cli_stderr("surat send: -t: the message has no recipient in To, Cc or Bcc");
			status = 2;
			goto out;
		}
	}
	if (!a->t)
		g_ptr_array_set_size(rcpts, 0);
	for (i = 0; i < a->rcpts->len; i++)
		g_ptr_array_add(rcpts, g_strdup(g_ptr_array_index(a->rcpts, i)));
	*account = cli_send_account(config, a->account,
	    a->sender != NULL ? a->sender : header_sender);
	if (*account == NULL) {
		status = 2;
		goto out;
	}
	sender = a->sender != NULL ? a->sender :
	    (*account)->from_address != NULL ? (*account)->from_address :
					       header_sender;
	if (sender == NULL) {
		cli_stderr("surat send: account %s: no sender: set from = \"Name <address>\", or "
			   "give the message a From",
		    (*account)->name);
		status = 2;
		goto out;
	}
	text = outbox_prepare(*account, in->str, in->len, &len, &error);
	g_ptr_array_add(rcpts, NULL);
	if (text == NULL ||
	    !outbox_queue(idx, config, *account, text, len, sender,
		(const char *const *)rcpts->pdata, rcpts->len - 1, NULL, id, &error)) {
		cli_stderr("surat send: %s", error->message);
		status = error->domain == OUTBOX_ERROR ? 2 : 1;
		g_clear_error(&error);
		goto out;
	}
	status = 0;
out:
	g_free(header_sender);
	g_free(text);
	g_ptr_array_unref(rcpts);
	if (in != NULL)
		g_string_free(in, TRUE);
	return status;
}

/* How many of ACCOUNT's Outbox messages a run sends (ALL: refused and waiting ones too). */
static int64_t
cli_send_due(struct index *idx, const struct account_config *account, bool all)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t n = 0, now = (int64_t)time(NULL);
	guint i;

	if (index_outbox_ids(idx, account->name, OUTBOX_FOLDER, ids, NULL)) {
		for (i = 0; i < ids->len; i++) {
			struct index_outbox o = { 0 };
			bool waiting;

			if (!index_outbox_get(idx, g_array_index(ids, int64_t, i), &o, NULL)) {
				index_outbox_clear(&o);
				continue;
			}
			waiting = o.state == INDEX_OUTBOX_WAITING;
			/* no entry yet (a file put there by hand): tried at once */
			if (o.id == 0 || (waiting && (all || o.next_try <= now)) ||
			    (all && o.state == INDEX_OUTBOX_REFUSED))
				n++;
			index_outbox_clear(&o);
		}
	}
	g_array_unref(ids);
	return n;
}

/*
 * Run ACCOUNT's Outbox; 0 when nothing is left in it, else 1 (reasons
 * printed).  ALL: also what waits for a later try or was refused.  ID
 * (or 0): a message whose line, if one said why it stays, sets *ID_TOLD.
 * With EVENTS_FD (>= 0), the run's events as lines there: send, sent,
 * wait, refused, error, done.
 */
static int
cli_send_run(struct index *idx, const struct surat_config *config,
    const struct account_config *account, bool all, bool verbose, int events_fd, int64_t id,
    bool *id_told, struct outbox_result *result)
{
	struct cli_send_print p = { .verbose = verbose, .id = id, .events_fd = events_fd,
		.account = account->name };
	struct outbox_options o = { .all = all, .trace = verbose, .event = cli_send_event,
		.event_data = &p };
	struct outbox_result before = *result;
	GError *error = NULL;
	bool ok;

	if (events_fd >= 0)
		events_send(events_fd, EVENT_SEND, account->name, cli_send_due(idx, account, all),
		    0);
	ok = outbox_run(idx, config, account, &o, result, &error);
	/*
	 * A server that could not be reached or logged in to fails the run with
	 * the reason the message it was for was just told to stay: one line.
	 */
	if (!ok && (p.told == NULL || strcmp(p.told, error->message) != 0))
		cli_stderr("surat send: account %s: %s", account->name, error->message);
	if (events_fd >= 0 && !ok)
		events_send_text(events_fd, EVENT_ERROR, account->name,
		    g_error_matches(error, OUTBOX_ERROR, OUTBOX_ERROR_LOCK) ? "lock" :
		    g_error_matches(error, OUTBOX_ERROR, OUTBOX_ERROR_CONFIG) ? "config" : "send",
		    error->message);
	else if (events_fd >= 0)
		events_send(events_fd, EVENT_DONE, account->name, result->sent - before.sent,
		    (result->waiting - before.waiting) + (result->refused - before.refused));
	g_clear_error(&error);
	g_free(p.told);
	if (id_told != NULL)
		*id_told = p.id_told;
	return ok && result->waiting + result->refused == 0 ? 0 : 1;
}

int
cli_send(const char *cli_path, int argc, char **argv)
{
	struct cli_send_args a = { .events_fd = -1, .rcpts = g_ptr_array_new() };
	struct surat_config *config = NULL;
	struct index *idx = NULL;
	struct outbox_result result = { 0 };
	GError *error = NULL;
	char *path = NULL;
	int status;
	size_t i;

	/*
	 * A reader that went away is no reason to stop half way: the
	 * interface's background sender outlives the interface (a session of
	 * its own), and when that was killed, the next event line would end
	 * the run between the server's answer and its record in the index
	 * (a message accepted left in the Outbox, or a final dot never
	 * answered without its reason).  A write to a closed pipe fails
	 * instead, and the run goes on (events_write ignores the failure).
	 */
	signal(SIGPIPE, SIG_IGN);
	if (!cli_send_parse(argc, argv, &a)) {
		g_ptr_array_unref(a.rcpts);
		return 2;
	}
	if ((status = cli_load_config(cli_path, &config)) != 0)
		goto out;
	status = 1;
	path = g_build_filename(config->store, "index.db", NULL);
	if (g_mkdir_with_parents(config->store, 0700) != 0 ||
	    !store_make_private(config->store, &error) ||
	    (idx = index_open(path, &error)) == NULL) {
		cli_stderr("surat send: %s", error != NULL ? error->message : g_strerror(errno));
		g_clear_error(&error);
		goto out;
	}
	if (!a.queue) {
		const struct account_config *account = NULL;
		int64_t id = 0;

		status = cli_send_queue_stdin(idx, config, &a, &account, &id);
		if (status == 0) {
			struct index_outbox o = { 0 };
			bool told = false;

			/* older messages go along when their time has come; refused ones stay */
			(void)cli_send_run(idx, config, account, false, a.verbose, -1, id, &told,
			    &result);
			/*
			 * The exit status is this message's, whatever older ones did:
			 * accepted when its entry is gone (moved to Sent) or marked sent.
			 */
			status = index_outbox_get(idx, id, &o, NULL) &&
				(o.id == 0 || o.state == INDEX_OUTBOX_SENT) ? 0 : 1;
			index_outbox_clear(&o);
			/* an older message may have ended the run before its turn: say it stays */
			if (status != 0 && !told)
				cli_stderr("surat send: account %s: message %lld stays in the Outbox for "
					   "a later try: it was not tried after the failure above",
				    account->name, (long long)id);
		}
		goto out;
	}
	status = 0;
	if (a.events_fd >= 0)
		events_send(a.events_fd, EVENT_HELLO, NULL, EVENTS_VERSION, 0);
	if (a.rcpts->len > 0) {
		for (i = 0; i < a.rcpts->len; i++) {
			const struct account_config *account =
			    config_account(config, g_ptr_array_index(a.rcpts, i));

			if (account == NULL) {
				cli_stderr("surat send: %s: no account named %s", config->path,
				    (const char *)g_ptr_array_index(a.rcpts, i));
				status = 2;
				goto out;
			}
			if (cli_send_run(idx, config, account, !a.due, a.verbose, a.events_fd, 0,
			    NULL, &result) != 0)
				status = 1;
		}
		goto out;
	}
	for (i = 0; i < config->n_accounts; i++)
		if (cli_send_can(&config->accounts[i]) &&
		    cli_send_run(idx, config, &config->accounts[i], !a.due, a.verbose, a.events_fd,
			0, NULL, &result) != 0)
			status = 1;
out:
	if (idx != NULL)
		index_free(idx);
	g_free(path);
	config_free(config);
	g_ptr_array_unref(a.rcpts);
	return status;
}
