/*
 * actions: what each named action does to the model.  Actions change state
 * and set dirty bits; they never draw.
 */
#include <curses.h>
#include <string.h>

#include "private.h"
#include "surat/store.h"


void
ui_action_open(struct ui *ui)
{
	const struct index_message *cur = ui_index_current(ui);
	struct index_message msg = { 0 };
	struct ui_pager *pager;
	GError *error = NULL;

	if (cur == NULL) {
		ui_set_message(ui, true, "No message here.");
		return;
	}
	/* A Maildir opened read-only (c ~/Mail/foo) keeps its files as they are. */
	if (!index_message_has_flag(cur, STORE_FLAG_SEEN) && !ui_mailbox_readonly(cur->account)) {
		if (!ui_bulk_mark_read(ui, cur->id, &error)) {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
		}
		/* The row moved to cur/ with new flags: read it again. */
		cur = ui_index_current(ui);
		if (cur == NULL)
			return;
	}
	if (!index_get(ui->idx, cur->id, &msg, &error)) {
		ui_set_message(ui, true, "%s", error != NULL ? error->message : "the message is gone");
		g_clear_error(&error);
		index_message_clear(&msg);
		return;
	}
	pager = ui_pager_open(ui, &msg, &error);
	index_message_clear(&msg);
	if (pager == NULL) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		return;
	}
	ui_pager_free(ui->pager);
	ui->pager = pager;
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
}

/* Move the cursor by DELTA; in the pager, show the message there. */
static void
actions_step(struct ui *ui, int64_t delta)
{
	int64_t target = ui_index_cursor(ui) + delta;

	if (target < 0 || target >= ui_index_total(ui)) {
		ui_set_message(ui, false, target < 0 ? "You are on the first message." :
		    "You are on the last message.");
		return;
	}
	ui_index_move(ui, target);
	if (ui->pager != NULL)
		ui_action_open(ui);
}

void
ui_confirm(struct ui *ui, const char *question, ui_prompt_done_fn done)
{
	ui_prompt_open(ui, UI_PROMPT_CONFIRM, question, NULL, NULL, done);
}

void
ui_action_unavailable(struct ui *ui, enum keymap_action action)
{
	ui_set_message(ui, true, "%s: not available yet", keymap_action_name(action));
}

/* The pager search was typed. */
static void
actions_search_done(struct ui *ui, const char *text)
{
	if (ui->pager == NULL || text[0] == '\0')
		return;
	g_free(ui->pager->search);
	ui->pager->search = g_strdup(text);
	ui_pager_search(ui, false);
}

/* Move the index cursor, or scroll the pager, by LINES (a page, half a page). */
static void
actions_move(struct ui *ui, int lines, bool page_turns)
{
	if (ui->pager != NULL) {
		if (page_turns && lines > 0 && ui_pager_percent(ui) >= 100)
			actions_step(ui, 1);
		else
			ui_pager_scroll(ui, lines);
	} else {
		ui_index_move(ui, ui_index_cursor(ui) + lines);
	}
}

/* The page the movement actions turn: the pager's height, or the index's. */
static int
actions_page(const struct ui *ui)
{
	return ui->pager != NULL ? MAX(1, ui_pager_height(ui) - 1) : MAX(1, ui_index_height(ui));
}

static void
actions_quit(struct ui *ui, enum keymap_action action)
{
	(void)action;
	if (ui->pager != NULL) {
		ui_pager_free(ui->pager);
		ui->pager = NULL;
		ui->zoom = false;
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
	} else {
		ui_folders_quit(ui);
	}
}

static void
actions_help(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_help_push(ui, ui->pager != NULL ? KEYMAP_CONTEXT_PAGER : KEYMAP_CONTEXT_INDEX);
}

static void
actions_show_log(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_help_push_log(ui);
}

static void
actions_redraw(struct ui *ui, enum keymap_action action)
{
	(void)action;
	clearok(curscr, TRUE);
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
}

static void
actions_command_line(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_cmdline_open(ui);
}

/* j/k and friends: the next or previous message (in the pager, shown). */
static void
actions_entry(struct ui *ui, enum keymap_action action)
{
	actions_step(ui, action == KEYMAP_ACTION_NEXT_ENTRY ? 1 : -1);
}

/* Pages and half pages, down and up. */
static void
actions_page_move(struct ui *ui, enum keymap_action action)
{
	int page = actions_page(ui), half = MAX(1, page / 2);

	switch (action) {
	case KEYMAP_ACTION_NEXT_PAGE:
		actions_move(ui, page, true);
		break;
	case KEYMAP_ACTION_PREVIOUS_PAGE:
		actions_move(ui, -page, false);
		break;
	case KEYMAP_ACTION_HALF_DOWN:
		actions_move(ui, half, false);
		break;
	default:
		actions_move(ui, -half, false);
		break;
	}
}

static void
actions_first_last(struct ui *ui, enum keymap_action action)
{
	ui_index_move(ui, action == KEYMAP_ACTION_FIRST_ENTRY ? 0 : ui_index_total(ui) - 1);
}

static void
actions_display(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_action_open(ui);
}

static void
actions_next_unread(struct ui *ui, enum keymap_action action)
{
	int64_t position = ui_index_find_unread(ui);

	(void)action;
	if (position < 0) {
		ui_set_message(ui, false, "No unread messages.");
		return;
	}
	ui_index_move(ui, position);
	if (ui->pager != NULL)
		ui_action_open(ui);
}

static void
actions_flags(struct ui *ui, enum keymap_action action)
{
	ui_bulk_flags(ui, action);
}

/* d and u move on to the next message, as mutt's do (not after ;). */
static void
actions_delete(struct ui *ui, enum keymap_action action)
{
	if (ui_bulk_flags(ui, action) && !ui_bulk_on_tagged(ui) &&
	    ui_index_cursor(ui) + 1 < ui_index_total(ui))
		actions_step(ui, 1);
}

static void
actions_expunge(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_folders_expunge(ui);
}

static void
actions_toggle_weed(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui->pager->full_headers = !ui->pager->full_headers;
	ui_pager_rerender(ui);
}

static void
actions_toggle_zoom(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui->zoom = !ui->zoom;
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
}

/* Lines, and the top and bottom of a message. */
static void
actions_scroll(struct ui *ui, enum keymap_action action)
{
	switch (action) {
	case KEYMAP_ACTION_NEXT_LINE:
		ui_pager_scroll(ui, 1);
		break;
	case KEYMAP_ACTION_PREVIOUS_LINE:
		ui_pager_scroll(ui, -1);
		break;
	case KEYMAP_ACTION_TOP:
		ui_pager_scroll(ui, -(1 << 30));
		break;
	default:
		ui_pager_scroll(ui, 1 << 30);
		break;
	}
}

/* / searches the list, or in a message its text. */
static void
actions_search(struct ui *ui, enum keymap_action action)
{
	(void)action;
	if (ui->pager == NULL)
		ui_browse_search_prompt(ui, false);
	else
		ui_prompt_open(ui, UI_PROMPT_SEARCH, "Search for: ", NULL, NULL, actions_search_done);
}

static void
actions_search_next(struct ui *ui, enum keymap_action action)
{
	(void)action;
	if (ui->pager == NULL)
		ui_browse_search_next(ui, false);
	else if (ui->pager->search == NULL)
		ui_set_message(ui, true, "No search yet; press / to search.");
	else
		ui_pager_search(ui, true);
}

static void
actions_search_reverse(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_browse_search_prompt(ui, true);
}

static void
actions_search_opposite(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_browse_search_next(ui, true);
}

static void
actions_limit(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_browse_limit_prompt(ui);
}

static void
actions_sort(struct ui *ui, enum keymap_action action)
{
	ui_browse_sort_prompt(ui, action == KEYMAP_ACTION_SORT_REVERSE);
}

static void
actions_collapse(struct ui *ui, enum keymap_action action)
{
	if (action == KEYMAP_ACTION_COLLAPSE_ALL)
		ui_browse_collapse_all(ui);
	else
		ui_browse_collapse(ui);
}

static void
actions_thread_step(struct ui *ui, enum keymap_action action)
{
	ui_browse_thread_step(ui, action == KEYMAP_ACTION_NEXT_THREAD ? 1 : -1);
}

static void
actions_parent(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_browse_parent(ui);
}

static void
actions_tag(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_bulk_tag(ui);
}

static void
actions_tag_pattern(struct ui *ui, enum keymap_action action)
{
	ui_bulk_tag_prompt(ui, action == KEYMAP_ACTION_TAG_PATTERN);
}

static void
actions_tag_prefix(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_bulk_prefix(ui);
}

static void
actions_undo(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_bulk_undo(ui);
}

static void
actions_fetch(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_fetcher_now(ui);
}

/* Fetch the rest of the current message if it is stored headers-only. */
static void
actions_fetch_rest(struct ui *ui, enum keymap_action action)
{
	const struct index_message *cur = ui_index_current(ui);

	(void)action;
	if (!cur->partial) {
		ui_set_message(ui, false, "This message is complete.");
		return;
	}
	ui_fetcher_rest(ui, cur->account);
}

static void
actions_attachments(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_attachments_push(ui);
}

static void
actions_links(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_links_push(ui);
}

static void
actions_pipe(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_pipe_message(ui);
}

/* m r g L f b e R: writing (composer.c). */
static void
actions_compose(struct ui *ui, enum keymap_action action)
{
	ui_compose_action(ui, action);
}

/* a: an alias for the sender (addresses.c). */
static void
actions_create_alias(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_addresses_create_alias(ui);
}

/* s, C, M: the tagged messages after ;, else the current one, to a folder. */
static void
actions_to_folder(struct ui *ui, enum keymap_action action)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GError *error = NULL;

	if (ui_action_ids(ui, ids, &error) && ids->len > 0) {
		ui_folders_prompt(ui, action, ids);
		return;
	}
	ui_set_message(ui, true, "%s", error != NULL ? error->message : "No message here.");
	g_clear_error(&error);
	g_array_unref(ids);
}

/* The number typed for jump: its row in the view, 1 the first (in the pager, shown). */
static void
actions_jump_done(struct ui *ui, const char *text)
{
	char *line = g_strstrip(g_strdup(text));
	int64_t total = ui_index_total(ui);
	gint64 n = 0;

	if (line[0] == '\0') {
		g_free(line);
		return;
	}
	if (!g_ascii_string_to_signed(line, 10, 1, G_MAXINT64, &n, NULL)) {
		ui_set_message(ui, true, "Not a message number: %s (1 is the first row).", line);
	} else if (n > total) {
		ui_set_message(ui, true, "No message %" G_GINT64_FORMAT ": this view has %"
		    G_GINT64_FORMAT ".", (int64_t)n, total);
	} else {
		ui_index_move(ui, n - 1);
		if (ui->pager != NULL)
			ui_action_open(ui);
	}
	g_free(line);
}

/* jump: a digit typed in the index starts the number (mutt's 1..9). */
static void
actions_jump(struct ui *ui, enum keymap_action action)
{
	char initial[2] = { 0 };

	(void)action;
	if (ui->action_key >= '0' && ui->action_key <= '9')
		initial[0] = (char)ui->action_key;
	ui_prompt_open(ui, UI_PROMPT_NUMBER, "Jump to message: ", initial, NULL, actions_jump_done);
}

/* The command typed for !: run with the terminal, then "Press any key". */
static void
actions_shell_done(struct ui *ui, const char *command)
{
	GError *error = NULL;
	int status = 0;

	if (command[0] == '\0')
		return;
	if (!ui_view_run_shell(ui, command, NULL, 0, &status, &error)) {
		ui_set_message(ui, true, "Cannot run the command: %s", error->message);
		g_clear_error(&error);
		return;
	}
	ui_set_message(ui, status != 0, "%s exited with status %d.", command, status);
}

static void
actions_shell(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_prompt_open(ui, UI_PROMPT_SHELL, "Shell command: ", NULL, NULL, actions_shell_done);
}

static void
actions_quoted(struct ui *ui, enum keymap_action action)
{
	if (action == KEYMAP_ACTION_SKIP_QUOTED)
		ui_pager_skip_quoted(ui);
	else
		ui_pager_toggle_quoted(ui);
}

static void
actions_change_folder(struct ui *ui, enum keymap_action action)
{
	(void)action;
	ui_mailbox_prompt(ui);
}

static void
actions_sidebar(struct ui *ui, enum keymap_action action)
{
	ui_sidebar_action(ui, action);
}

/* What an action needs before it can run; checked once, with one message each. */
enum actions_need {
	ACTIONS_NEEDS_NOTHING = 0,
	ACTIONS_NEEDS_MESSAGE = 1 << 0, /* a message under the cursor */
	ACTIONS_NEEDS_PAGER = 1 << 1,   /* an open message */
	ACTIONS_WRITES = 1 << 2,        /* changes the message's file: not in a read-only Maildir */
};

/*
 * What each action does in the index and the pager.  Those not here run
 * elsewhere: the attachment and link views' own (attachments.c, links.c) and
 * the line editor's (prompt.c), which their own loops handle.
 */
static const struct {
	void (*run)(struct ui *ui, enum keymap_action action);
	unsigned int needs;
} actions_table[KEYMAP_ACTION_COUNT] = {
	[KEYMAP_ACTION_QUIT] = { actions_quit, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_HELP] = { actions_help, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_REDRAW] = { actions_redraw, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_ENTER_COMMAND] = { actions_command_line, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_NEXT_ENTRY] = { actions_entry, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_PREVIOUS_ENTRY] = { actions_entry, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_NEXT_PAGE] = { actions_page_move, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_PREVIOUS_PAGE] = { actions_page_move, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_HALF_DOWN] = { actions_page_move, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_HALF_UP] = { actions_page_move, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_FIRST_ENTRY] = { actions_first_last, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_LAST_ENTRY] = { actions_first_last, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_NEXT_LINE] = { actions_scroll, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_PREVIOUS_LINE] = { actions_scroll, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_TOP] = { actions_scroll, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_BOTTOM] = { actions_scroll, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_NEXT_UNREAD] = { actions_next_unread, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_NEXT_THREAD] = { actions_thread_step, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_PREVIOUS_THREAD] = { actions_thread_step, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_PARENT_MESSAGE] = { actions_parent, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_JUMP] = { actions_jump, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_DISPLAY_MESSAGE] = { actions_display, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_TOGGLE_NEW] = { actions_flags, ACTIONS_WRITES },
	[KEYMAP_ACTION_FLAG_MESSAGE] = { actions_flags, ACTIONS_WRITES },
	[KEYMAP_ACTION_DELETE_MESSAGE] = { actions_delete, ACTIONS_WRITES },
	[KEYMAP_ACTION_UNDELETE_MESSAGE] = { actions_delete, ACTIONS_WRITES },
	[KEYMAP_ACTION_EXPUNGE] = { actions_expunge, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SAVE_MESSAGE] = { actions_to_folder, ACTIONS_WRITES },
	[KEYMAP_ACTION_COPY_MESSAGE] = { actions_to_folder, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_MOVE_MESSAGE] = { actions_to_folder, ACTIONS_WRITES },
	[KEYMAP_ACTION_PIPE_MESSAGE] = { actions_pipe, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SHELL_ESCAPE] = { actions_shell, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_UNDO] = { actions_undo, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_DISPLAY_TOGGLE_WEED] = { actions_toggle_weed, ACTIONS_NEEDS_PAGER },
	[KEYMAP_ACTION_SKIP_QUOTED] = { actions_quoted, ACTIONS_NEEDS_PAGER },
	[KEYMAP_ACTION_TOGGLE_QUOTED] = { actions_quoted, ACTIONS_NEEDS_PAGER },
	[KEYMAP_ACTION_TOGGLE_ZOOM] = { actions_toggle_zoom, ACTIONS_NEEDS_PAGER },
	[KEYMAP_ACTION_FETCH_MAIL] = { actions_fetch, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_FETCH_REST] = { actions_fetch_rest, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_SHOW_LOG] = { actions_show_log, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_MAIL] = { actions_compose, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_REPLY] = { actions_compose, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_GROUP_REPLY] = { actions_compose, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_LIST_REPLY] = { actions_compose, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_FORWARD_MESSAGE] = { actions_compose, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_BOUNCE_MESSAGE] = { actions_compose, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_EDIT_AS_NEW] = { actions_compose, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_RECALL_MESSAGE] = { actions_compose, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_CREATE_ALIAS] = { actions_create_alias, ACTIONS_NEEDS_MESSAGE },
	[KEYMAP_ACTION_SEARCH] = { actions_search, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SEARCH_REVERSE] = { actions_search_reverse, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SEARCH_NEXT] = { actions_search_next, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SEARCH_OPPOSITE] = { actions_search_opposite, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_LIMIT] = { actions_limit, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SORT] = { actions_sort, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SORT_REVERSE] = { actions_sort, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_COLLAPSE_THREAD] = { actions_collapse, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_COLLAPSE_ALL] = { actions_collapse, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_TAG_ENTRY] = { actions_tag, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_TAG_PATTERN] = { actions_tag_pattern, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_UNTAG_PATTERN] = { actions_tag_pattern, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_TAG_PREFIX] = { actions_tag_prefix, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_CHANGE_FOLDER] = { actions_change_folder, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SIDEBAR_TOGGLE] = { actions_sidebar, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SIDEBAR_NEXT] = { actions_sidebar, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SIDEBAR_PREVIOUS] = { actions_sidebar, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SIDEBAR_OPEN] = { actions_sidebar, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_SIDEBAR_FOCUS] = { actions_sidebar, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_NEXT_ACCOUNT] = { actions_sidebar, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_PREVIOUS_ACCOUNT] = { actions_sidebar, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_VIEW_ATTACHMENTS] = { actions_attachments, ACTIONS_NEEDS_NOTHING },
	[KEYMAP_ACTION_VIEW_LINKS] = { actions_links, ACTIONS_NEEDS_NOTHING },
};

void
ui_action_run(struct ui *ui, enum keymap_action action)
{
	struct ui_mode *mode = ui_mode_top(ui);

	if (mode != NULL)
		mode->cls->key(ui, mode, action, KEYMAP_KEY_NONE);
}

void
ui_action_mail(struct ui *ui, struct ui_mode *mode, enum keymap_action action, int32_t typed)
{
	unsigned int needs;

	(void)mode;
	if (action == KEYMAP_ACTION_NONE) {
		/* Escape alone cancels whatever there was; it needs no binding. */
		if (typed != KEYMAP_KEY_NONE && typed != KEYMAP_KEY_ESCAPE)
			ui_say_unbound(ui, ui_context(ui), NULL);
		return;
	}
	if (ui_context(ui) == KEYMAP_CONTEXT_SIDEBAR && action == KEYMAP_ACTION_QUIT) {
		ui_sidebar_action(ui, action);
		return;
	}
	if (action != KEYMAP_ACTION_TAG_PREFIX) {
		/* ; applies to this one action (and its prompt): see ui_action_ids(). */
		ui_bulk_action_starts(ui);
	}
	if ((unsigned int)action >= KEYMAP_ACTION_COUNT || actions_table[action].run == NULL)
		return;
	needs = actions_table[action].needs;
	if ((needs & ACTIONS_NEEDS_PAGER) && ui->pager == NULL) {
		ui_set_message(ui, true, "No message is open.");
		return;
	}
	if ((needs & ACTIONS_NEEDS_MESSAGE) && ui_index_current(ui) == NULL) {
		ui_set_message(ui, true, "No message here.");
		return;
	}
	if ((needs & ACTIONS_WRITES) && ui_mailbox_refuse(ui, action))
		return;
	actions_table[action].run(ui, action);
}
