/*
 * Unit tests for where addresses come from: mutt alias files (read,
 * appended to, keys checked), query_command's output, alias expansion in
 * compose's address fields, and the index's address book (counted from
 * the rows, ranked by written-to, then heard-from).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "testlib.h"
#include "surat/compose.h"
#include "surat/contacts.h"
#include "surat/folder.h"
#include "surat/index.h"
#include "surat/mime-lib.h"

/* A file of TEXT in a new folder (*DIR, the caller's to remove). */
static char *
write_temp(const char *name, const char *text, char **dir)
{
	char *path;

	*dir = g_dir_make_tmp("surat-contacts-XXXXXX", NULL);
	assert_non_null(*dir);
	path = g_build_filename(*dir, name, NULL);
	assert_true(g_file_set_contents(path, text, -1, NULL));
	return path;
}

/* mutt's alias lines: groups, quotes, comments, continuations, other commands, last wins. */
static void
test_alias_file(void **state)
{
	static const char text[] =
	    "# my aliases\n"
	    "alias bob Bob Smith <bob@example.org>\n"
	    "alias -group work -group team ann \"Ann, Jr.\" <ann@example.org> # a comment\n"
	    "alias team bob, ann, \\\n"
	    "  carol@example.org\n"
	    "set realname = \"x\"\n"
	    "unalias nobody\n"
	    "alias Bob Robert <robert@example.org>\n"
	    "alias empty\n"
	    "alias crlf dave@example.org\r\n";
	struct contacts_aliases *a;
	GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)contact_entry_free);
	GError *error = NULL;
	char *dir, *path = write_temp("aliases", text, &dir);

	(void)state;
	a = contacts_aliases_load(path, &error);
	assert_non_null(a);
	assert_null(error);
	/* a later alias of a key replaces the earlier one, in any case */
	assert_string_equal(contacts_alias_lookup(a, "bob"), "Robert <robert@example.org>");
	assert_string_equal(contacts_alias_lookup(a, "ann"), "\"Ann, Jr.\" <ann@example.org>");
	assert_string_equal(contacts_alias_lookup(a, "team"), "bob, ann,   carol@example.org");
	assert_string_equal(contacts_alias_lookup(a, "crlf"), "dave@example.org");
	assert_null(contacts_alias_lookup(a, "empty"));
	assert_null(contacts_alias_lookup(a, "nobody"));
	/* completion by key and by a word of the addresses */
	contacts_aliases_complete(a, "ro", found);
	assert_int_equal(found->len, 1);
	assert_string_equal(((struct contact_entry *)found->pdata[0])->key, "Bob");
	g_ptr_array_set_size(found, 0);
	contacts_aliases_complete(a, "t", found);
	assert_int_equal(found->len, 1);
	assert_string_equal(((struct contact_entry *)found->pdata[0])->key, "team");
	contacts_aliases_free(a);
	/* a file that cannot be read is an error naming it, and what to do */
	assert_null(contacts_aliases_load(dir, &error));
	assert_int_equal(error->code, CONTACTS_ERROR_FILE);
	assert_true(g_str_has_prefix(error->message, dir));
	assert_non_null(strstr(error->message, "set alias_file"));
	g_clear_error(&error);
	/* a missing file is an empty book, not an error */
	a = contacts_aliases_load("/nonexistent/aliases", &error);
	assert_non_null(a);
	assert_null(error);
	assert_null(contacts_alias_lookup(a, "bob"));
	contacts_aliases_free(a);
	g_ptr_array_unref(found);
	testlib_rmtree(dir);
	g_free(dir);
	g_free(path);
}

/* `a` appends a line mutt reads, 0600, in a folder made for it; a taken key or a bad one is refused. */
static void
test_alias_add(void **state)
{
	struct contacts_aliases *a;
	GError *error = NULL;
	char *dir = g_dir_make_tmp("surat-contacts-XXXXXX", NULL);
	char *path = g_build_filename(dir, "new", "aliases", NULL), *text = NULL;
	struct stat st;

	(void)state;
	assert_true(contacts_alias_add(path, "bob", "Bob Smith <bob@example.org>", &error));
	assert_null(error);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	assert_string_equal(text, "alias bob Bob Smith <bob@example.org>\n");
	g_free(text);
	assert_false(contacts_alias_add(path, "BOB", "x@example.org", &error));
	assert_int_equal(error->code, CONTACTS_ERROR_ALIAS);
	assert_non_null(strstr(error->message, "already"));
	g_clear_error(&error);
	assert_false(contacts_alias_add(path, "two words", "x@example.org", &error));
	g_clear_error(&error);
	assert_false(contacts_alias_add(path, "x", "a@example.org\nalias evil e@example.org",
	    &error));
	g_clear_error(&error);
	assert_false(contacts_alias_key_ok("", NULL));
	assert_false(contacts_alias_key_ok("a,b", NULL));
	assert_false(contacts_alias_key_ok("a#b", NULL));
	assert_false(contacts_alias_key_ok("a@b", NULL));
	assert_false(contacts_alias_key_ok("a\tb", NULL));
	assert_true(contacts_alias_key_ok("jürgen", NULL));
	assert_true(contacts_alias_add(path, "ann", "ann@example.org", &error));
	a = contacts_aliases_load(path, &error);
	assert_string_equal(contacts_alias_lookup(a, "bob"), "Bob Smith <bob@example.org>");
	assert_string_equal(contacts_alias_lookup(a, "ann"), "ann@example.org");
	assert_null(contacts_alias_lookup(a, "x"));
	contacts_aliases_free(a);
	testlib_rmtree(dir);
	g_free(dir);
	g_free(path);
}

/* mutt's query protocol: a line for people, then ADDRESS<Tab>NAME<Tab>OTHER; 1 is "none". */
static void
test_query_command(void **state)
{
	GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)contact_entry_free);
	GError *error = NULL;
	char *dir, *script, *command;

	(void)state;
	script = write_temp("query",
	    "#!/bin/sh\n"
	    "case \"$1\" in\n"
	    "none) echo 'no matches'; exit 1;;\n"
	    "fail) echo 'broken' >&2; exit 3;;\n"
	    "esac\n"
	    "printf 'Searching for %s\\n' \"$1\"\n"
	    "printf 'ann@example.org\\tAnn Lee\\tfriends\\n'\n"
	    "printf 'not an address\\tX\\n'\n"
	    "printf 'bob@example.org\\n'\n"
	    "printf 'eve@example.org\\tEve \\033[31mred\\n'\n", &dir);
	assert_int_equal(g_chmod(script, 0700), 0);
	/* the text is one argument wherever %s stands, however it looks */
	command = g_strdup_printf("%s %%s", script);
	assert_true(contacts_query(command, "a b; rm -rf", 5000, found, &error));
	assert_null(error);
	assert_int_equal(found->len, 3);
	assert_string_equal(((struct contact_entry *)found->pdata[0])->address, "ann@example.org");
	assert_string_equal(((struct contact_entry *)found->pdata[0])->name, "Ann Lee");
	assert_null(((struct contact_entry *)found->pdata[1])->name);
	/* the program's output is made safe: no escape reaches the screen */
	assert_null(strchr(((struct contact_entry *)found->pdata[2])->name, '\033'));
	g_ptr_array_set_size(found, 0);
	assert_true(contacts_query(command, "none", 5000, found, &error));
	assert_int_equal(found->len, 0);
	assert_false(contacts_query(command, "fail", 5000, found, &error));
	assert_int_equal(error->code, CONTACTS_ERROR_COMMAND);
	assert_non_null(strstr(error->message, "status 3"));
	g_clear_error(&error);
	assert_false(contacts_query("/nonexistent/query", "x", 5000, found, &error));
	assert_non_null(strstr(error->message, "query_command"));
	g_clear_error(&error);
	g_free(command);
	/* without %s the text goes last */
	assert_true(contacts_query(script, "ann", 5000, found, &error));
	assert_int_equal(found->len, 3);
	g_ptr_array_unref(found);
	testlib_rmtree(dir);
	g_free(dir);
	g_free(script);
}

static const char *
lookup(const char *word, void *data)
{
	return contacts_alias_lookup(data, word);
}

/* Aliases in an address field become their lists, nested ones and loops too. */
static void
test_expand(void **state)
{
	static const char text[] = "alias bob Bob <bob@example.org>\n"
	    "alias team bob, ann@example.org\n"
	    "alias loop loop2\nalias loop2 loop\n";
	struct contacts_aliases *a;
	struct compose_draft *d = NULL;
	GError *error = NULL;
	char *dir, *path = write_temp("aliases", text, &dir), *out;

	(void)state;
	a = contacts_aliases_load(path, NULL);
	out = compose_expand_aliases("team, \"Team\" <x@example.org>, carol@example.org", lookup, a);
	assert_string_equal(out, "Bob <bob@example.org>, ann@example.org, \"Team\" <x@example.org>, "
	    "carol@example.org");
	g_free(out);
	out = compose_expand_aliases("x@example.org, bob,team", lookup, a);
	assert_string_equal(out, "x@example.org, Bob <bob@example.org>, Bob <bob@example.org>, "
	    "ann@example.org");
	g_free(out);
	out = compose_expand_aliases("loop", lookup, a);
	assert_string_equal(out, "loop");
	g_free(out);
	out = compose_expand_aliases("Bob", lookup, a); /* keys in any case, as mutt */
	assert_string_equal(out, "Bob <bob@example.org>");
	g_free(out);
	/* the editor's header: aliases expanded before the address check */
	assert_true(mime_lib_load(NULL));
	d = compose_new(NULL, NULL);
	{
		static const char file[] = "To: team\nCc: bob\nSubject: team\n\nteam\n";

		assert_true(compose_editor_parse_aliases(d, file, strlen(file), lookup, a, &error));
	}
	assert_null(error);
	assert_string_equal(d->to, "Bob <bob@example.org>, ann@example.org");
	assert_string_equal(d->cc, "Bob <bob@example.org>");
	assert_string_equal(d->subject, "team");
	/* an unknown word is still a clear error */
	assert_false(compose_editor_parse_aliases(d, "To: nobody\n\nx\n", 14U, lookup, a, &error));
	assert_non_null(strstr(error->message, "nobody"));
	g_clear_error(&error);
	compose_draft_free(d);
	contacts_aliases_free(a);
	testlib_rmtree(dir);
	g_free(dir);
	g_free(path);
}

static void
add(struct index *idx, const char *dir, const char *folder, const char *text)
{
	GError *error = NULL;
	int64_t id = 0;

	assert_true(folder_add(idx, dir, "acct", folder, text, strlen(text), "S", NULL, &id,
	    &error));
	assert_null(error);
}

static struct index_contact *
nth(GPtrArray *found, guint i)
{
	return g_ptr_array_index(found, i);
}

/*
 * The index's book: written-to first (Sent, or From an own address), then
 * heard-from; drafts count for nothing; names, prefixes of words, LIKE's
 * wildcards taken as text; new rows counted on the next update only.
 */
static void
test_index_book(void **state)
{
	const char *const own[] = { "me@example.org", NULL };
	GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)index_contact_free);
	GError *error = NULL;
	char *dir = NULL;
	struct index *idx = testlib_index_new("surat-contacts-XXXXXX", &dir);
	int64_t now = (int64_t)time(NULL);

	(void)state;
	add(idx, dir, "", "From: Alice Heard <alice@example.org>\nDate: Mon, 7 Dec 2026 10:00:00 "
	    "+0000\nSubject: a\n\na\n");
	add(idx, dir, "", "From: Alice Heard <alice@example.org>\nSubject: b\n\nb\n");
	add(idx, dir, "", "From: Al Bundy <al_b@example.org>\nSubject: c\n\nc\n");
	add(idx, dir, "Sent", "From: me@example.org\nTo: Alan Written <alan@example.org>, "
	    "ally@example.org\nCc: \"Ann, Jr.\" <ann@example.org>\nDate: Mon, 7 Dec 2026 "
	    "11:00:00 +0000\nSubject: d\n\nd\n");
	add(idx, dir, "", "From: me@example.org\nTo: Alan Written <alan@example.org>\nSubject: "
	    "e\n\ne\n");
	add(idx, dir, "Drafts", "From: me@example.org\nTo: aldraft@example.org\nSubject: f\n\nf\n");
	assert_true(index_contacts_update(idx, "Sent", "Drafts", own, &error));
	assert_null(error);
	assert_true(index_contacts_find(idx, "al", 10, now, found, &error));
	assert_null(error);
	assert_int_equal(found->len, 4);
	/* alan was written to twice: first, with his name */
	assert_string_equal(nth(found, 0)->address, "alan@example.org");
	assert_string_equal(nth(found, 0)->name, "Alan Written");
	assert_int_equal(nth(found, 0)->written, 2);
	assert_string_equal(nth(found, 1)->address, "ally@example.org");
	assert_string_equal(nth(found, 2)->address, "alice@example.org");
	assert_int_equal(nth(found, 2)->seen, 2);
	assert_string_equal(nth(found, 3)->address, "al_b@example.org");
	g_ptr_array_set_size(found, 0);
	/* a word of the name, any case; "_" is a character, not LIKE's wildcard */
	assert_true(index_contacts_find(idx, "BUN", 10, now, found, &error));
	assert_int_equal(found->len, 1);
	g_ptr_array_set_size(found, 0);
	assert_true(index_contacts_find(idx, "al_", 10, now, found, &error));
	assert_int_equal(found->len, 1);
	g_ptr_array_set_size(found, 0);
	/* a name with a comma does not shift the pairs: the list's names are dropped instead */
	assert_true(index_contacts_find(idx, "ann", 10, now, found, &error));
	assert_int_equal(found->len, 1);
	g_ptr_array_set_size(found, 0);
	assert_true(index_contacts_find(idx, "aldraft", 10, now, found, &error));
	assert_int_equal(found->len, 0);
	/* new mail counts at the next update, once */
	add(idx, dir, "", "From: Zed <zed@example.org>\nSubject: g\n\ng\n");
	assert_true(index_contacts_find(idx, "zed", 10, now, found, &error));
	assert_int_equal(found->len, 0);
	assert_true(index_contacts_update(idx, "Sent", "Drafts", own, &error));
	assert_true(index_contacts_update(idx, "Sent", "Drafts", own, &error));
	assert_true(index_contacts_find(idx, "zed", 10, now, found, &error));
	assert_int_equal(found->len, 1);
	assert_int_equal(nth(found, 0)->seen, 1);
	g_ptr_array_set_size(found, 0);
	/* the limit */
	assert_true(index_contacts_find(idx, "a", 2, now, found, &error));
	assert_int_equal(found->len, 2);
	g_ptr_array_unref(found);
	index_free(idx);
	testlib_rmtree(dir);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alias_file),
		cmocka_unit_test(test_alias_add),
		cmocka_unit_test(test_query_command),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_index_book),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
