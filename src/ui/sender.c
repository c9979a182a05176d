/*
 * ui/sender: the background sender (src/outbox.c is the policy of one run,
 * cli-send.c the `surat send` command), run as the fetcher is: `surat send
 * --queue --due --events-fd 3 ACCOUNT` as a child in a session of its own,
 * its output to <store>/fetch.log, its event lines (events.h) read here, so
 * y returns to the index at once and the network never holds the
 * interface (DESIGN promise 5: the message is already durable in the
 * Outbox when the child starts).
 *
 * One child at a time, for one account; an account with a new message
 * waits for the running child.  A message left waiting is tried again when
 * its next_try (in the index) comes; a refused one stays until the user
 * acts, its reason on the status line.
 */
#include <string.h>
#include <time.h>

#include "private.h"
#include "surat/command.h"
#include "surat/events.h"
#include "surat/outbox.h"

#define SEND_STOP_WAIT_MS 5000
#define SEND_SENT_SHOWN   (10 * G_USEC_PER_SEC) /* "sent" stays this long */

struct ui_sender_account {
	const struct account_config *account;
	gint64 next;    /* monotonic time of the next run, or 0: none asked for */
	char *reason;   /* why a message waits or was refused, until one goes */
};

struct ui_sender {
	pid_t pid;            /* the running child, or 0 */
	int fd;               /* its events pipe, or -1 */
	struct events_reader *reader;
	bool hello;
	struct ui_sender_account *running; /* the account of the running child */
	struct ui_sender_account *accounts;
	size_t n_accounts;
	char *log_path;
	unsigned int count;   /* messages the running child sends */
	gint64 sent_at;       /* when the last message went, for "sent" */
};

static struct ui_sender_account *
send_find(struct ui_sender *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_accounts; i++)
		if (strcmp(s->accounts[i].account->name, name) == 0)
			return &s->accounts[i];
	return NULL;
}

/* When ACCOUNT's earliest waiting message is due (monotonic), or 0 when none waits. */
static gint64
send_next_try(struct ui *ui, const struct account_config *account)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	int64_t first = 0, now = (int64_t)time(NULL);
	guint i;

	if (index_outbox_ids(ui->idx, account->name, OUTBOX_FOLDER, ids, NULL)) {
		for (i = 0; i < ids->len; i++) {
			struct index_outbox o = { 0 };

			if (index_outbox_get(ui->idx, g_array_index(ids, int64_t, i), &o, NULL) &&
			    (o.id == 0 || o.state != INDEX_OUTBOX_REFUSED)) {
				int64_t t = o.id == 0 ? now : MAX(o.next_try, now);

				first = first == 0 ? t : MIN(first, t);
			}
			index_outbox_clear(&o);
		}
	}
	g_array_unref(ids);
	if (first == 0)
		return 0;
	return g_get_monotonic_time() + (first - now) * G_USEC_PER_SEC;
}

void
ui_sender_init(struct ui *ui)
{
	struct ui_sender *s = g_new0(struct ui_sender, 1);
	size_t i;

	s->fd = -1;
	s->reader = events_reader_new();
	s->log_path = g_build_filename(ui->config->store, "fetch.log", NULL);
	s->n_accounts = ui->config->n_accounts;
	s->accounts = g_new0(struct ui_sender_account, s->n_accounts);
	ui->sender = s;
	for (i = 0; i < s->n_accounts; i++) {
		const struct account_config *a = &ui->config->accounts[i];

		s->accounts[i].account = a;
		/* what a crash or a quit left in the Outbox goes when it is due */
		if (a->smtp != NULL || a->sendmail_argv != NULL)
			s->accounts[i].next = send_next_try(ui, a);
	}
}

static void
send_start(struct ui *ui, struct ui_sender_account *a)
{
	struct ui_sender *s = ui->sender;
	const char *args[] = { "send", "--queue", "--due", "--events-fd", "3", a->account->name,
		NULL };
	GError *error = NULL;
	GPid pid;
	int fd;

	a->next = 0;
	if (!ui_child_start(ui, args, s->log_path, &pid, &fd, &error)) {
		ui_fetcher_note(ui, "%s: cannot start sending: %s", a->account->name,
		    error->message);
		g_free(a->reason);
		a->reason = g_strdup_printf("cannot start sending: %s", error->message);
		g_clear_error(&error);
		return;
	}
	s->pid = pid;
	s->fd = fd;
	s->hello = false;
	s->running = a;
	s->count = 0;
	events_reader_reset(s->reader);
	ui->dirty |= UI_DIRTY_STATUS;
}

static void
send_schedule(struct ui *ui)
{
	struct ui_sender *s = ui->sender;
	gint64 now = g_get_monotonic_time();
	size_t i;

	if (s == NULL || s->pid != 0)
		return;
	for (i = 0; i < s->n_accounts; i++) {
		if (s->accounts[i].next != 0 && s->accounts[i].next <= now) {
			send_start(ui, &s->accounts[i]);
			return;
		}
	}
}

void
ui_sender_now(struct ui *ui, const char *account)
{
	struct ui_sender_account *a = ui->sender != NULL ? send_find(ui->sender, account) : NULL;

	if (a == NULL)
		return;
	/*
	 * Due now: the loop's tick starts it, after the next draw.  The fork
	 * and the wait for the child's exec (g_spawn) cost a UI this size
	 * several milliseconds, which y's return to the index need not wait
	 * for (bench/send, part 1).
	 */
	a->next = g_get_monotonic_time();
}

int
ui_sender_timeout_ms(struct ui *ui)
{
	struct ui_sender *s = ui->sender;
	gint64 now = g_get_monotonic_time(), next = G_MAXINT64;
	size_t i;

	if (s == NULL)
		return -1;
	if (s->pid != 0)
		return 1000;
	if (s->sent_at > 0)
		next = s->sent_at + SEND_SENT_SHOWN; /* "sent" goes from the status line */
	for (i = 0; i < s->n_accounts; i++)
		if (s->accounts[i].next != 0)
			next = MIN(next, s->accounts[i].next);
	if (next == G_MAXINT64)
		return -1;
	if (next <= now)
		return 0;
	return (int)MIN((next - now) / 1000 + 1, 60 * 60 * 1000);
}

void
ui_sender_tick(struct ui *ui)
{
	struct ui_sender *s = ui->sender;

	if (s == NULL)
		return;
	if (s->sent_at > 0 && g_get_monotonic_time() >= s->sent_at + SEND_SENT_SHOWN) {
		s->sent_at = 0;
		ui->dirty |= UI_DIRTY_STATUS;
	}
	send_schedule(ui);
}

int
ui_sender_fd(struct ui *ui)
{
	return ui->sender != NULL ? ui->sender->fd : -1;
}

static void
send_event(struct ui *ui, const struct event *ev)
{
	struct ui_sender *s = ui->sender;
	struct ui_sender_account *a = s->running;

	if (ev->kind == EVENT_HELLO) {
		s->hello = ev->a == EVENTS_VERSION;
		return;
	}
	if (!s->hello || a == NULL || strcmp(ev->account, a->account->name) != 0)
		return;
	switch (ev->kind) {
	case EVENT_SEND:
		s->count = (unsigned int)MIN(ev->a, 1000000);
		break;
	case EVENT_SENT:
		ui_fetcher_note(ui, "%s: message %" G_GINT64_FORMAT " sent", ev->account, ev->a);
		g_clear_pointer(&a->reason, g_free);
		s->sent_at = g_get_monotonic_time();
		/* it is in Sent now, and the message it answered has its R or P */
		ui_reload_keep_cursor(ui);
		break;
	case EVENT_WAIT:
	case EVENT_REFUSED:
		ui_fetcher_note(ui, "%s: message %" G_GINT64_FORMAT " %s: %s", ev->account, ev->a,
		    ev->kind == EVENT_WAIT ? "waits for a later try" : "was refused", ev->text);
		g_free(a->reason);
		a->reason = g_strdup_printf("%s: %s",
		    ev->kind == EVENT_WAIT ? "waiting" : "refused", ev->text);
		break;
	case EVENT_ERROR:
		ui_fetcher_note(ui, "%s: sending failed: %s", ev->account, ev->text);
		g_free(a->reason);
		a->reason = g_strdup_printf("not sent: %s", ev->text);
		break;
	default:
		break;
	}
	ui->dirty |= UI_DIRTY_STATUS;
}

static void
send_line(const struct event *ev, const GError *error, void *data)
{
	struct ui *ui = data;

	if (ev != NULL)
		send_event(ui, ev);
	else
		ui_fetcher_note(ui, "ignored a line from the sender: %s", error->message);
}

/* The child closed its pipe: collect it, and plan the next try of what waits. */
static void
send_finish(struct ui *ui)
{
	struct ui_sender *s = ui->sender;
	struct ui_sender_account *a = s->running;
	int status;

	close(s->fd);
	s->fd = -1;
	status = command_wait(s->pid);
	s->pid = 0;
	s->running = NULL;
	if (status != 0 && status != 1 && a != NULL) {
		ui_fetcher_note(ui, "%s: the sender stopped (exit status %d); see %s",
		    a->account->name, status, s->log_path);
		if (a->reason == NULL)
			a->reason = g_strdup_printf("the sender stopped; see %s", s->log_path);
	}
	if (a != NULL && a->next == 0)
		a->next = send_next_try(ui, a->account);
	ui_reload_keep_cursor(ui);
	ui->dirty |= UI_DIRTY_STATUS;
	send_schedule(ui);
}

void
ui_sender_readable(struct ui *ui)
{
	struct ui_sender *s = ui->sender;

	for (;;) {
		switch (events_reader_read(s->reader, s->fd, send_line, ui)) {
		case EVENTS_READ_MORE:
			break;
		case EVENTS_READ_AGAIN:
			return;
		case EVENTS_READ_END:
			send_finish(ui);
			return;
		}
	}
}

bool
ui_sender_status(struct ui *ui, GString *out)
{
	struct ui_sender *s = ui->sender;
	size_t i;

	if (s == NULL)
		return false;
	if (s->pid != 0) {
		g_string_append(out, "sending");
		if (s->count > 1)
			g_string_append_printf(out, " %u", s->count);
		return true;
	}
	for (i = 0; i < s->n_accounts; i++) {
		if (s->accounts[i].reason == NULL)
			continue;
		if (out->len > 0)
			g_string_append(out, "; ");
		g_string_append_printf(out, "%s: %s", s->accounts[i].account->name,
		    s->accounts[i].reason);
	}
	if (out->len == 0 && s->sent_at > 0)
		g_string_append(out, "sent");
	return out->len > 0;
}

void
ui_sender_stop(struct ui *ui)
{
	struct ui_sender *s = ui->sender;
	size_t i;

	if (s == NULL)
		return;
	/*
	 * As the fetcher: the whole group goes.  A message the server had not
	 * accepted stays in the Outbox (promise 5) and goes at the next start.
	 */
	if (s->pid != 0)
		command_stop(s->pid, SEND_STOP_WAIT_MS);
	if (s->fd >= 0)
		close(s->fd);
	events_reader_free(s->reader);
	for (i = 0; i < s->n_accounts; i++)
		g_free(s->accounts[i].reason);
	g_free(s->accounts);
	g_free(s->log_path);
	g_free(s);
	ui->sender = NULL;
}
