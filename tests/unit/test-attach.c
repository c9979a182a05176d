/* Unit tests for attach.c: part numbering, safe names, saving without overwriting, temp files. */
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
#include "surat/render.h"

static const char attach_msg[] =
    "From: a@example.org\nSubject: parts\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=b\n\n"
    "--b\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n"
    "caf=E9\n"
    "--b\nContent-Type: application/pdf; name=\"report.pdf\"\n"
    "Content-Disposition: attachment; filename=\"../../report.pdf\"\n"
    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
    "--b\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n"
    "Subject: inner\nContent-Type: multipart/mixed; boundary=i\n\n"
    "--i\n\ninner text\n"
    "--i\nContent-Type: image/png\nContent-Disposition: inline; filename*=UTF-8''%C5%BC%C3%B3%C5%82w.png\n"
    "Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n"
    "--i--\n"
    "--b--\n";

static void
test_safe_names(void **state)
{
	static const struct {
		const char *raw;
		int number;
		const char *type;
		const char *want;
	} cases[] = {
		{ "../../.bashrc", 1, "text/plain", "bashrc" },
		{ "/etc/passwd", 1, "text/plain", "passwd" },
		{ "C:\\Windows\\evil.dll", 1, NULL, "evil.dll" },
		{ "a\nb.txt", 1, NULL, "a_b.txt" },
		{ "a\r\n\tb.txt", 1, NULL, "a___b.txt" },
		{ "invoice\xe2\x80\xae" "fdp.exe", 1, NULL, "invoice_fdp.exe" },
		{ "\x1b[31mred\xc2\x9b.txt", 1, NULL, "_[31mred_.txt" },
		{ "zero\xe2\x80\x8bwidth", 1, NULL, "zero_width" },
		{ "bad\xff\xfe.txt", 1, NULL, "bad__.txt" },
		{ " .hidden. ", 1, NULL, "hidden" },
		{ "..", 3, "application/octet-stream", "attachment-3.bin" },
		{ ".", 3, "application/pdf", "attachment-3.pdf" },
		{ "", 1, "text/plain", "attachment-1.txt" },
		{ NULL, 2, "application/pdf", "attachment-2.pdf" },
		{ "dir/", 4, "image/png", "attachment-4.png" },
		{ "\x1b\x07", 5, "image/jpeg", "attachment-5.jpg" },
		{ "żółw – faktura €.pdf", 1, NULL, "żółw – faktura €.pdf" },
		{ "-rf", 1, NULL, "-rf" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *got = attach_safe_name(cases[i].raw, cases[i].number, cases[i].type);

		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
		g_free(got);
	}
}

static void
test_safe_name_length(void **state)
{
	GString *s = g_string_new(NULL);
	char *got;
	int i;

	for (i = 0; i < 300; i++)
		g_string_append_c(s, 'a');
	g_string_append(s, ".pdf");
	got = attach_safe_name(s->str, 1, NULL);
	assert_int_equal(strlen(got), ATTACH_NAME_MAX);
	assert_true(g_str_has_suffix(got, ".pdf"));
	g_free(got);

	/* Cut on a character boundary. */
	g_string_truncate(s, 0);
	for (i = 0; i < 150; i++)
		g_string_append(s, "ż");
	g_string_append(s, ".txt");
	got = attach_safe_name(s->str, 1, NULL);
	assert_true(strlen(got) <= ATTACH_NAME_MAX);
	assert_true(g_utf8_validate(got, -1, NULL));
	assert_true(g_str_has_suffix(got, "ż.txt"));
	g_free(got);
	g_string_free(s, TRUE);
}

static void
test_parts(void **state)
{
	struct attach *a = attach_new_bytes(attach_msg, strlen(attach_msg));
	const struct attach_part *p;
	struct rendering *r;
	GError *error = NULL;
	GBytes *bytes;
	guint i;

	assert_int_equal(attach_count(a), 5);
	p = attach_get(a, 1);
	assert_string_equal(p->type, "text/plain");
	assert_string_equal(p->name, "");
	assert_string_equal(p->charset, "iso-8859-1");
	assert_false(p->attachment);
	p = attach_get(a, 2);
	assert_string_equal(p->name, "report.pdf");
	assert_string_equal(p->type, "application/pdf");
	assert_int_equal(p->size, 9);
	assert_true(p->attachment);
	p = attach_get(a, 3);
	assert_true(p->message);
	assert_int_equal(p->depth, 0);
	p = attach_get(a, 4);
	assert_string_equal(p->type, "text/plain");
	assert_int_equal(p->depth, 1);
	p = attach_get(a, 5);
	assert_string_equal(p->name, "żółw.png");
	assert_int_equal(p->depth, 1);
	assert_int_equal(p->number, 5);
	assert_null(attach_get(a, 0));
	assert_null(attach_get(a, 6));

	bytes = attach_bytes(a, 2, &error);
	assert_int_equal(g_bytes_get_size(bytes), 9);
	assert_memory_equal(g_bytes_get_data(bytes, NULL), "%PDF-1.4\n", 9);
	g_bytes_unref(bytes);
	/* A forwarded message is saved as the message. */
	bytes = attach_bytes(a, 3, &error);
	assert_non_null(g_strstr_len(g_bytes_get_data(bytes, NULL), (gssize)g_bytes_get_size(bytes),
	    "Subject: inner"));
	g_bytes_unref(bytes);

	assert_null(attach_bytes(a, 9, &error));
	assert_int_equal(error->code, ATTACH_ERROR_NO_PART);
	assert_string_equal(error->message, "no part 9: the message has 5 parts");
	g_clear_error(&error);

	/* The renderer lists attachments under the same numbers. */
	r = render_bytes(attach_msg, strlen(attach_msg), NULL);
	assert_true(r->attachments->len >= 2);
	for (i = 0; i < r->attachments->len; i++) {
		const struct render_attachment *ra = g_ptr_array_index(r->attachments, i);

		p = attach_get(a, ra->number);
		assert_non_null(p);
		assert_string_equal(p->type, ra->type);
		assert_string_equal(p->name, ra->name);
	}
	render_free(r);
	attach_free(a);
	attach_free(NULL);

	/* Empty and garbage input: no parts or some, never a crash. */
	a = attach_new_bytes("", 0);
	assert_true(attach_count(a) <= 1);
	attach_free(a);
	a = attach_new_bytes(NULL, 0);
	attach_free(a);
}

static void
test_new_errors(void **state)
{
	GError *error = NULL;

	assert_null(attach_new("/nonexistent/x.eml", &error));
	assert_int_equal(error->code, ATTACH_ERROR_READ);
	assert_string_equal(error->message, "/nonexistent/x.eml: No such file or directory");
	g_clear_error(&error);
}

/* Read the file PATH whole (g_free). */
static char *
slurp(const char *path, gsize *len)
{
	char *data = NULL;

	assert_true(g_file_get_contents(path, &data, len, NULL));
	return data;
}

static void
test_save_never_overwrites(void **state)
{
	struct attach *a = attach_new_bytes(attach_msg, strlen(attach_msg));
	char *dir = g_dir_make_tmp("surat-attach-XXXXXX", NULL);
	char *keep = g_build_filename(dir, "report.pdf", NULL);
	char *target = g_build_filename(dir, "target", NULL);
	char *link = g_build_filename(dir, "report (1).pdf", NULL);
	GError *error = NULL;
	char *path, *data, *want;
	gsize len;

	assert_true(g_file_set_contents(keep, "keep", -1, NULL));
	assert_true(g_file_set_contents(target, "target", -1, NULL));
	assert_int_equal(symlink(target, link), 0);

	path = attach_save(a, 2, dir, NULL, &error);
	assert_non_null(path);
	want = g_build_filename(dir, "report (2).pdf", NULL);
	assert_string_equal(path, want);
	data = slurp(path, &len);
	assert_int_equal(len, 9);
	g_free(data);
	g_free(want);
	g_free(path);
	/* Neither the file nor the symlink's target was touched. */
	data = slurp(keep, NULL);
	assert_string_equal(data, "keep");
	g_free(data);
	data = slurp(target, NULL);
	assert_string_equal(data, "target");
	g_free(data);

	path = attach_save(a, 2, dir, NULL, &error);
	assert_true(g_str_has_suffix(path, "/report (3).pdf"));
	g_unlink(path);
	g_free(path);

	/* A typed name is made safe too, and stays in the folder. */
	path = attach_save(a, 2, dir, "../../.x.pdf", &error);
	want = g_build_filename(dir, "x.pdf", NULL);
	assert_string_equal(path, want);
	g_unlink(path);
	g_free(path);
	g_free(want);

	/* No name at all: the fallback with the type's extension. */
	path = attach_save(a, 4, dir, NULL, &error);
	assert_true(g_str_has_suffix(path, "/attachment-4.txt"));
	g_unlink(path);
	g_free(path);

	assert_null(attach_save(a, 2, "/nonexistent-dir", NULL, &error));
	assert_int_equal(error->code, ATTACH_ERROR_WRITE);
	assert_string_equal(error->message, "/nonexistent-dir: No such file or directory");
	g_clear_error(&error);
	assert_null(attach_save(a, 7, dir, NULL, &error));
	assert_int_equal(error->code, ATTACH_ERROR_NO_PART);
	g_clear_error(&error);

	g_unlink(keep);
	g_unlink(link);
	g_unlink(target);
	path = g_build_filename(dir, "report (2).pdf", NULL);
	g_unlink(path);
	g_free(path);
	assert_int_equal(g_rmdir(dir), 0); /* nothing else was left behind */
	g_free(keep);
	g_free(link);
	g_free(target);
	g_free(dir);
	attach_free(a);
}

static void
test_temp_files(void **state)
{
	struct attach *a = attach_new_bytes(attach_msg, strlen(attach_msg));
	GError *error = NULL;
	struct stat st;
	char *path, *dir, *base, *data;
	gsize len;

	path = attach_write_temp(a, 2, &error);
	assert_non_null(path);
	base = g_path_get_basename(path);
	dir = g_path_get_dirname(path);
	/* surat's own name, the type's extension; nothing from the message. */
	assert_true(g_str_has_prefix(base, "part-"));
	assert_true(g_str_has_suffix(base, ".pdf"));
	assert_null(strstr(path, "report"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	data = slurp(path, &len);
	assert_int_equal(len, 9);
	g_free(data);
	attach_remove_temp(path);
	assert_int_not_equal(stat(path, &st), 0);
	assert_int_not_equal(stat(dir, &st), 0);
	g_free(base);
	g_free(dir);
	g_free(path);

	/* Text is written as UTF-8. */
	path = attach_write_temp(a, 1, &error);
	assert_true(g_str_has_suffix(path, ".txt"));
	data = slurp(path, &len);
	assert_string_equal(data, "café");
	g_free(data);
	attach_remove_temp(path);
	g_free(path);

	assert_null(attach_write_temp(a, 0, &error));
	assert_int_equal(error->code, ATTACH_ERROR_NO_PART);
	g_clear_error(&error);
	attach_remove_temp(NULL);
	attach_free(a);
}

static void
test_write_fd(void **state)
{
	struct attach *a = attach_new_bytes(attach_msg, strlen(attach_msg));
	GError *error = NULL;
	int fds[2];
	char buf[64];
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	assert_true(attach_write_fd(a, 2, fds[1], &error));
	close(fds[1]);
	n = read(fds[0], buf, sizeof buf);
	assert_int_equal(n, 9);
	assert_memory_equal(buf, "%PDF-1.4\n", 9);
	close(fds[0]);
	assert_false(attach_write_fd(a, 6, 1, &error));
	assert_int_equal(error->code, ATTACH_ERROR_NO_PART);
	g_clear_error(&error);
	attach_free(a);
	assert_string_equal(attach_type_extension("IMAGE/PNG"), "png");
	assert_string_equal(attach_type_extension("text/x-unknown"), "txt");
	assert_string_equal(attach_type_extension(NULL), "bin");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_safe_names),
		cmocka_unit_test(test_safe_name_length),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_new_errors),
		cmocka_unit_test(test_save_never_overwrites),
		cmocka_unit_test(test_temp_files),
		cmocka_unit_test(test_write_fd),
	};

	return cmocka_run_group_tests_name("attach", tests, NULL, NULL);
}
