/*
 * ui/fetcher: the background fetcher (src/fetch.c is the policy of one
 * fetch, cli-fetch.c the `surat fetch` command).  The interface runs `surat
 * fetch --events-fd 3` as a child process and reads its event lines
 * (events.h), so it never waits on the network and a fault in network code
 * cannot take it down.  The child's output goes to <store>/fetch.log, never
 * the terminal.
 *
 * Timers live here: a fetch at start, then one per account every
 * poll_interval, never sooner than the server's LOGIN-DELAY allows, and after
 * a failure again with a growing delay (30 s, 60 s, ... up to poll_interval).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "surat/command.h"
#include "surat/events.h"

#define FETCH_BACKOFF_FIRST 30 /* seconds before the first retry */
#define FETCH_LOG_LINES     500
#define FETCH_STOP_WAIT_MS  5000

/* Per-account schedule. */
struct ui_fetcher_account {
	const struct account_config *account;
	gint64 next;          /* monotonic time of the next fetch */
	gint64 last_login;    /* when a fetch of it last started */
	int login_delay;      /* seconds the server asks between logins, or 0 */
	int backoff;          /* seconds before a retry; 0 after a success */
	bool in_run;          /* part of the running child */
	bool rest;            /* the next run fetches the rest of partial messages */
	unsigned int count;   /* messages the running fetch will bring */
	unsigned int received;
	char *error;          /* the last failure, until a fetch succeeds */
};

struct ui_fetcher {
	pid_t pid;             /* the running child, or 0 */
	int fd;                /* its events pipe, or -1 */
	struct events_reader *reader;
	bool rest_run;         /* the running child fetches rests */
	struct ui_fetcher_account *accounts;
	size_t n_accounts;
	GPtrArray *log;        /* char *, newest last */
	char *log_path;
	bool hello;
	unsigned int run_new;  /* messages the running child brought */
	GString *run_accounts; /* the accounts they came to, comma-separated */
};

/* Add a line to the log view (and keep it bounded). */
static void
fetch_log_v(struct ui *ui, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);

static void
fetch_log_v(struct ui *ui, const char *fmt, va_list ap)
{
	struct ui_fetcher *f = ui->fetcher;
	char stamp[16];
	time_t now = time(NULL);
	struct tm tm;
	char *text;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	text = g_strdup_vprintf(fmt, ap);
	g_ptr_array_add(f->log, g_strdup_printf("%s  %s", stamp, text));
	g_free(text);
	if (f->log->len > FETCH_LOG_LINES)
		g_ptr_array_remove_range(f->log, 0, f->log->len - FETCH_LOG_LINES);
	ui->dirty |= UI_DIRTY_ALL;
}

static void
fetch_log(struct ui *ui, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
fetch_log(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fetch_log_v(ui, fmt, ap);
	va_end(ap);
}

void
ui_fetcher_note(struct ui *ui, const char *fmt, ...)
{
	va_list ap;

	if (ui->fetcher == NULL)
		return;
	va_start(ap, fmt);
	fetch_log_v(ui, fmt, ap);
	va_end(ap);
}

/* The schedule entry of the account named NAME. */
static struct ui_fetcher_account *
fetch_find(struct ui_fetcher *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->n_accounts; i++)
		if (strcmp(f->accounts[i].account->name, name) == 0)
			return &f->accounts[i];
	return NULL;
}

void
ui_fetcher_init(struct ui *ui)
{
	struct ui_fetcher *f = g_new0(struct ui_fetcher, 1);
	gint64 now = g_get_monotonic_time();
	size_t i;

	f->fd = -1;
	f->reader = events_reader_new();
	f->log = g_ptr_array_new_with_free_func(g_free);
	f->run_accounts = g_string_new(NULL);
	f->log_path = g_build_filename(ui->config->store, "fetch.log", NULL);
	f->n_accounts = ui->config->n_accounts;
	f->accounts = g_new0(struct ui_fetcher_account, f->n_accounts);
	for (i = 0; i < f->n_accounts; i++) {
		f->accounts[i].account = &ui->config->accounts[i];
		f->accounts[i].next = now; /* a fetch at start */
	}
	ui->fetcher = f;
}

bool
ui_child_start(struct ui *ui, const char *const *args, const char *log_path, GPid *pid, int *fd,
    GError **error)
{
	GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
	struct command_child child = { NULL, COMMAND_GROUP_SESSION, false, false, -1, -1, false };
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	bool ok = false;
	int p[2], log;

	if (n <= 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "cannot find the surat program: %s", g_strerror(errno));
		goto out;
	}
	exe[n] = '\0';
	g_ptr_array_add(argv, g_strdup(exe));
	g_ptr_array_add(argv, g_strdup("-c"));
	g_ptr_array_add(argv, g_strdup(ui->config->path));
	for (; *args != NULL; args++)
		g_ptr_array_add(argv, g_strdup(*args));
	g_ptr_array_add(argv, NULL);
	if (pipe2(p, O_CLOEXEC) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s",
		    g_strerror(errno));
		goto out;
	}
	log = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	/* A session of its own: the terminal is nobody's; its output goes to the log. */
	child.argv = (char *const *)argv->pdata;
	child.output_fd = log;
	child.events_fd = p[1];
	ok = command_start(&child, pid, NULL, NULL, error);
	close(p[1]);
	if (log >= 0)
		close(log);
	if (!ok) {
		close(p[0]);
		goto out;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*fd = p[0];
out:
	g_ptr_array_free(argv, TRUE);
	return ok;
}

/* Start a child fetching every account marked in_run. */
static void
fetch_start(struct ui *ui, bool rest)
{
	struct ui_fetcher *f = ui->fetcher;
	GPtrArray *args = g_ptr_array_new();
	GError *error = NULL;
	size_t i;
	GPid pid;
	int fd;

	g_ptr_array_add(args, "fetch");
	g_ptr_array_add(args, "--events-fd");
	g_ptr_array_add(args, "3");
	if (rest)
		g_ptr_array_add(args, "--rest");
	for (i = 0; i < f->n_accounts; i++)
		if (f->accounts[i].in_run)
			g_ptr_array_add(args, (gpointer)f->accounts[i].account->name);
	g_ptr_array_add(args, NULL);
	if (!ui_child_start(ui, (const char *const *)args->pdata, f->log_path, &pid, &fd,
	    &error)) {
		fetch_log(ui, "cannot start a fetch: %s", error->message);
		g_clear_error(&error);
		for (i = 0; i < f->n_accounts; i++)
			f->accounts[i].in_run = false;
		g_ptr_array_free(args, TRUE);
		return;
	}
	g_ptr_array_free(args, TRUE);
	f->pid = pid;
	f->fd = fd;
	f->hello = false;
	f->rest_run = rest;
	events_reader_reset(f->reader);
	for (i = 0; i < f->n_accounts; i++) {
		if (f->accounts[i].in_run) {
			f->accounts[i].last_login = g_get_monotonic_time();
			f->accounts[i].count = 0;
			f->accounts[i].received = 0;
		}
	}
	ui->dirty |= UI_DIRTY_STATUS;
}

/* The earliest an account may be fetched again, honouring LOGIN-DELAY. */
static gint64
fetch_allowed(const struct ui_fetcher_account *a)
{
	if (a->login_delay > 0 && a->last_login > 0)
		return a->last_login + (gint64)a->login_delay * G_USEC_PER_SEC;
	return 0;
}

/* Start a fetch for every account that is due, if none is running. */
static void
fetch_schedule(struct ui *ui, gint64 now)
{
	struct ui_fetcher *f = ui->fetcher;
	bool any = false, rest = false;
	size_t i;

	if (f->pid != 0)
		return;
	/* A pending request for the rest of partial messages runs on its own. */
	for (i = 0; i < f->n_accounts; i++)
		if (f->accounts[i].rest && now >= fetch_allowed(&f->accounts[i]))
			rest = true;
	for (i = 0; i < f->n_accounts; i++) {
		struct ui_fetcher_account *a = &f->accounts[i];

		a->in_run = rest ? a->rest && now >= fetch_allowed(a) :
		    now >= a->next && now >= fetch_allowed(a);
		any = any || a->in_run;
	}
	if (any)
		fetch_start(ui, rest);
}

int
ui_fetcher_timeout_ms(struct ui *ui)
{
	struct ui_fetcher *f = ui->fetcher;
	gint64 now = g_get_monotonic_time(), next = G_MAXINT64;
	size_t i;

	if (f == NULL || f->n_accounts == 0)
		return -1;
	if (f->pid != 0)
		return 1000; /* redraw the progress now and then */
	for (i = 0; i < f->n_accounts; i++) {
		gint64 t = MAX(f->accounts[i].next, fetch_allowed(&f->accounts[i]));

		next = MIN(next, t);
	}
	if (next <= now)
		return 0;
	return (int)MIN((next - now) / 1000 + 1, 60 * 60 * 1000);
}

/* One event from the child. */
static void
fetch_event(struct ui *ui, const struct event *ev)
{
	struct ui_fetcher *f = ui->fetcher;
	struct ui_fetcher_account *a = ev->kind == EVENT_HELLO ? NULL : fetch_find(f, ev->account);

	if (ev->kind == EVENT_HELLO) {
		f->hello = ev->a == EVENTS_VERSION;
		if (!f->hello)
			fetch_log(ui, "the fetcher speaks version %d of the events, not %d",
			    (int)ev->a, EVENTS_VERSION);
		return;
	}
	if (a == NULL || !f->hello)
		return;
	switch (ev->kind) {
	case EVENT_START:
		a->count = (unsigned int)ev->a;
		if (ev->a > 0)
			fetch_log(ui, "%s: %s %d message%s", ev->account,
			    f->rest_run ? "fetching the rest of" : "fetching", (int)ev->a,
			    ev->a == 1 ? "" : "s");
		break;
	case EVENT_MSG:
		a->received = (unsigned int)ev->a;
		ui->dirty |= UI_DIRTY_STATUS;
		break;
	case EVENT_STORED:
		ui_reload_keep_cursor(ui);
		if (f->rest_run && ui->pager != NULL)
			ui_pager_rerender(ui);
		break;
	case EVENT_DELETED:
		fetch_log(ui, "%s: %d message%s deleted on the server", ev->account, (int)ev->a,
		    ev->a == 1 ? "" : "s");
		break;
	case EVENT_DELAY:
		a->login_delay = (int)ev->a;
		break;
	case EVENT_WARNING:
		fetch_log(ui, "%s: warning: %s", ev->account, ev->text);
		break;
	case EVENT_ERROR:
		a->backoff = a->backoff == 0 ? FETCH_BACKOFF_FIRST :
		    MIN(a->backoff * 2, MAX(a->account->poll_interval, FETCH_BACKOFF_FIRST));
		a->next = g_get_monotonic_time() + (gint64)a->backoff * G_USEC_PER_SEC;
		fetch_log(ui, "%s: %s (retry in %d s)", ev->account, ev->text, a->backoff);
		g_free(a->error);
		a->error = g_strdup(ev->text);
		a->in_run = false;
		break;
	case EVENT_DONE:
		a->backoff = 0;
		g_clear_pointer(&a->error, g_free);
		a->next = g_get_monotonic_time() + (gint64)a->account->poll_interval * G_USEC_PER_SEC;
		if (f->rest_run)
			a->rest = false;
		if (ev->a > 0) {
			fetch_log(ui, "%s: %d new message%s", ev->account, (int)ev->a,
			    ev->a == 1 ? "" : "s");
			if (!f->rest_run) {
				f->run_new += (unsigned int)MIN(ev->a, 1000000);
				g_string_append_printf(f->run_accounts, "%s%s",
				    f->run_accounts->len > 0 ? "," : "", a->account->name);
			}
		}
		a->in_run = false;
		break;
	default:
		break;
	}
}

/*
 * New mail landed: run new_mail_command with the counts.  An argv, no
 * shell; stdin, stdout and stderr on /dev/null so it cannot touch the
 * screen; never waited for: GLib's double fork leaves no child to reap.
 */
static void
fetch_new_mail_command(struct ui *ui, unsigned int n_new, const char *accounts)
{
	struct index_filter all = { 0 };
	int64_t total = 0, unread = 0;
	struct command_child child = { NULL, COMMAND_GROUP_SESSION, false, false, -1, -1, true };
	GError *error = NULL;
	char **argv;

	if (ui->config->new_mail_argv == NULL)
		return;
	if (!index_query_count(ui->idx, &all, &total, &unread, NULL))
		unread = ui_index_unread(ui);
	argv = config_new_mail_argv(ui->config, n_new, (unsigned int)MAX(unread, 0), accounts);
	if (argv == NULL)
		return;
	child.argv = argv;
	if (!command_start(&child, NULL, NULL, NULL, &error)) {
		fetch_log(ui, "new_mail_command: %s", error->message);
		ui_set_message(ui, true, "new_mail_command: %s", error->message);
		g_clear_error(&error);
	}
	g_strfreev(argv);
}

/* The child closed its pipe: collect it. */
static void
fetch_finish(struct ui *ui)
{
	struct ui_fetcher *f = ui->fetcher;
	int status = 0;
	size_t i;

	close(f->fd);
	f->fd = -1;
	status = command_wait(f->pid);
	f->pid = 0;
	/* An account the child never reported on failed without a word. */
	for (i = 0; i < f->n_accounts; i++) {
		struct ui_fetcher_account *a = &f->accounts[i];

		if (!a->in_run)
			continue;
		a->in_run = false;
		a->backoff = a->backoff == 0 ? FETCH_BACKOFF_FIRST :
		    MIN(a->backoff * 2, MAX(a->account->poll_interval, FETCH_BACKOFF_FIRST));
		a->next = g_get_monotonic_time() + (gint64)a->backoff * G_USEC_PER_SEC;
		fetch_log(ui, "%s: the fetcher stopped (exit status %d%s); see %s",
		    a->account->name, status, status > 128 ? ", 128 + its signal" : "", f->log_path);
		g_free(a->error);
		a->error = g_strdup_printf("the fetcher stopped; see %s", f->log_path);
	}
	ui_reload_keep_cursor(ui);
	ui->dirty |= UI_DIRTY_STATUS;
	if (f->run_new > 0)
		fetch_new_mail_command(ui, f->run_new, f->run_accounts->str);
	f->run_new = 0;
	g_string_truncate(f->run_accounts, 0);
}

int
ui_fetcher_fd(struct ui *ui)
{
	return ui->fetcher != NULL ? ui->fetcher->fd : -1;
}

/* One line from the fetcher (events_line_fn; DATA is the interface). */
static void
fetch_line(const struct event *ev, const GError *error, void *data)
{
	struct ui *ui = data;

	if (ev != NULL)
		fetch_event(ui, ev);
	else
		fetch_log(ui, "ignored a line from the fetcher: %s", error->message);
}

void
ui_fetcher_readable(struct ui *ui)
{
	struct ui_fetcher *f = ui->fetcher;

	for (;;) {
		switch (events_reader_read(f->reader, f->fd, fetch_line, ui)) {
		case EVENTS_READ_MORE:
			break;
		case EVENTS_READ_AGAIN:
			/* EINTR as well: poll says again when there is more. */
			return;
		case EVENTS_READ_END:
			fetch_finish(ui);
			return;
		}
	}
}

void
ui_fetcher_tick(struct ui *ui)
{
	if (ui->fetcher != NULL)
		fetch_schedule(ui, g_get_monotonic_time());
}

void
ui_fetcher_now(struct ui *ui)
{
	struct ui_fetcher *f = ui->fetcher;
	gint64 now = g_get_monotonic_time();
	size_t i;

	if (f->n_accounts == 0) {
		ui_set_message(ui, true, "No accounts to fetch; see surat.conf(5).");
		return;
	}
	if (f->pid != 0) {
		ui_set_message(ui, false, "A fetch is already running.");
		return;
	}
	for (i = 0; i < f->n_accounts; i++) {
		gint64 allowed = fetch_allowed(&f->accounts[i]);

		if (now < allowed)
			ui_set_message(ui, false, "%s: the server allows a login every %d s; "
			    "fetching in %d s.", f->accounts[i].account->name,
			    f->accounts[i].login_delay, (int)((allowed - now) / G_USEC_PER_SEC) + 1);
		f->accounts[i].next = now;
		f->accounts[i].backoff = 0;
	}
	fetch_schedule(ui, now);
}

void
ui_fetcher_rest(struct ui *ui, const char *account)
{
	struct ui_fetcher *f = ui->fetcher;
	struct ui_fetcher_account *a = fetch_find(f, account);

	if (a == NULL) {
		ui_set_message(ui, true, "%s is not a configured account.", account);
		return;
	}
	a->rest = true;
	ui_set_message(ui, false, "Fetching the rest of %s's headers-only messages...", account);
	fetch_schedule(ui, g_get_monotonic_time());
}

bool
ui_fetcher_status(struct ui *ui, GString *out)
{
	struct ui_fetcher *f = ui->fetcher;
	unsigned int count = 0, received = 0;
	size_t i;

	if (f == NULL || f->pid == 0)
		return false;
	for (i = 0; i < f->n_accounts; i++) {
		if (!f->accounts[i].in_run)
			continue;
		count += f->accounts[i].count;
		received += f->accounts[i].received;
	}
	if (count > 0)
		g_string_append_printf(out, "fetching %u/%u", received, count);
	else
		g_string_append(out, "checking mail");
	return true;
}

bool
ui_fetcher_errors(struct ui *ui, GString *out)
{
	struct ui_fetcher *f = ui->fetcher;
	const char *first = NULL;
	GString *why;
	size_t i, n = 0;

	if (f == NULL)
		return false;
	why = g_string_new(NULL);
	/* Every failing account's name first, so a long error cannot hide the next one. */
	for (i = 0; i < f->n_accounts; i++) {
		if (f->accounts[i].error == NULL)
			continue;
		g_string_append_printf(out, "%s%s", n > 0 ? ", " : "",
		    f->accounts[i].account->name);
		g_string_append_printf(why, "%s%s: %s", n > 0 ? "; " : "",
		    f->accounts[i].account->name, f->accounts[i].error);
		if (n++ == 0)
			first = f->accounts[i].error;
	}
	if (n == 1)
		g_string_append_printf(out, " failed: %s", first);
	else if (n > 1)
		g_string_append_printf(out, " failed: %s", why->str);
	g_string_free(why, TRUE);
	return n > 0;
}

GPtrArray *
ui_fetcher_log(struct ui *ui)
{
	return ui->fetcher->log;
}

void
ui_fetcher_stop(struct ui *ui)
{
	struct ui_fetcher *f = ui->fetcher;
	size_t i;

	if (f == NULL)
		return;
	if (f->pid != 0) {
		/*
		 * The fetcher stops between commands and sends no QUIT: the
		 * server keeps every message that was not stored yet.  The whole
		 * group goes: the fetcher and its per-account children (setsid).
		 */
		command_stop(f->pid, FETCH_STOP_WAIT_MS);
		f->pid = 0;
	}
	if (f->fd >= 0)
		close(f->fd);
	events_reader_free(f->reader);
	g_string_free(f->run_accounts, TRUE);
	g_ptr_array_free(f->log, TRUE);
	g_free(f->log_path);
	for (i = 0; i < f->n_accounts; i++)
		g_free(f->accounts[i].error);
	g_free(f->accounts);
	g_free(f);
	ui->fetcher = NULL;
}
