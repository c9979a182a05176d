/* Unit tests for command.c: argv splitting, url_command, running with a pipe, timeout and cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "surat/command.h"

static void
test_split(void **state)
{
	GError *error = NULL;
	char **argv = command_split("w3m -dump -T 'text/html' \"a b\"", &error);

	assert_non_null(argv);
	assert_int_equal(g_strv_length(argv), 5);
	assert_string_equal(argv[3], "text/html");
	assert_string_equal(argv[4], "a b");
	g_strfreev(argv);

	/* No expansion: $HOME and $(x) stay as written. */
	argv = command_split("echo $HOME $(x)", &error);
	assert_string_equal(argv[1], "$HOME");
	assert_string_equal(argv[2], "$(x)");
	g_strfreev(argv);

	assert_null(command_split("w3m 'unbalanced", &error));
	assert_int_equal(error->code, COMMAND_ERROR_PARSE);
	assert_non_null(strstr(error->message, "w3m 'unbalanced"));
	g_clear_error(&error);
	assert_null(command_split("", &error));
	g_clear_error(&error);
	assert_null(command_split(NULL, &error));
	g_clear_error(&error);
}

static void
test_url_argv(void **state)
{
	GError *error = NULL;
	char **argv = command_url_argv("firefox --new-tab %u", "https://x.org/?a=1;b=$(id)", &error);

	assert_non_null(argv);
	assert_int_equal(g_strv_length(argv), 3);
	assert_string_equal(argv[2], "https://x.org/?a=1;b=$(id)");
	g_strfreev(argv);

	argv = command_url_argv("xdg-open", "http://x.org/", &error);
	assert_int_equal(g_strv_length(argv), 2);
	assert_string_equal(argv[1], "http://x.org/");
	g_strfreev(argv);

	/* Not a link target: spaces, controls, a leading '-', empty. */
	assert_null(command_url_argv("xdg-open", "http://x.org/ a", &error));
	assert_int_equal(error->code, COMMAND_ERROR_UNSAFE);
	g_clear_error(&error);
	assert_null(command_url_argv("xdg-open", "http://x\x1b[31m", &error));
	g_clear_error(&error);
	assert_null(command_url_argv("xdg-open", "--help", &error));
	g_clear_error(&error);
	assert_null(command_url_argv("xdg-open", "", &error));
	g_clear_error(&error);
	assert_null(command_url_argv("xdg-open", NULL, &error));
	g_clear_error(&error);
	assert_null(command_url_argv("'open", "http://x.org/", &error));
	assert_int_equal(error->code, COMMAND_ERROR_PARSE);
	g_clear_error(&error);
}

static void
test_run_pipe(void **state)
{
	char *argv[] = { "cat", NULL };
	GError *error = NULL;
	GString *in = g_string_new(NULL);
	GBytes *out;
	bool cut = true;
	int i;

	/* More than a pipe holds, both ways: no deadlock. */
	for (i = 0; i < 100000; i++)
		g_string_append(in, "0123456789\n");
	out = command_run(argv, in->str, in->len, 10000, 8 * 1024 * 1024, &cut, &error);
	assert_non_null(out);
	assert_false(cut);
	assert_int_equal(g_bytes_get_size(out), in->len);
	assert_memory_equal(g_bytes_get_data(out, NULL), in->str, in->len);
	g_bytes_unref(out);

	/* A command that reads nothing: no SIGPIPE for us. */
	{
		char *t[] = { "true", NULL };

		out = command_run(t, in->str, in->len, 10000, 100, NULL, &error);
		assert_non_null(out);
		g_bytes_unref(out);
	}
	g_string_free(in, TRUE);
}

/*
 * A program whose exit status counts (a sendmail_command) that prints more
 * than is kept runs to its end: killed at the cut, a sendmail that had
 * taken the message would be told to try again and send it twice.
 */
static void
test_run_status_chatter(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "cat >/dev/null; head -c 100000 /dev/zero; exit 3",
		NULL };
	GError *error = NULL;
	GBytes *out;
	int status = 0;

	(void)state;
	out = command_run_status(argv, "text\n", 5, 10000, 4096, -1, &status, &error);
	assert_non_null(out);
	assert_null(error);
	assert_int_equal(status, 3);
	assert_true(g_bytes_get_size(out) <= 4096);
	g_bytes_unref(out);
}

static void
test_run_errors(void **state)
{
	char *f[] = { "false", NULL };
	char *missing[] = { "surat-no-such-program", NULL };
	char *sleeper[] = { "sh", "-c", "sleep 30", NULL };
	char *yes[] = { "yes", NULL };
	GError *error = NULL;
	GBytes *out;
	gint64 start;
	bool cut = false;

	assert_null(command_run(f, NULL, 0, 5000, 100, NULL, &error));
	assert_int_equal(error->code, COMMAND_ERROR_FAILED);
	assert_string_equal(error->message, "false exited with status 1");
	g_clear_error(&error);

	assert_null(command_run(missing, NULL, 0, 5000, 100, NULL, &error));
	assert_int_equal(error->code, COMMAND_ERROR_SPAWN);
	assert_non_null(strstr(error->message, "surat-no-such-program"));
	g_clear_error(&error);

	start = g_get_monotonic_time();
	assert_null(command_run(sleeper, NULL, 0, 300, 100, NULL, &error));
	assert_int_equal(error->code, COMMAND_ERROR_TIMEOUT);
	assert_true(g_get_monotonic_time() - start < 5 * G_USEC_PER_SEC);
	g_clear_error(&error);

	/* Endless output: cut at the cap, the command stopped. */
	out = command_run(yes, NULL, 0, 5000, 1000, &cut, &error);
	assert_non_null(out);
	assert_true(cut);
	assert_int_equal(g_bytes_get_size(out), 1000);
	g_bytes_unref(out);

	assert_null(command_run(NULL, NULL, 0, 100, 100, NULL, &error));
	g_clear_error(&error);
}

/*
 * A secret command (password_command): the text it printed, errors that
 * call it by the name given, a deadline in seconds that stops the whole
 * process group (a shell and the pinentry it started), a cap.
 */
static void
test_run_secret(void **state)
{
	char *good[] = { "/bin/sh", "-c", "printf 'hunter2\\nmore\\n'", NULL };
	char *fails[] = { "/bin/sh", "-c", "exit 3", NULL };
	char *big[] = { "yes", NULL };
	char *pidfile = g_build_filename(g_get_tmp_dir(), "surat-test-secret-XXXXXX", NULL);
	char *script, *text = NULL;
	char *stuck[] = { "/bin/sh", "-c", NULL, NULL };
	GError *error = NULL;
	gint64 start;
	char *out;
	int fd;
	long pid;

	out = command_run_secret(good, "password_command", 5000, 8192, &error);
	assert_non_null(out);
	assert_string_equal(out, "hunter2\nmore\n");
	g_free(out);

	assert_null(command_run_secret(fails, "password_command", 5000, 8192, &error));
	assert_int_equal(error->code, COMMAND_ERROR_FAILED);
	assert_string_equal(error->message, "password_command exited with status 3");
	g_clear_error(&error);

	assert_null(command_run_secret(big, "password_command", 5000, 100, &error));
	assert_int_equal(error->code, COMMAND_ERROR_FAILED);
	assert_string_equal(error->message, "password_command printed more than 100 bytes");
	g_clear_error(&error);

	/* A shell whose child never ends: both are gone after the deadline. */
	fd = g_mkstemp(pidfile);
	assert_true(fd >= 0);
	close(fd);
	script = g_strdup_printf("sleep 1000 & echo $! > '%s'; wait", pidfile);
	stuck[2] = script;
	start = g_get_monotonic_time();
	assert_null(command_run_secret(stuck, "password_command", 1000, 8192, &error));
	assert_int_equal(error->code, COMMAND_ERROR_TIMEOUT);
	assert_string_equal(error->message,
	    "password_command did not finish within 1 s and was stopped");
	assert_true(g_get_monotonic_time() - start < 10 * G_USEC_PER_SEC);
	g_clear_error(&error);
	assert_true(g_file_get_contents(pidfile, &text, NULL, NULL));
	pid = strtol(text, NULL, 10);
	assert_true(pid > 0);
	/* Killed with its group (a zombie reaped by init at most for a moment). */
	for (fd = 0; fd < 100 && kill((pid_t)pid, 0) == 0; fd++)
		g_usleep(20 * 1000);
	assert_true(kill((pid_t)pid, 0) != 0);
	unlink(pidfile);
	g_free(text);
	g_free(script);
	g_free(pidfile);
}

static void
test_test(void **state)
{
	char *t[] = { "true", NULL };
	char *f[] = { "/bin/sh", "-c", "exit 3", NULL };

	assert_true(command_test(t, 5000));
	assert_false(command_test(f, 5000));
}

static gint
compare_ints(gconstpointer a, gconstpointer b)
{
	return *(const int *)a - *(const int *)b;
}

/* Everything CHILD's shell wrote to its descriptor 3, after it exited with STATUS. */
static char *
start_and_read_events(struct command_child *child, int *status)
{
	GString *got = g_string_new(NULL);
	GError *error = NULL;
	GPid pid = 0;
	char buf[512];
	ssize_t n;
	int p[2];

	assert_int_equal(pipe(p), 0);
	child->events_fd = p[1];
	assert_true(command_start(child, &pid, NULL, NULL, &error));
	assert_null(error);
	close(p[1]);
	while ((n = read(p[0], buf, sizeof buf)) > 0)
		g_string_append_len(got, buf, n);
	close(p[0]);
	*status = child->detach ? 0 : command_wait(pid);
	return g_string_free(got, FALSE);
}

/* True once process PID runs the program named COMM (it has exec'd), within 5 s. */
static bool
runs_program(GPid pid, const char *comm)
{
	char *path = g_strdup_printf("/proc/%d/comm", (int)pid);
	bool found = false;
	int tries;

	for (tries = 0; tries < 250 && !found; tries++) {
		char *text = NULL;

		if (g_file_get_contents(path, &text, NULL, NULL))
			found = strcmp(g_strchomp(text), comm) == 0;
		g_free(text);
		if (!found)
			g_usleep(20 * 1000);
	}
	g_free(path);
	return found;
}

/* The descriptors the running process PID has open, as "0 1 2 3 ". */
static char *
open_descriptors(GPid pid)
{
	char *dir_path = g_strdup_printf("/proc/%d/fd", (int)pid);
	GDir *dir = g_dir_open(dir_path, 0, NULL);
	GArray *fds = g_array_new(FALSE, FALSE, sizeof(int));
	GString *out = g_string_new(NULL);
	const char *name;
	guint i;

	assert_non_null(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		int fd = atoi(name);

		g_array_append_val(fds, fd);
	}
	g_array_sort(fds, (GCompareFunc)compare_ints);
	for (i = 0; i < fds->len; i++)
		g_string_append_printf(out, "%d ", g_array_index(fds, int, i));
	g_array_free(fds, TRUE);
	g_dir_close(dir);
	g_free(dir_path);
	return g_string_free(out, FALSE);
}

static void
test_start_descriptors_and_session(void **state)
{
	char *sleeper[] = { "sleep", "30", NULL };
	char *stat[] = { "/bin/sh", "-c", "echo $$ >&3; cat /proc/$$/stat >&3", NULL };
	struct command_child child = { sleeper, COMMAND_GROUP_OWN, false, false, -1, -1, false };
	GError *error = NULL;
	int leak[2], events[2], status = 0;
	char *out, **f;
	long pid, session;
	GPid sleeping = 0;

	(void)state;
	/*
	 * A descriptor surat forgot to mark close-on-exec stays with surat: the
	 * child, once it runs sleep, has 0, 1, 2 and its events.  (Before its
	 * exec it may still be closing the others: the list waits for sleep.)
	 */
	assert_int_equal(pipe(leak), 0);
	assert_int_equal(pipe(events), 0);
	child.events_fd = events[1];
	assert_true(command_start(&child, &sleeping, NULL, NULL, &error));
	assert_null(error);
	assert_true(runs_program(sleeping, "sleep"));
	out = open_descriptors(sleeping);
	kill(sleeping, SIGKILL);
	assert_int_equal(command_wait(sleeping), 128 + SIGKILL);
	assert_string_equal(out, "0 1 2 3 ");
	g_free(out);
	close(leak[0]);
	close(leak[1]);
	close(events[0]);
	close(events[1]);

	/* A session of its own: the fetcher's, never reached by the terminal. */
	child.argv = stat;
	child.group = COMMAND_GROUP_SESSION;
	out = start_and_read_events(&child, &status);
	assert_int_equal(status, 0);
	f = g_strsplit(strrchr(out, ')') + 2, " ", 0);
	pid = strtol(out, NULL, 10);
	session = strtol(f[3], NULL, 10);
	assert_true(pid > 0);
	assert_int_equal(session, pid);
	g_strfreev(f);
	g_free(out);

	/* Detached (new_mail_command): nobody waits, nothing is left to reap. */
	child.detach = true;
	out = start_and_read_events(&child, &status);
	assert_non_null(strchr(out, ')'));
	g_free(out);
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

/* True when no process of group PGID is left (kill(-PGID, 0) finds none). */
static bool
group_gone(GPid pgid)
{
	int tries;

	for (tries = 0; tries < 100; tries++) {
		if (kill(-pgid, 0) < 0 && errno == ESRCH)
			return true;
		g_usleep(20 * 1000);
	}
	return false;
}

static void
test_stop(void **state)
{
	/* A child that leaves a grandchild behind, as the fetcher leaves its accounts'. */
	char *polite[] = { "/bin/sh", "-c", "sleep 30 & wait", NULL };
	char *deaf[] = { "/bin/sh", "-c", "trap '' TERM; sleep 30 & wait; sleep 30", NULL };
	struct command_child child = { polite, COMMAND_GROUP_SESSION, false, false, -1, -1, false };
	GError *error = NULL;
	GPid pid = 0;
	gint64 t0;

	(void)state;
	assert_true(command_start(&child, &pid, NULL, NULL, &error));
	g_usleep(100 * 1000);
	assert_int_equal(command_stop(pid, 5000), 128 + SIGTERM);
	assert_true(group_gone(pid));

	/* One that ignores SIGTERM is killed once the wait is over. */
	child.argv = deaf;
	assert_true(command_start(&child, &pid, NULL, NULL, &error));
	g_usleep(100 * 1000);
	t0 = g_get_monotonic_time();
	assert_int_equal(command_stop(pid, 300), 128 + SIGKILL);
	assert_true(g_get_monotonic_time() - t0 >= 300 * 1000);
	assert_true(group_gone(pid));
	assert_null(error);
}

static void
test_start_fails_clearly(void **state)
{
	char *argv[] = { "surat-no-such-program", NULL };
	struct command_child child = { argv, COMMAND_GROUP_OWN, false, false, -1, -1, false };
	GError *error = NULL;
	GPid pid = 0;

	(void)state;
	assert_false(command_start(&child, &pid, NULL, NULL, &error));
	assert_non_null(error);
	assert_true(g_error_matches(error, COMMAND_ERROR, COMMAND_ERROR_SPAWN));
	assert_non_null(strstr(error->message, "surat-no-such-program"));
	g_clear_error(&error);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_url_argv),
		cmocka_unit_test(test_run_pipe),
		cmocka_unit_test(test_run_status_chatter),
		cmocka_unit_test(test_run_errors),
		cmocka_unit_test(test_run_secret),
		cmocka_unit_test(test_test),
		cmocka_unit_test(test_start_descriptors_and_session),
		cmocka_unit_test(test_start_fails_clearly),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests_name("command", tests, NULL, NULL);
}
