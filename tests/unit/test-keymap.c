/* Unit tests for keymap.c: key names, sequences, lookup, user bindings and help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "surat/keymap.h"

#define CTRL(c) (KEYMAP_MOD_CTRL | (c))
#define META(k) (KEYMAP_MOD_META | (k))

/* Key names, what they parse to, and how that key is written back. */
static const struct {
	const char *text;
	int32_t key;
	const char *canonical;
} test_names[] = {
	{ "j", 'j', "j" },
	{ "J", 'J', "J" },
	{ "<", '<', "<" },
	{ ">", '>', ">" },
	{ "-", '-', "-" },
	{ "^", '^', "^" },
	{ "M", 'M', "M" },
	{ "\xc3\xa9", 0xe9, "\xc3\xa9" }, /* é */
	{ " ", ' ', "Space" },
	{ "Space", ' ', "Space" },
	{ "C-x", CTRL('x'), "C-x" },
	{ "C-X", CTRL('x'), "C-x" },
	{ "c-x", CTRL('x'), "C-x" },
	{ "^X", CTRL('x'), "C-x" },
	{ "^x", CTRL('x'), "C-x" },
	{ "C-@", CTRL('@'), "C-@" },
	{ "C-Space", CTRL('@'), "C-@" },
	{ "C-\\", CTRL('\\'), "C-\\" },
	{ "C-]", CTRL(']'), "C-]" },
	{ "^^", CTRL('^'), "C-^" },
	{ "C-_", CTRL('_'), "C-_" },
	{ "M-x", META('x'), "M-x" },
	{ "M-V", META('V'), "M-V" },
	{ "m-x", META('x'), "M-x" },
	{ "M--", META('-'), "M--" },
	{ "M-/", META('/'), "M-/" },
	{ "M-C-x", META(CTRL('x')), "M-C-x" },
	{ "M-Up", META(KEYMAP_KEY_UP), "M-Up" },
	{ "M-Space", META(' '), "M-Space" },
	{ "Enter", KEYMAP_KEY_ENTER, "Enter" },
	{ "enter", KEYMAP_KEY_ENTER, "Enter" },
	{ "Return", KEYMAP_KEY_ENTER, "Enter" },
	{ "<Enter>", KEYMAP_KEY_ENTER, "Enter" },
	{ "C-m", KEYMAP_KEY_ENTER, "Enter" },
	{ "C-j", KEYMAP_KEY_ENTER, "Enter" },
	{ "Tab", KEYMAP_KEY_TAB, "Tab" },
	{ "C-i", KEYMAP_KEY_TAB, "Tab" },
	{ "BackTab", KEYMAP_KEY_BACKTAB, "BackTab" },
	{ "S-Tab", KEYMAP_KEY_BACKTAB, "BackTab" },
	{ "Backspace", KEYMAP_KEY_BACKSPACE, "Backspace" },
	{ "BS", KEYMAP_KEY_BACKSPACE, "Backspace" },
	{ "C-h", KEYMAP_KEY_BACKSPACE, "Backspace" },
	{ "^?", KEYMAP_KEY_BACKSPACE, "Backspace" },
	{ "Escape", KEYMAP_KEY_ESCAPE, "Escape" },
	{ "Esc", KEYMAP_KEY_ESCAPE, "Escape" },
	{ "ESC", KEYMAP_KEY_ESCAPE, "Escape" },
	{ "C-[", KEYMAP_KEY_ESCAPE, "Escape" },
	{ "Up", KEYMAP_KEY_UP, "Up" },
	{ "Down", KEYMAP_KEY_DOWN, "Down" },
	{ "Left", KEYMAP_KEY_LEFT, "Left" },
	{ "Right", KEYMAP_KEY_RIGHT, "Right" },
	{ "PageUp", KEYMAP_KEY_PAGE_UP, "PageUp" },
	{ "PgUp", KEYMAP_KEY_PAGE_UP, "PageUp" },
	{ "PageDown", KEYMAP_KEY_PAGE_DOWN, "PageDown" },
	{ "pgdn", KEYMAP_KEY_PAGE_DOWN, "PageDown" },
	{ "Home", KEYMAP_KEY_HOME, "Home" },
	{ "End", KEYMAP_KEY_END, "End" },
	{ "Insert", KEYMAP_KEY_INSERT, "Insert" },
	{ "Delete", KEYMAP_KEY_DELETE, "Delete" },
	{ "Del", KEYMAP_KEY_DELETE, "Delete" },
	{ "F1", KEYMAP_KEY_F1, "F1" },
	{ "f5", KEYMAP_KEY_F(5), "F5" },
	{ "<F12>", KEYMAP_KEY_F(12), "F12" },
	{ "F24", KEYMAP_KEY_F(24), "F24" },
};

static void
test_key_names(void **state)
{
	int32_t key, again;
	char *name;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(test_names); i++) {
		GError *error = NULL;

		print_message("# %s\n", test_names[i].text);
		key = 0;
		assert_true(keymap_key_parse(test_names[i].text, &key, &error));
		assert_null(error);
		assert_int_equal(key, test_names[i].key);
		assert_true(keymap_key_valid(key));
		name = keymap_key_format(key);
		assert_string_equal(name, test_names[i].canonical);
		/* What is written reads back as the same key. */
		assert_true(keymap_key_parse(name, &again, NULL));
		assert_int_equal(again, key);
		g_free(name);
	}
}

/* Names that are no key, and the message each gives. */
static const struct {
	const char *text;
	const char *error;
} test_bad_names[] = {
	{ "Ctrl-x", "\"Ctrl-x\" is not a key name; write one character, C-x, M-x, or a name: "
	    "Enter, Tab, Space, Backspace, Escape, Up, Down, Left, Right, PageUp, PageDown, "
	    "Home, End, Insert, Delete, F1..F24" },
	{ "C-Up", "\"C-Up\" is not a key; C- goes with a letter or one of @ [ \\ ] ^ _ ? and "
	    "Space" },
	{ "C-1", "\"C-1\" is not a key; C- goes with a letter or one of @ [ \\ ] ^ _ ? and "
	    "Space" },
	{ "^\xc3\xa9", NULL },
	{ "", "no key; write one character, C-x, M-x, or a name: Enter, Tab, Space, Backspace, "
	    "Escape, Up, Down, Left, Right, PageUp, PageDown, Home, End, Insert, Delete, "
	    "F1..F24" },
	{ "F0", NULL },
	{ "F25", NULL },
	{ "F1x", NULL },
	{ "F01", NULL },
	{ "M-", NULL },
	{ "M-M-x", NULL },
	{ "<>", NULL },
	{ "<<Enter>>", NULL },
	{ "Enterr", NULL },
	{ "\t", "\"\\t\" is not a key name; write one character, C-x, M-x, or a name: Enter, "
	    "Tab, Space, Backspace, Escape, Up, Down, Left, Right, PageUp, PageDown, Home, End, "
	    "Insert, Delete, F1..F24" },
	{ "\x7f", NULL },
	{ "\xc2\x85", NULL }, /* a C1 control */
	{ "\xff", NULL },     /* not UTF-8 */
};

static void
test_bad_key_names(void **state)
{
	int32_t key = 12345;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(test_bad_names); i++) {
		GError *error = NULL;

		print_message("# %s\n", test_bad_names[i].text);
		assert_false(keymap_key_parse(test_bad_names[i].text, &key, &error));
		assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_KEY));
		if (test_bad_names[i].error != NULL)
			assert_string_equal(error->message, test_bad_names[i].error);
		g_error_free(error);
	}
	assert_false(keymap_key_parse(NULL, &key, NULL));
}

static void
test_key_valid_and_format(void **state)
{
	char *name;

	assert_false(keymap_key_valid(KEYMAP_KEY_NONE));
	assert_false(keymap_key_valid(-1));
	assert_false(keymap_key_valid(CTRL('A'))); /* stored in lower case */
	assert_false(keymap_key_valid(CTRL('h'))); /* that is Backspace */
	assert_false(keymap_key_valid(CTRL('1')));
	assert_false(keymap_key_valid(0x04000000 | 'a'));
	assert_false(keymap_key_valid('\t'));
	assert_false(keymap_key_valid(0x7f));
	assert_false(keymap_key_valid(0x85));
	assert_false(keymap_key_valid(0xd800));
	assert_false(keymap_key_valid(KEYMAP_KEY_DELETE + 1));
	assert_false(keymap_key_valid(KEYMAP_KEY_F(25)));
	assert_true(keymap_key_valid(0x10fffd));
	assert_true(keymap_key_valid(META(META('x')))); /* one bit, set twice */
	name = keymap_key_format(KEYMAP_KEY_NONE);
	assert_string_equal(name, "?");
	g_free(name);
	name = keymap_key_format(CTRL('A'));
	assert_string_equal(name, "?");
	g_free(name);
}

static void
test_key_from_char(void **state)
{
	assert_int_equal(keymap_key_from_char('\r'), KEYMAP_KEY_ENTER);
	assert_int_equal(keymap_key_from_char('\n'), KEYMAP_KEY_ENTER);
	assert_int_equal(keymap_key_from_char('\t'), KEYMAP_KEY_TAB);
	assert_int_equal(keymap_key_from_char(0x1b), KEYMAP_KEY_ESCAPE);
	assert_int_equal(keymap_key_from_char(0x7f), KEYMAP_KEY_BACKSPACE);
	assert_int_equal(keymap_key_from_char(0x08), KEYMAP_KEY_BACKSPACE);
	assert_int_equal(keymap_key_from_char(0x00), CTRL('@'));
	assert_int_equal(keymap_key_from_char(0x01), CTRL('a'));
	assert_int_equal(keymap_key_from_char(0x0b), CTRL('k'));
	assert_int_equal(keymap_key_from_char(0x0c), CTRL('l'));
	assert_int_equal(keymap_key_from_char(0x1a), CTRL('z'));
	assert_int_equal(keymap_key_from_char(0x1c), CTRL('\\'));
	assert_int_equal(keymap_key_from_char(0x1f), CTRL('_'));
	assert_int_equal(keymap_key_from_char(' '), ' ');
	assert_int_equal(keymap_key_from_char('j'), 'j');
	assert_int_equal(keymap_key_from_char(0xe9), 0xe9);
	assert_int_equal(keymap_key_from_char(0x1f600), 0x1f600);
	assert_int_equal(keymap_key_from_char(0x85), KEYMAP_KEY_NONE);
	assert_int_equal(keymap_key_from_char(0xdc00), KEYMAP_KEY_NONE);
	assert_int_equal(keymap_key_from_char(0x110000), KEYMAP_KEY_NONE);
	assert_int_equal(keymap_key_from_char(0xffffffffu), KEYMAP_KEY_NONE);
	/* C-x typed and "C-x" written are the same key. */
	{
		int32_t key;

		assert_true(keymap_key_parse("C-x", &key, NULL));
		assert_int_equal(keymap_key_from_char(0x18), key);
	}
}

/* Sequences, the keys they hold, and how they are written back. */
static const struct {
	const char *text;
	unsigned int len;
	int32_t keys[4];
	const char *canonical;
} test_seqs[] = {
	{ "g", 1, { 'g' }, "g" },
	{ "g g", 2, { 'g', 'g' }, "g g" },
	{ "  g \t g  ", 2, { 'g', 'g' }, "g g" },
	{ "Esc v", 1, { META('v') }, "M-v" },
	{ "Escape V", 1, { META('V') }, "M-V" },
	{ "M-v", 1, { META('v') }, "M-v" },
	{ "Esc", 1, { KEYMAP_KEY_ESCAPE }, "Escape" },
	{ "g Esc", 2, { 'g', KEYMAP_KEY_ESCAPE }, "g Escape" },
	{ "Esc Esc", 1, { META(KEYMAP_KEY_ESCAPE) }, "M-Escape" },
	{ "Esc Esc x", 2, { META(KEYMAP_KEY_ESCAPE), 'x' }, "M-Escape x" },
	{ "C-x C-s", 2, { CTRL('x'), CTRL('s') }, "C-x C-s" },
	{ "^X Esc C-s Enter", 3, { CTRL('x'), META(CTRL('s')), KEYMAP_KEY_ENTER },
	    "C-x M-C-s Enter" },
	{ "Space Space", 2, { ' ', ' ' }, "Space Space" },
};

static void
test_sequences(void **state)
{
	struct keymap_seq seq, again;
	char *text;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(test_seqs); i++) {
		print_message("# %s\n", test_seqs[i].text);
		assert_true(keymap_seq_parse(test_seqs[i].text, &seq, NULL));
		assert_int_equal(seq.len, test_seqs[i].len);
		assert_memory_equal(seq.keys, test_seqs[i].keys, seq.len * sizeof seq.keys[0]);
		text = keymap_seq_format(&seq);
		assert_string_equal(text, test_seqs[i].canonical);
		assert_true(keymap_seq_parse(text, &again, NULL));
		assert_int_equal(again.len, seq.len);
		assert_memory_equal(again.keys, seq.keys, seq.len * sizeof seq.keys[0]);
		g_free(text);
	}
	/* Eight keys fit, Escapes joined to the key after them. */
	assert_true(keymap_seq_parse("a b c d e f g h", &seq, NULL));
	assert_int_equal(seq.len, KEYMAP_SEQ_MAX);
	assert_true(keymap_seq_parse("Esc a Esc b Esc c Esc d Esc e Esc f Esc g Esc h", &seq,
	    NULL));
	assert_int_equal(seq.len, KEYMAP_SEQ_MAX);
	assert_int_equal(seq.keys[7], META('h'));
}

static const struct {
	const char *text;
	const char *error;
} test_bad_seqs[] = {
	{ "", "no key; write one character, C-x, M-x, or a name: Enter, Tab, Space, Backspace, "
	    "Escape, Up, Down, Left, Right, PageUp, PageDown, Home, End, Insert, Delete, "
	    "F1..F24" },
	{ "   ", NULL },
	{ "a b c d e f g h i", "more than 8 keys in a row; use at most 8" },
	{ "Esc M-x", "Escape before \"M-x\" is Meta twice; write one of them" },
	{ "g Ctrl-x", "\"Ctrl-x\" is not a key name; write one character, C-x, M-x, or a name: "
	    "Enter, Tab, Space, Backspace, Escape, Up, Down, Left, Right, PageUp, PageDown, Home, "
	    "End, Insert, Delete, F1..F24" },
	{ "g g\n", NULL },
};

static void
test_bad_sequences(void **state)
{
	struct keymap_seq seq;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(test_bad_seqs); i++) {
		GError *error = NULL;

		print_message("# %s\n", test_bad_seqs[i].text);
		seq.len = 3;
		assert_false(keymap_seq_parse(test_bad_seqs[i].text, &seq, &error));
		assert_int_equal(seq.len, 0);
		assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_KEY));
		if (test_bad_seqs[i].error != NULL)
			assert_string_equal(error->message, test_bad_seqs[i].error);
		g_error_free(error);
	}
	assert_false(keymap_seq_parse(NULL, &seq, NULL));
}

static void
test_actions(void **state)
{
	GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
	enum keymap_action action;
	const char *name, *c;
	GError *error = NULL;
	int a;

	for (a = 0; a < KEYMAP_ACTION_COUNT; a++) {
		name = keymap_action_name(a);
		assert_non_null(name);
		/* mutt-style: lower case words joined by hyphens, each name once */
		for (c = name; *c != '\0'; c++)
			assert_true(g_ascii_islower(*c) || (*c == '-' && c > name && c[1] != '\0'));
		assert_false(g_hash_table_contains(seen, name));
		g_hash_table_add(seen, (gpointer)name);
		assert_true(strlen(keymap_action_help(a)) > 10);
		assert_true(strlen(keymap_action_help(a)) < 80);
		assert_int_not_equal(keymap_action_contexts(a), 0);
		assert_true(keymap_action_parse(name, &action, NULL));
		assert_int_equal(action, a);
	}
	g_hash_table_destroy(seen);
	assert_string_equal(keymap_action_name(KEYMAP_ACTION_NONE), "noop");
	assert_string_equal(keymap_action_name(KEYMAP_ACTION_FIRST_ENTRY), "first-entry");
	assert_string_equal(keymap_action_name(KEYMAP_ACTION_COPY_LINK), "copy-link");
	assert_string_equal(keymap_action_name(KEYMAP_ACTION_COUNT), "?");
	assert_string_equal(keymap_action_help(KEYMAP_ACTION_COUNT), "");
	assert_int_equal(keymap_action_contexts(KEYMAP_ACTION_COUNT), 0);
	assert_true(keymap_action_applies(KEYMAP_ACTION_DELETE_MESSAGE, KEYMAP_CONTEXT_PAGER));
	assert_false(keymap_action_applies(KEYMAP_ACTION_DELETE_MESSAGE, KEYMAP_CONTEXT_PROMPT));
	assert_true(keymap_action_applies(KEYMAP_ACTION_NONE, KEYMAP_CONTEXT_PROMPT));
	assert_false(keymap_action_applies(KEYMAP_ACTION_QUIT, KEYMAP_CONTEXT_COUNT));

	assert_false(keymap_action_parse("frist-entry", &action, &error));
	assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_ACTION));
	assert_string_equal(error->message,
	    "unknown action \"frist-entry\"; did you mean first-entry?");
	g_clear_error(&error);
	assert_false(keymap_action_parse("xyzzy", &action, &error));
	assert_string_equal(error->message, "unknown action \"xyzzy\"; the actions are listed "
	    "under KEY BINDINGS in surat.conf(5)");
	g_clear_error(&error);
	assert_false(keymap_action_parse("Quit", &action, NULL)); /* names are exact */
	assert_false(keymap_action_parse("", &action, NULL));
	assert_false(keymap_action_parse(NULL, &action, NULL));
}

static void
test_contexts(void **state)
{
	static const char *const names[] = { "index", "pager", "attachments", "links",
		"sidebar", "prompt", "help", "compose" };
	GError *error = NULL;
	unsigned int mask;
	int c;

	for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
		assert_string_equal(keymap_context_name(c), names[c]);
		assert_true(keymap_context_parse(names[c], &mask, NULL));
		assert_int_equal(mask, KEYMAP_IN(c));
	}
	assert_string_equal(keymap_context_name(KEYMAP_CONTEXT_COUNT), "?");
	assert_true(keymap_context_parse("index,pager", &mask, NULL));
	assert_int_equal(mask, KEYMAP_IN(KEYMAP_CONTEXT_INDEX) | KEYMAP_IN(KEYMAP_CONTEXT_PAGER));
	assert_true(keymap_context_parse(" Index , PAGER ", &mask, NULL));
	assert_int_equal(mask, KEYMAP_IN(KEYMAP_CONTEXT_INDEX) | KEYMAP_IN(KEYMAP_CONTEXT_PAGER));

	assert_false(keymap_context_parse("composer", &mask, &error));
	assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_CONTEXT));
	assert_string_equal(error->message, "unknown context \"composer\"; use index, pager, "
	    "attachments, links, sidebar, prompt, help, compose, or several joined by commas");
	assert_int_equal(mask, 0);
	g_clear_error(&error);
	assert_false(keymap_context_parse("index,", &mask, &error));
	assert_string_equal(error->message, "no context; use index, pager, attachments, links, "
	    "sidebar, prompt, help, compose, or several joined by commas");
	g_clear_error(&error);
	assert_false(keymap_context_parse("", &mask, NULL));

	assert_true(keymap_action_check(KEYMAP_ACTION_QUIT, KEYMAP_IN(KEYMAP_CONTEXT_HELP), NULL));
	assert_false(keymap_action_check(KEYMAP_ACTION_DELETE_MESSAGE,
	    KEYMAP_IN(KEYMAP_CONTEXT_INDEX) | KEYMAP_IN(KEYMAP_CONTEXT_PROMPT) |
	    KEYMAP_IN(KEYMAP_CONTEXT_LINKS), &error));
	assert_string_equal(error->message,
	    "delete-message does not apply in links, prompt; it applies in index, pager");
	g_clear_error(&error);
}

/* Look KEYS (N of them) up in CONTEXT; expect MATCH and ACTION. */
static void
test_expect(const struct keymap *km, enum keymap_context context, const int32_t *keys,
    size_t n, enum keymap_match match, enum keymap_action action)
{
	enum keymap_action got = 12345;

	assert_int_equal(keymap_lookup(km, context, keys, n, &got), match);
	assert_int_equal(got, action);
}

/* Look the sequence TEXT up in CONTEXT; expect MATCH and ACTION. */
static void
test_expect_seq(const struct keymap *km, enum keymap_context context, const char *text,
    enum keymap_match match, enum keymap_action action)
{
	struct keymap_seq seq;

	print_message("# %s: %s\n", keymap_context_name(context), text);
	assert_true(keymap_seq_parse(text, &seq, NULL));
	test_expect(km, context, seq.keys, seq.len, match, action);
}

static void
test_defaults(void **state)
{
	struct keymap *km = keymap_new();
	const int32_t esc[] = { KEYMAP_KEY_ESCAPE }, esc_v[] = { KEYMAP_KEY_ESCAPE, 'v' },
		      esc_cap_v[] = { KEYMAP_KEY_ESCAPE, 'V' }, esc_x[] = { KEYMAP_KEY_ESCAPE, 'x' };

	/* The index, as mutt has it. */
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "j", KEYMAP_MATCH_FULL, KEYMAP_ACTION_NEXT_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "Down", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "k", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_PREVIOUS_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "Space", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_PAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "-", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_PREVIOUS_PAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "=", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_FIRST_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "Home", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_FIRST_ENTRY);
	/* Writing, as mutt: g is group-reply, L list-reply; the log moved to E. */
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "g", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_GROUP_REPLY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "L", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_LIST_REPLY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "E", KEYMAP_MATCH_FULL, KEYMAP_ACTION_SHOW_LOG);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "m", KEYMAP_MATCH_FULL, KEYMAP_ACTION_MAIL);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "r", KEYMAP_MATCH_FULL, KEYMAP_ACTION_REPLY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "f", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_FORWARD_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "b", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_BOUNCE_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "e", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_EDIT_AS_NEW);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "R", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_RECALL_MESSAGE);
	/* The compose screen has its own keys and the index's q, ?, j and k. */
	test_expect_seq(km, KEYMAP_CONTEXT_COMPOSE, "y", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_SEND_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_COMPOSE, "e", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_EDIT_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_COMPOSE, "P", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_POSTPONE_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_COMPOSE, "q", KEYMAP_MATCH_FULL, KEYMAP_ACTION_QUIT);
	test_expect_seq(km, KEYMAP_CONTEXT_COMPOSE, "j", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_COMPOSE, "d", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "*", KEYMAP_MATCH_FULL, KEYMAP_ACTION_LAST_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "G", KEYMAP_MATCH_FULL, KEYMAP_ACTION_FETCH_MAIL);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "Enter", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_DISPLAY_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "Tab", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_UNREAD);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "C-l", KEYMAP_MATCH_FULL, KEYMAP_ACTION_REDRAW);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "C-d", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_HALF_DOWN);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, ";", KEYMAP_MATCH_FULL, KEYMAP_ACTION_TAG_PREFIX);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "U", KEYMAP_MATCH_FULL, KEYMAP_ACTION_UNDO);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "s", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_SAVE_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "x", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	/* Escape waits for the key it may make Meta; Escape v is M-v. */
	test_expect(km, KEYMAP_CONTEXT_INDEX, esc, 1, KEYMAP_MATCH_PREFIX, KEYMAP_ACTION_NONE);
	test_expect(km, KEYMAP_CONTEXT_INDEX, esc_v, 2, KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_COLLAPSE_THREAD);
	test_expect(km, KEYMAP_CONTEXT_INDEX, esc_cap_v, 2, KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_COLLAPSE_ALL);
	test_expect(km, KEYMAP_CONTEXT_INDEX, esc_x, 2, KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "M-v", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_COLLAPSE_THREAD);

	/* The pager has its own lines and falls back on the index for messages. */
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "Down", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_LINE);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "Enter", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_LINE);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "Backspace", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_PREVIOUS_LINE);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "^", KEYMAP_MATCH_FULL, KEYMAP_ACTION_TOP);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "g", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_GROUP_REPLY);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "End", KEYMAP_MATCH_FULL, KEYMAP_ACTION_BOTTOM);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "j", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "d", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_DELETE_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "q", KEYMAP_MATCH_FULL, KEYMAP_ACTION_QUIT);
	/* ...but not for what does not apply there. */
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "*", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "l", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);

	test_expect_seq(km, KEYMAP_CONTEXT_ATTACHMENTS, "Enter", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_OPEN_ATTACHMENT);
	test_expect_seq(km, KEYMAP_CONTEXT_ATTACHMENTS, "s", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_SAVE_ATTACHMENT);
	test_expect_seq(km, KEYMAP_CONTEXT_ATTACHMENTS, "|", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_PIPE_ATTACHMENT);
	test_expect_seq(km, KEYMAP_CONTEXT_ATTACHMENTS, "q", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_QUIT);
	test_expect_seq(km, KEYMAP_CONTEXT_ATTACHMENTS, "j", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_ATTACHMENTS, "d", KEYMAP_MATCH_NONE,
	    KEYMAP_ACTION_NONE);
	test_expect_seq(km, KEYMAP_CONTEXT_LINKS, "Enter", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_OPEN_LINK);
	test_expect_seq(km, KEYMAP_CONTEXT_LINKS, "y", KEYMAP_MATCH_FULL, KEYMAP_ACTION_COPY_LINK);
	test_expect_seq(km, KEYMAP_CONTEXT_LINKS, "q", KEYMAP_MATCH_FULL, KEYMAP_ACTION_QUIT);
	test_expect_seq(km, KEYMAP_CONTEXT_SIDEBAR, "j", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_SIDEBAR_NEXT);
	test_expect_seq(km, KEYMAP_CONTEXT_SIDEBAR, "Enter", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_SIDEBAR_OPEN);
	test_expect_seq(km, KEYMAP_CONTEXT_SIDEBAR, "G", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_FETCH_MAIL);
	test_expect_seq(km, KEYMAP_CONTEXT_SIDEBAR, "B", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_SIDEBAR_TOGGLE);
	test_expect_seq(km, KEYMAP_CONTEXT_HELP, "q", KEYMAP_MATCH_FULL, KEYMAP_ACTION_QUIT);
	test_expect_seq(km, KEYMAP_CONTEXT_HELP, "?", KEYMAP_MATCH_FULL, KEYMAP_ACTION_QUIT);
	test_expect_seq(km, KEYMAP_CONTEXT_HELP, "j", KEYMAP_MATCH_FULL, KEYMAP_ACTION_NEXT_LINE);
	test_expect_seq(km, KEYMAP_CONTEXT_HELP, "Space", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_PAGE);
	/* No Meta binding applies in help, so Escape is complete there. */
	test_expect(km, KEYMAP_CONTEXT_HELP, esc, 1, KEYMAP_MATCH_FULL, KEYMAP_ACTION_QUIT);

	/* The prompt types what is not bound, and falls back on nothing. */
	test_expect_seq(km, KEYMAP_CONTEXT_PROMPT, "Enter", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_ACCEPT);
	test_expect(km, KEYMAP_CONTEXT_PROMPT, esc, 1, KEYMAP_MATCH_FULL, KEYMAP_ACTION_CANCEL);
	test_expect_seq(km, KEYMAP_CONTEXT_PROMPT, "C-g", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_CANCEL);
	test_expect_seq(km, KEYMAP_CONTEXT_PROMPT, "Tab", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_COMPLETE);
	test_expect_seq(km, KEYMAP_CONTEXT_PROMPT, "Up", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_HISTORY_UP);
	test_expect_seq(km, KEYMAP_CONTEXT_PROMPT, "C-u", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_KILL_LINE);
	test_expect_seq(km, KEYMAP_CONTEXT_PROMPT, "Backspace", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_BACKSPACE);
	test_expect_seq(km, KEYMAP_CONTEXT_PROMPT, "j", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	test_expect_seq(km, KEYMAP_CONTEXT_PROMPT, "q", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);

	/* Nothing out of range matches. */
	test_expect(km, KEYMAP_CONTEXT_COUNT, esc_v, 2, KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	test_expect(km, KEYMAP_CONTEXT_INDEX, esc_v, 0, KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	keymap_free(km);
	keymap_free(NULL);
}

/*
 * The defaults hold no binding that hides another: every key a terminal
 * sends is, in every context, bound on its own or not at all (Escape aside,
 * which waits for the key it makes Meta).
 */
static void
test_defaults_unambiguous(void **state)
{
	struct keymap *km = keymap_new();
	enum keymap_action action;
	int32_t key;
	int c;

	for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
		for (key = 1; key < KEYMAP_KEY_F(25); key++) {
			if (key == 0x80)
				key = KEYMAP_KEY_SPECIAL; /* ASCII, then the named keys */
			if (!keymap_key_valid(key) || key == KEYMAP_KEY_ESCAPE)
				continue;
			assert_int_not_equal(keymap_lookup(km, c, &key, 1, &action),
			    KEYMAP_MATCH_PREFIX);
			key |= KEYMAP_MOD_META;
			assert_int_not_equal(keymap_lookup(km, c, &key, 1, &action),
			    KEYMAP_MATCH_PREFIX);
			key &= ~KEYMAP_MOD_META;
		}
		for (key = 'a'; key <= 'z'; key++) {
			int32_t ctrl = CTRL(key);

			if (keymap_key_valid(ctrl))
				assert_int_not_equal(keymap_lookup(km, c, &ctrl, 1, &action),
				    KEYMAP_MATCH_PREFIX);
		}
	}
	keymap_free(km);
}

static void
test_user_bindings(void **state)
{
	struct keymap *km = keymap_new();
	struct keymap_seq seq;
	GError *error = NULL;
	char *keys;

	/* A new binding, and a sequence that makes "=" wait. */
	assert_true(keymap_bind_names(km, "index", "= =", "last-entry", NULL));
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "=", KEYMAP_MATCH_PREFIX,
	    KEYMAP_ACTION_FIRST_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "= =", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_LAST_ENTRY);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "= x", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	/* The pager's own "^" hides the index's "^ ^". */
	assert_true(keymap_bind_names(km, "index", "^ ^", "last-entry", NULL));
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "^", KEYMAP_MATCH_FULL, KEYMAP_ACTION_TOP);
	keys = keymap_keys_for(km, KEYMAP_CONTEXT_INDEX, KEYMAP_ACTION_LAST_ENTRY);
	assert_string_equal(keys, "*, End, = =, ^ ^");
	g_free(keys);

	/* A user binding replaces the default of the same keys. */
	assert_true(keymap_bind_names(km, "index", "d", "flag-message", NULL));
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "d", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_FLAG_MESSAGE);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "d", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_FLAG_MESSAGE);
	assert_null(keymap_keys_for(km, KEYMAP_CONTEXT_INDEX, KEYMAP_ACTION_DELETE_MESSAGE));
	assert_true(keymap_bind_names(km, "index,pager", "D", "delete-message", NULL));
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "D", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_DELETE_MESSAGE);
	keys = keymap_keys_for(km, KEYMAP_CONTEXT_PAGER, KEYMAP_ACTION_DELETE_MESSAGE);
	assert_string_equal(keys, "D"); /* the pager's own, the index's hidden by it */
	g_free(keys);

	/* A context's own binding beats the index's. */
	assert_true(keymap_bind_names(km, "pager", "j", "next-line", NULL));
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "j", KEYMAP_MATCH_FULL, KEYMAP_ACTION_NEXT_LINE);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "j", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_NEXT_ENTRY);

	/* noop unbinds, in the index and in what falls back on it. */
	assert_true(keymap_bind_names(km, "index", "q", "noop", NULL));
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "q", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "q", KEYMAP_MATCH_NONE, KEYMAP_ACTION_NONE);
	test_expect_seq(km, KEYMAP_CONTEXT_HELP, "?", KEYMAP_MATCH_FULL, KEYMAP_ACTION_QUIT);
	assert_true(keymap_bind_names(km, "pager", "Enter", "noop", NULL));
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "Enter", KEYMAP_MATCH_NONE,
	    KEYMAP_ACTION_NONE); /* not the index's display-message either */
	/* ...and binding again brings a key back. */
	assert_true(keymap_bind_names(km, "index", "q", "quit", NULL));
	test_expect_seq(km, KEYMAP_CONTEXT_PAGER, "q", KEYMAP_MATCH_FULL, KEYMAP_ACTION_QUIT);

	/* Meta bindings in the prompt make Escape wait, with cancel after a pause. */
	assert_true(keymap_bind_names(km, "prompt", "M-b", "bol", NULL));
	{
		const int32_t esc[] = { KEYMAP_KEY_ESCAPE }, esc_b[] = { KEYMAP_KEY_ESCAPE, 'b' };

		test_expect(km, KEYMAP_CONTEXT_PROMPT, esc, 1, KEYMAP_MATCH_PREFIX,
		    KEYMAP_ACTION_CANCEL);
		test_expect(km, KEYMAP_CONTEXT_PROMPT, esc_b, 2, KEYMAP_MATCH_FULL,
		    KEYMAP_ACTION_BOL);
	}

	/* Errors name what is wrong. */
	assert_false(keymap_bind_names(km, "prompt", "d", "delete-message", &error));
	assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_CONTEXT));
	assert_string_equal(error->message,
	    "delete-message does not apply in prompt; it applies in index, pager");
	g_clear_error(&error);
	assert_false(keymap_bind_names(km, "index,prompt", "d", "delete-message", &error));
	g_clear_error(&error);
	test_expect_seq(km, KEYMAP_CONTEXT_INDEX, "d", KEYMAP_MATCH_FULL,
	    KEYMAP_ACTION_FLAG_MESSAGE); /* nothing bound when any part is wrong */
	assert_false(keymap_bind_names(km, "index", "Ctrl-x", "quit", &error));
	assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_KEY));
	g_clear_error(&error);
	assert_false(keymap_bind_names(km, "index", "x", "frist-entry", &error));
	assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_ACTION));
	g_clear_error(&error);
	assert_false(keymap_bind_names(km, "composer", "x", "quit", &error));
	assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_CONTEXT));
	g_clear_error(&error);
	seq.len = 0;
	assert_false(keymap_bind(km, KEYMAP_CONTEXT_INDEX, &seq, KEYMAP_ACTION_QUIT, &error));
	assert_true(g_error_matches(error, SURAT_KEYMAP_ERROR, SURAT_KEYMAP_ERROR_KEY));
	g_clear_error(&error);
	seq.len = 1;
	seq.keys[0] = CTRL('A');
	assert_false(keymap_bind(km, KEYMAP_CONTEXT_INDEX, &seq, KEYMAP_ACTION_QUIT, &error));
	g_clear_error(&error);
	seq.keys[0] = 'x';
	assert_false(keymap_bind(km, KEYMAP_CONTEXT_COUNT, &seq, KEYMAP_ACTION_QUIT, &error));
	g_clear_error(&error);
	assert_false(keymap_bind(km, KEYMAP_CONTEXT_INDEX, &seq, KEYMAP_ACTION_COUNT, &error));
	g_clear_error(&error);
	keymap_free(km);
}

static void
test_binding_cap(void **state)
{
	struct keymap *km = keymap_new();
	struct keymap_seq seq = { .len = 2 };
	GError *error = NULL;
	int32_t i;
	bool ok = true;

	/* A flood of bindings stops at a cap instead of growing without end. */
	seq.keys[0] = 'x';
	for (i = 0; i < 5000 && ok; i++) {
		seq.keys[1] = 0x4e00 + i;
		ok = keymap_bind(km, KEYMAP_CONTEXT_INDEX, &seq, KEYMAP_ACTION_QUIT, &error);
	}
	assert_false(ok);
	assert_true(i < 1100);
	assert_true(g_str_has_prefix(error->message, "more than 1024 bindings in the index"));
	g_clear_error(&error);
	/* Rebinding keys already bound still works. */
	seq.keys[1] = 0x4e00;
	assert_true(keymap_bind(km, KEYMAP_CONTEXT_INDEX, &seq, KEYMAP_ACTION_HELP, NULL));
	keymap_free(km);
}

/* The line of LINES for ACTION's name, or NULL. */
static const char *
test_help_line(GPtrArray *lines, enum keymap_action action)
{
	char *name = g_strdup_printf("  %s  ", keymap_action_name(action));
	const char *found = NULL;
	guint i;

	for (i = 0; i < lines->len && found == NULL; i++) {
		if (strstr(lines->pdata[i], name) != NULL)
			found = lines->pdata[i];
	}
	g_free(name);
	return found;
}

static void
test_help(void **state)
{
	struct keymap *km = keymap_new();
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
	const char *line;
	char *text;
	size_t col;
	guint i;
	int c;

	keymap_help(km, KEYMAP_CONTEXT_INDEX, lines);
	line = test_help_line(lines, KEYMAP_ACTION_NEXT_ENTRY);
	assert_non_null(line);
	assert_true(g_str_has_prefix(line, "  j, Down "));
	assert_non_null(strstr(line, "  next-entry  "));
	assert_true(g_str_has_suffix(line, "  move to the next entry (the pager: the next "
	    "message)"));
	/* Columns line up, in the order of enum keymap_action. */
	col = strstr(line, "next-entry") - line;
	for (i = 0; i < lines->len; i++) {
		assert_true(strlen(lines->pdata[i]) > col);
		assert_true(((char *)lines->pdata[i])[col - 1] == ' ');
		assert_true(((char *)lines->pdata[i])[col] != ' ');
	}
	assert_true(g_str_has_prefix(lines->pdata[0], "  q  "));
	assert_null(test_help_line(lines, KEYMAP_ACTION_NEXT_LINE)); /* a pager action */
	assert_null(test_help_line(lines, KEYMAP_ACTION_NONE));
	line = test_help_line(lines, KEYMAP_ACTION_COLLAPSE_THREAD);
	assert_true(g_str_has_prefix(line, "  M-v "));
	/* Digits in a row are a range: jump's nine keys fit the column. */
	assert_true(g_str_has_prefix(test_help_line(lines, KEYMAP_ACTION_JUMP), "  1..9 "));
	assert_true(keymap_bind_names(km, "index", "0", "jump", NULL));
	assert_true(keymap_bind_names(km, "index", "5", "noop", NULL));
	text = keymap_keys_for(km, KEYMAP_CONTEXT_INDEX, KEYMAP_ACTION_JUMP);
	assert_string_equal(text, "1..4, 6..9, 0");
	g_free(text);
	assert_true(keymap_bind_names(km, "index", "7", "noop", NULL));
	text = keymap_keys_for(km, KEYMAP_CONTEXT_INDEX, KEYMAP_ACTION_JUMP);
	assert_string_equal(text, "1..4, 6, 8, 9, 0");
	g_free(text);

	/* The help follows the bindings. */
	assert_true(keymap_bind_names(km, "index", "x", "next-entry", NULL));
	assert_true(keymap_bind_names(km, "index", "C", "noop", NULL));
	g_ptr_array_set_size(lines, 0);
	keymap_help(km, KEYMAP_CONTEXT_INDEX, lines);
	assert_true(g_str_has_prefix(test_help_line(lines, KEYMAP_ACTION_NEXT_ENTRY),
	    "  j, Down, x "));
	assert_null(test_help_line(lines, KEYMAP_ACTION_COPY_MESSAGE));

	/* The pager's help shows its own keys and those it takes from the index. */
	g_ptr_array_set_size(lines, 0);
	keymap_help(km, KEYMAP_CONTEXT_PAGER, lines);
	assert_true(g_str_has_prefix(test_help_line(lines, KEYMAP_ACTION_NEXT_LINE),
	    "  Down, Enter "));
	assert_true(g_str_has_prefix(test_help_line(lines, KEYMAP_ACTION_NEXT_ENTRY),
	    "  J, j, x "));
	assert_null(test_help_line(lines, KEYMAP_ACTION_DISPLAY_MESSAGE));
	assert_null(test_help_line(lines, KEYMAP_ACTION_LIMIT));

	/* Every context has help, every line of it says something. */
	for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
		g_ptr_array_set_size(lines, 0);
		keymap_help(km, c, lines);
		assert_true(lines->len >= 3);
		for (i = 0; i < lines->len; i++)
			assert_true(g_str_has_prefix(lines->pdata[i], "  "));
	}
	g_ptr_array_set_size(lines, 0);
	keymap_help(km, KEYMAP_CONTEXT_COUNT, lines);
	assert_int_equal(lines->len, 0);
	assert_null(keymap_keys_for(km, KEYMAP_CONTEXT_COUNT, KEYMAP_ACTION_QUIT));
	assert_null(keymap_keys_for(km, KEYMAP_CONTEXT_INDEX, KEYMAP_ACTION_NONE));
	g_ptr_array_free(lines, TRUE);
	keymap_free(km);
}

/* A macro's sequence, written as keys: "<limit>" as "[limit]", other keys as keymap names. */
static char *
test_steps(const char *text)
{
	GArray *steps = keymap_steps_parse(text, NULL);
	GString *out = g_string_new(NULL);
	guint i;

	if (steps == NULL)
		return g_string_free(out, TRUE), NULL;
	for (i = 0; i < steps->len; i++) {
		const struct keymap_step *st = &g_array_index(steps, struct keymap_step, i);
		char *name;

		if (i > 0)
			g_string_append_c(out, ' ');
		if (st->key == KEYMAP_KEY_NONE) {
			g_string_append_printf(out, "[%s]", keymap_action_name(st->action));
			continue;
		}
		name = keymap_key_format(st->key);
		g_string_append(out, name);
		g_free(name);
	}
	g_array_unref(steps);
	return g_string_free(out, FALSE);
}

/* Macros' sequences as mutt writes them, their keys, and what is refused. */
static void
test_macro_sequences(void **state)
{
	static const struct {
		const char *text, *steps;
	} cases[] = {
		{ "<limit>~f a<Enter>", "[limit] ~ f Space a Enter" },
		{ "<enter-command>set sidebar<enter>", "[enter-command] s e t Space s i d e b a r "
		    "Enter" },
		{ "a<b", "a < b" },                   /* no name: < is a key */
		{ "<a b>", "< a Space b >" },          /* a space: no name either */
		{ "<C-x><M-v><Esc><F5><Tab>", "C-x M-v Escape F5 Tab" },
		{ "^Xa^^^[", "C-x a ^ Escape" },       /* mutt's ^X, ^^ and ^[ */
		{ "^ x", "^ Space x" },                /* ^ before no letter is itself */
		{ "\\n\\t\\e\\\\\\<x>", "Enter Tab Escape \\ < x >" },
		{ "\\Cb\\cx\\C", "C-b C-x C" },       /* mutt's \Cx; \C at the end is C */
		{ "x\n", "x Enter" },                  /* a newline (libconfig's \n) is Enter */
		{ "<first-entry><next-entry>", "[first-entry] [next-entry]" },
		{ "é", "é" },
	};
	static const char *const bad[] = { "", "<frob>", "<limt>", "x\xc2\x85", "\xff", NULL };
	struct keymap_seq seq;
	GError *error = NULL;
	GString *long_text;
	GArray *steps;
	char *got;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		got = test_steps(cases[i].text);
		if (got == NULL || strcmp(got, cases[i].steps) != 0)
			print_error("\"%s\": got \"%s\", expected \"%s\"\n", cases[i].text,
			    got != NULL ? got : "(error)", cases[i].steps);
		assert_non_null(got);
		assert_string_equal(got, cases[i].steps);
		g_free(got);
	}
	for (i = 0; bad[i] != NULL; i++) {
		assert_null(keymap_steps_parse(bad[i], &error));
		assert_non_null(error);
		g_clear_error(&error);
	}
	assert_null(keymap_steps_parse("<limt>", &error));
	assert_string_equal(error->message, "<limt> is neither an action nor a key name; did you "
	    "mean <limit>?");
	g_clear_error(&error);
	long_text = g_string_new(NULL);
	for (i = 0; i <= KEYMAP_MACRO_MAX; i++)
		g_string_append_c(long_text, 'j');
	assert_null(keymap_steps_parse(long_text->str, &error));
	g_clear_error(&error);
	g_string_truncate(long_text, KEYMAP_MACRO_MAX);
	steps = keymap_steps_parse(long_text->str, NULL);
	assert_non_null(steps);
	g_array_unref(steps);
	g_string_free(long_text, TRUE);

	/* Keys: bind's names first, else mutt's characters. */
	assert_true(keymap_macro_keys_parse("g g", &seq, NULL));
	assert_int_equal(seq.len, 2);
	assert_true(keymap_macro_keys_parse(",a", &seq, NULL));
	assert_int_equal(seq.len, 2);
	assert_int_equal(seq.keys[0], ',');
	assert_true(keymap_macro_keys_parse("<Esc>x", &seq, NULL));
	assert_int_equal(seq.len, 1);
	assert_int_equal(seq.keys[0], KEYMAP_MOD_META | 'x');
	assert_false(keymap_macro_keys_parse("<limit>", &seq, &error)); /* an action is no key */
	g_clear_error(&error);
	assert_false(keymap_macro_keys_parse("abcdefghi", &seq, &error)); /* more than 8 */
	g_clear_error(&error);
}

/* surat.conf(5) describes every action and context. */
static void
test_documented(void **state)
{
	char *man, *want, *name, **parts;
	int i;

	assert_true(g_file_get_contents(SURAT_TEST_DATA "/../../doc/surat.conf.5", &man, NULL,
	    NULL));
	for (i = 0; i < KEYMAP_ACTION_COUNT; i++) {
		/* roff writes a hyphen as \- */
		parts = g_strsplit(keymap_action_name(i), "-", -1);
		name = g_strjoinv("\\-", parts);
		g_strfreev(parts);
		want = g_strdup_printf("\n.B %s\n", name);
		g_free(name);
		if (strstr(man, want) == NULL)
			fail_msg("surat.conf(5) has no \".B %s\"", keymap_action_name(i));
		g_free(want);
	}
	for (i = 0; i < KEYMAP_CONTEXT_COUNT; i++) {
		want = g_strdup_printf("\n.B %s\n", keymap_context_name(i));
		assert_non_null(strstr(man, want));
		g_free(want);
	}
	g_free(man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_bad_key_names),
		cmocka_unit_test(test_key_valid_and_format),
		cmocka_unit_test(test_key_from_char),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_bad_sequences),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_contexts),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_defaults_unambiguous),
		cmocka_unit_test(test_user_bindings),
		cmocka_unit_test(test_binding_cap),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_macro_sequences),
		cmocka_unit_test(test_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
