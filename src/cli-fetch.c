/*
 * cli-fetch: surat fetch and surat serverinfo.
 *
 * surat fetch runs one child process per account, so accounts are fetched at
 * once and one failing cannot stop another; a lone account is fetched by a
 * thread instead (a fork cost a fetch with nothing new a tenth of its
 * time).  Each runs fetch_account() and reports through a pipe in the
 * events protocol (events.h); the parent reads those lines the way the TUI
 * does, draws a progress bar on a terminal, prints one error line per
 * failed account, forwards the events with --events-fd, and exits 1 if any
 * account failed.  SIGINT and SIGTERM are passed on to the children (and
 * set the flag the thread checks), which stop between commands without
 * QUIT, so the server keeps every message not yet stored.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "surat/cli.h"
#include "surat/command.h"
#include "surat/events.h"
#include "surat/fetch.h"
#include "surat/sanitize.h"
#include "surat/size.h"

static volatile sig_atomic_t cli_fetch_abort;
static int cli_fetch_signal_pipe[2] = { -1, -1 };

struct cli_fetch;

/*
 * One account's fetcher: a child process, or, when only one account is
 * fetched, a thread of this process (no fork to pay for).
 */
struct cli_fetch_child {
	struct cli_fetch *owner;
	const struct account_config *account;
	pid_t pid;
	GThread *thread;     /* the lone account's fetcher, or NULL */
	int fd;              /* read end of its events pipe, -1 at EOF */
	struct events_reader *reader;
	bool failed;         /* it sent an error event */
	bool done;           /* it sent its done event */
	unsigned int count;  /* messages it will fetch */
	uint64_t bytes;
	unsigned int received;
	uint64_t received_bytes;
	unsigned int fetched;
	unsigned int deleted;
};

/* Everything the parent tracks. */
struct cli_fetch {
	GPtrArray *children;
	bool progress;       /* draw a progress bar on stderr */
	int events_fd;       /* forward events here, or -1 */
	gint64 started;
	gint64 drawn;        /* when the bar was last drawn */
	bool bar_shown;
};

/* Signal handler in a child: stop at the next check. */
static void
cli_fetch_child_signal(int sig)
{
	cli_fetch_abort = 1;
}

/*
 * Signal handler in the parent: wake the loop to pass the signal on to the
 * children, and stop a fetcher thread of its own at its next check.
 */
static void
cli_fetch_parent_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;
	ssize_t n = write(cli_fetch_signal_pipe[1], &b, 1);

	(void)n;
	cli_fetch_abort = 1;
	errno = saved;
}

/* The -v dialogue: one line on stderr, written at once. */
static void
cli_fetch_trace(void *data, char direction, const char *line)
{
	const char *prefix = data;
	char *clean = sanitize_text(line, -1, 0);
	char *out = g_strdup_printf("%s%s%c: %s\n", prefix != NULL ? prefix : "",
	    prefix != NULL ? ": " : "", direction, clean);
	ssize_t n = write(STDERR_FILENO, out, strlen(out));

	(void)n;
	g_free(out);
	g_free(clean);
}

/*
 * A byte count as an event field (signed 64 bits): pop3.c caps what a server
 * announces, and this keeps any sum from ever becoming a negative field.
 */
static int64_t
cli_fetch_event_bytes(uint64_t bytes)
{
	return bytes > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)bytes;
}

/* Observer callbacks in a child or the thread: each becomes an event line on the pipe. */
static void
cli_fetch_on_start(void *data, const char *account, unsigned int count, uint64_t bytes)
{
	events_send(GPOINTER_TO_INT(data), EVENT_START, account, count,
	    cli_fetch_event_bytes(bytes));
}

static void
cli_fetch_on_message(void *data, const char *account, unsigned int n, uint64_t bytes)
{
	events_send(GPOINTER_TO_INT(data), EVENT_MSG, account, n, cli_fetch_event_bytes(bytes));
}

static void
cli_fetch_on_stored(void *data, const char *account, unsigned int n)
{
	events_send(GPOINTER_TO_INT(data), EVENT_STORED, account, n, 0);
}

static void
cli_fetch_on_deleted(void *data, const char *account, unsigned int n)
{
	events_send(GPOINTER_TO_INT(data), EVENT_DELETED, account, n, 0);
}

static void
cli_fetch_on_delay(void *data, const char *account, int seconds)
{
	events_send(GPOINTER_TO_INT(data), EVENT_DELAY, account, seconds, 0);
}

static void
cli_fetch_on_warning(void *data, const char *account, const char *text)
{
	events_send_text(GPOINTER_TO_INT(data), EVENT_WARNING, account, NULL, text);
}

/* Fetch one account, reporting in events on FD, which it closes. */
static bool
cli_fetch_account(const struct surat_config *config, const struct account_config *account,
    int fd, bool rest, bool verbose, bool prefix)
{
	struct fetch_observer observer = {
		.data = GINT_TO_POINTER(fd),
		.start = cli_fetch_on_start,
		.message = cli_fetch_on_message,
		.stored = cli_fetch_on_stored,
		.deleted = cli_fetch_on_deleted,
		.login_delay = cli_fetch_on_delay,
		.warning = cli_fetch_on_warning,
	};
	struct fetch_options options = { 0 };
	unsigned int fetched = 0, deleted = 0;
	GError *error = NULL;
	bool ok;

	options.rest = rest;
	options.pipelining = true;
	options.trace = verbose ? cli_fetch_trace : NULL;
	options.trace_data = prefix ? (void *)account->name : NULL;
	options.abort = &cli_fetch_abort;
	options.observer = &observer;
	options.fetched = &fetched;
	options.deleted = &deleted;
	ok = fetch_account(config, account, &options, &error);
	if (ok) {
		events_send(fd, EVENT_DONE, account->name, fetched, deleted);
	} else {
		events_send_text(fd, EVENT_ERROR, account->name, fetch_error_word(error),
		    error->message);
		g_error_free(error);
	}
	close(fd);
	return ok;
}

/* The child's whole life: fetch one account, report, exit. */
static G_GNUC_NORETURN void
cli_fetch_child_run(const struct surat_config *config, const struct account_config *account,
    int fd, bool rest, bool verbose, bool prefix, pid_t parent)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = cli_fetch_child_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* If surat fetch itself dies, stop as if told to: no QUIT, nothing lost. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		cli_fetch_abort = 1;
	_exit(cli_fetch_account(config, account, fd, rest, verbose, prefix) ? 0 : 1);
}

/* What the lone account's fetcher thread needs. */
struct cli_fetch_job {
	const struct surat_config *config;
	const struct account_config *account;
	int fd;
	bool rest;
	bool verbose;
};

/* The lone account's fetcher thread (the parent ignores SIGPIPE already). */
static gpointer
cli_fetch_thread_main(gpointer data)
{
	struct cli_fetch_job *job = data;

	cli_fetch_account(job->config, job->account, job->fd, job->rest, job->verbose, false);
	g_free(job);
	return NULL;
}

/* Draw the progress bar: messages, bytes, rate and time left, all accounts. */
static void
cli_fetch_draw(struct cli_fetch *f, bool force)
{
	gint64 now = g_get_monotonic_time();
	unsigned int count = 0, received = 0;
	uint64_t bytes = 0, got = 0;
	double secs, rate;
	char *total, *done, *speed, *line, eta[32] = "";
	guint i;

	if (!f->progress || (!force && now - f->drawn < 100 * 1000))
		return;
	f->drawn = now;
	for (i = 0; i < f->children->len; i++) {
		const struct cli_fetch_child *c = g_ptr_array_index(f->children, i);

		count += c->count;
		bytes += c->bytes;
		received += c->received;
		got += c->received_bytes;
	}
	if (count == 0 && !force)
		return;
	secs = (now - f->started) / (double)G_USEC_PER_SEC;
	rate = secs > 0 ? got / secs : 0;
	if (rate > 0 && bytes > got) {
		int left = (int)((bytes - got) / rate);

		g_snprintf(eta, sizeof eta, "  ETA %d:%02d", left / 60, left % 60);
	}
	total = size_text(bytes);
	done = size_text(got);
	speed = size_text((uint64_t)rate);
	line = g_strdup_printf("\r%u/%u messages  %s/%s  %s/s%s\033[K", received, count, done,
	    total, speed, eta);
	fputs(line, stderr);
	fflush(stderr);
	f->bar_shown = true;
	g_free(line);
	g_free(speed);
	g_free(done);
	g_free(total);
}

/* Clear the progress bar's line (our own control sequence) before a line of text. */
static void
cli_fetch_clear_bar(const struct cli_fetch *f)
{
	if (f->bar_shown)
		fputs("\r\033[K", stderr);
}

/* Handle one event line from a child (events_line_fn; DATA is the child). */
static void
cli_fetch_event(const struct event *ev, const GError *error, void *data)
{
	struct cli_fetch_child *c = data;
	struct cli_fetch *f = c->owner;

	(void)error;
	if (ev == NULL || ev->kind == EVENT_UNKNOWN ||
	    (ev->kind != EVENT_HELLO && strcmp(ev->account, c->account->name) != 0)) {
		/* Our own child speaks our own protocol; anything else is a bug. */
		fputs("\r", stderr);
		cli_stderr("surat: %s: a malformed progress line from the fetcher",
		    c->account->name);
		c->failed = true;
		return;
	}
	/* Whoever reads the events (the reader) is gone: keep fetching, stop telling. */
	if (f->events_fd >= 0 && !events_write(f->events_fd, ev))
		f->events_fd = -1;
	switch (ev->kind) {
	case EVENT_START:
		c->count = (unsigned int)ev->a;
		c->bytes = (uint64_t)ev->b;
		break;
	case EVENT_MSG:
		c->received = (unsigned int)ev->a;
		c->received_bytes += (uint64_t)ev->b;
		break;
	case EVENT_WARNING:
		cli_fetch_clear_bar(f);
		cli_stderr("surat: %s: warning: %s", ev->account, ev->text);
		break;
	case EVENT_ERROR:
		c->failed = true;
		cli_fetch_clear_bar(f);
		cli_stderr("surat: %s: %s", ev->account, ev->text);
		break;
	case EVENT_DONE:
		c->done = true;
		c->fetched = (unsigned int)ev->a;
		c->deleted = (unsigned int)ev->b;
		break;
	default:
		break;
	}
	cli_fetch_draw(f, false);
}

/* Read what CHILD wrote and handle each complete line. */
static void
cli_fetch_read(struct cli_fetch_child *c)
{
	if (events_reader_read(c->reader, c->fd, cli_fetch_event, c) == EVENTS_READ_END) {
		close(c->fd);
		c->fd = -1;
	}
}

/* Start one fetcher per account: a child each, or a thread for a lone account. */
static bool
cli_fetch_spawn(struct cli_fetch *f, const struct surat_config *config, GPtrArray *accounts,
    bool rest, bool verbose)
{
	pid_t parent = getpid();
	guint i, k;

	fflush(stdout);
	fflush(stderr);

	for (i = 0; i < accounts->len; i++) {
		struct cli_fetch_child *c = g_new0(struct cli_fetch_child, 1);
		int p[2];

		c->owner = f;
		c->account = g_ptr_array_index(accounts, i);
		c->reader = events_reader_new();
		c->fd = -1;
		g_ptr_array_add(f->children, c);
		if (pipe2(p, O_CLOEXEC) != 0) {
			cli_stderr("surat: %s: not fetched: cannot create a pipe: %s",
			    c->account->name, g_strerror(errno));
			c->failed = true;
			continue;
		}
		if (accounts->len == 1) {
			struct cli_fetch_job *job = g_new0(struct cli_fetch_job, 1);

			*job = (struct cli_fetch_job){ config, c->account, p[1], rest, verbose };
			c->thread = g_thread_new("surat-fetch", cli_fetch_thread_main, job);
			c->fd = p[0];
			continue;
		}
		c->pid = fork();
		if (c->pid < 0) {
			cli_stderr("surat: %s: not fetched: cannot start a process: %s",
			    c->account->name, g_strerror(errno));
			c->failed = true;
			close(p[0]);
			close(p[1]);
			continue;
		}
		if (c->pid == 0) {
			/* Nothing of the parent's but this account's own pipe. */
			close(p[0]);
			for (k = 0; k + 1 < f->children->len; k++) {
				struct cli_fetch_child *sibling = g_ptr_array_index(f->children, k);

				if (sibling->fd >= 0)
					close(sibling->fd);
			}
			close(cli_fetch_signal_pipe[0]);
			close(cli_fetch_signal_pipe[1]);
			if (f->events_fd >= 0)
				close(f->events_fd);
			cli_fetch_child_run(config, c->account, p[1], rest, verbose,
			    accounts->len > 1, parent);
		}
		close(p[1]);
		c->fd = p[0];
	}
	return true;
}

/* Wait for every child, passing SIGINT/SIGTERM on. */
static void
cli_fetch_wait(struct cli_fetch *f)
{
	GArray *fds = g_array_new(FALSE, FALSE, sizeof(struct pollfd));
	guint i;

	for (;;) {
		struct pollfd sig = { cli_fetch_signal_pipe[0], POLLIN, 0 };
		int open_fds = 0;

		g_array_set_size(fds, 0);
		g_array_append_val(fds, sig);
		for (i = 0; i < f->children->len; i++) {
			struct cli_fetch_child *c = g_ptr_array_index(f->children, i);
			struct pollfd p = { c->fd, POLLIN, 0 };

			if (c->fd >= 0)
				open_fds++;
			g_array_append_val(fds, p);
		}
		if (open_fds == 0)
			break;
		if (poll((struct pollfd *)(void *)fds->data, fds->len, 200) < 0 && errno != EINTR)
			break;
		if (g_array_index(fds, struct pollfd, 0).revents & POLLIN) {
			unsigned char b;

			if (read(cli_fetch_signal_pipe[0], &b, 1) == 1) {
				for (i = 0; i < f->children->len; i++) {
					struct cli_fetch_child *c = g_ptr_array_index(f->children, i);

					if (c->pid > 0)
						kill(c->pid, SIGTERM);
				}
			}
		}
		for (i = 0; i < f->children->len; i++) {
			struct cli_fetch_child *c = g_ptr_array_index(f->children, i);

			if (c->fd >= 0 && (g_array_index(fds, struct pollfd, i + 1).revents &
			    (POLLIN | POLLHUP | POLLERR)))
				cli_fetch_read(c);
		}
		cli_fetch_draw(f, false);
	}
	g_array_free(fds, TRUE);
	for (i = 0; i < f->children->len; i++) {
		struct cli_fetch_child *c = g_ptr_array_index(f->children, i);
		int status = 0;

		if (c->thread != NULL) {
			g_thread_join(c->thread);
			c->thread = NULL;
		} else if (c->pid > 0) {
			status = command_wait(c->pid);
		} else {
			continue;
		}
		if (status != 0) {
			if (!c->failed)
				cli_stderr("surat: %s: the fetcher died (exit status %d%s)",
				    c->account->name, status, status > 128 ? ", 128 + its signal" : "");
			c->failed = true;
		} else if (!c->done && !c->failed) {
			cli_stderr("surat: %s: the fetcher ended without a result",
			    c->account->name);
			c->failed = true;
		}
	}
}

static void
cli_fetch_child_free(struct cli_fetch_child *c)
{
	if (c->fd >= 0)
		close(c->fd);
	events_reader_free(c->reader);
	g_free(c);
}

/*
 * The next option of ARGV, as getopt_long gives it with the short options
 * "+v", but with getopt's own messages (which echo the word raw) off: an
 * unknown option, or one without its value, is reported here naming
 * COMMAND, and '?' returned.
 */
static int
cli_fetch_getopt(int argc, char **argv, const struct option *longopts, const char *command)
{
	const char *word = optind < argc ? argv[optind] : "";
	int opt;

	opterr = 0;
	opt = getopt_long(argc, argv, "+v", longopts, NULL);
	if (opt != '?')
		return opt;
	if (strncmp(word, "--", 2) != 0)
		cli_stderr("surat %s: unknown option '-%c'", command, optopt);
	else if (optopt == 0)
		cli_stderr("surat %s: unknown option '%s'", command, word);
	else if (strchr(word, '=') != NULL)
		cli_stderr("surat %s: option '%.*s' takes no value", command,
		    (int)(strchr(word, '=') - word), word);
	else
		cli_stderr("surat %s: option '%s' needs a value", command, word);
	return '?';
}

static const char cli_fetch_usage[] =
    "usage: surat [-c FILE] fetch [-v] [--rest] [--events-fd N] [ACCOUNT...]\n";

int
cli_fetch(const char *cli_path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "rest", no_argument, NULL, 'r' },
		{ "events-fd", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct surat_config *config = NULL;
	struct cli_fetch f = { 0 };
	GPtrArray *accounts = g_ptr_array_new();
	struct sigaction sa, old_int, old_term;
	bool verbose = false, rest = false;
	int opt, status, i;
	guint k;

	f.events_fd = -1;
	optind = 1;
	while ((opt = cli_fetch_getopt(argc, argv, longopts, "fetch")) != -1) {
		char *end;

		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'r':
			rest = true;
			break;
		case 'e':
			f.events_fd = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || f.events_fd < 3 || fcntl(f.events_fd, F_GETFD) < 0) {
				cli_stderr("surat: --events-fd %s: not an open descriptor", optarg);
				g_ptr_array_free(accounts, TRUE);
				return 2;
			}
			break;
		case 'h':
			fputs(cli_fetch_usage, stdout);
			g_ptr_array_free(accounts, TRUE);
			return 0;
		default:
			fputs(cli_fetch_usage, stderr);
			g_ptr_array_free(accounts, TRUE);
			return 2;
		}
	}
	status = cli_load_config(cli_path, &config);
	if (status != 0) {
		g_ptr_array_free(accounts, TRUE);
		return status;
	}
	for (i = optind; i < argc; i++) {
		const struct account_config *a = config_account(config, argv[i]);

		if (a == NULL) {
			cli_stderr("surat: %s: no account '%s'; check-config lists them",
			    config->path, argv[i]);
			status = 2;
			goto out;
		}
		g_ptr_array_add(accounts, (gpointer)a);
	}
	if (optind == argc)
		for (k = 0; k < config->n_accounts; k++)
			g_ptr_array_add(accounts, &config->accounts[k]);
	if (accounts->len == 0) {
		cli_stderr("surat: %s: no accounts to fetch; add one (see surat.conf(5))",
		    config->path);
		status = 2;
		goto out;
	}
	if (f.events_fd >= 0)
		events_send(f.events_fd, EVENT_HELLO, NULL, EVENTS_VERSION, 0);
	f.children = g_ptr_array_new_with_free_func((GDestroyNotify)cli_fetch_child_free);
	f.progress = !verbose && isatty(STDERR_FILENO);
	f.started = g_get_monotonic_time();
	if (pipe2(cli_fetch_signal_pipe, O_CLOEXEC) != 0) {
		cli_stderr("surat: cannot create a pipe: %s", g_strerror(errno));
		status = 1;
		goto out;
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = cli_fetch_parent_signal;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	signal(SIGPIPE, SIG_IGN);
	status = 0;
	if (!cli_fetch_spawn(&f, config, accounts, rest, verbose))
		status = 1;
	cli_fetch_wait(&f);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	close(cli_fetch_signal_pipe[0]);
	close(cli_fetch_signal_pipe[1]);
	if (f.bar_shown)
		fputs("\r\033[K", stderr);
	for (k = 0; k < f.children->len; k++) {
		struct cli_fetch_child *c = g_ptr_array_index(f.children, k);

		if (c->failed)
			status = 1;
		else if (f.progress)
			cli_stderr("%s: %u new message%s%s", c->account->name, c->fetched,
			    c->fetched == 1 ? "" : "s", c->deleted > 0 ? ", some deleted on the server" :
			    "");
	}
out:
	if (f.children != NULL)
		g_ptr_array_free(f.children, TRUE);
	g_ptr_array_free(accounts, TRUE);
	config_free(config);
	return status;
}

/* Print what serverinfo found, made safe once more: it is the server's text. */
static void
cli_serverinfo_print(const GString *out)
{
	char *safe = sanitize_text(out->str, (ssize_t)out->len, SANITIZE_MULTILINE);

	fputs(safe, stdout);
	g_free(safe);
}

static const char cli_serverinfo_usage[] =
    "usage: surat [-c FILE] serverinfo [-v] [--login] ACCOUNT\n";

int
cli_serverinfo(const char *cli_path, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "login", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct surat_config *config = NULL;
	const struct account_config *account;
	GString *out = g_string_new(NULL);
	GError *error = NULL;
	bool verbose = false, login = false;
	int opt, status;

	optind = 1;
	while ((opt = cli_fetch_getopt(argc, argv, longopts, "serverinfo")) != -1) {
		switch (opt) {
		case 'v':
			verbose = true;
			break;
		case 'l':
			login = true;
			break;
		case 'h':
			fputs(cli_serverinfo_usage, stdout);
			g_string_free(out, TRUE);
			return 0;
		default:
			fputs(cli_serverinfo_usage, stderr);
			g_string_free(out, TRUE);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(cli_serverinfo_usage, stderr);
		g_string_free(out, TRUE);
		return 2;
	}
	status = cli_load_config(cli_path, &config);
	if (status != 0) {
		g_string_free(out, TRUE);
		return status;
	}
	account = config_account(config, argv[optind]);
	if (account == NULL) {
		cli_stderr("surat: %s: no account '%s'; check-config lists them", config->path,
		    argv[optind]);
		status = 2;
	} else if (!fetch_serverinfo(account, login, verbose ? cli_fetch_trace : NULL, NULL, out,
		       &error)) {
		cli_serverinfo_print(out);
		cli_stderr("surat: %s: %s", account->name, error->message);
		g_error_free(error);
		status = 1;
	} else {
		cli_serverinfo_print(out);
	}
	g_string_free(out, TRUE);
	config_free(config);
	return status;
}
