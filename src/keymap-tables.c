/*
 * keymap-tables: the three tables keymap.c works from (doc/internals/
 * keymap.md): every action's name, help and contexts (keymap_actions), the
 * named keys (keymap_key_names) and the bindings surat starts with
 * (keymap_defaults), with the contexts' names.  A new action is a row here
 * and a value in keymap.h; a new default binding is a row here.
 */
#include "keymap-private.h"

#define I KEYMAP_IN(KEYMAP_CONTEXT_INDEX)
#define P KEYMAP_IN(KEYMAP_CONTEXT_PAGER)
#define A KEYMAP_IN(KEYMAP_CONTEXT_ATTACHMENTS)
#define L KEYMAP_IN(KEYMAP_CONTEXT_LINKS)
#define S KEYMAP_IN(KEYMAP_CONTEXT_SIDEBAR)
#define R KEYMAP_IN(KEYMAP_CONTEXT_PROMPT)
#define H KEYMAP_IN(KEYMAP_CONTEXT_HELP)
#define W KEYMAP_IN(KEYMAP_CONTEXT_COMPOSE)
#define VIEWS (I | P | A | L | S | H | W) /* everything but the prompt */

const struct keymap_action_info keymap_actions[] = {
	[KEYMAP_ACTION_NONE] = { "noop", "do nothing; binding a key to it unbinds the key",
	    VIEWS | R },
	[KEYMAP_ACTION_QUIT] = { "quit", "leave this view; in the index, leave surat", VIEWS },
	[KEYMAP_ACTION_HELP] = { "help", "show the keys of this view", VIEWS },
	[KEYMAP_ACTION_REDRAW] = { "redraw", "clear and draw the screen again", VIEWS },
	[KEYMAP_ACTION_ENTER_COMMAND] = { "enter-command", "type an action's name, or set "
	    "OPTION VALUE", VIEWS },
	[KEYMAP_ACTION_NEXT_ENTRY] = { "next-entry", "move to the next entry (the pager: the "
	    "next message)", I | P | A | L | W },
	[KEYMAP_ACTION_PREVIOUS_ENTRY] = { "previous-entry", "move to the previous entry (the "
	    "pager: the previous message)", I | P | A | L | W },
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
	[KEYMAP_ACTION_JUMP] = { "jump", "go to a message by its number in the view (a digit "
	    "starts the number)", I | P },
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
	[KEYMAP_ACTION_SHELL_ESCAPE] = { "shell-escape", "run a shell command with the terminal",
	    I | P },
	[KEYMAP_ACTION_UNDO] = { "undo", "undo the last change to messages", I | P },
	[KEYMAP_ACTION_DISPLAY_TOGGLE_WEED] = { "display-toggle-weed", "show all headers, or "
	    "the usual few", I | P },
	[KEYMAP_ACTION_SKIP_QUOTED] = { "skip-quoted", "scroll to the first line after the next "
	    "quoted text", P },
	[KEYMAP_ACTION_TOGGLE_QUOTED] = { "toggle-quoted", "hide quoted text (a line says how "
	    "much), or show it", P },
	[KEYMAP_ACTION_TOGGLE_ZOOM] = { "toggle-zoom", "the pager on the whole screen, or split "
	    "with the index", I | P },
	[KEYMAP_ACTION_FETCH_MAIL] = { "fetch-mail", "fetch new mail now, in the background",
	    I | P | S },
	[KEYMAP_ACTION_FETCH_REST] = { "fetch-rest", "fetch the rest of a headers-only "
	    "message, in the background", I | P },
	[KEYMAP_ACTION_SHOW_LOG] = { "show-log", "the fetch log: what was fetched, warnings, "
	    "errors", I | P | S },
	[KEYMAP_ACTION_MAIL] = { "mail", "write a new message", I | P },
	[KEYMAP_ACTION_REPLY] = { "reply", "reply to the sender (Reply-To, else From)", I | P },
	[KEYMAP_ACTION_GROUP_REPLY] = { "group-reply", "reply to the sender and every "
	    "recipient", I | P },
	[KEYMAP_ACTION_LIST_REPLY] = { "list-reply", "reply to the mailing list", I | P },
	[KEYMAP_ACTION_FORWARD_MESSAGE] = { "forward-message", "forward the message (after ;: "
	    "every tagged one)", I | P },
	[KEYMAP_ACTION_BOUNCE_MESSAGE] = { "bounce-message", "send the message on unchanged to "
	    "another address", I | P },
	[KEYMAP_ACTION_EDIT_AS_NEW] = { "edit-as-new", "write a new message from a copy of this "
	    "one", I | P },
	[KEYMAP_ACTION_CREATE_ALIAS] = { "create-alias", "add an alias for the sender to "
	    "alias_file", I | P },
	[KEYMAP_ACTION_RECALL_MESSAGE] = { "recall-message", "list the postponed messages and "
	    "go on with one", I | P },
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
	    "message of the view", I },
	[KEYMAP_ACTION_CHANGE_FOLDER] = { "change-folder", "open a mailbox: an account, =folder, "
	    "a saved search, a Maildir's path", I | P },
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
	[KEYMAP_ACTION_SEND_MESSAGE] = { "send-message", "queue the message and send it in the "
	    "background", W },
	[KEYMAP_ACTION_EDIT_MESSAGE] = { "edit-message", "edit the message in the editor", W },
	[KEYMAP_ACTION_EDIT_TO] = { "edit-to", "edit the To addresses", W },
	[KEYMAP_ACTION_EDIT_CC] = { "edit-cc", "edit the Cc addresses", W },
	[KEYMAP_ACTION_EDIT_BCC] = { "edit-bcc", "edit the Bcc addresses", W },
	[KEYMAP_ACTION_EDIT_SUBJECT] = { "edit-subject", "edit the subject", W },
	[KEYMAP_ACTION_EDIT_FROM] = { "edit-from", "choose the identity (the account that "
	    "sends)", W },
	[KEYMAP_ACTION_ATTACH_FILE] = { "attach-file", "attach a file (Tab completes paths)", W },
	[KEYMAP_ACTION_DETACH_FILE] = { "detach-file", "take the selected attachment off", W },
	[KEYMAP_ACTION_TOGGLE_DISPOSITION] = { "toggle-disposition", "the selected attachment "
	    "inline or as an attachment", W },
	[KEYMAP_ACTION_POSTPONE_MESSAGE] = { "postpone-message", "keep the message in Drafts "
	    "to finish later", W },
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

const char *const keymap_context_names[] = {
	"index", "pager", "attachments", "links", "sidebar", "prompt", "help", "compose",
};

_Static_assert(G_N_ELEMENTS(keymap_context_names) == KEYMAP_CONTEXT_COUNT,
    "one name per context");

/* The named keys; the first name of a key is the one it is written with. */
const struct keymap_key_name keymap_key_names[] = {
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

/* The bindings surat starts with, mutt's where mutt has one. */
const struct keymap_default keymap_defaults[] = {
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
	{ KEYMAP_CONTEXT_INDEX, "Home", KEYMAP_ACTION_FIRST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "=", KEYMAP_ACTION_FIRST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "*", KEYMAP_ACTION_LAST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "End", KEYMAP_ACTION_LAST_ENTRY },
	{ KEYMAP_CONTEXT_INDEX, "Tab", KEYMAP_ACTION_NEXT_UNREAD },
	{ KEYMAP_CONTEXT_INDEX, "C-n", KEYMAP_ACTION_NEXT_THREAD },
	{ KEYMAP_CONTEXT_INDEX, "C-p", KEYMAP_ACTION_PREVIOUS_THREAD },
	{ KEYMAP_CONTEXT_INDEX, "P", KEYMAP_ACTION_PARENT_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "1", KEYMAP_ACTION_JUMP },
	{ KEYMAP_CONTEXT_INDEX, "2", KEYMAP_ACTION_JUMP },
	{ KEYMAP_CONTEXT_INDEX, "3", KEYMAP_ACTION_JUMP },
	{ KEYMAP_CONTEXT_INDEX, "4", KEYMAP_ACTION_JUMP },
	{ KEYMAP_CONTEXT_INDEX, "5", KEYMAP_ACTION_JUMP },
	{ KEYMAP_CONTEXT_INDEX, "6", KEYMAP_ACTION_JUMP },
	{ KEYMAP_CONTEXT_INDEX, "7", KEYMAP_ACTION_JUMP },
	{ KEYMAP_CONTEXT_INDEX, "8", KEYMAP_ACTION_JUMP },
	{ KEYMAP_CONTEXT_INDEX, "9", KEYMAP_ACTION_JUMP },
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
	{ KEYMAP_CONTEXT_INDEX, "!", KEYMAP_ACTION_SHELL_ESCAPE },
	{ KEYMAP_CONTEXT_INDEX, "U", KEYMAP_ACTION_UNDO },
	{ KEYMAP_CONTEXT_INDEX, "h", KEYMAP_ACTION_DISPLAY_TOGGLE_WEED },
	{ KEYMAP_CONTEXT_INDEX, "z", KEYMAP_ACTION_TOGGLE_ZOOM },
	{ KEYMAP_CONTEXT_INDEX, "G", KEYMAP_ACTION_FETCH_MAIL },
	{ KEYMAP_CONTEXT_INDEX, "W", KEYMAP_ACTION_FETCH_REST },
	{ KEYMAP_CONTEXT_INDEX, "E", KEYMAP_ACTION_SHOW_LOG },
	{ KEYMAP_CONTEXT_INDEX, "m", KEYMAP_ACTION_MAIL },
	{ KEYMAP_CONTEXT_INDEX, "r", KEYMAP_ACTION_REPLY },
	{ KEYMAP_CONTEXT_INDEX, "g", KEYMAP_ACTION_GROUP_REPLY },
	{ KEYMAP_CONTEXT_INDEX, "L", KEYMAP_ACTION_LIST_REPLY },
	{ KEYMAP_CONTEXT_INDEX, "f", KEYMAP_ACTION_FORWARD_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "b", KEYMAP_ACTION_BOUNCE_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "e", KEYMAP_ACTION_EDIT_AS_NEW },
	{ KEYMAP_CONTEXT_INDEX, "R", KEYMAP_ACTION_RECALL_MESSAGE },
	{ KEYMAP_CONTEXT_INDEX, "a", KEYMAP_ACTION_CREATE_ALIAS },
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
	{ KEYMAP_CONTEXT_INDEX, "c", KEYMAP_ACTION_CHANGE_FOLDER },
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
	{ KEYMAP_CONTEXT_PAGER, "^", KEYMAP_ACTION_TOP },
	{ KEYMAP_CONTEXT_PAGER, "Home", KEYMAP_ACTION_TOP },
	{ KEYMAP_CONTEXT_PAGER, "End", KEYMAP_ACTION_BOTTOM },
	{ KEYMAP_CONTEXT_PAGER, "S", KEYMAP_ACTION_SKIP_QUOTED },
	{ KEYMAP_CONTEXT_PAGER, "T", KEYMAP_ACTION_TOGGLE_QUOTED },
	/* mutt's pager: J and K as j and k, the next and previous message. */
	{ KEYMAP_CONTEXT_PAGER, "J", KEYMAP_ACTION_NEXT_ENTRY },
	{ KEYMAP_CONTEXT_PAGER, "K", KEYMAP_ACTION_PREVIOUS_ENTRY },

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

	/* The compose screen: mutt's keys; j, k, q and ? come from the index. */
	{ KEYMAP_CONTEXT_COMPOSE, "y", KEYMAP_ACTION_SEND_MESSAGE },
	{ KEYMAP_CONTEXT_COMPOSE, "e", KEYMAP_ACTION_EDIT_MESSAGE },
	{ KEYMAP_CONTEXT_COMPOSE, "t", KEYMAP_ACTION_EDIT_TO },
	{ KEYMAP_CONTEXT_COMPOSE, "c", KEYMAP_ACTION_EDIT_CC },
	{ KEYMAP_CONTEXT_COMPOSE, "b", KEYMAP_ACTION_EDIT_BCC },
	{ KEYMAP_CONTEXT_COMPOSE, "s", KEYMAP_ACTION_EDIT_SUBJECT },
	{ KEYMAP_CONTEXT_COMPOSE, "F", KEYMAP_ACTION_EDIT_FROM },
	{ KEYMAP_CONTEXT_COMPOSE, "a", KEYMAP_ACTION_ATTACH_FILE },
	{ KEYMAP_CONTEXT_COMPOSE, "D", KEYMAP_ACTION_DETACH_FILE },
	{ KEYMAP_CONTEXT_COMPOSE, "T", KEYMAP_ACTION_TOGGLE_DISPOSITION },
	{ KEYMAP_CONTEXT_COMPOSE, "P", KEYMAP_ACTION_POSTPONE_MESSAGE },

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

const size_t keymap_key_names_count = G_N_ELEMENTS(keymap_key_names);
const size_t keymap_defaults_count = G_N_ELEMENTS(keymap_defaults);
