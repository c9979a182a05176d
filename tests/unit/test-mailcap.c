/* Unit tests for mailcap.c: RFC 1524 parsing, lookup, test=, and expansion that never carries message text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "surat/attach.h"
#include "surat/command.h"
#include "surat/mailcap.h"

static const char mailcap_text[] =
    "# a comment\n"
    "\n"
    "text/html; w3m -I %{charset} -T text/html %s; copiousoutput; nametemplate=%s.html\n"
    "text/html; firefox %s; test=test -n \"$NO_SUCH_SURAT_VAR\"\n"
    "image/png; feh %s\n"
    "image/*; display %s; needsterminal\n"
    "application/pdf; zathura \\\n"
    "  %s; description=\"PDF; long\"\n"
    "text; less %s; needsterminal\n"
    "this is not an entry\n"
    "audio/*; mpv %s; test=false\n"
    "audio/*; cat %s; test=true\n";

/* A set from mailcap_text, named "mc". */
static struct mailcap *
load(GPtrArray *warnings)
{
	struct mailcap *m = mailcap_new();

	mailcap_add_text(m, mailcap_text, "mc", warnings);
	return m;
}

static void
test_parse(void **state)
{
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	struct mailcap *m = load(warnings);
	const struct mailcap_entry *e;

	assert_int_equal(m->entries->len, 8);
	e = g_ptr_array_index(m->entries, 0);
	assert_string_equal(e->type, "text/html");
	assert_string_equal(e->view, "w3m -I %{charset} -T text/html %s");
	assert_true(e->copiousoutput);
	assert_false(e->needsterminal);
	assert_null(e->test);
	assert_string_equal(e->file, "mc");
	assert_int_equal(e->line, 3);
	e = g_ptr_array_index(m->entries, 1);
	assert_string_equal(e->test, "test -n \"$NO_SUCH_SURAT_VAR\"");
	e = g_ptr_array_index(m->entries, 4);
	assert_string_equal(e->type, "application/pdf");
	assert_string_equal(e->view, "zathura   %s"); /* continued on the next line */
	assert_int_equal(e->line, 7);
	e = g_ptr_array_index(m->entries, 5);
	assert_string_equal(e->type, "text/*"); /* "text" alone */
	assert_true(e->needsterminal);
	assert_int_equal(warnings->len, 1);
	assert_string_equal(g_ptr_array_index(warnings, 0),
	    "mc:10: not an entry \"type/subtype; command\"; skipped");
	mailcap_free(m);
	mailcap_free(NULL);
	g_ptr_array_free(warnings, TRUE);
}

static void
test_find(void **state)
{
	struct mailcap *m = load(NULL);
	const struct mailcap_entry *e;

	/* The first match in file order wins; a failing test= is passed over. */
	e = mailcap_find(m, "text/html", 0, "/tmp/x.html");
	assert_string_equal(e->view, "w3m -I %{charset} -T text/html %s");
	e = mailcap_find(m, "TEXT/HTML", MAILCAP_COPIOUSOUTPUT, NULL);
	assert_non_null(e);
	e = mailcap_find(m, "image/png", 0, NULL);
	assert_string_equal(e->view, "feh %s");
	e = mailcap_find(m, "image/jpeg", 0, NULL);
	assert_string_equal(e->view, "display %s");
	assert_null(mailcap_find(m, "image/jpeg", MAILCAP_NO_TERMINAL, NULL));
	assert_null(mailcap_find(m, "image/jpeg", MAILCAP_COPIOUSOUTPUT, NULL));
	e = mailcap_find(m, "text/plain", 0, NULL);
	assert_string_equal(e->view, "less %s");
	e = mailcap_find(m, "audio/ogg", 0, NULL);
	assert_string_equal(e->view, "cat %s");
	assert_null(mailcap_find(m, "video/mp4", 0, NULL));
	assert_null(mailcap_find(NULL, "video/mp4", 0, NULL));
	assert_null(mailcap_find(m, NULL, 0, NULL));
	mailcap_free(m);

	/* A type that is not plain matches nothing, not even a catch-all entry. */
	m = mailcap_new();
	mailcap_add_text(m, "*/*; view -t %t %s\n", "mc", NULL);
	assert_non_null(mailcap_find(m, "x/y", 0, NULL));
	assert_null(mailcap_find(m, "-x/y", 0, NULL));
	assert_null(mailcap_find(m, "x/y/z", 0, NULL));
	assert_null(mailcap_find(m, "x", 0, NULL));
	mailcap_free(m);
}

static void
test_test_uses_file(void **state)
{
	struct mailcap *m = mailcap_new();
	char *dir = g_dir_make_tmp("surat-mailcap-XXXXXX", NULL);
	char *file = g_build_filename(dir, "it's here.txt", NULL);

	mailcap_add_text(m, "text/plain; cat %s; test=test -s %s\n"
	    "text/plain; echo fallback; test=test %t = text/plain\n", "mc", NULL);
	/* No file: a test that needs one fails; the next entry's %t test passes. */
	assert_string_equal(mailcap_find(m, "text/plain", 0, NULL)->view, "echo fallback");
	assert_string_equal(mailcap_find(m, "text/plain", 0, file)->view, "echo fallback");
	assert_true(g_file_set_contents(file, "x", -1, NULL));
	assert_string_equal(mailcap_find(m, "text/plain", 0, file)->view, "cat %s");
	g_unlink(file);
	g_rmdir(dir);
	g_free(file);
	g_free(dir);
	mailcap_free(m);
}

/* %t is a plain RFC 2045 type/subtype, never one a viewer could take for an option. */
static void
test_plain_types(void)
{
	static const char *const good[] = { "text/plain", "image/svg+xml", "A/B",
		"application/vnd.ms-excel.sheet.macroEnabled.12", "application/x_foo-bar.baz",
		"1/2" };
	static const char *const bad[] = { "-x/y", "-oProxyCommand/x", "--help/x", "x/-y",
		"text", "text/", "/plain", "text//plain", "a/b/c", ".x/y", "x/.y", "_x/y",
		"text/pl ain", "text/plain;x", "text/pl\tain", "text/`id`", "text/a*",
		"text/caf\xc3\xa9", "", "*/*", "text/*" };
	GString *longest = g_string_new("x/");
	GError *error = NULL;
	char *s;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(good); i++) {
		s = mailcap_expand("view %t", good[i], "/p", NULL, &error);
		if (s == NULL)
			fail_msg("refused %s", good[i]);
		assert_true(g_str_has_suffix(s, good[i]));
		g_free(s);
	}
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		s = mailcap_expand("view %t", bad[i], "/p", NULL, &error);
		if (s != NULL)
			fail_msg("took \"%s\": %s", bad[i], s);
		assert_int_equal(error->code, MAILCAP_ERROR_UNSAFE);
		g_clear_error(&error);
	}
	while (longest->len < 2 + 127)
		g_string_append_c(longest, 'a');
	s = mailcap_expand("%t", longest->str, "/p", NULL, &error);
	assert_string_equal(s, longest->str);
	g_free(s);
	g_string_append_c(longest, 'a');
	assert_null(mailcap_expand("%t", longest->str, "/p", NULL, &error));
	g_clear_error(&error);
	g_string_free(longest, TRUE);
}

static void
test_expand(void **state)
{
	GError *error = NULL;
	bool uses = false;
	char *s;

	s = mailcap_expand("view %s", "text/plain", "/tmp/a b/it's.txt", &uses, &error);
	assert_string_equal(s, "view '/tmp/a b/it'\\''s.txt'");
	assert_true(uses);
	g_free(s);
	s = mailcap_expand("view -t %t -c %{charset} %% \\%s \\; x", "image/svg+xml", "/p", &uses,
	    &error);
	assert_string_equal(s, "view -t image/svg+xml -c utf-8 % %s ; x");
	assert_false(uses);
	g_free(s);
	s = mailcap_expand("ends with %", "a/b", "/p", NULL, &error);
	assert_string_equal(s, "ends with %");
	g_free(s);

	/* Refused: anything else that would come from the message. */
	assert_null(mailcap_expand("view %{name} %s", "a/b", "/p", NULL, &error));
	assert_int_equal(error->code, MAILCAP_ERROR_UNSAFE);
	assert_non_null(strstr(error->message, "%{name}"));
	g_clear_error(&error);
	assert_null(mailcap_expand("view %n", "a/b", "/p", NULL, &error));
	g_clear_error(&error);
	assert_null(mailcap_expand("view %F", "a/b", "/p", NULL, &error));
	g_clear_error(&error);
	assert_null(mailcap_expand("view %{charset", "a/b", "/p", NULL, &error));
	g_clear_error(&error);
	assert_null(mailcap_expand("view %s", "a/b", NULL, NULL, &error));
	g_clear_error(&error);
	assert_null(mailcap_expand("view %t", "text/x;touch ME", "/p", NULL, &error));
	assert_int_equal(error->code, MAILCAP_ERROR_UNSAFE);
	g_clear_error(&error);
	assert_null(mailcap_expand("view %t", "text/$(id)", "/p", NULL, &error));
	g_clear_error(&error);
	test_plain_types();

	s = mailcap_quote("a'b");
	assert_string_equal(s, "'a'\\''b'");
	g_free(s);
}

/* A template that quotes %s itself still gets the path quoted (found by fuzz-mailcap). */
static void
test_expand_in_quotes(void **state)
{
	GError *error = NULL;
	char *s;

	s = mailcap_expand("view '%s'", "a/b", "/tmp/a b/$(id)'.txt", NULL, &error);
	assert_string_equal(s, "view '''/tmp/a b/$(id)'\\''.txt'''");
	g_free(s);
	s = mailcap_expand("view \"%s\" \"%t\"", "a/b", "/tmp/$(id).txt", NULL, &error);
	assert_string_equal(s, "view \"\"'/tmp/$(id).txt'\"\" \"a/b\"");
	g_free(s);
	/* After a backslash the quote would be a literal: refused. */
	assert_null(mailcap_expand("view \\\\%s", "a/b", "/p", NULL, &error));
	assert_int_equal(error->code, MAILCAP_ERROR_UNSAFE);
	g_clear_error(&error);
	/* A type that would be an option is refused like any unsafe type. */
	assert_null(mailcap_expand("view %t %s", "-oProxyCommand/x", "/p", NULL, &error));
	assert_int_equal(error->code, MAILCAP_ERROR_UNSAFE);
	g_clear_error(&error);
}

static void
test_command(void **state)
{
	struct mailcap *m = load(NULL);
	const struct mailcap_entry *e = mailcap_find(m, "image/png", 0, NULL);
	GError *error = NULL;
	bool pipe_file = true;
	char **argv;

	argv = mailcap_command(e, "image/png", "/tmp/surat-x/part-1.png", &pipe_file, &error);
	assert_int_equal(g_strv_length(argv), 3);
	assert_string_equal(argv[0], "/bin/sh");
	assert_string_equal(argv[1], "-c");
	assert_string_equal(argv[2], "feh '/tmp/surat-x/part-1.png'");
	assert_false(pipe_file);
	g_strfreev(argv);

	mailcap_add_text(m, "application/x-pipe; wc -c\napplication/x-bad; view %{filename}\n", "mc2", NULL);
	argv = mailcap_command(mailcap_find(m, "application/x-pipe", 0, NULL), "application/x-pipe", "/p",
	    &pipe_file, &error);
	assert_true(pipe_file); /* no %s: the file goes on standard input */
	g_strfreev(argv);
	assert_null(mailcap_command(mailcap_find(m, "application/x-bad", 0, NULL), "application/x-bad", "/p",
	    NULL, &error));
	assert_int_equal(error->code, MAILCAP_ERROR_UNSAFE);
	assert_true(g_str_has_prefix(error->message, "mc2:2: %{filename}"));
	g_clear_error(&error);
	assert_null(mailcap_command(NULL, "video/mp4", "/p", NULL, &error));
	assert_int_equal(error->code, MAILCAP_ERROR_NONE);
	assert_string_equal(error->message, "no mailcap entry for video/mp4");
	g_clear_error(&error);
	mailcap_free(m);
}

static void
test_files(void **state)
{
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	char *dir = g_dir_make_tmp("surat-mailcap-XXXXXX", NULL);
	char *file = g_build_filename(dir, "mailcap", NULL);
	char *missing = g_build_filename(dir, "missing", NULL);
	const char *paths[] = { missing, file, dir, NULL };
	struct mailcap *m;

	assert_true(g_file_set_contents(file, "text/plain; cat %s; copiousoutput\n", -1, NULL));
	m = mailcap_load(paths, warnings);
	assert_int_equal(m->entries->len, 1);
	/* The missing file says nothing; the folder cannot be read. */
	assert_int_equal(warnings->len, 1);
	assert_non_null(strstr(g_ptr_array_index(warnings, 0), dir));
	mailcap_free(m);
	g_unlink(file);
	g_rmdir(dir);
	g_free(file);
	g_free(missing);
	g_free(dir);
	g_ptr_array_free(warnings, TRUE);
}

/*
 * The whole path with a hostile message: a type, a charset and a file name
 * made to run "touch ME" if they ever reached a shell.  The viewers run for
 * real, in a private folder, which must stay free of ME.
 */
static void
test_hostile_never_reaches_shell(void **state)
{
	static const char msg[] =
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/plain; charset=\"touch${IFS}ME\"\n"
	    "Content-Disposition: attachment; filename=\"$(touch ME);touch ME;`touch ME`.txt\"\n\nhi\n"
	    "--b\nContent-Type: application/x-$(touch${IFS}ME)\n"
	    "Content-Disposition: attachment; filename=\"';touch ME;'.pdf\"\n\nx\n"
	    "--b--\n";
	struct attach *a = attach_new_bytes(msg, sizeof msg - 1);
	struct mailcap *m = mailcap_new();
	char *cwd = g_get_current_dir();
	char *dir = g_dir_make_tmp("surat-hostile-XXXXXX", NULL);
	char *witness = g_build_filename(dir, "ME", NULL);
	GError *error = NULL;
	int n;

	assert_int_equal(chdir(dir), 0);
	mailcap_add_text(m, "text/*; cat %s >/dev/null && echo %{charset}; test=test -r %s\n"
	    "application/*; cat %s >/dev/null; test=echo %t >/dev/null\n"
	    "*/*; cat %s >/dev/null\n", "mc", NULL);
	for (n = 1; n <= attach_count(a); n++) {
		const struct attach_part *p = attach_get(a, n);
		const struct mailcap_entry *e;
		char *tmp = attach_write_temp(a, n, &error);
		char **argv;
		GBytes *out;

		assert_non_null(tmp);
		assert_null(strstr(tmp, "touch"));
		e = mailcap_find(m, p->type, 0, tmp);
		if (e == NULL) {
			/* The hostile type matches nothing: it cannot pass %t. */
			assert_int_equal(n, 2);
			e = g_ptr_array_index(m->entries, 2);
		}
		argv = mailcap_command(e, p->type, tmp, NULL, &error);
		if (argv == NULL) {
			assert_int_equal(error->code, MAILCAP_ERROR_UNSAFE);
			g_clear_error(&error);
		} else {
			assert_null(strstr(argv[2], "touch"));
			assert_null(strstr(argv[2], "$("));
			out = command_run(argv, NULL, 0, 5000, 1000, NULL, &error);
			assert_non_null(out);
			g_bytes_unref(out);
			g_strfreev(argv);
		}
		attach_remove_temp(tmp);
		g_free(tmp);
	}
	assert_false(g_file_test(witness, G_FILE_TEST_EXISTS));
	assert_int_equal(chdir(cwd), 0);
	g_rmdir(dir);
	g_free(witness);
	g_free(dir);
	g_free(cwd);
	mailcap_free(m);
	attach_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_test_uses_file),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_in_quotes),
		cmocka_unit_test(test_command),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_hostile_never_reaches_shell),
	};

	return cmocka_run_group_tests_name("mailcap", tests, NULL, NULL);
}
