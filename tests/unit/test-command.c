/* Unit tests for command.c: argv splitting, url_command, running with a pipe, timeout and cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_url_argv),
		cmocka_unit_test(test_run_pipe),
		cmocka_unit_test(test_run_errors),
		cmocka_unit_test(test_run_secret),
		cmocka_unit_test(test_test),
	};

	return cmocka_run_group_tests_name("command", tests, NULL, NULL);
}
