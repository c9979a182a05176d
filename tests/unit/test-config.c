/* Unit tests for config.c: every key, every default, every error with its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testlib.h"
#include "surat/config.h"
#include "surat/path.h"
#include "surat/keymap.h"
#include "surat/theme.h"

#define DATA SURAT_TEST_DATA "/config/"

static char *test_home; /* HOME for the tests: ~ expands here */

/* A fresh HOME with a ca.pem, an smtp-ca.pem and a .signature, and the source tree's themes. */
static int
test_setup(void **state)
{
	const char *files[] = { "ca.pem", "smtp-ca.pem", ".signature" };
	char *path;
	size_t i;

	test_home = g_dir_make_tmp("surat-test-config-XXXXXX", NULL);
	assert_non_null(test_home);
	for (i = 0; i < G_N_ELEMENTS(files); i++) {
		path = g_build_filename(test_home, files[i], NULL);
		assert_true(g_file_set_contents(path, "not really a certificate\n", -1, NULL));
		g_free(path);
	}
	setenv("HOME", test_home, 1);
	setenv("SURAT_THEMES_DIR", SURAT_TEST_DATA "/../../themes", 1);
	return 0;
}

/* Remove the HOME made by test_setup. */
static int
test_teardown(void **state)
{
	char *argv[] = { "rm", "-rf", test_home, NULL };

	assert_true(g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
	    NULL, NULL));
	g_free(test_home);
	return 0;
}

/* Load FILE (under tests/data/config) and expect it to be valid. */
static struct surat_config *
test_load_ok(const char *file)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = g_strconcat(DATA, file, NULL);
	struct surat_config *config = config_load(path, errors, NULL);
	guint i;

	for (i = 0; i < errors->len; i++)
		print_error("unexpected: %s\n", (char *)errors->pdata[i]);
	assert_int_equal(errors->len, 0);
	assert_non_null(config);
	assert_string_equal(config->path, path);
	g_ptr_array_free(errors, TRUE);
	g_free(path);
	return config;
}

/*
 * Load FILE and expect exactly the error lines EXPECTED (NULL-terminated),
 * each written without the leading "PATH:"; "%s" in one stands for the
 * theme search path.
 */
static void
test_load_errors(const char *file, const char *const *expected)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = g_strconcat(DATA, file, NULL);
	char *dirs = theme_search_path(), *want, *line, **parts;
	struct surat_config *config = config_load(path, errors, NULL);
	guint i, n = 0;

	assert_null(config);
	for (i = 0; i < errors->len; i++)
		print_message("# %s\n", (char *)errors->pdata[i]);
	while (expected[n] != NULL)
		n++;
	assert_int_equal(errors->len, n);
	for (i = 0; i < n; i++) {
		parts = g_strsplit(expected[i], "%s", -1);
		line = g_strjoinv(dirs, parts);
		g_strfreev(parts);
		want = g_strconcat(path, line, NULL);
		assert_string_equal(errors->pdata[i], want);
		g_free(want);
		g_free(line);
	}
	g_free(dirs);
	g_free(path);
	g_ptr_array_free(errors, TRUE);
}

static void
test_full(void **state)
{
	struct surat_config *config = test_load_ok("full.conf");
	const struct account_config *a;
	char *want;

	want = g_build_filename(test_home, "mail", NULL);
	assert_string_equal(config->store, want);
	g_free(want);
	assert_string_equal(config->theme, "mono");
	assert_non_null(config->theme_path);
	assert_true(g_str_has_suffix(config->theme_path, "/mono.theme"));
	assert_int_equal(config->index_lines, 15);
	assert_int_equal(config->n_accounts, 2);

	a = config_account(config, "work");
	assert_ptr_equal(a, &config->accounts[0]);
	assert_string_equal(a->host, "pop.example.org");
	assert_int_equal(a->port, 1995);
	assert_int_equal(a->tls, POP3_TLS_STARTTLS);
	assert_string_equal(a->user, "alice");
	assert_null(a->password);
	assert_string_equal(a->password_command, "pass show mail/work");
	assert_int_equal(a->auth, POP3_AUTH_SCRAM_SHA_256);
	want = g_build_filename(test_home, "ca.pem", NULL);
	assert_string_equal(a->ca_file, want);
	g_free(want);
	assert_string_equal(a->fingerprint, "SHA256:abcdef0123456789abcdef0123456789"
					    "abcdef0123456789abcdef0123456789");
	assert_true(a->keep);
	assert_int_equal(a->delete_after_days, 30);
	assert_true(a->max_size == INT64_C(10737418240));
	assert_int_equal(a->poll_interval, 600);
	assert_int_equal(a->timeout, 60);
	want = g_build_filename(test_home, "mail", "work", NULL);
	assert_string_equal(a->maildir, want);
	g_free(want);
	assert_int_equal(a->line, 9);
	/* Sending: from as written and in its parts; the smtp group's own keys. */
	assert_string_equal(a->from, "\"Example, Alice\" <alice@example.org>");
	assert_string_equal(a->from_address, "alice@example.org");
	assert_string_equal(a->from_name, "Example, Alice");
	assert_null(a->realname);
	want = g_build_filename(test_home, ".signature", NULL);
	assert_string_equal(a->signature_file, want);
	g_free(want);
	assert_null(a->sendmail_command);
	assert_null(a->sendmail_argv);
	assert_non_null(a->smtp);
	assert_string_equal(a->smtp->host, "smtp.example.org");
	assert_int_equal(a->smtp->port, 2587);
	assert_int_equal(a->smtp->tls, SMTP_TLS_IMPLICIT);
	assert_string_equal(a->smtp->user, "alice@example.org");
	assert_string_equal(a->smtp->password, "smtp-s3cret");
	assert_null(a->smtp->password_command); /* the group set password: not the account's */
	assert_int_equal(a->smtp->auth, SMTP_AUTH_SCRAM_SHA_1);
	want = g_build_filename(test_home, "smtp-ca.pem", NULL);
	assert_string_equal(a->smtp->ca_file, want);
	g_free(want);
	assert_string_equal(a->smtp->fingerprint, "SHA256:0123456789abcdef0123456789abcdef"
					       "0123456789abcdef0123456789abcdef");
	assert_int_equal(a->smtp->timeout, 45);

	a = config_account(config, "home.mail_2-x");
	assert_ptr_equal(a, &config->accounts[1]);
	assert_int_equal(a->port, 110); /* tls = none */
	assert_int_equal(a->tls, POP3_TLS_NONE);
	assert_string_equal(a->password, "s3cret");
	assert_null(a->password_command);
	assert_int_equal(a->auth, POP3_AUTH_APOP); /* written "APOP" */
	assert_false(a->keep);
	assert_int_equal(a->max_size, 1048576);
	assert_int_equal(a->line, 38);
	/* No from: the user, an address, with the account's realname over the global one. */
	assert_null(a->from);
	assert_string_equal(a->from_address, "bob@example.net");
	assert_string_equal(a->from_name, "Bob Example");
	assert_string_equal(a->realname, "Bob Example");
	assert_null(a->signature_file);
	assert_null(a->smtp);
	assert_string_equal(a->sendmail_command,
	    "/usr/bin/msmtp -a 'home mail' --read-envelope-from");
	assert_int_equal(g_strv_length(a->sendmail_argv), 4);
	assert_string_equal(a->sendmail_argv[0], "/usr/bin/msmtp");
	assert_string_equal(a->sendmail_argv[2], "home mail");
	assert_string_equal(a->sendmail_argv[3], "--read-envelope-from");
	assert_string_equal(config->realname, "Everyone Example");
	assert_string_equal(config->record, "Sent.2025");
	assert_string_equal(config->postponed, "Drafts.mine");
	assert_null(config_account(config, "nobody"));
	assert_null(config_account(config, NULL));
	config_free(config);
}

static void
test_minimal_defaults(void **state)
{
	struct surat_config *config = test_load_ok("minimal.conf");
	const struct account_config *a = &config->accounts[0];
	char *want;

	want = g_build_filename(test_home, ".local", "share", "surat", NULL);
	assert_string_equal(config->store, want);
	g_free(want);
	assert_string_equal(config->theme, "default");
	/* Built in, even with a themes folder that holds a default.theme: no file. */
	assert_null(config->theme_path);
	assert_int_equal(config->index_lines, 10);
	assert_int_equal(config->n_accounts, 1);
	assert_string_equal(a->name, "work");
	assert_int_equal(a->port, 995);
	assert_int_equal(a->tls, POP3_TLS_IMPLICIT);
	assert_null(a->password);
	assert_null(a->password_command);
	assert_int_equal(a->auth, POP3_AUTH_AUTO);
	assert_null(a->ca_file);
	assert_null(a->fingerprint);
	assert_true(a->keep);
	assert_int_equal(a->delete_after_days, 0);
	assert_int_equal(a->max_size, 0);
	assert_int_equal(a->poll_interval, 300);
	assert_int_equal(a->timeout, 30);
	assert_int_equal(a->line, 1);
	/* Nothing to send with, and no address to send as: user "alice" is not one. */
	assert_null(a->from);
	assert_null(a->from_address);
	assert_null(a->from_name);
	assert_null(a->realname);
	assert_null(a->signature_file);
	assert_null(a->smtp);
	assert_null(a->sendmail_command);
	assert_null(a->sendmail_argv);
	assert_null(config->realname);
	assert_string_equal(config->record, "Sent");
	assert_string_equal(config->postponed, "Drafts");
	config_free(config);
}

/* Macros: keys as bind writes them or as mutt does, sequences with <action> and escapes. */
static void
test_macros(void **state)
{
	struct surat_config *config = test_load_ok("macros.conf");
	const int32_t comma_a[] = { ',', 'a' }, esc_x[] = { KEYMAP_KEY_ESCAPE, 'x' };
	const int32_t g_i[] = { 'g', 'i' };
	const struct keymap_macro *m;
	const struct keymap_step *st;
	struct keymap *km = keymap_new();
	enum keymap_action action;
	GPtrArray *help;
	char *keys;
	size_t i;
	int c;

	(void)state;
	assert_int_equal(config->n_macros, 3);
	keys = keymap_seq_format(&config->macros[0].keys);
	assert_string_equal(keys, ", a");
	g_free(keys);
	assert_int_equal(config->macros[0].contexts, KEYMAP_IN(KEYMAP_CONTEXT_INDEX));
	assert_string_equal(config->macros[0].sequence, "<limit>~f alice<Enter>");
	assert_string_equal(config->macros[0].description, "mail from Alice");
	assert_int_equal(config->macros[0].line, 3);
	assert_int_equal(config->macros[1].contexts,
	    KEYMAP_IN(KEYMAP_CONTEXT_INDEX) | KEYMAP_IN(KEYMAP_CONTEXT_PAGER));
	assert_null(config->macros[1].description);
	keys = keymap_seq_format(&config->macros[2].keys);
	assert_string_equal(keys, "M-x");
	g_free(keys);
	assert_string_equal(config->macros[2].sequence, "^Xq\\<");

	for (i = 0; i < config->n_macros; i++)
		for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++)
			if (config->macros[i].contexts & KEYMAP_IN(c))
				assert_true(keymap_macro_bind(km, c, &config->macros[i].keys,
				    config->macros[i].sequence, config->macros[i].description, NULL));
	assert_int_equal(keymap_lookup_macro(km, KEYMAP_CONTEXT_INDEX, comma_a, 2, &action, &m),
	    KEYMAP_MATCH_FULL);
	assert_non_null(m);
	assert_int_equal(action, KEYMAP_ACTION_NONE);
	assert_int_equal(m->steps->len, 10);
	st = &g_array_index(m->steps, struct keymap_step, 0);
	assert_int_equal(st->key, KEYMAP_KEY_NONE);
	assert_int_equal(st->action, KEYMAP_ACTION_LIMIT);
	assert_int_equal(g_array_index(m->steps, struct keymap_step, 1).key, '~');
	assert_int_equal(g_array_index(m->steps, struct keymap_step, 9).key, KEYMAP_KEY_ENTER);
	/* A macro does not fall back from the index; where it is bound it works. */
	assert_int_equal(keymap_lookup_macro(km, KEYMAP_CONTEXT_PAGER, comma_a, 2, &action, &m),
	    KEYMAP_MATCH_NONE);
	assert_int_equal(keymap_lookup_macro(km, KEYMAP_CONTEXT_PAGER, g_i, 2, &action, &m),
	    KEYMAP_MATCH_FULL);
	/* libconfig's \n is the key Enter. */
	assert_int_equal(g_array_index(m->steps, struct keymap_step, 1).key, KEYMAP_KEY_ENTER);
	/* Escape x is M-x; ^X is C-x, \< the key <. */
	assert_int_equal(keymap_lookup_macro(km, KEYMAP_CONTEXT_INDEX, esc_x, 2, &action, &m),
	    KEYMAP_MATCH_FULL);
	assert_int_equal(m->steps->len, 3);
	assert_int_equal(g_array_index(m->steps, struct keymap_step, 0).key, KEYMAP_MOD_CTRL | 'x');
	assert_int_equal(g_array_index(m->steps, struct keymap_step, 1).key, 'q');
	assert_int_equal(g_array_index(m->steps, struct keymap_step, 2).key, '<');
	/* A caller that runs no macros sees their keys as bound to nothing. */
	assert_int_equal(keymap_lookup(km, KEYMAP_CONTEXT_INDEX, comma_a, 2, &action),
	    KEYMAP_MATCH_NONE);

	/* The help lists them after the actions, with the description or the sequence. */
	help = g_ptr_array_new_with_free_func(g_free);
	keymap_help(km, KEYMAP_CONTEXT_INDEX, help);
	assert_true(help->len > 3);
	assert_non_null(strstr(help->pdata[help->len - 3], ", a"));
	assert_non_null(strstr(help->pdata[help->len - 3], "macro"));
	assert_non_null(strstr(help->pdata[help->len - 3], "mail from Alice"));
	assert_non_null(strstr(help->pdata[help->len - 2], "<last-entry>\\n"));
	g_ptr_array_free(help, TRUE);
	keymap_free(km);
	config_free(config);
}

/* Every key of issue 5, set. */
static void
test_triage(void **state)
{
	struct surat_config *config = test_load_ok("triage.conf");
	const struct config_binding *b;
	struct keymap *km = keymap_new();
	enum keymap_action action;
	char **argv, *keys;
	size_t i;
	int c;

	assert_int_equal(config->sort, CONFIG_SORT_SUBJECT);
	assert_true(config->sort_reverse);
	assert_int_equal(config->n_mailboxes, 2);
	assert_string_equal(config->mailboxes[0].name, "Unread");
	assert_string_equal(config->mailboxes[0].query, "is:unread");
	assert_int_equal(config->mailboxes[0].line, 4);
	assert_string_equal(config->mailboxes[1].name, "From Bob & Carol");
	assert_string_equal(config->mailboxes[1].query, "from:bob OR from:carol");
	assert_int_equal(config->mailboxes[1].line, 5);
	assert_string_equal(config->trash, "Bin.old");
	assert_true(config->mouse);
	assert_true(config->sidebar);
	assert_int_equal(config->sidebar_width, 30);
	assert_true(config->accounts[0].delete_on_server_when_deleted);

	assert_int_equal(config->n_bindings, 3);
	b = &config->bindings[0];
	assert_int_equal(b->contexts, KEYMAP_IN(KEYMAP_CONTEXT_INDEX));
	keys = keymap_seq_format(&b->keys);
	assert_string_equal(keys, "g g");
	g_free(keys);
	assert_int_equal(b->action, KEYMAP_ACTION_FIRST_ENTRY);
	assert_int_equal(b->line, 9);
	b = &config->bindings[1];
	assert_int_equal(b->contexts,
	    KEYMAP_IN(KEYMAP_CONTEXT_INDEX) | KEYMAP_IN(KEYMAP_CONTEXT_PAGER));
	keys = keymap_seq_format(&b->keys);
	assert_string_equal(keys, "M-d");
	g_free(keys);
	assert_int_equal(b->action, KEYMAP_ACTION_DELETE_MESSAGE);
	b = &config->bindings[2];
	assert_int_equal(b->contexts, KEYMAP_IN(KEYMAP_CONTEXT_PROMPT));
	assert_int_equal(b->action, KEYMAP_ACTION_NONE);
	assert_int_equal(b->line, 11);

	/* The bindings go into a key map as they are. */
	for (i = 0; i < config->n_bindings; i++) {
		b = &config->bindings[i];
		for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
			if (b->contexts & KEYMAP_IN(c))
				assert_true(keymap_bind(km, c, &b->keys, b->action, NULL));
		}
	}
	{
		const int32_t gg[] = { 'g', 'g' }, esc_d[] = { KEYMAP_KEY_ESCAPE, 'd' };
		const int32_t ct[] = { KEYMAP_MOD_CTRL | 't' };

		assert_int_equal(keymap_lookup(km, KEYMAP_CONTEXT_INDEX, gg, 2, &action),
		    KEYMAP_MATCH_FULL);
		assert_int_equal(action, KEYMAP_ACTION_FIRST_ENTRY);
		assert_int_equal(keymap_lookup(km, KEYMAP_CONTEXT_PAGER, esc_d, 2, &action),
		    KEYMAP_MATCH_FULL);
		assert_int_equal(action, KEYMAP_ACTION_DELETE_MESSAGE);
		assert_int_equal(keymap_lookup(km, KEYMAP_CONTEXT_PROMPT, ct, 1, &action),
		    KEYMAP_MATCH_NONE);
	}
	keymap_free(km);

	/* new_mail_command: split, never given to a shell; placeholders filled in. */
	assert_string_equal(config->new_mail_command,
	    "notify-send 'surat: %n new' \"in %a, %u unread, 100%%\"");
	assert_int_equal(g_strv_length(config->new_mail_argv), 3);
	assert_string_equal(config->new_mail_argv[0], "notify-send");
	assert_string_equal(config->new_mail_argv[1], "surat: %n new");
	assert_string_equal(config->new_mail_argv[2], "in %a, %u unread, 100%%");
	argv = config_new_mail_argv(config, 3, 10, "work,home");
	assert_int_equal(g_strv_length(argv), 3);
	assert_string_equal(argv[0], "notify-send");
	assert_string_equal(argv[1], "surat: 3 new");
	assert_string_equal(argv[2], "in work,home, 10 unread, 100%");
	g_strfreev(argv);
	argv = config_new_mail_argv(config, 0, 0, NULL);
	assert_string_equal(argv[2], "in , 0 unread, 100%");
	g_strfreev(argv);
	config_free(config);
}

/* The defaults of issue 5's keys. */
static void
test_triage_defaults(void **state)
{
	struct surat_config *config = test_load_ok("minimal.conf");

	assert_int_equal(config->sort, CONFIG_SORT_DATE);
	assert_false(config->sort_reverse);
	assert_int_equal(config->n_mailboxes, 0);
	assert_null(config->mailboxes);
	assert_string_equal(config->trash, "Trash");
	assert_int_equal(config->n_bindings, 0);
	assert_null(config->bindings);
	assert_int_equal(config->n_colors, 0);
	assert_null(config->colors);
	assert_false(config->mouse);
	assert_null(config->new_mail_command);
	assert_null(config->new_mail_argv);
	assert_null(config_new_mail_argv(config, 1, 1, "work"));
	assert_false(config->sidebar);
	assert_int_equal(config->sidebar_width, 24);
	assert_false(config->accounts[0].delete_on_server_when_deleted);
	config_free(config);
	assert_null(config_new_mail_argv(NULL, 1, 1, NULL));
}

/* Write TEXT to a file in the test HOME and load it; NULL when it has errors (into ERRORS). */
static struct surat_config *
test_load_text(const char *text, GPtrArray *errors, GPtrArray *warnings)
{
	char *path = g_build_filename(test_home, "inline.conf", NULL);
	struct surat_config *config;

	assert_true(g_file_set_contents(path, text, -1, NULL));
	config = config_load(path, errors, warnings);
	g_free(path);
	return config;
}

static void
test_triage_values(void **state)
{
	static const struct {
		const char *text;
		enum config_sort sort;
		bool reverse;
	} sorts[] = {
		{ "date", CONFIG_SORT_DATE, false },
		{ "reverse-date", CONFIG_SORT_DATE, true },
		{ "arrival", CONFIG_SORT_ARRIVAL, false },
		{ "reverse-arrival", CONFIG_SORT_ARRIVAL, true },
		{ "From", CONFIG_SORT_FROM, false },
		{ "reverse-from", CONFIG_SORT_FROM, true },
		{ "subject", CONFIG_SORT_SUBJECT, false },
		{ "size", CONFIG_SORT_SIZE, false },
		{ "reverse-size", CONFIG_SORT_SIZE, true },
		{ "thread", CONFIG_SORT_THREAD, false },
		{ "REVERSE-THREAD", CONFIG_SORT_THREAD, true },
	};
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;
	enum config_sort sort;
	bool reverse;
	char *text;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(sorts); i++) {
		text = g_strdup_printf("sort = \"%s\";\n", sorts[i].text);
		config = test_load_text(text, errors, NULL);
		assert_non_null(config);
		assert_int_equal(config->sort, sorts[i].sort);
		assert_int_equal(config->sort_reverse, sorts[i].reverse);
		config_free(config);
		g_free(text);
		assert_true(config_sort_parse(sorts[i].text, &sort, &reverse));
		assert_int_equal(sort, sorts[i].sort);
		assert_int_equal(reverse, sorts[i].reverse);
	}
	assert_false(config_sort_parse("newest", &sort, &reverse));
	assert_false(config_sort_parse(NULL, &sort, &reverse));
	assert_string_equal(config_sort_name(CONFIG_SORT_ARRIVAL), "arrival");
	assert_string_equal(config_sort_name(CONFIG_SORT_THREAD), "thread");
	assert_string_equal(config_sort_name(CONFIG_SORT_COUNT), "?");

	/* trash = "" turns the trash off. */
	config = test_load_text("trash = \"\";\n", errors, NULL);
	assert_non_null(config);
	assert_null(config->trash);
	config_free(config);

	/* Edges of sidebar_width. */
	config = test_load_text("sidebar_width = 10;\n", errors, NULL);
	assert_int_equal(config->sidebar_width, 10);
	config_free(config);
	config = test_load_text("sidebar_width = 80;\n", errors, NULL);
	assert_int_equal(config->sidebar_width, 80);
	config_free(config);
	config = test_load_text("sidebar_width = 81;\n", errors, NULL);
	assert_null(config);
	assert_true(g_str_has_suffix(errors->pdata[0], ":1: sidebar_width: 81 is out of range "
	    "10..80"));
	g_ptr_array_set_size(errors, 0);

	/* A command of spaces only, and one with a shell's metacharacters kept as words. */
	config = test_load_text("new_mail_command = \"   \";\n", errors, NULL);
	assert_null(config);
	assert_true(g_str_has_suffix(errors->pdata[0], ":1: new_mail_command: no command; it is "
	    "split into words as a shell would, and never run by one"));
	g_ptr_array_set_size(errors, 0);
	config = test_load_text("new_mail_command = \"echo $HOME; rm -rf / | x > y\";\n", errors,
	    NULL);
	assert_non_null(config);
	assert_int_equal(g_strv_length(config->new_mail_argv), 9);
	assert_string_equal(config->new_mail_argv[1], "$HOME;");
	assert_string_equal(config->new_mail_argv[5], "|");
	config_free(config);
	config = test_load_text("new_mail_command = \"x 50%\";\n", errors, NULL);
	assert_null(config);
	assert_true(g_str_has_suffix(errors->pdata[0], ":1: new_mail_command: \"50%\": after % "
	    "comes n (new messages), u (unread), a (accounts) or % (a %)"));
	g_ptr_array_set_size(errors, 0);

	/* The same key bound twice: both kept, in order, so the later one wins. */
	config = test_load_text("bind = ( { context = \"index\"; key = \"x\"; action = \"quit\"; "
	    "}, { context = \"index\"; key = \"x\"; action = \"help\"; } );\n", errors, NULL);
	assert_int_equal(config->n_bindings, 2);
	assert_int_equal(config->bindings[1].action, KEYMAP_ACTION_HELP);
	config_free(config);
	config = test_load_text("bind = ( );\nmailboxes = ( );\n", errors, NULL);
	assert_int_equal(config->n_bindings, 0);
	assert_int_equal(config->n_mailboxes, 0);
	config_free(config);
	g_ptr_array_free(errors, TRUE);
}

/* VALUE as a libconfig string, quotes and backslashes escaped (g_free). */
static char *
test_quote(const char *value)
{
	GString *out = g_string_new("\"");
	const char *c;

	for (c = value; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *c);
	}
	g_string_append_c(out, '"');
	return g_string_free(out, FALSE);
}

/* Load one account "w" (user USER) with KEYS added to its group; as test_load_text. */
static struct surat_config *
test_load_account(const char *user, const char *keys, GPtrArray *errors, GPtrArray *warnings)
{
	char *text = g_strdup_printf("accounts = ( { name = \"w\"; host = \"h\"; user = \"%s\"; "
	    "%s } );\n", user, keys);
	struct surat_config *config = test_load_text(text, errors, warnings);

	g_free(text);
	return config;
}

/* Load TEXT, which must give exactly the one error ":1: " WANT; the config is NULL. */
static void
test_one_error(const char *text, const char *want)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *suffix = g_strconcat(":1: ", want, NULL);
	guint i;

	assert_null(test_load_text(text, errors, NULL));
	for (i = 0; i < errors->len; i++)
		print_message("# %s\n", (char *)errors->pdata[i]);
	assert_int_equal(errors->len, 1);
	assert_true(g_str_has_suffix(errors->pdata[0], suffix));
	g_free(suffix);
	g_ptr_array_free(errors, TRUE);
}

/* from: each way of writing one address, read into its parts without GMime. */
static void
test_from_good(void **state)
{
	static const struct {
		const char *from, *name, *address;
	} good[] = {
		{ "alice@example.org", NULL, "alice@example.org" },
		{ "Alice Example <alice@example.org>", "Alice Example", "alice@example.org" },
		{ "  Alice  Example   <alice@example.org>  ", "Alice  Example",
		    "alice@example.org" },
		{ "Alice<alice@example.org>", "Alice", "alice@example.org" },
		{ "<alice@example.org>", NULL, "alice@example.org" },
		{ "\"\" <alice@example.org>", NULL, "alice@example.org" },
		{ "\"Doe, Jane\" <jane@example.org>", "Doe, Jane", "jane@example.org" },
		{ "\"Jane \\\"JD\\\" Doe \\\\o/\" <jane@example.org>", "Jane \"JD\" Doe \\o/",
		    "jane@example.org" },
		{ "\"Smith; John (work) <x>\" <j@example.org>", "Smith; John (work) <x>",
		    "j@example.org" },
		{ "J. R. Doe <jrd@example.org>", "J. R. Doe", "jrd@example.org" },
		{ "Zo\xc3\xab \xc3\x9cnal <zoe@example.org>", "Zo\xc3\xab \xc3\x9cnal",
		    "zoe@example.org" },
		{ "Jos\xc3\xa9 <jos\xc3\xa9@ex\xc3\xa4mple.org>", "Jos\xc3\xa9",
		    "jos\xc3\xa9@ex\xc3\xa4mple.org" },
		{ "a+tag.x@[192.0.2.1]", NULL, "a+tag.x@[192.0.2.1]" },
	};
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;
	char *keys, *quoted;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(good); i++) {
		print_message("# from = %s\n", good[i].from);
		quoted = test_quote(good[i].from);
		keys = g_strdup_printf("from = %s;", quoted);
		config = test_load_account("u", keys, errors, NULL);
		assert_int_equal(errors->len, 0);
		assert_non_null(config);
		assert_string_equal(config->accounts[0].from, good[i].from);
		assert_string_equal(config->accounts[0].from_address, good[i].address);
		if (good[i].name == NULL)
			assert_null(config->accounts[0].from_name);
		else
			assert_string_equal(config->accounts[0].from_name, good[i].name);
		config_free(config);
		g_free(keys);
		g_free(quoted);
	}
	g_ptr_array_free(errors, TRUE);
}

/* from: everything that is not one address, each with what is wrong. */
static void
test_from_bad(void **state)
{
#define HINT "; write Name <local@domain> or local@domain"
	static const struct {
		const char *from, *error;
	} bad[] = {
		{ "alice", "\"alice\": no @domain" HINT },
		{ "alice@", "\"alice@\": nothing after the @" HINT },
		{ "@example.org", "\"@example.org\": nothing before the @" HINT },
		{ "a@b@example.org", "\"a@b@example.org\": more than one @" HINT },
		{ "Alice alice@example.org", "\"Alice alice@example.org\": a space in the address"
		    HINT },
		{ "Alice <alice @example.org>", "\"Alice <alice @example.org>\": a space in the "
		    "address" HINT },
		{ "a\xc2\xa0" "b@example.org", "\"a\xc2\xa0" "b@example.org\": a space in the "
		    "address" HINT },
		{ "   ", "\"   \": no address" HINT },
		{ "Alice <>", "\"Alice <>\": no address" HINT },
		{ "<a<b@example.org>", "\"<a<b@example.org>\": < or > inside the address" HINT },
		{ "a@example.org>", "\"a@example.org>\": < or > inside the address" HINT },
		{ "a@example.org, b@example.org", "\"a@example.org, b@example.org\": more than one "
		    "address; write one, and a name with a comma in double quotes, \"Doe, Jane\" "
		    "<local@domain>" },
		{ "Doe, Jane <j@example.org>", "\"Doe, Jane <j@example.org>\": more than one "
		    "address; write one, and a name with a comma in double quotes, \"Doe, Jane\" "
		    "<local@domain>" },
		{ "\"Doe, Jane\" <j@example.org>, b@example.org", "\"\"Doe, Jane\" "
		    "<j@example.org>, b@example.org\": more than one address; write one, and a "
		    "name with a comma in double quotes, \"Doe, Jane\" <local@domain>" },
		{ "Jane <j@example.org", "\"Jane <j@example.org\": a < without its >" HINT },
		{ "Jane <j@example.org> x", "\"Jane <j@example.org> x\": text after the >" HINT },
		{ "<a@example.org> <b@example.org>", "\"<a@example.org> <b@example.org>\": text "
		    "after the >" HINT },
		{ "\"Jane <j@example.org>", "\"\"Jane <j@example.org>\": a double quote is not "
		    "closed" HINT },
		{ "\"Jane\\\" <j@example.org>", "\"\"Jane\\\" <j@example.org>\": a double quote is "
		    "not closed" HINT },
		{ "\"Jane\" Doe <j@example.org>", "\"\"Jane\" Doe <j@example.org>\": the name is "
		    "partly in double quotes; put all of it in them, \"Jane Doe\" <local@domain>" },
		{ "\"Jane Doe\"", "\"\"Jane Doe\"\": a name but no <local@domain>" HINT },
		{ "\"Jane Doe\" jane@example.org", "\"\"Jane Doe\" jane@example.org\": a name but "
		    "no <local@domain>" HINT },
		{ "Jane (work) <j@example.org>", "\"Jane (work) <j@example.org>\": a name with ( ) "
		    "< > [ ] : ; @ \\ or \" goes in double quotes, \"Jane Doe (work)\" "
		    "<local@domain>" },
		{ "j@ne <j@example.org>", "\"j@ne <j@example.org>\": a name with ( ) < > [ ] : ; @ "
		    "\\ or \" goes in double quotes, \"Jane Doe (work)\" <local@domain>" },
		{ "Jane \"J\" Doe <j@example.org>", "\"Jane \"J\" Doe <j@example.org>\": a name "
		    "with ( ) < > [ ] : ; @ \\ or \" goes in double quotes, \"Jane Doe (work)\" "
		    "<local@domain>" },
		/* C0 controls are the parser's; C1 ones (NEL here) and bad UTF-8 the check's. */
		{ "Jane\tDoe <j@example.org>", "must not contain control characters" },
		{ "Jane\xc2\x85 <j@example.org>", "must not contain control characters" },
		{ "J\xff <j@example.org>", "is not valid UTF-8" },
		{ "", "must not be empty" },
	};
#undef HINT
	char *keys, *quoted, *want, *text;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		print_message("# from = %s\n", bad[i].from);
		quoted = test_quote(bad[i].from);
		keys = g_strdup_printf("from = %s;", quoted);
		text = g_strdup_printf("accounts = ( { name = \"w\"; host = \"h\"; user = "
		    "\"u@example.org\"; %s } );\n", keys);
		want = g_strconcat("accounts.w.from: ", bad[i].error, NULL);
		test_one_error(text, want);
		g_free(want);
		g_free(text);
		g_free(keys);
		g_free(quoted);
	}
}

/* The address and name to send as when from does not give them. */
static void
test_from_defaults(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;
	const struct account_config *a;

	/* A user that is an address is the one to send as, with no name. */
	config = test_load_account("alice@example.org", "", errors, NULL);
	a = &config->accounts[0];
	assert_null(a->from);
	assert_string_equal(a->from_address, "alice@example.org");
	assert_null(a->from_name);
	config_free(config);
	/* A user with an @ that is no address is not taken: not even text, or not a header's. */
	config = test_load_account("alice@", "", errors, NULL);
	assert_null(config->accounts[0].from_address);
	config_free(config);
	config = test_load_account("\xc3@example.org", "", errors, NULL);
	assert_null(config->accounts[0].from_address);
	config_free(config);
	config = test_load_account("a\xc2\x85@example.org", "", errors, NULL);
	assert_null(config->accounts[0].from_address);
	config_free(config);
	assert_int_equal(errors->len, 0);
	/* The global realname names every account that has no name of its own... */
	config = test_load_text("realname = \"Alice Global\";\naccounts = ( { name = \"a\"; host = "
	    "\"h\"; user = \"alice@example.org\"; }, { name = \"b\"; host = \"h\"; user = \"u\"; "
	    "from = \"b@example.org\"; realname = \"Bee\"; }, { name = \"c\"; host = \"h\"; user = "
	    "\"u\"; from = \"Cee <c@example.org>\"; }, { name = \"d\"; host = \"h\"; user = "
	    "\"u\"; } );\n", errors, NULL);
	assert_int_equal(errors->len, 0);
	assert_string_equal(config->realname, "Alice Global");
	assert_string_equal(config->accounts[0].from_name, "Alice Global");
	assert_null(config->accounts[0].realname);
	/* ...the account's realname comes first, and from's own name before both. */
	assert_string_equal(config->accounts[1].from_name, "Bee");
	assert_string_equal(config->accounts[1].from_address, "b@example.org");
	assert_string_equal(config->accounts[2].from_name, "Cee");
	/* A name and no address: sending says "set from". */
	assert_null(config->accounts[3].from_address);
	assert_string_equal(config->accounts[3].from_name, "Alice Global");
	config_free(config);
	g_ptr_array_free(errors, TRUE);
}

/* The smtp group: its defaults, and what it takes from the account. */
static void
test_smtp_defaults(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;
	const struct smtp_config *smtp;
	char *want;

	config = test_load_account("alice@example.org", "password = \"pw\"; ca_file = "
	    "\"~/ca.pem\"; fingerprint = \"SHA256:0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef\"; timeout = 20; smtp = { host = "
	    "\"smtp.example.org\"; };", errors, NULL);
	assert_int_equal(errors->len, 0);
	smtp = config->accounts[0].smtp;
	assert_non_null(smtp);
	assert_string_equal(smtp->host, "smtp.example.org");
	assert_int_equal(smtp->port, 587);
	assert_int_equal(smtp->tls, SMTP_TLS_STARTTLS);
	assert_string_equal(smtp->user, "alice@example.org");
	assert_string_equal(smtp->password, "pw");
	assert_null(smtp->password_command);
	assert_int_equal(smtp->auth, SMTP_AUTH_AUTO);
	want = g_build_filename(test_home, "ca.pem", NULL);
	assert_string_equal(smtp->ca_file, want);
	g_free(want);
	assert_null(smtp->fingerprint); /* the account's names the POP3 server's certificate */
	assert_int_equal(smtp->timeout, 20);
	config_free(config);

	/* The port by tls; the account's defaults (timeout 30, no secret, no ca_file). */
	config = test_load_account("u", "smtp = { host = \"s\"; tls = \"implicit\"; };", errors,
	    NULL);
	smtp = config->accounts[0].smtp;
	assert_int_equal(smtp->port, 465);
	assert_int_equal(smtp->tls, SMTP_TLS_IMPLICIT);
	assert_string_equal(smtp->user, "u");
	assert_null(smtp->password);
	assert_null(smtp->password_command);
	assert_null(smtp->ca_file);
	assert_int_equal(smtp->timeout, 30);
	config_free(config);
	config = test_load_account("u", "smtp = { host = \"s\"; tls = \"NONE\"; auth = \"plain\"; "
	    "};", errors, NULL);
	assert_int_equal(config->accounts[0].smtp->port, 25);
	assert_int_equal(config->accounts[0].smtp->tls, SMTP_TLS_NONE);
	assert_int_equal(config->accounts[0].smtp->auth, SMTP_AUTH_PLAIN); /* an explicit choice */
	config_free(config);
	config = test_load_account("u", "smtp = { host = \"s\"; tls = \"starttls\"; port = 2525; "
	    "auth = \"none\"; };", errors, NULL);
	assert_int_equal(config->accounts[0].smtp->port, 2525);
	assert_int_equal(config->accounts[0].smtp->auth, SMTP_AUTH_NONE);
	config_free(config);

	/* The secrets are a pair: the group setting one takes neither of the account's. */
	config = test_load_account("u", "password_command = \"pass pop\"; smtp = { host = \"s\"; "
	    "password = \"smtp\"; };", errors, NULL);
	assert_string_equal(config->accounts[0].smtp->password, "smtp");
	assert_null(config->accounts[0].smtp->password_command);
	config_free(config);
	config = test_load_account("u", "password = \"pop\"; smtp = { host = \"s\"; "
	    "password_command = \"pass smtp\"; };", errors, NULL);
	assert_null(config->accounts[0].smtp->password);
	assert_string_equal(config->accounts[0].smtp->password_command, "pass smtp");
	config_free(config);
	config = test_load_account("u", "password_command = \"pass pop\"; smtp = { host = \"s\"; "
	    "user = \"other\"; };", errors, NULL);
	assert_null(config->accounts[0].smtp->password);
	assert_string_equal(config->accounts[0].smtp->password_command, "pass pop");
	assert_string_equal(config->accounts[0].smtp->user, "other");
	config_free(config);
	/* An empty password is a password (as the account's). */
	config = test_load_account("u", "smtp = { host = \"s\"; password = \"\"; };", errors,
	    NULL);
	assert_string_equal(config->accounts[0].smtp->password, "");
	config_free(config);
	/* Every auth by name, in any case. */
	{
		static const char *const names[] = { "auto", "none", "plain", "login", "cram-md5",
			"scram-sha-1", "scram-sha-256", "xoauth2", "OAUTHBEARER" };
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(names); i++) {
			char *keys = g_strdup_printf("smtp = { host = \"s\"; auth = \"%s\"; };",
			    names[i]);

			config = test_load_account("u", keys, errors, NULL);
			assert_int_equal(config->accounts[0].smtp->auth, (int)i);
			assert_true(g_ascii_strcasecmp(config_smtp_auth_name(
			    config->accounts[0].smtp->auth), names[i]) == 0);
			config_free(config);
			g_free(keys);
		}
	}
	assert_int_equal(errors->len, 0);
	g_ptr_array_free(errors, TRUE);
}

/* Expect sendmail_command = COMMAND to be the one error, starting with START. */
static void
test_command_error(const char *command, const char *start)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *keys = g_strdup_printf("sendmail_command = \"%s\";", command);
	char *want = g_strconcat(":1: accounts.w.sendmail_command: ", start, NULL);

	assert_null(test_load_account("u", keys, errors, NULL));
	assert_int_equal(errors->len, 1);
	assert_non_null(strstr(errors->pdata[0], want));
	assert_true(g_str_has_suffix(errors->pdata[0], "); it is not run by a shell, so quote as "
	    "in sh but expect no expansion"));
	g_free(want);
	g_free(keys);
	g_ptr_array_free(errors, TRUE);
}

/* sendmail_command, signature_file, realname, record and postponed: values and errors. */
static void
test_send_values(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;
	char *text, *want;

	/* Split as sh would, never run by one: a shell's metacharacters stay words. */
	config = test_load_account("u", "sendmail_command = \"msmtp -a work; rm -rf ~ | x\";",
	    errors, NULL);
	assert_int_equal(errors->len, 0);
	assert_int_equal(g_strv_length(config->accounts[0].sendmail_argv), 8);
	assert_string_equal(config->accounts[0].sendmail_argv[2], "work;");
	assert_string_equal(config->accounts[0].sendmail_argv[5], "~");
	config_free(config);
	test_one_error("accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; "
	    "sendmail_command = \"\"; } );\n", "accounts.w.sendmail_command: must not be empty");
	/* GLib says what is wrong between the parentheses, in its words. */
	test_command_error("  ", "\"  \" cannot be split into a command and its arguments (");
	test_command_error("msmtp 'x", "\"msmtp 'x\" cannot be split into a command and its "
	    "arguments (");

	/* signature_file: ~ expanded; relative is an error, as for ca_file. */
	config = test_load_account("u", "signature_file = \"~/.signature\";", errors, NULL);
	want = g_build_filename(test_home, ".signature", NULL);
	assert_string_equal(config->accounts[0].signature_file, want);
	g_free(want);
	config_free(config);
	test_one_error("accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; signature_file = "
	    "\"sig\"; } );\n", "accounts.w.signature_file: \"sig\" is a relative path; write a "
	    "full path, /... or ~/...");

	/* realname, in an account and at the top: text for a header. */
	test_one_error("realname = \"A\xc2\x9b\";\n", "realname: must not contain control "
	    "characters");
	test_one_error("realname = \"\";\n", "realname: must not be empty");
	test_one_error("accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; realname = "
	    "\"\xc3\"; } );\n", "accounts.w.realname: is not valid UTF-8");

	/* mutt's =Folder and +Folder name the folder itself. */
	config = test_load_text("record = \"=Sent\";\npostponed = \"+Drafts.old\";\n", errors,
	    NULL);
	assert_non_null(config);
	assert_string_equal(config->record, "Sent");
	assert_string_equal(config->postponed, "Drafts.old");
	config_free(config);
	/* record = "" keeps no copy; postponed must name a folder. */
	config = test_load_text("record = \"\";\npostponed = \"Work.Drafts\";\n", errors, NULL);
	assert_non_null(config);
	assert_null(config->record);
	assert_string_equal(config->postponed, "Work.Drafts");
	config_free(config);
	test_one_error("postponed = \"\";\n", "postponed: must not be empty");
	test_one_error("postponed = \".Drafts\";\n", "postponed: \".Drafts\" is not a folder "
	    "name: no / or .., no dot first or last (a dot separates subfolders)");
	test_one_error("record = \"Sent/2025\";\n", "record: \"Sent/2025\" is not a folder name: "
	    "no / or .., no dot first or last (a dot separates subfolders); \"\" keeps no copy of "
	    "sent mail");

	/* The smtp group's ca_file must exist, as the account's. */
	text = g_strdup_printf("accounts.w.smtp.ca_file: %s/no-ca.pem: No such file or "
	    "directory", test_home);
	test_one_error("accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; smtp = { host = "
	    "\"s\"; ca_file = \"~/no-ca.pem\"; }; } );\n", text);
	g_free(text);
	g_ptr_array_free(errors, TRUE);
}

/* Load TEXT, which must be valid, and expect exactly the warning lines WANT (NULL-terminated). */
static void
test_warnings(const char *text, const char *const *want)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	char *path = g_build_filename(test_home, "warnings.conf", NULL);
	struct surat_config *config;
	guint i, n = 0;

	/* Private, so that no warning is about the file's mode. */
	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_int_equal(chmod(path, 0600), 0);
	config = config_load(path, errors, warnings);
	g_free(path);

	assert_non_null(config);
	for (i = 0; i < warnings->len; i++)
		print_message("# warning: %s\n", (char *)warnings->pdata[i]);
	while (want[n] != NULL)
		n++;
	assert_int_equal(warnings->len, n);
	for (i = 0; i < n; i++)
		assert_true(g_str_has_suffix(warnings->pdata[i], want[i]));
	config_free(config);
	g_ptr_array_free(errors, TRUE);
	g_ptr_array_free(warnings, TRUE);
}

/* What works but is unwise, or does nothing: warnings, not errors. */
static void
test_send_warnings(void **state)
{
	const char *none[] = { NULL };
	char *sig = g_strdup_printf(":1: accounts.w.signature_file: %s/no-sig: No such file or "
	    "directory; it is read each time you write a message", test_home);
	char *dir = g_strdup_printf(":1: accounts.w.signature_file: %s is not a file; it is read "
	    "each time you write a message", test_home);
	const char *missing[] = { sig, NULL }, *folder[] = { dir, NULL };
	const char *realname[] = { ":1: accounts.w.realname: does nothing: from has a name of its "
		"own", NULL };
	const char *no_from[] = { ":1: accounts.w.smtp: no address to send as (user is not one); "
		"set from = \"Name <local@domain>\"", NULL };
	const char *no_from_sendmail[] = { ":1: accounts.w.sendmail_command: no address to send "
		"as (user is not one); set from = \"Name <local@domain>\"", NULL };
	const char *folders[] = { ":2: record: \"Trash\" is also the folder of trash; give each "
		"its own", ":3: postponed: \"Trash\" is also the folder of trash; give each its "
		"own", ":3: postponed: \"Trash\" is also the folder of record; give each its own",
		NULL };
	const char *record[] = { ":1: record: \"Drafts\" is also the folder of postponed; give "
		"each its own", NULL };

	test_warnings("accounts = ( { name = \"w\"; host = \"h\"; user = \"u@x\"; signature_file = "
	    "\"~/no-sig\"; } );\n", missing);
	test_warnings("accounts = ( { name = \"w\"; host = \"h\"; user = \"u@x\"; signature_file = "
	    "\"~\"; } );\n", folder);
	test_warnings("accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; from = "
	    "\"A <a@x>\"; realname = \"B\"; } );\n", realname);
	test_warnings("accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; from = \"a@x\"; "
	    "realname = \"B\"; } );\n", none);
	test_warnings("accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; smtp = { host = "
	    "\"s\"; }; } );\n", no_from);
	test_warnings("accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; sendmail_command = "
	    "\"msmtp\"; } );\n", no_from_sendmail);
	test_warnings("accounts = ( { name = \"w\"; host = \"h\"; user = \"u@x\"; smtp = { host = "
	    "\"s\"; }; } );\n", none);
	test_warnings("trash = \"Trash\";\nrecord = \"Trash\";\npostponed = \"Trash\";\n", folders);
	test_warnings("record = \"Drafts\";\n", record);
	test_warnings("record = \"\";\ntrash = \"\";\n", none);
	g_free(sig);
	g_free(dir);
}

static void
test_delete_on_server_warning(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;

	/* Only meaningful with keep = true: a warning, not an error. */
	config = config_load(DATA "delete-server-no-keep.conf", errors, warnings);
	assert_non_null(config);
	assert_int_equal(errors->len, 0);
	assert_int_equal(warnings->len, 1);
	assert_string_equal(warnings->pdata[0], DATA "delete-server-no-keep.conf:7: "
	    "accounts.work.delete_on_server_when_deleted: does nothing with keep = false: mail "
	    "leaves the server as soon as it is fetched");
	config_free(config);
	/* No warnings array: nothing to say it in, and still valid. */
	config = config_load(DATA "delete-server-no-keep.conf", errors, NULL);
	assert_non_null(config);
	config_free(config);
	g_ptr_array_set_size(warnings, 0);
	config = config_load(DATA "triage.conf", errors, warnings);
	assert_non_null(config);
	assert_int_equal(warnings->len, 0); /* keep = true there */
	config_free(config);
	g_ptr_array_free(errors, TRUE);
	g_ptr_array_free(warnings, TRUE);
}

static void
test_empty(void **state)
{
	struct surat_config *config = test_load_ok("empty.conf");

	assert_int_equal(config->n_accounts, 0);
	assert_null(config->accounts);
	assert_string_equal(config->theme, "default");
	config_free(config);
}

/* Each file with a mistake, and exactly the lines it must give. */
static const struct {
	const char *file;
	const char *errors[10];
} test_bad[] = {
	{ "unknown-key.conf", {
		":2: colour: unknown key; did you mean color?",
		":7: accounts.work.hots: unknown key; did you mean host?",
	} },
	{ "wrong-type.conf", {
		":1: index_lines: expected an integer, got a string",
		":7: accounts.work.port: expected an integer, got a string",
		":8: accounts.work.keep: expected true or false, got a string",
		":9: accounts.work.timeout: expected an integer, got a floating-point number",
	} },
	{ "accounts-type.conf", {
		":1: accounts: expected a list of groups, accounts = ( { ... }, { ... } );, got a group",
	} },
	{ "missing.conf", {
		":2: accounts.work.user: missing; every account needs one",
		":6: accounts[1].name: missing; every account needs one",
	} },
	{ "duplicate.conf", {
		":4: accounts.work.name: duplicate account name \"work\"; first used on line 2",
	} },
	{ "bad-enum.conf", {
		":6: accounts.work.tls: \"ssl\" is not one of implicit, starttls, none",
		":7: accounts.work.auth: \"kerberos\" is not one of auto, user, apop, plain, login, "
		"cram-md5, scram-sha-1, scram-sha-256, xoauth2, oauthbearer",
	} },
	{ "range.conf", {
		":1: index_lines: 0 is out of range 1..200",
		":7: accounts.work.port: 70000 is out of range 1..65535",
		":8: accounts.work.poll_interval: 5 is out of range 10..86400",
		":9: accounts.work.timeout: 3601 is out of range 1..3600",
		":10: accounts.work.delete_after_days: -1 is out of range; use 0 or more",
		":11: accounts.work.max_size: -1 is out of range; use 0 or more",
	} },
	{ "big-int.conf", {
		":6: accounts.work.max_size: 10737418240 needs an L suffix (10737418240L): "
		"libconfig reads numbers beyond 32 bits only with it",
		":7: accounts.work.port: 4294967391 is out of range 1..65535",
	} },
	{ "bad-name.conf", {
		":2: accounts[0].name: \"my work\" is not a valid account name; use 1 to 64 of "
		"A-Z a-z 0-9 . _ -, not starting with '.' or '-'",
		":2: accounts[0].port: 0 is out of range 1..65535",
		":3: accounts[1].name: \"..\" is not a valid account name; use 1 to 64 of "
		"A-Z a-z 0-9 . _ -, not starting with '.' or '-'",
		":4: accounts[2].name: \"index.db\" is reserved for the index in the store; choose "
		"another name",
		":5: accounts[3].name: must not be empty",
		":6: accounts[4].name: longer than 64 bytes",
		":8: accounts[5]: expected a group { name = \"...\"; ... }, got a string",
	} },
	/* Names an option parser or the files beside the Maildirs would claim. */
	{ "reserved-names.conf", {
		":2: accounts[0].name: \"-work\" starts with '-', which commands would take for an "
		"option; choose another name",
		":3: accounts[1].name: \"fetch.log\" is reserved for the fetch log in the store; "
		"choose another name",
		":4: accounts[2].name: \"index.db-wal\" is reserved for the index in the store; "
		"choose another name",
		":5: accounts[3].name: \"index.db-shm\" is reserved for the index in the store; "
		"choose another name",
		":6: accounts[4].name: \"index.db-journal\" is reserved for the index in the store; "
		"choose another name",
		":7: accounts[5].name: \"INDEX.DB\" is reserved for the index in the store; choose "
		"another name",
		":8: accounts[6].name: \"Fetch.Log\" is reserved for the fetch log in the store; "
		"choose another name",
	} },
	{ "unknown-theme.conf", { ":3: theme: no theme named nosuch (looked in %s)" } },
	{ "password-both.conf", {
		":7: accounts.work.password_command: set either password or password_command, "
		"not both",
	} },
	{ "delete-no-keep.conf", {
		":7: accounts.work.delete_after_days: applies only with keep = true; with keep = "
		"false mail leaves the server as soon as it is fetched",
	} },
	{ "fingerprint.conf", {
		":6: accounts.work.fingerprint: \"SHA1:ABCD\" is not a SHA-256 fingerprint; write "
		"SHA256: and 64 hex digits, colons between pairs allowed",
		":12: accounts.home.fingerprint: \"SHA256:abcdef0123456789abcdef0123456789abcdef"
		"0123456789abcdef012345678\" is not a SHA-256 fingerprint; write SHA256: and 64 hex "
		"digits, colons between pairs allowed",
	} },
	{ "relative.conf", {
		":1: store: \"mail\" is a relative path; write a full path, /... or ~/...",
	} },
	{ "strings.conf", {
		":4: accounts.work.host: must not be empty",
		":5: accounts.work.user: must not contain control characters",
	} },
	{ "syntax.conf", { ":3: syntax: syntax error" } },
	{ "bad-sort.conf", {
		":1: sort: \"newest\" is not one of date, arrival, from, subject, size, thread, "
		"reverse-date, reverse-arrival, reverse-from, reverse-subject, reverse-size, "
		"reverse-thread",
	} },
	{ "bad-mailboxes.conf", {
		":3: mailboxes[1].name: duplicate mailbox name \"Unread\"; first used on line 2",
		":4: mailboxes[2].name: \" Padded\" begins or ends with a space",
		":5: mailboxes[3].name: missing; every mailbox needs one",
		":6: mailboxes[4].query: must not be empty",
		":7: mailboxes[5].colour: unknown key",
		":8: mailboxes[6].name: longer than 64 bytes",
		":10: mailboxes[7]: expected a group { ... }, got a string", /* libconfig: the next line */
	} },
	{ "bad-macro.conf", {
		":2: macro[0].context: unknown context \"composer\"; use index, pager, attachments, "
		"links, sidebar, prompt, help, compose, or several joined by commas",
		":3: macro[1].keys: \"<Nope>\" is not a key name; write one character, C-x, M-x, or "
		"a name: Enter, Tab, Space, Backspace, Escape, Up, Down, Left, Right, PageUp, "
		"PageDown, Home, End, Insert, Delete, F1..F24",
		":4: macro[2].sequence: <Entr> is neither an action nor a key name; did you mean "
		"<Enter>?",
		":5: macro[3].sequence: <frobnicate> is neither an action nor a key name; the actions "
		"are listed under KEY BINDINGS in surat.conf(5)",
		":6: macro[4].sequence: must not be empty",
		":7: macro[5].sequence: missing; every macro needs one",
		":8: macro[6].description: expected a string in double quotes, got an integer",
	} },
	{ "bad-bind.conf", {
		":2: bind[0].key: \"Ctrl-x\" is not a key name; write one character, C-x, M-x, or "
		"a name: Enter, Tab, Space, Backspace, Escape, Up, Down, Left, Right, PageUp, "
		"PageDown, Home, End, Insert, Delete, F1..F24",
		":3: bind[1].action: unknown action \"frist-entry\"; did you mean first-entry?",
		":4: bind[2].context: unknown context \"composer\"; use index, pager, attachments, "
		"links, sidebar, prompt, help, compose, or several joined by commas",
		":5: bind[3].action: delete-message does not apply in prompt; it applies in index, "
		"pager",
		":6: bind[4].action: missing; every binding needs one",
		":7: bind[5].key: more than 8 keys in a row; use at most 8",
		":8: bind[6].action: expected a string in double quotes, got an integer",
	} },
	{ "bad-triage.conf", {
		":1: trash: \"../mail\" is not a folder name: no / or .., no dot first or last (a "
		"dot separates subfolders); \"\" turns the trash off",
		":2: sidebar_width: 5 is out of range 10..80",
		":3: mouse: expected true or false, got a string",
		":4: sidebar: expected true or false, got an integer",
		":5: new_mail_command: a quote is not closed; it is split into words as a shell "
		"would, and never run by one",
		":6: mailboxes: expected a list of groups, mailboxes = ( { name = \"...\"; query = "
		"\"...\"; } );, got a group",
		":7: bind[1].context: no context; use index, pager, attachments, links, sidebar, "
		"prompt, help, compose, or several joined by commas",
	} },
	{ "bad-command.conf", {
		":1: new_mail_command: \"%x\": after % comes n (new messages), u (unread), a "
		"(accounts) or % (a %)",
	} },
	{ "bad-smtp.conf", {
		":7: accounts.work.smtp.host: missing; every smtp group needs one",
		":8: accounts.work.smtp.port: 0 is out of range 1..65535",
		":9: accounts.work.smtp.tls: \"ssl\" is not one of starttls, implicit, none",
		":10: accounts.work.smtp.auth: \"apop\" is not one of auto, none, plain, login, "
		"cram-md5, scram-sha-1, scram-sha-256, xoauth2, oauthbearer",
		":11: accounts.work.smtp.fingerprint: \"SHA1:AB\" is not a SHA-256 fingerprint; "
		"write SHA256: and 64 hex digits, colons between pairs allowed",
		":12: accounts.work.smtp.timeout: 0 is out of range 1..3600",
		":14: accounts.work.smtp.password_command: set either password or "
		"password_command, not both",
		":15: accounts.work.smtp.hots: unknown key; did you mean host?",
	} },
	{ "bad-sending.conf", {
		":1: realname: must not be empty",
		":2: record: \"../Sent\" is not a folder name: no / or .., no dot first or last (a "
		"dot separates subfolders); \"\" keeps no copy of sent mail",
		":3: postponed: must not be empty",
		":5: accounts.home.smtp: expected a group, smtp = { host = \"...\"; ... };, got a "
		"string",
		":6: accounts.both.sendmail_command: set either smtp or sendmail_command, not both",
		":7: accounts.from.from: \"Doe, Jane <jane@example.org>\": more than one address; "
		"write one, and a name with a comma in double quotes, \"Doe, Jane\" <local@domain>",
		":7: accounts.from.signature_file: \"sig\" is a relative path; write a full path, "
		"/... or ~/...",
	} },
	{ "several.conf", {
		":3: index_lines: 500 is out of range 1..200",
		":4: colour: unknown key; did you mean color?",
		":9: accounts.work.port: 0 is out of range 1..65535",
		":10: accounts.work.tls: \"ssl\" is not one of implicit, starttls, none",
		":12: accounts.work.keep: expected true or false, got an integer",
		":14: accounts.work.host: missing; every account needs one",
		":15: accounts.work.name: duplicate account name \"work\"; first used on line 7",
	} },
};

/* One file with mistakes (STATE points at its test_bad entry). */
static void
test_error(void **state)
{
	size_t i = (size_t)((const char *)*state - (const char *)test_bad) / sizeof(test_bad[0]);

	test_load_errors(test_bad[i].file, test_bad[i].errors);
}

/*
 * alternates, alias_file, query_command: each mistake on its line (the
 * regular expression's own words come from GLib, so only the start is
 * compared), then what good values become.
 */
/*
 * Colour rules: each mistake on its line (a bad regex's own words from PCRE
 * are not compared), then what good rules become, and the regex's case rule.
 */
static void
test_colors(void **state)
{
	static const char *const starts[] = {
		":2: color[0].object: \"sidebar\" is not one of index, body, header",
		":3: color[1].fg: unknown colour \"light-red\"; use default, black, red, green, "
		"yellow, blue, magenta, cyan, white, bright-black .. bright-white, color0 .. color255 "
		"or #rrggbb",
		":4: color[2].query: column 1: from: needs a value right after the colon, as in "
		"from:word",
		":5: color[3].regex: \"https?://(\\S+\" is not a regular expression (",
		":6: color[4].query: header rules take a regex, not a query: regex = \"^Subject:\";",
		":7: color[5].regex: index rules take a query (as l does), not a regex: query = "
		"\"~f boss\";",
		":8: color[6].attrs: unknown attribute \"shiny\"; use bold, underline, reverse, dim, "
		"italic or blink",
		":9: color[7]: a colour rule needs fg, bg or attrs, as in fg = \"red\";",
		":10: color[8].query: missing; an index rule needs one, as in query = \"~f boss | "
		"is:flagged\";",
	};
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = g_strconcat(DATA, "bad-color.conf", NULL);
	struct surat_config *config = config_load(path, errors, NULL);
	const struct config_color *c;
	GRegex *regex;
	guint i;

	(void)state;
	assert_null(config);
	for (i = 0; i < errors->len; i++)
		print_message("# %s\n", (char *)errors->pdata[i]);
	assert_int_equal(errors->len, G_N_ELEMENTS(starts));
	for (i = 0; i < G_N_ELEMENTS(starts); i++) {
		char *want = g_strconcat(path, starts[i], NULL);

		assert_true(g_str_has_prefix(errors->pdata[i], want));
		g_free(want);
	}
	g_ptr_array_set_size(errors, 0);
	config = test_load_text("color = (\n"
	    "  { object = \"index\"; fg = \"red\"; bg = \"default\"; query = \"~f boss | is:flagged\"; },\n"
	    "  { object = \"body\"; fg = \"cyan\"; regex = \"https?://\\\\S+\"; },\n"
	    "  { object = \"header\"; bg = \"#102030\"; attrs = [\"bold\", \"underline\"];"
	    " regex = \"^Subject:\"; }\n);\n", errors, NULL);
	assert_non_null(config);
	assert_int_equal(errors->len, 0);
	assert_int_equal(config->n_colors, 3);
	c = &config->colors[0];
	assert_int_equal(c->object, CONFIG_COLOR_INDEX);
	assert_int_equal(c->fg, 1);
	assert_int_equal(c->bg, THEME_COLOR_DEFAULT);
	assert_int_equal(c->attrs, 0);
	assert_string_equal(c->query, "~f boss | is:flagged");
	assert_null(c->regex);
	assert_int_equal(c->line, 2);
	c = &config->colors[1];
	assert_int_equal(c->object, CONFIG_COLOR_BODY);
	assert_int_equal(c->fg, 6);
	assert_int_equal(c->bg, CONFIG_COLOR_UNSET);
	assert_string_equal(c->regex, "https?://\\S+");
	c = &config->colors[2];
	assert_int_equal(c->object, CONFIG_COLOR_HEADER);
	assert_int_equal(c->fg, CONFIG_COLOR_UNSET);
	assert_int_equal(c->bg, THEME_COLOR_RGB | 0x102030);
	assert_int_equal(c->attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	assert_int_equal(c->line, 4);
	config_free(config);
	/* mutt's case rule: no upper-case letter (\S is a class) ignores case. */
	regex = config_color_regex("https?://\\S+", NULL);
	assert_true(g_regex_match(regex, "HTTPS://X", 0, NULL));
	g_regex_unref(regex);
	regex = config_color_regex("^Subject:", NULL);
	assert_false(g_regex_match(regex, "subject: x", 0, NULL));
	g_regex_unref(regex);
	g_ptr_array_free(errors, TRUE);
	g_free(path);
}

static void
test_addresses(void **state)
{
	static const char *const starts[] = {
		":1: alternates: \"(work\" is not a regular expression (",
		":2: alias_file: \"aliases\" is a relative path; write a full path, /... or ~/...",
		":3: query_command: \"abook --mutt-query '%s\" cannot be split into a command and "
		"its arguments (",
		":4: alternates2: unknown key; did you mean alternates?",
	};
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = g_strconcat(DATA, "bad-addresses.conf", NULL), *file;
	struct surat_config *config = config_load(path, errors, NULL);
	char **own;
	GRegex *regex;
	guint i;

	(void)state;
	assert_null(config);
	assert_int_equal(errors->len, G_N_ELEMENTS(starts));
	for (i = 0; i < G_N_ELEMENTS(starts); i++) {
		char *want = g_strconcat(path, starts[i], NULL);

		assert_true(g_str_has_prefix(errors->pdata[i], want));
		g_free(want);
	}
	g_ptr_array_set_size(errors, 0);
	/* Good values: one expression over whole addresses, any case; the file as written. */
	config = test_load_text("alternates = [ \"me@example\\\\.org\", \"alice\\\\+.*@x\\\\.net\" ];\n"
	    "alias_file = \"~/mutt/aliases\";\nquery_command = \"khard email --parsable %s\";\n"
	    "accounts = ( { name = \"w\"; host = \"h\"; user = \"u\"; from = \"A <a@x.net>\"; },"
	    " { name = \"v\"; host = \"h\"; user = \"u\"; } );\n", errors, NULL);
	assert_non_null(config);
	assert_int_equal(errors->len, 0);
	regex = config_alternates(config);
	assert_non_null(regex);
	assert_true(g_regex_match(regex, "ME@Example.org", 0, NULL));
	assert_true(g_regex_match(regex, "alice+lists@x.net", 0, NULL));
	assert_false(g_regex_match(regex, "meXexample.org", 0, NULL));
	g_regex_unref(regex);
	file = config_alias_file(config);
	assert_true(g_str_has_suffix(file, "/mutt/aliases"));
	assert_true(g_str_has_prefix(file, test_home));
	g_free(file);
	assert_string_equal(config->query_command, "khard email --parsable %s");
	own = config_own_addresses(config);
	assert_int_equal(g_strv_length(own), 1);
	assert_string_equal(own[0], "a@x.net");
	g_strfreev(own);
	config_free(config);
	/* Unset: no alternates; the alias file beside the config, as XDG says. */
	config = test_load_text("store = \"/tmp/s\";\n", errors, NULL);
	assert_null(config_alternates(config));
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	file = config_alias_file(config);
	assert_string_equal(file, "/xdg/surat/aliases");
	g_free(file);
	unsetenv("XDG_CONFIG_HOME");
	file = config_alias_file(config);
	assert_true(g_str_has_suffix(file, "/.config/surat/aliases"));
	g_free(file);
	config_free(config);
	g_ptr_array_free(errors, TRUE);
	g_free(path);
}

static void
test_missing_ca_file(void **state)
{
	char *line = g_strdup_printf(":6: accounts.work.ca_file: %s/no-such-ca.pem: "
	    "No such file or directory", test_home);
	const char *expected[] = { line, NULL };

	test_load_errors("ca-file.conf", expected);
	g_free(line);
}

static void
test_theme_path(void **state)
{
	char *line = g_strdup_printf(":1: theme: no theme file ~/nosuch/x.theme");
	const char *expected[] = { line, NULL };
	struct surat_config *config;
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = g_build_filename(test_home, "my.theme", NULL);
	char *conf = g_build_filename(test_home, "theme.conf", NULL);

	test_load_errors("theme-path.conf", expected);
	g_free(line);
	/* A path that exists is taken as it is, ~ expanded. */
	assert_true(g_file_set_contents(path, "status = { attrs = [\"bold\"]; };\n", -1, NULL));
	assert_true(g_file_set_contents(conf, "theme = \"~/my.theme\";\n", -1, NULL));
	config = config_load(conf, errors, NULL);
	assert_non_null(config);
	assert_string_equal(config->theme, "~/my.theme");
	assert_string_equal(config->theme_path, path);
	config_free(config);
	g_ptr_array_free(errors, TRUE);
	g_free(conf);
	g_free(path);
}

static void
test_include(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);

	/* An @include'd file is found next to the configuration, and named in errors. */
	assert_null(config_load(DATA "include.conf", errors, NULL));
	assert_int_equal(errors->len, 1);
	assert_string_equal(errors->pdata[0],
	    DATA "include.inc:3: accounts.work.port: 0 is out of range 1..65535");
	g_ptr_array_free(errors, TRUE);
}

static void
test_unreadable(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);

	assert_null(config_load(DATA "no-such.conf", errors, NULL));
	assert_int_equal(errors->len, 1);
	assert_string_equal(errors->pdata[0],
	    DATA "no-such.conf: cannot read: No such file or directory");
	g_ptr_array_set_size(errors, 0);
	assert_null(config_load(SURAT_TEST_DATA, errors, NULL));
	assert_int_equal(errors->len, 1);
	assert_string_equal(errors->pdata[0], SURAT_TEST_DATA ": cannot read: not a regular file");
	g_ptr_array_free(errors, TRUE);
}

/* Load a copy of password.conf with MODE; return the number of warnings. */
static guint
test_password_mode(mode_t mode, char **warning)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	char *copy = g_build_filename(test_home, "password.conf", NULL);
	char *contents;
	struct surat_config *config;
	guint n;

	assert_true(g_file_get_contents(DATA "password.conf", &contents, NULL, NULL));
	assert_true(g_file_set_contents(copy, contents, -1, NULL));
	assert_int_equal(chmod(copy, mode), 0);
	config = config_load(copy, errors, warnings);
	assert_non_null(config);
	assert_string_equal(config->accounts[0].password, "secret");
	n = warnings->len;
	*warning = n > 0 ? g_strdup(warnings->pdata[0]) : NULL;
	config_free(config);
	g_ptr_array_free(errors, TRUE);
	g_ptr_array_free(warnings, TRUE);
	g_free(contents);
	g_free(copy);
	return n;
}

static void
test_password_warning(void **state)
{
	char *warning, *want;

	assert_int_equal(test_password_mode(0644, &warning), 1);
	want = g_strdup_printf("%s/password.conf: holds a password but is readable by group or "
	    "others; chmod 600 %s/password.conf", test_home, test_home);
	assert_string_equal(warning, want);
	g_free(want);
	g_free(warning);
	assert_int_equal(test_password_mode(0640, &warning), 1);
	g_free(warning);
	assert_int_equal(test_password_mode(0604, &warning), 1);
	g_free(warning);
	assert_int_equal(test_password_mode(0600, &warning), 0);
	assert_null(warning);
}

static void
test_no_warning_without_password(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	char *copy = g_build_filename(test_home, "minimal.conf", NULL);
	char *contents;
	struct surat_config *config;

	assert_true(g_file_get_contents(DATA "minimal.conf", &contents, NULL, NULL));
	assert_true(g_file_set_contents(copy, contents, -1, NULL));
	assert_int_equal(chmod(copy, 0644), 0);
	config = config_load(copy, errors, warnings);
	assert_non_null(config);
	assert_int_equal(warnings->len, 0);
	config_free(config);
	g_ptr_array_free(errors, TRUE);
	g_ptr_array_free(warnings, TRUE);
	g_free(contents);
	g_free(copy);
}

/* Write TEXT into NAME under test_home with MODE; the path (g_free). */
static char *
test_file(const char *name, const char *text, mode_t mode)
{
	char *path = g_build_filename(test_home, name, NULL);

	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

/* Load PATH, which must be valid, and expect exactly the one warning WANT, or none (NULL). */
static void
test_one_warning(const char *path, const char *want)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config = config_load(path, errors, warnings);
	guint i;

	assert_non_null(config);
	for (i = 0; i < warnings->len; i++)
		print_message("warning: %s\n", (char *)warnings->pdata[i]);
	assert_int_equal(warnings->len, want != NULL ? 1 : 0);
	if (want != NULL)
		assert_string_equal(warnings->pdata[0], want);
	config_free(config);
	g_ptr_array_free(errors, TRUE);
	g_ptr_array_free(warnings, TRUE);
}

/* The warning about PATH being writable by others (g_free). */
static char *
test_writable(const char *path)
{
	return g_strdup_printf("%s: writable by group or others, who could make surat run their "
	    "commands (password_command, html_command...); chmod go-w %s", path, path);
}

/*
 * The modes of every file of the configuration count, @include'd ones too:
 * a password others can read, and a file others can write (even an empty
 * one: a line added to it would run as the user).
 */
static void
test_include_warnings(void **state)
{
	char *top = test_file("modes.conf", "store = \"/tmp/x\";\n@include \"modes-secret.inc\"\n"
	    "@include \"modes-empty.inc\"\n", 0600);
	char *secret = test_file("modes-secret.inc", "accounts = ( { name = \"w\"; host = \"h\"; "
	    "user = \"u\"; password = \"pw\"; } );\n", 0644);
	char *empty = test_file("modes-empty.inc", "# nothing yet\n", 0600);
	char *want;

	want = g_strdup_printf("%s: holds a password but is readable by group or others; "
	    "chmod 600 %s", secret, secret);
	test_one_warning(top, want);
	g_free(want);
	assert_int_equal(chmod(secret, 0640), 0);
	want = g_strdup_printf("%s: holds a password but is readable by group or others; "
	    "chmod 600 %s", secret, secret);
	test_one_warning(top, want);
	g_free(want);
	assert_int_equal(chmod(secret, 0600), 0);
	test_one_warning(top, NULL);

	/* Writable by group, or by others: the empty file, then the main one. */
	assert_int_equal(chmod(empty, 0602), 0);
	want = test_writable(empty);
	test_one_warning(top, want);
	g_free(want);
	assert_int_equal(chmod(empty, 0620), 0);
	want = test_writable(empty);
	test_one_warning(top, want);
	g_free(want);
	assert_int_equal(chmod(empty, 0600), 0);
	assert_int_equal(chmod(top, 0660), 0);
	want = test_writable(top);
	test_one_warning(top, want);
	g_free(want);
	assert_int_equal(chmod(top, 0600), 0);
	test_one_warning(top, NULL);
	g_free(top);
	g_free(secret);
	g_free(empty);
}

/* A password in the smtp group counts for the file's mode as one in the account. */
static void
test_smtp_password_mode(void **state)
{
	char *path = test_file("smtp-password.conf", "accounts = ( { name = \"w\"; host = \"h\"; "
	    "user = \"u@x\"; smtp = { host = \"s\"; password = \"pw\"; }; } );\n", 0644);
	char *want = g_strdup_printf("%s: holds a password but is readable by group or others; "
	    "chmod 600 %s", path, path);

	test_one_warning(path, want);
	assert_int_equal(chmod(path, 0600), 0);
	test_one_warning(path, NULL);
	g_free(want);
	g_free(path);
}

static void
test_too_many_errors(void **state)
{
	GString *text = g_string_new("accounts = (\n");
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	char *path = g_build_filename(test_home, "many.conf", NULL);
	int i;

	for (i = 0; i < 150; i++)
		g_string_append_printf(text, "{ name = \"a%d\"; host = \"h\"; user = \"u\"; "
		    "port = 0; }%s\n", i, i < 149 ? "," : "");
	g_string_append(text, ");\n");
	assert_true(g_file_set_contents(path, text->str, -1, NULL));
	assert_null(config_load(path, errors, NULL));
	assert_int_equal(errors->len, 101);
	assert_true(g_str_has_suffix(errors->pdata[100], ": more than 100 errors; fix these first"));
	g_ptr_array_free(errors, TRUE);
	g_string_free(text, TRUE);
	g_free(path);
}

/* issue 12's keys for writing: editor, attribution, forward_format, text_flowed, user_agent. */
static void
test_compose_keys(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;

	(void)state;
	config = test_load_text("store = \"/tmp/s\";\n", errors, NULL);
	assert_non_null(config);
	assert_null(config->editor);
	assert_string_equal(config->attribution, "On %d, %n wrote:");
	assert_int_equal(config->forward_format, CONFIG_FORWARD_INLINE);
	assert_false(config->text_flowed);
	assert_false(config->user_agent);
	/* No editor key: $VISUAL, else $EDITOR, else vi. */
	setenv("VISUAL", "visual-ed", 1);
	setenv("EDITOR", "plain-ed", 1);
	assert_string_equal(config_editor(config), "visual-ed");
	unsetenv("VISUAL");
	assert_string_equal(config_editor(config), "plain-ed");
	unsetenv("EDITOR");
	assert_string_equal(config_editor(config), "vi");
	assert_string_equal(config_editor(NULL), "vi");
	config_free(config);

	config = test_load_text("editor = \"emacs -nw\";\nattribution = \"%n (%a) wrote on %d, "
	    "100%%:\";\nforward_format = \"attach\";\ntext_flowed = true;\nuser_agent = true;\n",
	    errors, NULL);
	assert_non_null(config);
	setenv("EDITOR", "plain-ed", 1);
	assert_string_equal(config_editor(config), "emacs -nw");
	unsetenv("EDITOR");
	assert_string_equal(config->attribution, "%n (%a) wrote on %d, 100%%:");
	assert_int_equal(config->forward_format, CONFIG_FORWARD_ATTACH);
	assert_true(config->text_flowed);
	assert_true(config->user_agent);
	config_free(config);

	/* An empty attribution is none. */
	config = test_load_text("attribution = \"\";\n", errors, NULL);
	assert_non_null(config);
	assert_string_equal(config->attribution, "");
	config_free(config);

	config = test_load_text("editor = \"vim 'x\";\n", errors, NULL);
	assert_null(config);
	assert_true(strstr(errors->pdata[0], ":1: editor: \"vim 'x\" cannot be split") != NULL);
	g_ptr_array_set_size(errors, 0);
	config = test_load_text("attribution = \"On %x\";\n", errors, NULL);
	assert_null(config);
	assert_true(g_str_has_suffix(errors->pdata[0], ":1: attribution: after % comes d (the "
	    "date), n (the sender's name), a (the sender's address), s (the subject) or % (a %)"));
	g_ptr_array_set_size(errors, 0);
	config = test_load_text("forward_format = \"mime\";\n", errors, NULL);
	assert_null(config);
	assert_true(strstr(errors->pdata[0], ":1: forward_format: ") != NULL);
	assert_true(strstr(errors->pdata[0], "inline") != NULL);
	g_ptr_array_set_size(errors, 0);
	config = test_load_text("text_flowed = \"yes\";\n", errors, NULL);
	assert_null(config);
	assert_true(strstr(errors->pdata[0], ":1: text_flowed: ") != NULL);
	g_ptr_array_unref(errors);
}

/* issue 13's line formats: the defaults, a mutt format kept as written, "relative" dates. */
static void
test_formats(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;

	(void)state;
	config = test_load_text("store = \"/tmp/s\";\n", errors, NULL);
	assert_non_null(config);
	assert_string_equal(config->index_format, CONFIG_INDEX_FORMAT);
	assert_string_equal(config->status_format, CONFIG_STATUS_FORMAT);
	assert_null(config->pager_format);
	config_free(config);
	config = test_load_text("index_format = \"%4C %Z %{%b %d} %-15.15L (%?l?%4l&%4c?) %s\";\n"
	    "pager_format = \"-%Z- %C/%m: %-20.20n   %s%*  -- (%P)\";\n"
	    "status_format = \"%f: %n new of %m%?V? (limit %V)?%>-%v\";\n"
	    "date_format = \"relative\";\n", errors, NULL);
	assert_non_null(config);
	assert_string_equal(config->index_format, "%4C %Z %{%b %d} %-15.15L (%?l?%4l&%4c?) %s");
	assert_string_equal(config->pager_format, "-%Z- %C/%m: %-20.20n   %s%*  -- (%P)");
	assert_string_equal(config->date_format, "relative");
	config_free(config);
	/* A long format over several lines: libconfig joins the strings (surat.conf(5) says so). */
	config = test_load_text("status_format = \"%f: \"\n    \"%m%|-\";\n", errors, NULL);
	assert_non_null(config);
	assert_string_equal(config->status_format, "%f: %m%|-");
	config_free(config);

	/* Each mistake on its line, with the codes that format takes. */
	{
		static const char *const want[] = {
			":1: index_format: unknown code %Q; the codes are %a %b %c %C %d %D %e %E %f "
			"%F %i %l %L %m %M %n %r %R %s %S %t %T %u %v %X %Z, dates %{...} %[...] "
			"%(...), %?x?yes&no? or %<x?yes&no>, fills %>X %*X %|X, and %% for a percent "
			"sign (at character 41)",
			":2: status_format: unknown code %Z; the codes are %A %C %E %f %G %h %I %j %k "
			"%m %M %n %P %q %s %t %u %V %v %y, %?x?yes&no? or %<x?yes&no>, fills %>X %*X "
			"%|X, "
			"and %% for a percent sign (at character 17)",
			":3: pager_format: %?P?...? is not closed with a ? (at character 30)",
		};
		char *path = g_strconcat(DATA, "bad-formats.conf", NULL);
		guint i;

		assert_null(config_load(path, errors, NULL));
		assert_int_equal(errors->len, G_N_ELEMENTS(want));
		for (i = 0; i < G_N_ELEMENTS(want); i++) {
			char *line = g_strconcat(path, want[i], NULL);

			assert_string_equal(errors->pdata[i], line);
			g_free(line);
		}
		g_free(path);
	}
	g_ptr_array_unref(errors);
}

/* issue 13's keys: delete (mutt's $delete), tags_across_views, pipe_split. */
static void
test_delete_tag_keys(void **state)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct surat_config *config;

	(void)state;
	config = test_load_text("store = \"/tmp/s\";\n", errors, NULL);
	assert_non_null(config);
	assert_int_equal(config->delete_marked, CONFIG_DELETE_ASK_YES);
	assert_false(config->tags_across_views);
	assert_false(config->pipe_split);
	config_free(config);
	config = test_load_text("delete = \"ask-no\";\ntags_across_views = true;\n"
	    "pipe_split = true;\n", errors, NULL);
	assert_non_null(config);
	assert_int_equal(config->delete_marked, CONFIG_DELETE_ASK_NO);
	assert_true(config->tags_across_views);
	assert_true(config->pipe_split);
	config_free(config);
	config = test_load_text("delete = \"No\";\n", errors, NULL);
	assert_non_null(config);
	assert_int_equal(config->delete_marked, CONFIG_DELETE_NO);
	config_free(config);
	/* A mistake names the key and the values it takes. */
	config = test_load_text("delete = \"maybe\";\n", errors, NULL);
	assert_null(config);
	assert_true(g_str_has_suffix(errors->pdata[0],
	    ":1: delete: \"maybe\" is not one of yes, no, ask-yes, ask-no"));
	g_ptr_array_set_size(errors, 0);
	config = test_load_text("delete = true;\n", errors, NULL);
	assert_null(config);
	assert_true(strstr(errors->pdata[0], ":1: delete: ") != NULL);
	g_ptr_array_unref(errors);
}

static void
test_default_path(void **state)
{
	char *p;

	setenv("SURAT_CONFIG", "/env/config", 1);
	setenv("XDG_CONFIG_HOME", "/xdg", 1);
	p = config_default_path("/cli/config");
	assert_string_equal(p, "/cli/config");
	g_free(p);
	p = config_default_path(NULL);
	assert_string_equal(p, "/env/config");
	g_free(p);
	unsetenv("SURAT_CONFIG");
	p = config_default_path(NULL);
	assert_string_equal(p, "/xdg/surat/config");
	g_free(p);
	setenv("XDG_CONFIG_HOME", "relative", 1); /* ignored, as the XDG spec says */
	p = config_default_path(NULL);
	assert_true(g_str_has_prefix(p, test_home));
	assert_true(g_str_has_suffix(p, "/.config/surat/config"));
	g_free(p);
	unsetenv("XDG_CONFIG_HOME");
	p = config_default_path(NULL);
	assert_true(g_str_has_suffix(p, "/.config/surat/config"));
	g_free(p);
}

static void
test_expand_path(void **state)
{
	char *p;

	p = path_expand("~");
	assert_string_equal(p, test_home);
	g_free(p);
	p = path_expand("~/x/y");
	assert_true(g_str_has_prefix(p, test_home));
	assert_true(g_str_has_suffix(p, "/x/y"));
	g_free(p);
	p = path_expand("~bob/x");
	assert_string_equal(p, "~bob/x");
	g_free(p);
	p = path_expand("/a/~/b");
	assert_string_equal(p, "/a/~/b");
	g_free(p);
	assert_null(path_expand(NULL));
}

static void
test_names(void **state)
{
	assert_true(config_account_name_valid("work"));
	assert_true(config_account_name_valid("A.b_c-9"));
	assert_true(config_account_name_valid("index"));
	assert_false(config_account_name_valid(""));
	assert_false(config_account_name_valid(NULL));
	assert_false(config_account_name_valid("."));
	assert_false(config_account_name_valid(".."));
	assert_false(config_account_name_valid(".hidden"));
	assert_false(config_account_name_valid("a/b"));
	assert_false(config_account_name_valid("a b"));
	assert_false(config_account_name_valid("caf\xc3\xa9"));
	assert_false(config_account_name_valid("index.db-wal"));
	assert_false(config_account_name_valid("Index.Db-Shm"));
	assert_false(config_account_name_valid("index.db-journal"));
	assert_false(config_account_name_valid("fetch.log"));
	assert_false(config_account_name_valid("FETCH.LOG"));
	assert_false(config_account_name_valid("-work"));
	assert_false(config_account_name_valid("-"));
	assert_true(config_account_name_valid("work-"));
	assert_true(config_account_name_valid("fetch.log2"));
	assert_true(config_account_name_valid("fetch"));
	assert_true(config_account_name_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 64 */
	assert_false(config_account_name_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")); /* 65 */
	assert_string_equal(config_tls_name(POP3_TLS_STARTTLS), "starttls");
	assert_string_equal(config_auth_name(POP3_AUTH_CRAM_MD5), "cram-md5");
	assert_string_equal(config_auth_name(POP3_AUTH_OAUTHBEARER), "oauthbearer");
	assert_string_equal(config_auth_name((enum pop3_auth)99), "?");
	assert_string_equal(config_tls_name((enum pop3_tls)-1), "?");
	assert_string_equal(config_smtp_tls_name(SMTP_TLS_STARTTLS), "starttls");
	assert_string_equal(config_smtp_tls_name(SMTP_TLS_IMPLICIT), "implicit");
	assert_string_equal(config_smtp_tls_name(SMTP_TLS_NONE), "none");
	assert_string_equal(config_smtp_tls_name((enum smtp_tls)3), "?");
	assert_string_equal(config_smtp_auth_name(SMTP_AUTH_NONE), "none");
	assert_string_equal(config_smtp_auth_name(SMTP_AUTH_SCRAM_SHA_256), "scram-sha-256");
	assert_string_equal(config_smtp_auth_name(SMTP_AUTH_OAUTHBEARER), "oauthbearer");
	assert_string_equal(config_smtp_auth_name((enum smtp_auth)99), "?");
	config_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_triage),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_triage_defaults),
		cmocka_unit_test(test_triage_values),
		cmocka_unit_test(test_from_good),
		cmocka_unit_test(test_from_bad),
		cmocka_unit_test(test_from_defaults),
		cmocka_unit_test(test_smtp_defaults),
		cmocka_unit_test(test_send_values),
		cmocka_unit_test(test_send_warnings),
		cmocka_unit_test(test_delete_on_server_warning),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_missing_ca_file),
		cmocka_unit_test(test_theme_path),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_colors),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_password_warning),
		cmocka_unit_test(test_no_warning_without_password),
		cmocka_unit_test(test_include_warnings),
		cmocka_unit_test(test_smtp_password_mode),
		cmocka_unit_test(test_too_many_errors),
		cmocka_unit_test(test_compose_keys),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_delete_tag_keys),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_expand_path),
		cmocka_unit_test(test_names),
	};
	return testlib_run_with_cases("test-config", fixed, G_N_ELEMENTS(fixed), test_bad,
	    G_N_ELEMENTS(test_bad), sizeof test_bad[0], test_error, test_setup, test_teardown);
}
