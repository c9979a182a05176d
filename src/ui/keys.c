/*
 * keys: reading keys from the terminal, naming them, and the key tables that
 * map a key to an action in each context.  The help screen is generated from
 * these tables, so it always shows the live bindings.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "private.h"

#define KEYS_CTRL(c) ((c) & 0x1f)
#define KEYS_FN(k)   (UI_KEY_FN + (k))

struct keys_binding {
	int key;
	enum ui_action action;
};

struct keys_action_info {
	const char *name;
	const char *help;
};

static const struct keys_action_info keys_actions[UI_ACTION_COUNT] = {
	[UI_ACTION_NONE] = { "noop", "do nothing" },
	[UI_ACTION_QUIT] = { "quit", "close the message, the help, or surat" },
	[UI_ACTION_HELP] = { "help", "show this help" },
	[UI_ACTION_REDRAW] = { "redraw", "draw the screen again" },
	[UI_ACTION_NEXT] = { "next-entry", "move to the next message" },
	[UI_ACTION_PREV] = { "previous-entry", "move to the previous message" },
	[UI_ACTION_PAGE_DOWN] = { "next-page", "move down a page" },
	[UI_ACTION_PAGE_UP] = { "previous-page", "move up a page" },
	[UI_ACTION_FIRST] = { "first-entry", "move to the first message" },
	[UI_ACTION_LAST] = { "last-entry", "move to the last message" },
	[UI_ACTION_OPEN] = { "display-message", "open the message in the pager" },
	[UI_ACTION_NEXT_UNREAD] = { "next-unread", "move to the next unread message" },
	[UI_ACTION_TOGGLE_NEW] = { "toggle-new", "mark the message read or unread" },
	[UI_ACTION_FLAG] = { "flag-message", "flag or unflag the message" },
	[UI_ACTION_DELETE] = { "delete-message", "mark the message for deletion" },
	[UI_ACTION_UNDELETE] = { "undelete-message", "remove the deletion mark" },
	[UI_ACTION_EXPUNGE] = { "expunge", "delete the marked messages for good (asks)" },
	[UI_ACTION_FULL_HEADERS] = { "display-toggle-weed", "show all headers or the usual few" },
	[UI_ACTION_LINE_DOWN] = { "next-line", "scroll down one line" },
	[UI_ACTION_LINE_UP] = { "previous-line", "scroll up one line" },
	[UI_ACTION_TOP] = { "top", "go to the top of the message" },
	[UI_ACTION_BOTTOM] = { "bottom", "go to the end of the message" },
	[UI_ACTION_SEARCH] = { "search", "search forward in the message" },
	[UI_ACTION_SEARCH_NEXT] = { "search-next", "repeat the last search" },
	[UI_ACTION_ZOOM] = { "toggle-zoom", "pager on the whole screen, or split" },
	[UI_ACTION_FETCH] = { "fetch-mail", "fetch new mail now, in the background" },
	[UI_ACTION_FETCH_REST] = { "fetch-rest", "fetch the rest of a headers-only message" },
	[UI_ACTION_LOG] = { "show-log", "the fetch log: what was fetched, warnings, errors" },
	[UI_ACTION_VIEW_ATTACHMENTS] = { "view-attachments", "list the message's attachments" },
	[UI_ACTION_VIEW_LINKS] = { "view-links", "list the message's links" },
	[UI_ACTION_PIPE_MESSAGE] = { "pipe-message", "pipe the message to a command" },
};

/* Bindings shared by every context but help. */
#define KEYS_COMMON                                                            \
	{ 'q', UI_ACTION_QUIT }, { '?', UI_ACTION_HELP },                       \
	    { KEYS_CTRL('l'), UI_ACTION_REDRAW }, { '\t', UI_ACTION_NEXT_UNREAD }, \
	    { 'N', UI_ACTION_TOGGLE_NEW }, { 'F', UI_ACTION_FLAG },             \
	    { 'd', UI_ACTION_DELETE }, { 'u', UI_ACTION_UNDELETE },             \
	    { '$', UI_ACTION_EXPUNGE }, { 'h', UI_ACTION_FULL_HEADERS },        \
	    { 'z', UI_ACTION_ZOOM }, { 'G', UI_ACTION_FETCH },                  \
	    { 'W', UI_ACTION_FETCH_REST }, { 'L', UI_ACTION_LOG },             \
	    { 'v', UI_ACTION_VIEW_ATTACHMENTS }, { KEYS_CTRL('b'), UI_ACTION_VIEW_LINKS }, \
	    { '|', UI_ACTION_PIPE_MESSAGE }

static const struct keys_binding keys_index[] = {
	{ 'j', UI_ACTION_NEXT },
	{ KEYS_FN(KEY_DOWN), UI_ACTION_NEXT },
	{ 'k', UI_ACTION_PREV },
	{ KEYS_FN(KEY_UP), UI_ACTION_PREV },
	{ KEYS_FN(KEY_NPAGE), UI_ACTION_PAGE_DOWN },
	{ ' ', UI_ACTION_PAGE_DOWN },
	{ KEYS_FN(KEY_PPAGE), UI_ACTION_PAGE_UP },
	{ '-', UI_ACTION_PAGE_UP },
	{ 'g', UI_ACTION_FIRST },
	{ '=', UI_ACTION_FIRST },
	{ KEYS_FN(KEY_HOME), UI_ACTION_FIRST },
	{ '*', UI_ACTION_LAST },
	{ KEYS_FN(KEY_END), UI_ACTION_LAST },
	{ '\r', UI_ACTION_OPEN },
	{ '\n', UI_ACTION_OPEN },
	{ KEYS_FN(KEY_ENTER), UI_ACTION_OPEN },
	KEYS_COMMON,
	{ UI_KEY_NONE, UI_ACTION_NONE },
};

static const struct keys_binding keys_pager[] = {
	{ 'j', UI_ACTION_NEXT },
	{ 'k', UI_ACTION_PREV },
	{ KEYS_FN(KEY_DOWN), UI_ACTION_LINE_DOWN },
	{ '\r', UI_ACTION_LINE_DOWN },
	{ '\n', UI_ACTION_LINE_DOWN },
	{ KEYS_FN(KEY_ENTER), UI_ACTION_LINE_DOWN },
	{ KEYS_FN(KEY_UP), UI_ACTION_LINE_UP },
	{ KEYS_FN(KEY_BACKSPACE), UI_ACTION_LINE_UP },
	{ ' ', UI_ACTION_PAGE_DOWN },
	{ KEYS_FN(KEY_NPAGE), UI_ACTION_PAGE_DOWN },
	{ '-', UI_ACTION_PAGE_UP },
	{ KEYS_FN(KEY_PPAGE), UI_ACTION_PAGE_UP },
	{ 'g', UI_ACTION_TOP },
	{ KEYS_FN(KEY_HOME), UI_ACTION_TOP },
	{ KEYS_FN(KEY_END), UI_ACTION_BOTTOM },
	{ '/', UI_ACTION_SEARCH },
	{ 'n', UI_ACTION_SEARCH_NEXT },
	KEYS_COMMON,
	{ UI_KEY_NONE, UI_ACTION_NONE },
};

static const struct keys_binding keys_help[] = {
	{ 'q', UI_ACTION_QUIT },
	{ '?', UI_ACTION_QUIT },
	{ 0x1b, UI_ACTION_QUIT },
	{ 'j', UI_ACTION_LINE_DOWN },
	{ KEYS_FN(KEY_DOWN), UI_ACTION_LINE_DOWN },
	{ 'k', UI_ACTION_LINE_UP },
	{ KEYS_FN(KEY_UP), UI_ACTION_LINE_UP },
	{ ' ', UI_ACTION_PAGE_DOWN },
	{ KEYS_FN(KEY_NPAGE), UI_ACTION_PAGE_DOWN },
	{ '-', UI_ACTION_PAGE_UP },
	{ KEYS_FN(KEY_PPAGE), UI_ACTION_PAGE_UP },
	{ KEYS_CTRL('l'), UI_ACTION_REDRAW },
	{ UI_KEY_NONE, UI_ACTION_NONE },
};

static const struct keys_binding *const keys_tables[UI_CONTEXT_COUNT] = {
	[UI_CONTEXT_INDEX] = keys_index,
	[UI_CONTEXT_PAGER] = keys_pager,
	[UI_CONTEXT_HELP] = keys_help,
};

static const char *const keys_context_names[UI_CONTEXT_COUNT] = {
	[UI_CONTEXT_INDEX] = "index",
	[UI_CONTEXT_PAGER] = "pager",
	[UI_CONTEXT_HELP] = "help",
};

int
ui_keys_read(void)
{
	wint_t ch;
	int r = get_wch(&ch);

	if (r == KEY_CODE_YES)
		return KEYS_FN((int)ch);
	if (r == OK)
		return (int)ch;
	return UI_KEY_NONE;
}

enum ui_action
ui_keys_lookup(enum ui_context context, int key)
{
	const struct keys_binding *b;

	for (b = keys_tables[context]; b->key != UI_KEY_NONE; b++)
		if (b->key == key)
			return b->action;
	return UI_ACTION_NONE;
}

const char *
ui_keys_name(int key, char *buf, size_t size)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
		{ KEYS_FN(KEY_DOWN), "Down" }, { KEYS_FN(KEY_UP), "Up" },
		{ KEYS_FN(KEY_LEFT), "Left" }, { KEYS_FN(KEY_RIGHT), "Right" },
		{ KEYS_FN(KEY_NPAGE), "PageDown" }, { KEYS_FN(KEY_PPAGE), "PageUp" },
		{ KEYS_FN(KEY_HOME), "Home" }, { KEYS_FN(KEY_END), "End" },
		{ KEYS_FN(KEY_ENTER), "KeypadEnter" }, { KEYS_FN(KEY_BACKSPACE), "Backspace" },
		{ '\r', "Enter" }, { '\n', "C-j" }, { '\t', "Tab" }, { ' ', "Space" },
		{ 0x1b, "Escape" }, { 0x7f, "Backspace" },
	};
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(names); i++)
		if (names[i].key == key)
			return names[i].name;
	if (key > 0 && key < 0x20)
		snprintf(buf, size, "C-%c", key + 'a' - 1);
	else if (key >= UI_KEY_FN)
		snprintf(buf, size, "<%s>", keyname(key - UI_KEY_FN) ? keyname(key - UI_KEY_FN) : "?");
	else if (key > 0) {
		char utf8[8];
		int n = g_unichar_to_utf8((gunichar)key, utf8);

		utf8[n] = '\0';
		snprintf(buf, size, "%s", utf8);
	} else
		snprintf(buf, size, "?");
	return buf;
}

const char *
ui_action_name(enum ui_action action)
{
	return keys_actions[action].name;
}

const char *
ui_action_help(enum ui_action action)
{
	return keys_actions[action].help;
}

void
ui_keys_help(enum ui_context context, GPtrArray *lines)
{
	const struct keys_binding *b, *c;
	int action;

	g_ptr_array_add(lines, g_strdup_printf("Keys in the %s:", keys_context_names[context]));
	g_ptr_array_add(lines, g_strdup(""));
	/* One line per action, with every key bound to it. */
	for (action = 1; action < UI_ACTION_COUNT; action++) {
		GString *keys = g_string_new(NULL);

		for (b = keys_tables[context]; b->key != UI_KEY_NONE; b++) {
			char buf[32];

			if (b->action != (enum ui_action)action)
				continue;
			/* C-j and Enter do the same; show Enter only. */
			if (b->key == '\n') {
				for (c = keys_tables[context]; c->key != UI_KEY_NONE; c++)
					if (c->key == '\r' && c->action == b->action)
						break;
				if (c->key != UI_KEY_NONE)
					continue;
			}
			if (keys->len > 0)
				g_string_append(keys, " ");
			g_string_append(keys, ui_keys_name(b->key, buf, sizeof buf));
		}
		if (keys->len > 0)
			g_ptr_array_add(lines, g_strdup_printf("  %-22s %-20s %s", keys->str,
			    keys_actions[action].name, keys_actions[action].help));
		g_string_free(keys, TRUE);
	}
}
