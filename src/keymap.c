/*
 * keymap: actions, key names and key bindings (doc/internals/keymap.md).
 *
 * Three tables are the truth: keymap_actions (every action's name, help and
 * contexts), keymap_key_names (the named keys) and keymap_defaults (the
 * bindings surat starts with).  A struct keymap copies the defaults into one
 * array per context and lets bind() replace or add to them; lookup() and
 * help() work on the "effective" bindings of a context, its own plus those
 * it falls back on in the index.
 *
 * What it never does: call curses, print, or read a file.
 */
#include "surat/keymap.h"
#include "surat/suggest.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define KEYMAP_MAX_BINDINGS 1024 /* per context: the defaults and a generous config */
#define KEYMAP_MAX_FN       24   /* F1..F24 */
#define KEYMAP_KEYS_WIDTH   24   /* the help's key column at most */

#define I KEYMAP_IN(KEYMAP_CONTEXT_INDEX)
#define P KEYMAP_IN(KEYMAP_CONTEXT_PAGER)
#define A KEYMAP_IN(KEYMAP_CONTEXT_ATTACHMENTS)
#define L KEYMAP_IN(KEYMAP_CONTEXT_LINKS)
#define S KEYMAP_IN(KEYMAP_CONTEXT_SIDEBAR)
#define R KEYMAP_IN(KEYMAP_CONTEXT_PROMPT)
#define H KEYMAP_IN(KEYMAP_CONTEXT_HELP)
#define VIEWS (I | P | A | L | S | H) /* everything but the prompt */

struct keymap_action_info {
	const char *name;
	const char *help;
	unsigned int contexts;
};

static const struct keymap_action_info keymap_actions[] = {
	[KEYMAP_ACTION_NONE] = { "noop", "do nothing; binding a key to it unbinds the key",
	    VIEWS | R },
	[KEYMAP_ACTION_QUIT] = { "quit", "leave this view; in the index, leave surat", VIEWS },
	[KEYMAP_ACTION_HELP] = { "help", "show the keys of this view", VIEWS },
	[KEYMAP_ACTION_REDRAW] = { "redraw", "clear and draw the screen again", VIEWS },
	[KEYMAP_ACTION_ENTER_COMMAND] = { "enter-command", "type an action's name, or set "
	    "OPTION VALUE", VIEWS },
	[KEYMAP_ACTION_NEXT_ENTRY] = { "next-entry", "move to the next entry (the pager: the "
	    "next message)", I | P | A | L },
	[KEYMAP_ACTION_PREVIOUS_ENTRY] = { "previous-entry", "move to the previous entry (the "
	    "pager: the previous message)", I | P | A | L },
	[KEYMAP_ACTION_NEXT_PAGE] = { "next-page", "move down a page", VIEWS },
	[KEYMAP_ACTION_PREVIOUS_PAGE] = { "previous-page", "move up a page", VIEWS },
	[KEYMAP_ACTION_HALF_DOWN] = { "half-down", "move down half a page", VIEWS },
	[KEYMAP_ACTION_HALF_UP] = { "half-up", "move up half a page", VIEWS },
	[KEYMAP_ACTION_FIRST_ENTRY] = { "first-entry", "move to the first entry", I | A | L | S },
	[KEYMAP_ACTION_LAST_ENTRY] = { "last-entry", "move to the last entry", I | A | L | S },
	[KEYMAP_ACTION_NEXT_LINE] = { "next-line", "scroll down one line", P | H },
	[KEYMAP_ACTION_PREVIOUS_LINE] = { "previous-line", "scroll up one line", P | H },
	[KEYMAP_ACTION_TOP] = { "top", "go to the top", P | H },
	[KEYMAP_ACTION_BOTTOM] = { "bottom", "go to the end", P | H },
	[KEYMAP_ACTION_NEXT_UNREAD] = { "next-unread", "move to the next unread message", I | P },
	[KEYMAP_ACTION_NEXT_THREAD] = { "next-thread", "move to the next thread", I | P },
	[KEYMAP_ACTION_PREVIOUS_THREAD] = { "previous-thread", "move to the previous thread",
	    I | P },
	[KEYMAP_ACTION_PARENT_MESSAGE] = { "parent-message", "move to the message this one "
	    "replies to", I | P },
	[KEYMAP_ACTION_DISPLAY_MESSAGE] = { "display-message", "open the message in the pager",
	    I },
	[KEYMAP_ACTION_TOGGLE_NEW] = { "toggle-new", "mark the message read or unread", I | P },
	[KEYMAP_ACTION_FLAG_MESSAGE] = { "flag-message", "flag or unflag the message", I | P },
	[KEYMAP_ACTION_DELETE_MESSAGE] = { "delete-message", "mark the message for deletion",
	    I | P },
	[KEYMAP_ACTION_UNDELETE_MESSAGE] = { "undelete-message", "remove the deletion mark",
	    I | P },
	[KEYMAP_ACTION_EXPUNGE] = { "expunge", "marked messages to the trash; in the trash, "
	    "delete for good (asks)", I | P },
	[KEYMAP_ACTION_SAVE_MESSAGE] = { "save-message", "save to a folder (moves it, as "
	    "move-message does)", I | P },
	[KEYMAP_ACTION_COPY_MESSAGE] = { "copy-message", "copy to a folder", I | P },
	[KEYMAP_ACTION_MOVE_MESSAGE] = { "move-message", "move to a folder at once", I | P },
	[KEYMAP_ACTION_PIPE_MESSAGE] = { "pipe-message", "pipe the message to a command",
	    I | P },
	[KEYMAP_ACTION_UNDO] = { "undo", "undo the last change to messages", I | P },
	[KEYMAP_ACTION_DISPLAY_TOGGLE_WEED] = { "display-toggle-weed", "show all headers, or "
	    "the usual few", I | P },
	[KEYMAP_ACTION_TOGGLE_ZOOM] = { "toggle-zoom", "the pager on the whole screen, or split "
	    "with the index", I | P },
	[KEYMAP_ACTION_FETCH_MAIL] = { "fetch-mail", "fetch new mail now, in the background",
	    I | P | S },
	[KEYMAP_ACTION_FETCH_REST] = { "fetch-rest", "fetch the rest of a headers-only "
	    "message, in the background", I | P },
	[KEYMAP_ACTION_SHOW_LOG] = { "show-log", "the fetch log: what was fetched, warnings, "
	    "errors", I | P | S },
	[KEYMAP_ACTION_SEARCH] = { "search", "search forward", I | P | H },
	[KEYMAP_ACTION_SEARCH_REVERSE] = { "search-reverse", "search backward", I | P },
	[KEYMAP_ACTION_SEARCH_NEXT] = { "search-next", "repeat the last search", I | P | H },
	[KEYMAP_ACTION_SEARCH_OPPOSITE] = { "search-opposite", "repeat the last search the "
	    "other way", I | P },
	[KEYMAP_ACTION_LIMIT] = { "limit", "show only the messages a query matches (all: "
	    "every message)", I },
	[KEYMAP_ACTION_SORT] = { "sort", "choose the order of the index", I },
	[KEYMAP_ACTION_SORT_REVERSE] = { "sort-reverse", "choose the order, reversed", I },
	[KEYMAP_ACTION_COLLAPSE_THREAD] = { "collapse-thread", "collapse or expand this thread",
	    I },
	[KEYMAP_ACTION_COLLAPSE_ALL] = { "collapse-all", "collapse or expand every thread", I },
	[KEYMAP_ACTION_TAG_ENTRY] = { "tag-entry", "tag or untag the message", I },
	[KEYMAP_ACTION_TAG_PATTERN] = { "tag-pattern", "tag the messages a query matches", I },
	[KEYMAP_ACTION_UNTAG_PATTERN] = { "untag-pattern", "untag the messages a query matches",
	    I },
	[KEYMAP_ACTION_TAG_PREFIX] = { "tag-prefix", "apply the next action to every tagged "
	    "message", I },
	[KEYMAP_ACTION_SIDEBAR_TOGGLE] = { "sidebar-toggle", "show or hide the sidebar",
	    I | P | S },
	[KEYMAP_ACTION_SIDEBAR_NEXT] = { "sidebar-next", "highlight the next sidebar entry",
	    I | P | S },
	[KEYMAP_ACTION_SIDEBAR_PREVIOUS] = { "sidebar-previous", "highlight the previous "
	    "sidebar entry", I | P | S },
	[KEYMAP_ACTION_SIDEBAR_OPEN] = { "sidebar-open", "open the highlighted sidebar entry",
	    I | P | S },
	[KEYMAP_ACTION_SIDEBAR_FOCUS] = { "sidebar-focus", "move the keyboard to the sidebar, "
	    "or back", I | P | S },
	[KEYMAP_ACTION_NEXT_ACCOUNT] = { "next-account", "open the next account", I | P | S },
	[KEYMAP_ACTION_PREVIOUS_ACCOUNT] = { "previous-account", "open the previous account",
	    I | P | S },
	[KEYMAP_ACTION_VIEW_ATTACHMENTS] = { "view-attachments", "list the message's "
	    "attachments", I | P },
	[KEYMAP_ACTION_OPEN_ATTACHMENT] = { "open-attachment", "open the attachment with its "
	    "viewer", A },
	[KEYMAP_ACTION_SAVE_ATTACHMENT] = { "save-attachment", "save the attachment to a file",
	    A },
	[KEYMAP_ACTION_PIPE_ATTACHMENT] = { "pipe-attachment", "pipe the attachment to a "
	    "command", A },
	[KEYMAP_ACTION_VIEW_LINKS] = { "view-links", "list the message's links", I | P },
	[KEYMAP_ACTION_OPEN_LINK] = { "open-link", "open the link in the browser", L },
	[KEYMAP_ACTION_COPY_LINK] = { "copy-link", "copy the link to the clipboard (OSC 52)",
	    L },
	[KEYMAP_ACTION_ACCEPT] = { "accept", "accept the line", R },
	[KEYMAP_ACTION_CANCEL] = { "cancel", "give up the line", R },
	[KEYMAP_ACTION_COMPLETE] = { "complete", "complete the word before the cursor", R },
	[KEYMAP_ACTION_HISTORY_UP] = { "history-up", "the previous line from the history", R },
	[KEYMAP_ACTION_HISTORY_DOWN] = { "history-down", "the next line from the history", R },
	[KEYMAP_ACTION_BACKSPACE] = { "backspace", "delete the character before the cursor",
	    R },
	[KEYMAP_ACTION_DELETE_CHAR] = { "delete-char", "delete the character under the cursor",
	    R },
	[KEYMAP_ACTION_BACKWARD_CHAR] = { "backward-char", "move the cursor left", R },
	[KEYMAP_ACTION_FORWARD_CHAR] = { "forward-char", "move the cursor right", R },
	[KEYMAP_ACTION_BOL] = { "bol", "move the cursor to the start of the line", R },
	[KEYMAP_ACTION_EOL] = { "eol", "move the cursor to the end of the line", R },
	[KEYMAP_ACTION_KILL_LINE] = { "kill-line", "delete the whole line", R },
	[KEYMAP_ACTION_KILL_EOL] = { "kill-eol", "delete from the cursor to the end of the line",
	    R },
	[KEYMAP_ACTION_KILL_WORD] = { "kill-word", "delete the word before the cursor", R },
};

_Static_assert(G_N_ELEMENTS(keymap_actions) == KEYMAP_ACTION_COUNT, "one row per action");

static const char *const keymap_context_names[] = {
	"index", "pager", "attachments", "links", "sidebar", "prompt", "help",
};

_Static_assert(G_N_ELEMENTS(keymap_context_names) == KEYMAP_CONTEXT_COUNT,
    "one name per context");

/* The named keys; the first name of a key is the one it is written with. */
static const struct {
	const char *name;
	int32_t key;
} keymap_key_names[] = {
	{ "Enter", KEYMAP_KEY_ENTER },
	{ "Return", KEYMAP_KEY_ENTER },
	{ "Tab", KEYMAP_KEY_TAB },
	{ "BackTab", KEYMAP_KEY_BACKTAB },
	{ "S-Tab", KEYMAP_KEY_BACKTAB },
	{ "Backspace", KEYMAP_KEY_BACKSPACE },
	{ "BS", KEYMAP_KEY_BACKSPACE },
	{ "Escape", KEYMAP_KEY_ESCAPE },
	{ "Esc", KEYMAP_KEY_ESCAPE },
	{ "Space", ' ' },
	{ "Up", KEYMAP_KEY_UP },
	{ "Down", KEYMAP_KEY_DOWN },
	{ "Left", KEYMAP_KEY_LEFT },
	{ "Right", KEYMAP_KEY_RIGHT },
	{ "PageUp", KEYMAP_KEY_PAGE_UP },
	{ "PgUp", KEYMAP_KEY_PAGE_UP },
	{ "PageDown", KEYMAP_KEY_PAGE_DOWN },
	{ "PgDn", KEYMAP_KEY_PAGE_DOWN },
	{ "Home", KEYMAP_KEY_HOME },
	{ "End", KEYMAP_KEY_END },
	{ "Insert", KEYMAP_KEY_INSERT },
	{ "Ins", KEYMAP_KEY_INSERT },
	{ "Delete", KEYMAP_KEY_DELETE },
	{ "Del", KEYMAP_KEY_DELETE },
};

#define KEYMAP_KEY_HINT "write one character, C-x, M-x, or a name: Enter, Tab, Space, " \
	"Backspace, Escape, Up, Down, Left, Right, PageUp, PageDown, Home, End, Insert, " \
	"Delete, F1..F24"

/* The bindings surat starts with, mutt's where mutt has one. */
static const struct {
	enum keymap_context context;
	const char *keys;
	enum keymap_action action;
} keymap_defaults[] = {
	/* The index; the other views fall back on it (see keymap_lookup). */
	{ KEYMAP_CONTEXT_INDEX, "q", KEYMAP_ACTION_QUIT },
	{ KEYMAP_CONTEXT_INDEX, "?", KEYMAP_ACTION_HELP },
	{ KEYMAP_CONTEXT_INDEX, "C-l", KEYMAP_ACTION_REDRAW },
	{ KEYMAP_CONTEXT_INDEX, ":", KEYMAP_ACTION_ENTER_COMMAND },
	{ KEYMAP_CONTEXT_INDEX, "j", KEYMAP_ACTION_NEXT_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "Down", KEYMAP_ACTION_NEXT_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "k", KEYMAP_ACTION_PREVIOUS_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "Up", KEYMAP_ACTION_PREVIOUS_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "Space", KEYMAP_ACTION_NEXT_PAGE },
	{ KEYMAP_CONTEXT_INDEX, "PageDown", KEYMAP_ACTION_NEXT_PAGE },
	{ KEYMAP_CONTEXT_INDEX, "-", KEYMAP_ACTION_PREVIOUS_PAGE },
	{ KEYMAP_CONTEXT_INDEX, "PageUp", KEYMAP_ACTION_PREVIOUS_PAGE },
	{ KEYMAP_CONTEXT_INDEX, "C-d", KEYMAP_ACTION_HALF_DOWN },
	{ KEYMAP_CONTEXT_INDEX, "C-u", KEYMAP_ACTION_HALF_UP },
	{ KEYMAP_CONTEXT_INDEX, "g", KEYMAP_ACTION_FIRST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "Home", KEYMAP_ACTION_FIRST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "=", KEYMAP_ACTION_FIRST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "*", KEYMAP_ACTION_LAST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "End", KEYMAP_ACTION_LAST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "Tab", KEYMAP_ACTION_NEXT_UNREAD },
	{ KEYMAP_CONTEXT_INDEX, "C-n", KEYMAP_ACTION_NEXT_THREAD },
	{ KEYMAP_CONTEXT_INDEX, "C-p", KEYMAP_ACTION_PREVIOUS_THREAD },
	{ KEYMAP_CONTEXT_INDEX, "P", KEYMAP_ACTION_PARENT_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "Enter", KEYMAP_ACTION_DISPLAY_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "N", KEYMAP_ACTION_TOGGLE_NEW },
	{ KEYMAP_CONTEXT_INDEX, "F", KEYMAP_ACTION_FLAG_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "d", KEYMAP_ACTION_DELETE_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "u", KEYMAP_ACTION_UNDELETE_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "$", KEYMAP_ACTION_EXPUNGE },
	{ KEYMAP_CONTEXT_INDEX, "s", KEYMAP_ACTION_SAVE_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "C", KEYMAP_ACTION_COPY_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "M", KEYMAP_ACTION_MOVE_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "|", KEYMAP_ACTION_PIPE_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "U", KEYMAP_ACTION_UNDO },
	{ KEYMAP_CONTEXT_INDEX, "h", KEYMAP_ACTION_DISPLAY_TOGGLE_WEED },
	{ KEYMAP_CONTEXT_INDEX, "z", KEYMAP_ACTION_TOGGLE_ZOOM },
	{ KEYMAP_CONTEXT_INDEX, "G", KEYMAP_ACTION_FETCH_MAIL },
	{ KEYMAP_CONTEXT_INDEX, "W", KEYMAP_ACTION_FETCH_REST },
	{ KEYMAP_CONTEXT_INDEX, "L", KEYMAP_ACTION_SHOW_LOG },
	{ KEYMAP_CONTEXT_INDEX, "/", KEYMAP_ACTION_SEARCH },
	{ KEYMAP_CONTEXT_INDEX, "M-/", KEYMAP_ACTION_SEARCH_REVERSE },
	{ KEYMAP_CONTEXT_INDEX, "n", KEYMAP_ACTION_SEARCH_NEXT },
	{ KEYMAP_CONTEXT_INDEX, "M-n", KEYMAP_ACTION_SEARCH_OPPOSITE },
	{ KEYMAP_CONTEXT_INDEX, "l", KEYMAP_ACTION_LIMIT },
	{ KEYMAP_CONTEXT_INDEX, "o", KEYMAP_ACTION_SORT },
	{ KEYMAP_CONTEXT_INDEX, "O", KEYMAP_ACTION_SORT_REVERSE },
	{ KEYMAP_CONTEXT_INDEX, "M-v", KEYMAP_ACTION_COLLAPSE_THREAD },
	{ KEYMAP_CONTEXT_INDEX, "M-V", KEYMAP_ACTION_COLLAPSE_ALL },
	{ KEYMAP_CONTEXT_INDEX, "t", KEYMAP_ACTION_TAG_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "T", KEYMAP_ACTION_TAG_PATTERN },
	{ KEYMAP_CONTEXT_INDEX, "C-t", KEYMAP_ACTION_UNTAG_PATTERN },
	{ KEYMAP_CONTEXT_INDEX, ";", KEYMAP_ACTION_TAG_PREFIX },
	{ KEYMAP_CONTEXT_INDEX, "B", KEYMAP_ACTION_SIDEBAR_TOGGLE },
	{ KEYMAP_CONTEXT_INDEX, "M-j", KEYMAP_ACTION_SIDEBAR_NEXT },
	{ KEYMAP_CONTEXT_INDEX, "M-k", KEYMAP_ACTION_SIDEBAR_PREVIOUS },
	{ KEYMAP_CONTEXT_INDEX, "M-o", KEYMAP_ACTION_SIDEBAR_OPEN },
	{ KEYMAP_CONTEXT_INDEX, "M-s", KEYMAP_ACTION_SIDEBAR_FOCUS },
	{ KEYMAP_CONTEXT_INDEX, "}", KEYMAP_ACTION_NEXT_ACCOUNT },
	{ KEYMAP_CONTEXT_INDEX, "{", KEYMAP_ACTION_PREVIOUS_ACCOUNT },
	{ KEYMAP_CONTEXT_INDEX, "v", KEYMAP_ACTION_VIEW_ATTACHMENTS },
	{ KEYMAP_CONTEXT_INDEX, "C-b", KEYMAP_ACTION_VIEW_LINKS },

	/* The pager: lines where the index has messages. */
	{ KEYMAP_CONTEXT_PAGER, "Down", KEYMAP_ACTION_NEXT_LINE },
	{ KEYMAP_CONTEXT_PAGER, "Enter", KEYMAP_ACTION_NEXT_LINE },
	{ KEYMAP_CONTEXT_PAGER, "Up", KEYMAP_ACTION_PREVIOUS_LINE },
	{ KEYMAP_CONTEXT_PAGER, "Backspace", KEYMAP_ACTION_PREVIOUS_LINE },
	{ KEYMAP_CONTEXT_PAGER, "g", KEYMAP_ACTION_TOP },
	{ KEYMAP_CONTEXT_PAGER, "Home", KEYMAP_ACTION_TOP },
	{ KEYMAP_CONTEXT_PAGER, "End", KEYMAP_ACTION_BOTTOM },

	{ KEYMAP_CONTEXT_ATTACHMENTS, "Enter", KEYMAP_ACTION_OPEN_ATTACHMENT },
	{ KEYMAP_CONTEXT_ATTACHMENTS, "s", KEYMAP_ACTION_SAVE_ATTACHMENT },
	{ KEYMAP_CONTEXT_ATTACHMENTS, "|", KEYMAP_ACTION_PIPE_ATTACHMENT },

	{ KEYMAP_CONTEXT_LINKS, "Enter", KEYMAP_ACTION_OPEN_LINK },
	{ KEYMAP_CONTEXT_LINKS, "y", KEYMAP_ACTION_COPY_LINK },

	{ KEYMAP_CONTEXT_SIDEBAR, "j", KEYMAP_ACTION_SIDEBAR_NEXT },
	{ KEYMAP_CONTEXT_SIDEBAR, "Down", KEYMAP_ACTION_SIDEBAR_NEXT },
	{ KEYMAP_CONTEXT_SIDEBAR, "k", KEYMAP_ACTION_SIDEBAR_PREVIOUS },
	{ KEYMAP_CONTEXT_SIDEBAR, "Up", KEYMAP_ACTION_SIDEBAR_PREVIOUS },
	{ KEYMAP_CONTEXT_SIDEBAR, "Enter", KEYMAP_ACTION_SIDEBAR_OPEN },
	{ KEYMAP_CONTEXT_SIDEBAR, "Tab", KEYMAP_ACTION_SIDEBAR_FOCUS },

	{ KEYMAP_CONTEXT_HELP, "j", KEYMAP_ACTION_NEXT_LINE },
	{ KEYMAP_CONTEXT_HELP, "Down", KEYMAP_ACTION_NEXT_LINE },
	{ KEYMAP_CONTEXT_HELP, "Enter", KEYMAP_ACTION_NEXT_LINE },
	{ KEYMAP_CONTEXT_HELP, "k", KEYMAP_ACTION_PREVIOUS_LINE },
	{ KEYMAP_CONTEXT_HELP, "Up", KEYMAP_ACTION_PREVIOUS_LINE },
	{ KEYMAP_CONTEXT_HELP, "g", KEYMAP_ACTION_TOP },
	{ KEYMAP_CONTEXT_HELP, "Home", KEYMAP_ACTION_TOP },
	{ KEYMAP_CONTEXT_HELP, "End", KEYMAP_ACTION_BOTTOM },
	{ KEYMAP_CONTEXT_HELP, "?", KEYMAP_ACTION_QUIT },
	{ KEYMAP_CONTEXT_HELP, "Escape", KEYMAP_ACTION_QUIT },

	/* The prompt falls back on nothing: what is not bound is typed. */
	{ KEYMAP_CONTEXT_PROMPT, "Enter", KEYMAP_ACTION_ACCEPT },
	{ KEYMAP_CONTEXT_PROMPT, "Escape", KEYMAP_ACTION_CANCEL },
	{ KEYMAP_CONTEXT_PROMPT, "C-g", KEYMAP_ACTION_CANCEL },
	{ KEYMAP_CONTEXT_PROMPT, "Tab", KEYMAP_ACTION_COMPLETE },
	{ KEYMAP_CONTEXT_PROMPT, "Up", KEYMAP_ACTION_HISTORY_UP },
	{ KEYMAP_CONTEXT_PROMPT, "C-p", KEYMAP_ACTION_HISTORY_UP },
	{ KEYMAP_CONTEXT_PROMPT, "Down", KEYMAP_ACTION_HISTORY_DOWN },
	{ KEYMAP_CONTEXT_PROMPT, "C-n", KEYMAP_ACTION_HISTORY_DOWN },
	{ KEYMAP_CONTEXT_PROMPT, "Backspace", KEYMAP_ACTION_BACKSPACE },
	{ KEYMAP_CONTEXT_PROMPT, "Delete", KEYMAP_ACTION_DELETE_CHAR },
	{ KEYMAP_CONTEXT_PROMPT, "C-d", KEYMAP_ACTION_DELETE_CHAR },
	{ KEYMAP_CONTEXT_PROMPT, "Left", KEYMAP_ACTION_BACKWARD_CHAR },
	{ KEYMAP_CONTEXT_PROMPT, "C-b", KEYMAP_ACTION_BACKWARD_CHAR },
	{ KEYMAP_CONTEXT_PROMPT, "Right", KEYMAP_ACTION_FORWARD_CHAR },
	{ KEYMAP_CONTEXT_PROMPT, "C-f", KEYMAP_ACTION_FORWARD_CHAR },
	{ KEYMAP_CONTEXT_PROMPT, "Home", KEYMAP_ACTION_BOL },
	{ KEYMAP_CONTEXT_PROMPT, "C-a", KEYMAP_ACTION_BOL },
	{ KEYMAP_CONTEXT_PROMPT, "End", KEYMAP_ACTION_EOL },
	{ KEYMAP_CONTEXT_PROMPT, "C-e", KEYMAP_ACTION_EOL },
	{ KEYMAP_CONTEXT_PROMPT, "C-u", KEYMAP_ACTION_KILL_LINE },
	{ KEYMAP_CONTEXT_PROMPT, "C-k", KEYMAP_ACTION_KILL_EOL },
	{ KEYMAP_CONTEXT_PROMPT, "C-w", KEYMAP_ACTION_KILL_WORD },
};

struct keymap_binding {
	struct keymap_seq keys;
	enum keymap_action action; /* NONE: unbound here, hiding the index's binding */
};

struct keymap {
	GArray *bindings[KEYMAP_CONTEXT_COUNT]; /* struct keymap_binding, in bind order */
};

GQuark
keymap_error_quark(void)
{
	return g_quark_from_static_string("surat-keymap-error-quark");
}

/* ---- keys ---------------------------------------------------------------- */

/* True when C is a character that stands for itself as a key. */
static bool
keymap_printable(uint32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
		return false;
	if (c >= 0xd800 && c < 0xe000)
		return false;
	return c < KEYMAP_KEY_SPECIAL;
}

/*
 * The key for C-C (ASCII C, either case), or KEYMAP_KEY_NONE: the control
 * characters a terminal sends, with those that are named keys named.
 */
static int32_t
keymap_ctrl(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	switch (c) {
	case 'h':
	case '?':
		return KEYMAP_KEY_BACKSPACE;
	case 'i':
		return KEYMAP_KEY_TAB;
	case 'j':
	case 'm':
		return KEYMAP_KEY_ENTER;
	case '[':
		return KEYMAP_KEY_ESCAPE;
	case ' ':
	case '2':
		return KEYMAP_MOD_CTRL | '@'; /* C-Space and C-2 send NUL */
	case '@':
	case '\\':
	case ']':
	case '^':
	case '_':
		return KEYMAP_MOD_CTRL | (int32_t)c;
	}
	if (c >= 'a' && c <= 'z')
		return KEYMAP_MOD_CTRL | (int32_t)c;
	return KEYMAP_KEY_NONE;
}

bool
keymap_key_valid(int32_t key)
{
	int32_t base = key & KEYMAP_KEY_BASE;

	if (key <= 0 || (key & ~(KEYMAP_KEY_BASE | KEYMAP_MOD_CTRL | KEYMAP_MOD_META)) != 0)
		return false;
	if (key & KEYMAP_MOD_CTRL)
		return keymap_ctrl((uint32_t)base) == (KEYMAP_MOD_CTRL | base);
	if (base >= KEYMAP_KEY_ENTER && base <= KEYMAP_KEY_DELETE)
		return true;
	if (base >= KEYMAP_KEY_F1 && base <= KEYMAP_KEY_F(KEYMAP_MAX_FN))
		return true;
	return keymap_printable((uint32_t)base);
}

int32_t
keymap_key_from_char(uint32_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		return KEYMAP_KEY_ENTER;
	case '\t':
		return KEYMAP_KEY_TAB;
	case 0x1b:
		return KEYMAP_KEY_ESCAPE;
	case 0x08:
	case 0x7f:
		return KEYMAP_KEY_BACKSPACE;
	}
	if (c < 0x20)
		return keymap_ctrl(c + 0x40);
	return keymap_printable(c) ? (int32_t)c : KEYMAP_KEY_NONE;
}

/* Set ERROR (CODE) to the message; returns false. */
static bool G_GNUC_PRINTF(3, 4)
keymap_fail(GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, SURAT_KEYMAP_ERROR, code, msg);
	g_free(msg);
	return false;
}

/* TEXT quoted for an error: control characters escaped, cut at 40 bytes (g_free). */
static char *
keymap_quote(const char *text)
{
	char *cut = g_utf8_make_valid(text, MIN(strlen(text), 40));
	char *quoted = g_strescape(cut, "\xc2\xa0");

	g_free(cut);
	return quoted;
}

/* Parse the key name TEXT into *KEY, without an error message. */
static bool
keymap_key_parse_name(const char *text, int32_t *key)
{
	size_t len = strlen(text), i;
	gunichar c;
	char *inner, *end;
	unsigned long n;
	int32_t k;
	bool ok;

	if (len == 0 || !g_utf8_validate(text, -1, NULL))
		return false;
	if (g_utf8_strlen(text, -1) == 1) {
		c = g_utf8_get_char(text);
		*key = (int32_t)c;
		return keymap_printable(c);
	}
	if (text[0] == '<' && text[len - 1] == '>') {
		inner = g_strndup(text + 1, len - 2);
		ok = strchr(inner, '<') == NULL && keymap_key_parse_name(inner, key);
		g_free(inner);
		return ok;
	}
	if ((text[0] == 'M' || text[0] == 'm') && text[1] == '-') {
		if (!keymap_key_parse_name(text + 2, &k) || (k & KEYMAP_MOD_META))
			return false;
		*key = k | KEYMAP_MOD_META;
		return true;
	}
	if ((text[0] == 'C' || text[0] == 'c') && text[1] == '-') {
		if (g_ascii_strcasecmp(text + 2, "Space") == 0)
			*key = keymap_ctrl(' ');
		else
			*key = len == 3 ? keymap_ctrl((unsigned char)text[2]) : KEYMAP_KEY_NONE;
		return *key != KEYMAP_KEY_NONE;
	}
	if (text[0] == '^' && len == 2) {
		*key = keymap_ctrl((unsigned char)text[1]);
		return *key != KEYMAP_KEY_NONE;
	}
	for (i = 0; i < G_N_ELEMENTS(keymap_key_names); i++) {
		if (g_ascii_strcasecmp(text, keymap_key_names[i].name) == 0) {
			*key = keymap_key_names[i].key;
			return true;
		}
	}
	if ((text[0] == 'F' || text[0] == 'f') && g_ascii_isdigit(text[1]) && text[1] != '0') {
		n = strtoul(text + 1, &end, 10);
		if (*end == '\0' && n >= 1 && n <= KEYMAP_MAX_FN) {
			*key = KEYMAP_KEY_F((int32_t)n);
			return true;
		}
	}
	return false;
}

bool
keymap_key_parse(const char *text, int32_t *key, GError **error)
{
	char *quoted;

	if (text == NULL || *text == '\0')
		return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "no key; %s", KEYMAP_KEY_HINT);
	if (keymap_key_parse_name(text, key))
		return true;
	quoted = keymap_quote(text);
	if (((text[0] == 'C' || text[0] == 'c') && text[1] == '-') ||
	    (text[0] == '^' && strlen(text) == 2))
		keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "\"%s\" is not a key; C- goes with a "
		    "letter or one of @ [ \\ ] ^ _ ? and Space", quoted);
	else
		keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "\"%s\" is not a key name; %s", quoted,
		    KEYMAP_KEY_HINT);
	g_free(quoted);
	return false;
}

char *
keymap_key_format(int32_t key)
{
	int32_t base = key & KEYMAP_KEY_BASE;
	GString *out;
	size_t i;

	if (!keymap_key_valid(key))
		return g_strdup("?");
	out = g_string_new(key & KEYMAP_MOD_META ? "M-" : "");
	if (key & KEYMAP_MOD_CTRL) {
		g_string_append_printf(out, "C-%c", (char)base);
		return g_string_free(out, FALSE);
	}
	if (base >= KEYMAP_KEY_F1) {
		g_string_append_printf(out, "F%d", base - KEYMAP_KEY_F1 + 1);
		return g_string_free(out, FALSE);
	}
	for (i = 0; i < G_N_ELEMENTS(keymap_key_names); i++) {
		if (keymap_key_names[i].key == base) {
			g_string_append(out, keymap_key_names[i].name);
			return g_string_free(out, FALSE);
		}
	}
	g_string_append_unichar(out, (gunichar)base);
	return g_string_free(out, FALSE);
}

bool
keymap_seq_parse(const char *text, struct keymap_seq *seq, GError **error)
{
	char **words = g_strsplit_set(text != NULL ? text : "", " \t", -1), *quoted;
	int32_t key;
	bool meta = false, ok = false;
	size_t i;

	seq->len = 0;
	for (i = 0; words[i] != NULL; i++) {
		if (*words[i] == '\0')
			continue;
		if (!keymap_key_parse(words[i], &key, error))
			goto out;
		if (meta && (key & KEYMAP_MOD_META)) {
			quoted = keymap_quote(words[i]);
			keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "Escape before \"%s\" is Meta "
			    "twice; write one of them", quoted);
			g_free(quoted);
			goto out;
		}
		if (meta) {
			/* Escape then a key is what a terminal sends for Meta (Alt) and the key. */
			seq->keys[seq->len - 1] = key | KEYMAP_MOD_META;
			meta = false;
			continue;
		}
		if (seq->len == KEYMAP_SEQ_MAX) {
			keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "more than %d keys in a row; "
			    "use at most %d", KEYMAP_SEQ_MAX, KEYMAP_SEQ_MAX);
			goto out;
		}
		seq->keys[seq->len++] = key;
		meta = key == KEYMAP_KEY_ESCAPE;
	}
	if (seq->len == 0)
		keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "no key; %s", KEYMAP_KEY_HINT);
	else
		ok = true;
out:
	g_strfreev(words);
	if (!ok)
		seq->len = 0;
	return ok;
}

char *
keymap_seq_format(const struct keymap_seq *seq)
{
	GString *out = g_string_new(NULL);
	unsigned int i;
	char *name;

	for (i = 0; i < seq->len && i < KEYMAP_SEQ_MAX; i++) {
		name = keymap_key_format(seq->keys[i]);
		if (i > 0)
			g_string_append_c(out, ' ');
		g_string_append(out, name);
		g_free(name);
	}
	return g_string_free(out, FALSE);
}

/* ---- actions and contexts ------------------------------------------------- */

const char *
keymap_action_name(enum keymap_action action)
{
	if ((unsigned int)action >= KEYMAP_ACTION_COUNT)
		return "?";
	return keymap_actions[action].name;
}

const char *
keymap_action_help(enum keymap_action action)
{
	if ((unsigned int)action >= KEYMAP_ACTION_COUNT)
		return "";
	return keymap_actions[action].help;
}

unsigned int
keymap_action_contexts(enum keymap_action action)
{
	if ((unsigned int)action >= KEYMAP_ACTION_COUNT)
		return 0;
	return keymap_actions[action].contexts;
}

bool
keymap_action_applies(enum keymap_action action, enum keymap_context context)
{
	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT)
		return false;
	return (keymap_action_contexts(action) & KEYMAP_IN(context)) != 0;
}

bool
keymap_action_parse(const char *name, enum keymap_action *action, GError **error)
{
	const char *hint = NULL;
	int best = 3, d;
	char *quoted;
	size_t i;

	for (i = 0; name != NULL && i < KEYMAP_ACTION_COUNT; i++) {
		if (strcmp(name, keymap_actions[i].name) == 0) {
			*action = (enum keymap_action)i;
			return true;
		}
		if ((d = suggest_distance(name, keymap_actions[i].name)) < best) {
			best = d;
			hint = keymap_actions[i].name;
		}
	}
	quoted = keymap_quote(name != NULL ? name : "");
	keymap_fail(error, SURAT_KEYMAP_ERROR_ACTION, "unknown action \"%s\"%s%s%s%s", quoted,
	    hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "",
	    hint ? "" : "; the actions are listed under KEY BINDINGS in surat.conf(5)");
	g_free(quoted);
	return false;
}

const char *
keymap_context_name(enum keymap_context context)
{
	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT)
		return "?";
	return keymap_context_names[context];
}

/* The names of the contexts in MASK, joined by ", " (g_free). */
static char *
keymap_context_list(unsigned int mask)
{
	GString *out = g_string_new(NULL);
	int i;

	for (i = 0; i < KEYMAP_CONTEXT_COUNT; i++) {
		if (!(mask & KEYMAP_IN(i)))
			continue;
		if (out->len > 0)
			g_string_append(out, ", ");
		g_string_append(out, keymap_context_names[i]);
	}
	return g_string_free(out, FALSE);
}

bool
keymap_context_parse(const char *text, unsigned int *mask, GError **error)
{
	char **parts = g_strsplit(text != NULL ? text : "", ",", -1), *name, *quoted, *all;
	bool ok = true;
	int i, c;

	*mask = 0;
	for (i = 0; parts[i] != NULL && ok; i++) {
		name = g_strstrip(parts[i]);
		for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
			if (g_ascii_strcasecmp(name, keymap_context_names[c]) == 0)
				break;
		}
		if (c < KEYMAP_CONTEXT_COUNT) {
			*mask |= KEYMAP_IN(c);
			continue;
		}
		quoted = keymap_quote(name);
		all = keymap_context_list(KEYMAP_IN(KEYMAP_CONTEXT_COUNT) - 1);
		keymap_fail(error, SURAT_KEYMAP_ERROR_CONTEXT, *name == '\0' ? "no context%s; "
		    "use %s, or several joined by commas" : "unknown context \"%s\"; use %s, or "
		    "several joined by commas", quoted, all);
		g_free(all);
		g_free(quoted);
		ok = false;
	}
	g_strfreev(parts);
	if (ok && *mask == 0) {
		all = keymap_context_list(KEYMAP_IN(KEYMAP_CONTEXT_COUNT) - 1);
		keymap_fail(error, SURAT_KEYMAP_ERROR_CONTEXT, "no context; use %s, or several "
		    "joined by commas", all);
		g_free(all);
		ok = false;
	}
	if (!ok)
		*mask = 0;
	return ok;
}

bool
keymap_action_check(enum keymap_action action, unsigned int mask, GError **error)
{
	unsigned int bad = mask & ~keymap_action_contexts(action);
	char *where, *contexts;

	if ((unsigned int)action >= KEYMAP_ACTION_COUNT)
		return keymap_fail(error, SURAT_KEYMAP_ERROR_ACTION, "no such action");
	if (bad == 0)
		return true;
	where = keymap_context_list(bad);
	contexts = keymap_context_list(keymap_actions[action].contexts);
	keymap_fail(error, SURAT_KEYMAP_ERROR_CONTEXT, "%s does not apply in %s; it applies in %s",
	    keymap_actions[action].name, where, contexts);
	g_free(contexts);
	g_free(where);
	return false;
}

/* ---- the key map ------------------------------------------------------------ */

/* True when A and B hold the same keys. */
static bool
keymap_seq_equal(const struct keymap_seq *a, const struct keymap_seq *b)
{
	return a->len == b->len && memcmp(a->keys, b->keys, a->len * sizeof a->keys[0]) == 0;
}

/* True when one of A and B begins with the other (or they are equal). */
static bool
keymap_seq_overlap(const struct keymap_seq *a, const struct keymap_seq *b)
{
	unsigned int n = MIN(a->len, b->len);

	return memcmp(a->keys, b->keys, n * sizeof a->keys[0]) == 0;
}

/*
 * Bind SEQ to ACTION in the array B, replacing a binding of exactly SEQ;
 * false when that would make B longer than KEYMAP_MAX_BINDINGS.
 */
static bool
keymap_set(GArray *b, const struct keymap_seq *seq, enum keymap_action action)
{
	struct keymap_binding new = { .keys = *seq, .action = action };
	guint i;

	for (i = 0; i < b->len; i++) {
		if (keymap_seq_equal(&g_array_index(b, struct keymap_binding, i).keys, seq)) {
			g_array_index(b, struct keymap_binding, i).action = action;
			return true;
		}
	}
	if (b->len >= KEYMAP_MAX_BINDINGS)
		return false;
	g_array_append_val(b, new);
	return true;
}

struct keymap *
keymap_new(void)
{
	struct keymap *keymap = g_new0(struct keymap, 1);
	struct keymap_seq seq;
	GError *error = NULL;
	size_t i;

	for (i = 0; i < KEYMAP_CONTEXT_COUNT; i++)
		keymap->bindings[i] = g_array_new(FALSE, FALSE, sizeof(struct keymap_binding));
	for (i = 0; i < G_N_ELEMENTS(keymap_defaults); i++) {
		/* The table is ours; test-keymap checks every row. */
		if (!keymap_seq_parse(keymap_defaults[i].keys, &seq, &error))
			g_error("keymap_defaults[%zu]: %s", i, error->message);
		if (!keymap_action_applies(keymap_defaults[i].action, keymap_defaults[i].context) ||
		    !keymap_set(keymap->bindings[keymap_defaults[i].context], &seq,
		    keymap_defaults[i].action))
			g_error("keymap_defaults[%zu]: the action does not apply there", i);
	}
	return keymap;
}

void
keymap_free(struct keymap *keymap)
{
	int i;

	if (keymap == NULL)
		return;
	for (i = 0; i < KEYMAP_CONTEXT_COUNT; i++)
		g_array_free(keymap->bindings[i], TRUE);
	g_free(keymap);
}

bool
keymap_bind(struct keymap *keymap, enum keymap_context context, const struct keymap_seq *seq,
    enum keymap_action action, GError **error)
{
	unsigned int i;

	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT)
		return keymap_fail(error, SURAT_KEYMAP_ERROR_CONTEXT, "no such context");
	if (seq->len == 0 || seq->len > KEYMAP_SEQ_MAX)
		return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "a binding needs 1 to %d keys",
		    KEYMAP_SEQ_MAX);
	for (i = 0; i < seq->len; i++) {
		if (!keymap_key_valid(seq->keys[i]))
			return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "0x%x is not a key",
			    (unsigned int)seq->keys[i]);
	}
	if (!keymap_action_check(action, KEYMAP_IN(context), error))
		return false;
	if (!keymap_set(keymap->bindings[context], seq, action))
		return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "more than %d bindings in the "
		    "%s; bind fewer keys", KEYMAP_MAX_BINDINGS, keymap_context_names[context]);
	return true;
}

bool
keymap_bind_names(struct keymap *keymap, const char *contexts, const char *keys,
    const char *action, GError **error)
{
	struct keymap_seq seq;
	enum keymap_action a;
	unsigned int mask;
	int c;

	if (!keymap_context_parse(contexts, &mask, error) || !keymap_seq_parse(keys, &seq, error) ||
	    !keymap_action_parse(action, &a, error) || !keymap_action_check(a, mask, error))
		return false;
	for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
		if ((mask & KEYMAP_IN(c)) && !keymap_bind(keymap, c, &seq, a, error))
			return false;
	}
	return true;
}

/*
 * The bindings live in CONTEXT, into OUT (pointers into KEYMAP): its own,
 * then the index's that apply there and clash with none of its own.  Unbound
 * (noop) entries are left out once they have hidden what they hide.
 */
static void
keymap_effective(const struct keymap *keymap, enum keymap_context context, GPtrArray *out)
{
	GArray *own = keymap->bindings[context], *index = keymap->bindings[KEYMAP_CONTEXT_INDEX];
	const struct keymap_binding *b, *o;
	guint i, j;

	for (i = 0; i < own->len; i++) {
		b = &g_array_index(own, struct keymap_binding, i);
		if (b->action != KEYMAP_ACTION_NONE)
			g_ptr_array_add(out, (gpointer)b);
	}
	if (context == KEYMAP_CONTEXT_INDEX || context == KEYMAP_CONTEXT_PROMPT)
		return;
	for (i = 0; i < index->len; i++) {
		b = &g_array_index(index, struct keymap_binding, i);
		if (b->action == KEYMAP_ACTION_NONE || !keymap_action_applies(b->action, context))
			continue;
		for (j = 0; j < own->len; j++) {
			o = &g_array_index(own, struct keymap_binding, j);
			if (keymap_seq_overlap(&o->keys, &b->keys))
				break;
		}
		if (j == own->len)
			g_ptr_array_add(out, (gpointer)b);
	}
}

enum keymap_match
keymap_lookup(const struct keymap *keymap, enum keymap_context context, const int32_t *keys,
    size_t n, enum keymap_action *action)
{
	const struct keymap_binding *b;
	struct keymap_seq typed = { .len = 0 };
	enum keymap_action exact = KEYMAP_ACTION_NONE;
	bool prefix = false, escape;
	GPtrArray *live;
	unsigned int m;
	size_t i;

	*action = KEYMAP_ACTION_NONE;
	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT || n == 0 || n > 2 * KEYMAP_SEQ_MAX)
		return KEYMAP_MATCH_NONE;
	/* Read Escape then a key as Meta and the key, as keymap_seq_parse does. */
	for (i = 0; i < n; i++) {
		if (typed.len == KEYMAP_SEQ_MAX)
			return KEYMAP_MATCH_NONE;
		if (keys[i] == KEYMAP_KEY_ESCAPE && i + 1 < n && !(keys[i + 1] & KEYMAP_MOD_META))
			typed.keys[typed.len++] = keys[++i] | KEYMAP_MOD_META;
		else
			typed.keys[typed.len++] = keys[i];
	}
	m = typed.len;
	/* A trailing Escape may still become Meta with the next key. */
	escape = typed.keys[m - 1] == KEYMAP_KEY_ESCAPE;
	live = g_ptr_array_new();
	keymap_effective(keymap, context, live);
	for (i = 0; i < live->len; i++) {
		b = live->pdata[i];
		if (b->keys.len < m)
			continue;
		if (memcmp(b->keys.keys, typed.keys, (m - 1) * sizeof typed.keys[0]) != 0)
			continue;
		if (b->keys.keys[m - 1] == typed.keys[m - 1]) {
			if (b->keys.len == m)
				exact = b->action;
			else
				prefix = true;
		} else if (escape && (b->keys.keys[m - 1] & KEYMAP_MOD_META)) {
			prefix = true;
		}
	}
	g_ptr_array_free(live, TRUE);
	*action = exact;
	if (prefix)
		return KEYMAP_MATCH_PREFIX;
	return exact != KEYMAP_ACTION_NONE ? KEYMAP_MATCH_FULL : KEYMAP_MATCH_NONE;
}

/* The keys of the live bindings BINDINGS that do ACTION, joined by ", ", or NULL. */
static char *
keymap_join(GPtrArray *live, enum keymap_action action)
{
	const struct keymap_binding *b;
	GString *out = NULL;
	char *text;
	guint i;

	for (i = 0; i < live->len; i++) {
		b = live->pdata[i];
		if (b->action != action)
			continue;
		out = out != NULL ? g_string_append(out, ", ") : g_string_new(NULL);
		text = keymap_seq_format(&b->keys);
		g_string_append(out, text);
		g_free(text);
	}
	return out != NULL ? g_string_free(out, FALSE) : NULL;
}

char *
keymap_keys_for(const struct keymap *keymap, enum keymap_context context,
    enum keymap_action action)
{
	GPtrArray *live;
	char *keys;

	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT || action == KEYMAP_ACTION_NONE)
		return NULL;
	live = g_ptr_array_new();
	keymap_effective(keymap, context, live);
	keys = keymap_join(live, action);
	g_ptr_array_free(live, TRUE);
	return keys;
}

void
keymap_help(const struct keymap *keymap, enum keymap_context context, GPtrArray *lines)
{
	enum keymap_action actions[KEYMAP_ACTION_COUNT];
	long width = 0, name_width = 0, w;
	GPtrArray *live, *keys;
	guint i, n = 0;
	char *text;
	int a;

	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT)
		return;
	keys = g_ptr_array_new_with_free_func(g_free);
	live = g_ptr_array_new();
	keymap_effective(keymap, context, live);
	for (a = 1; a < KEYMAP_ACTION_COUNT; a++) {
		if ((text = keymap_join(live, a)) == NULL)
			continue;
		g_ptr_array_add(keys, text);
		actions[n++] = a;
		width = MAX(width, g_utf8_strlen(text, -1));
		name_width = MAX(name_width, (long)strlen(keymap_actions[a].name));
	}
	width = MIN(width, KEYMAP_KEYS_WIDTH);
	for (i = 0; i < n; i++) {
		text = keys->pdata[i];
		w = g_utf8_strlen(text, -1);
		g_ptr_array_add(lines, g_strdup_printf("  %s%*s  %-*s  %s", text,
		    (int)(w < width ? width - w : 0), "", (int)name_width,
		    keymap_actions[actions[i]].name, keymap_actions[actions[i]].help));
	}
	g_ptr_array_free(live, TRUE);
	g_ptr_array_free(keys, TRUE);
}
