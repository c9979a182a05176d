/*
 * command: the one runner of children (command_start), and on it a
 * configured command with a pipe in and a pipe out, a deadline and an
 * output cap; url_command's argv.
 *
 * What it never does: run a shell of its own, put message text anywhere but
 * one whole argument or the standard input, or let a child outlive its
 * deadline.
 */
#include "surat/command.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "surat/sanitize.h"

G_DEFINE_QUARK(surat-command-error-quark, command_error)

char **
command_split(const char *command, GError **error)
{
	GError *parse_error = NULL;
	char **argv = NULL;
	char *clean;

	if (command != NULL && g_shell_parse_argv(command, NULL, &argv, &parse_error))
		return argv;
	clean = sanitize_text(command != NULL ? command : "", -1, 0);
	g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_PARSE, "%s: %s", clean,
	    parse_error != NULL ? parse_error->message : "empty command");
	g_free(clean);
	g_clear_error(&parse_error);
	return NULL;
}

char **
command_argv_with(const char *command, const char *mark, const char *arg, GError **error)
{
	char **argv;
	bool placed = false;
	guint i, n;

	if ((argv = command_split(command, error)) == NULL)
		return NULL;
	n = g_strv_length(argv);
	for (i = 0; i < n; i++) {
		if (strcmp(argv[i], mark) == 0) {
			g_free(argv[i]);
			argv[i] = g_strdup(arg);
			placed = true;
		}
	}
	if (!placed) {
		argv = g_renew(char *, argv, n + 2);
		argv[n] = g_strdup(arg);
		argv[n + 1] = NULL;
	}
	return argv;
}

char **
command_url_argv(const char *url_command, const char *url, GError **error)
{
	const char *c;

	for (c = url != NULL ? url : ""; *c > 0x20 && *c < 0x7f; c++)
		;
	if (url == NULL || *url == '\0' || *c != '\0' || *url == '-') {
		g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_UNSAFE,
		    "not a link surat opens: only http, https, ftp and mailto links are");
		return NULL;
	}
	return command_argv_with(url_command, "%u", url, error);
}

/* In the child before exec (async-signal-safe only): its group and signals. */
static void
command_child_setup(gpointer data)
{
	const enum command_group *group = data;
	sigset_t none;

	/* What surat blocked or caught is not the child's business. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGWINCH, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	switch (*group) {
	case COMMAND_GROUP_OWN:
		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		break;
	case COMMAND_GROUP_SESSION:
		/* Nobody's terminal: its output goes to a log or nowhere. */
		signal(SIGINT, SIG_IGN);
		signal(SIGTSTP, SIG_IGN);
		setsid();
		break;
	case COMMAND_GROUP_TERMINAL:
		signal(SIGINT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		break;
	}
}

bool
command_start(const struct command_child *child, GPid *pid, int *stdin_pipe, int *stdout_pipe,
    GError **error)
{
	GSpawnFlags flags = G_SPAWN_SEARCH_PATH;
	enum command_group group = child->group;
	int source = child->events_fd, target = 3;
	GPid started = 0;
	bool ok;

	if (child->argv == NULL || child->argv[0] == NULL || child->argv[0][0] == '\0') {
		g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_SPAWN, "empty command");
		return false;
	}
	if (!child->detach)
		flags |= G_SPAWN_DO_NOT_REAP_CHILD;
	if (!child->stdin_pipe)
		flags |= group == COMMAND_GROUP_TERMINAL ? G_SPAWN_CHILD_INHERITS_STDIN : 0;
	if (!child->stdout_pipe && child->output_fd < 0 && group != COMMAND_GROUP_TERMINAL)
		flags |= G_SPAWN_STDOUT_TO_DEV_NULL;
	if (child->output_fd < 0 && group != COMMAND_GROUP_TERMINAL)
		flags |= G_SPAWN_STDERR_TO_DEV_NULL;
	/* child_setup runs in the child, before exec: GROUP outlives the call there. */
	ok = g_spawn_async_with_pipes_and_fds(NULL, (const char *const *)child->argv, NULL, flags,
	    command_child_setup, &group, -1, child->stdout_pipe ? -1 : child->output_fd,
	    child->output_fd, child->events_fd >= 0 ? &source : NULL,
	    child->events_fd >= 0 ? &target : NULL, child->events_fd >= 0 ? 1 : 0, &started,
	    child->stdin_pipe ? stdin_pipe : NULL, child->stdout_pipe ? stdout_pipe : NULL, NULL,
	    error);
	if (ok && pid != NULL)
		*pid = child->detach ? 0 : started;
	if (!ok && error != NULL && *error != NULL && (*error)->domain != COMMAND_ERROR) {
		GError *spawn_error = *error;

		*error = g_error_new(COMMAND_ERROR, COMMAND_ERROR_SPAWN, "%s", spawn_error->message);
		g_error_free(spawn_error);
	}
	return ok;
}

/* A wait status as command_wait returns it. */
static int
command_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int
command_wait(GPid pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	g_spawn_close_pid(pid);
	return command_status(status);
}

/* Milliseconds on the monotonic clock. */
static gint64
command_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

int
command_stop(GPid pid, int wait_ms)
{
	gint64 deadline = command_now_ms() + wait_ms;
	int status = 0;
	pid_t r;

	kill(-pid, SIGTERM);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0 ||
	    (r < 0 && errno == EINTR)) {
		if (command_now_ms() > deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			break;
		}
		g_usleep(20 * 1000);
	}
	g_spawn_close_pid(pid);
	return command_status(status);
}

/* Kill the process group of PID and reap PID; returns its wait status. */
static int
command_kill(GPid pid)
{
	int status = 0;

	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/* Write to FD without SIGPIPE reaching the process: blocked, and a pending one taken. */
static ssize_t
command_write(int fd, const void *buf, size_t len)
{
	sigset_t pipe_set, old;
	ssize_t n;
	int saved;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	saved = errno;
	if (n < 0 && errno == EPIPE) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	return n;
}

/* Zero (for a secret) and free OUT. */
static void
command_out_free(GByteArray *out, bool secret)
{
	if (secret && out->len > 0)
		OPENSSL_cleanse(out->data, out->len);
	g_byte_array_free(out, TRUE);
}

/*
 * command_run, and command_run_secret when SECRET: then the output buffer
 * is allocated once (no copy left behind by a realloc), every buffer that
 * held output is zeroed, errors call the command NAME and count seconds.
 */
static GByteArray *
command_run_full(char *const *argv, const char *name, const void *input, size_t len,
    int timeout_ms, size_t max_output, bool secret, bool *cut, int err_fd, int *exit_status,
    GError **error)
{
	GByteArray *out = secret ? g_byte_array_sized_new((guint)max_output + 1) :
	    g_byte_array_new();
	struct command_child child = { argv, COMMAND_GROUP_OWN, true, true, err_fd, -1, false };
	GError *spawn_error = NULL;
	gint64 deadline = command_now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
	size_t written = 0;
	int in_fd = -1, out_fd = -1, status = 0;
	bool reaped = false, timed_out = false;
	char *clean;
	GPid pid;

	if (cut != NULL)
		*cut = false;
	if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0') {
		g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_PARSE, "empty command");
		command_out_free(out, secret);
		return NULL;
	}
	if (!command_start(&child, &pid, &in_fd, &out_fd, &spawn_error)) {
		clean = sanitize_text(name, -1, 0);
		g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_SPAWN, "cannot run %s: %s", clean,
		    spawn_error->message);
		g_free(clean);
		g_error_free(spawn_error);
		command_out_free(out, secret);
		return NULL;
	}
	fcntl(in_fd, F_SETFL, fcntl(in_fd, F_GETFL) | O_NONBLOCK);
	fcntl(out_fd, F_SETFL, fcntl(out_fd, F_GETFL) | O_NONBLOCK);
	if (len == 0) {
		close(in_fd);
		in_fd = -1;
	}
	while (out_fd >= 0) {
		struct pollfd fds[2];
		nfds_t nfds = 0;
		gint64 left = deadline - command_now_ms();
		char buf[65536];
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		fds[nfds].fd = out_fd;
		fds[nfds++].events = POLLIN;
		if (in_fd >= 0) {
			fds[nfds].fd = in_fd;
			fds[nfds++].events = POLLOUT;
		}
		if (poll(fds, nfds, (int)MIN(left, 1000)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (in_fd >= 0 && (fds[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = command_write(in_fd, (const char *)input + written,
			    MIN(len - written, (size_t)65536));
			if (n > 0)
				written += (size_t)n;
			if ((n < 0 && errno != EAGAIN && errno != EINTR) || written >= len) {
				/* Done, or the command stopped reading: it may still print. */
				close(in_fd);
				in_fd = -1;
			}
		}
		if (fds[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			n = read(out_fd, buf, sizeof buf);
			if (n > 0) {
				size_t keep = MIN((size_t)n, max_output - MIN(out->len, max_output));

				g_byte_array_append(out, (const guint8 *)buf, (guint)keep);
				if (secret)
					OPENSSL_cleanse(buf, (size_t)n);
				/* a program whose status counts is not cut short by its chatter */
				if (out->len >= max_output && keep < (size_t)n && exit_status == NULL) {
					if (cut != NULL)
						*cut = true;
					status = command_kill(pid);
					reaped = true;
					break;
				}
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				close(out_fd);
				out_fd = -1;
			}
		}
	}
	if (in_fd >= 0)
		close(in_fd);
	if (out_fd >= 0)
		close(out_fd);
	if (!reaped && timed_out) {
		command_kill(pid);
		reaped = true;
	}
	/* Output closed: wait for the exit, still within the deadline. */
	while (!reaped) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR)) {
			reaped = true;
		} else if (command_now_ms() >= deadline) {
			timed_out = true;
			command_kill(pid);
			break;
		} else {
			g_usleep(1000);
		}
	}
	g_spawn_close_pid(pid);
	if (timed_out) {
		clean = sanitize_text(name, -1, 0);
		if (secret)
			g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_TIMEOUT,
			    "%s did not finish within %d s and was stopped", clean,
			    (timeout_ms + 999) / 1000);
		else
			g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_TIMEOUT,
			    "%s did not finish within %d ms and was stopped", clean, timeout_ms);
		g_free(clean);
		command_out_free(out, secret);
		return NULL;
	}
	if (exit_status != NULL) {
		*exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		return out;
	}
	if (!(cut != NULL && *cut) && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		clean = sanitize_text(name, -1, 0);
		if (WIFEXITED(status))
			g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_FAILED,
			    "%s exited with status %d", clean, WEXITSTATUS(status));
		else
			g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_FAILED,
			    "%s was killed by signal %d", clean, WTERMSIG(status));
		g_free(clean);
		command_out_free(out, secret);
		return NULL;
	}
	return out;
}

GBytes *
command_run(char *const *argv, const void *input, size_t len, int timeout_ms, size_t max_output,
    bool *cut, GError **error)
{
	GByteArray *out = command_run_full(argv, argv != NULL && argv[0] != NULL ? argv[0] : "",
	    input, len, timeout_ms, max_output, false, cut, -1, NULL, error);

	return out != NULL ? g_byte_array_free_to_bytes(out) : NULL;
}

GBytes *
command_run_status(char *const *argv, const void *input, size_t len, int timeout_ms,
    size_t max_output, int err_fd, int *status, GError **error)
{
	GByteArray *out = command_run_full(argv, argv != NULL && argv[0] != NULL ? argv[0] : "",
	    input, len, timeout_ms, max_output, false, NULL, err_fd, status, error);

	return out != NULL ? g_byte_array_free_to_bytes(out) : NULL;
}

char *
command_run_secret(char *const *argv, const char *name, int timeout_ms, size_t max_output,
    GError **error)
{
	bool cut = false;
	GByteArray *out = command_run_full(argv, name, NULL, 0, timeout_ms, max_output, true, &cut,
	    -1, NULL, error);
	char *text;

	if (out == NULL)
		return NULL;
	if (cut) {
		char *clean = sanitize_text(name, -1, 0);

		g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_FAILED,
		    "%s printed more than %zu bytes", clean, max_output);
		g_free(clean);
		command_out_free(out, true);
		return NULL;
	}
	/* Room for the NUL was allocated with the array: no realloc, no stray copy. */
	g_byte_array_append(out, (const guint8 *)"", 1);
	text = (char *)g_byte_array_free(out, FALSE);
	return text;
}

char *
command_password(const char *password, const char *password_command, int timeout,
    GError **error)
{
	const char *argv[] = { "/bin/sh", "-c", password_command, NULL };
	char *out, *nl;

	if (password_command == NULL)
		return g_strdup(password != NULL ? password : "");
	/*
	 * The command is the user's own configuration, run as they wrote it: a
	 * deadline, so a stuck pinentry cannot hold a lock for ever, and no
	 * copy of the secret left in the runner's buffers.
	 */
	out = command_run_secret((char **)argv, "password_command", timeout * 1000,
	    COMMAND_PASSWORD_MAX, error);
	if (out == NULL)
		return NULL;
	nl = strpbrk(out, "\r\n");
	if (nl != NULL)
		OPENSSL_cleanse(nl, strlen(nl));
	if (out[0] == '\0') {
		g_set_error(error, COMMAND_ERROR, COMMAND_ERROR_FAILED,
		    "password_command printed no password");
		command_password_free(out);
		return NULL;
	}
	return out;
}

void
command_password_free(char *secret)
{
	if (secret == NULL)
		return;
	OPENSSL_cleanse(secret, strlen(secret));
	g_free(secret);
}

bool
command_test(char *const *argv, int timeout_ms)
{
	GBytes *out = command_run(argv, NULL, 0, timeout_ms, 4096, NULL, NULL);

	if (out == NULL)
		return false;
	g_bytes_unref(out);
	return true;
}
