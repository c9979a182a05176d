/*
 * actions: what each named action does to the model.  Actions change state
 * and set dirty bits; they never draw.
 */
#include <curses.h>
#include <string.h>

#include "private.h"
#include "surat/store.h"

#define ACTIONS_SCAN_CHUNK 512 /* rows read at a time when looking ahead */

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
	if (!index_message_has_flag(cur, STORE_FLAG_SEEN)) {
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
	int64_t target = ui->cursor + delta;

	if (target < 0 || target >= ui->total) {
		ui_set_message(ui, false, target < 0 ? "You are on the first message." :
		    "You are on the last message.");
		return;
	}
	ui_index_move(ui, target);
	if (ui->pager != NULL)
		ui_action_open(ui);
}

/*
 * The position of the first message after the cursor (wrapping around) that
 * is unread, or -1.  Reads the list a chunk at a time.
 */
static int64_t
actions_find_unread(struct ui *ui)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	int64_t result = -1, scanned = 0, pos = ui->cursor + 1;
	GError *error = NULL;

	if (ui->unread == 0 || ui->total == 0)
		goto out;
	while (scanned < ui->total && result < 0) {
		guint i;

		if (pos >= ui->total)
			pos = 0;
		g_ptr_array_set_size(rows, 0);
		if (!index_page(ui->idx, &ui->filter, ui->sort, ui->reverse, pos,
		    MIN(ACTIONS_SCAN_CHUNK, ui->total - pos), -1, rows, &error)) {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
			break;
		}
		if (rows->len == 0)
			break;
		for (i = 0; i < rows->len && scanned < ui->total; i++, scanned++) {
			const struct index_message *m = g_ptr_array_index(rows, i);

			if (!index_message_has_flag(m, STORE_FLAG_SEEN)) {
				result = pos + i;
				break;
			}
		}
		pos += rows->len;
	}
out:
	g_ptr_array_free(rows, TRUE);
	return result;
}

/* Fetch the rest of the current message if it is stored headers-only. */
static void
actions_fetch_rest(struct ui *ui)
{
	const struct index_message *cur = ui_index_current(ui);

	if (cur == NULL) {
		ui_set_message(ui, true, "No message here.");
		return;
	}
	if (!cur->partial) {
		ui_set_message(ui, false, "This message is complete.");
		return;
	}
	ui_fetch_rest(ui, cur->account);
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

/* Scroll the help screen. */
static void
actions_help_scroll(struct ui *ui, int lines)
{
	int max = ui_help_lines(ui) - (LINES - 2);

	ui->help_top += lines;
	if (ui->help_top > max)
		ui->help_top = max;
	if (ui->help_top < 0)
		ui->help_top = 0;
	ui->dirty |= UI_DIRTY_ALL;
}

/* Actions while the help or the log screen is up. */
static void
actions_run_help(struct ui *ui, enum keymap_action action)
{
	int page = MAX(1, LINES - 3);

	switch (action) {
	case KEYMAP_ACTION_QUIT:
		ui->overlay = UI_OVERLAY_NONE;
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case KEYMAP_ACTION_HELP:
		ui->overlay = UI_OVERLAY_HELP;
		ui->help_top = 0;
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case KEYMAP_ACTION_NEXT_LINE:
	case KEYMAP_ACTION_NEXT_ENTRY:
		actions_help_scroll(ui, 1);
		break;
	case KEYMAP_ACTION_PREVIOUS_LINE:
	case KEYMAP_ACTION_PREVIOUS_ENTRY:
		actions_help_scroll(ui, -1);
		break;
	case KEYMAP_ACTION_NEXT_PAGE:
		actions_help_scroll(ui, page);
		break;
	case KEYMAP_ACTION_PREVIOUS_PAGE:
		actions_help_scroll(ui, -page);
		break;
	case KEYMAP_ACTION_HALF_DOWN:
		actions_help_scroll(ui, MAX(1, page / 2));
		break;
	case KEYMAP_ACTION_HALF_UP:
		actions_help_scroll(ui, -MAX(1, page / 2));
		break;
	case KEYMAP_ACTION_TOP:
	case KEYMAP_ACTION_FIRST_ENTRY:
		actions_help_scroll(ui, -(1 << 30));
		break;
	case KEYMAP_ACTION_BOTTOM:
	case KEYMAP_ACTION_LAST_ENTRY:
		actions_help_scroll(ui, 1 << 30);
		break;
	case KEYMAP_ACTION_REDRAW:
		clearok(curscr, TRUE);
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case KEYMAP_ACTION_ENTER_COMMAND:
		ui_cmdline_open(ui);
		break;
	case KEYMAP_ACTION_NONE:
		break;
	default:
		ui_action_unavailable(ui, action);
		break;
	}
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
		ui_index_move(ui, ui->cursor + lines);
	}
}

void
ui_action_run(struct ui *ui, enum keymap_action action)
{
	int64_t count;
	int page = ui->pager != NULL ? MAX(1, ui_pager_height(ui) - 1) : MAX(1, ui->index_height);

	if (ui->overlay != UI_OVERLAY_NONE) {
		actions_run_help(ui, action);
		return;
	}
	if (ui_context(ui) == KEYMAP_CONTEXT_SIDEBAR && action == KEYMAP_ACTION_QUIT) {
		ui_sidebar_action(ui, action);
		return;
	}
	if (action != KEYMAP_ACTION_NONE && action != KEYMAP_ACTION_TAG_PREFIX) {
		/* ; applies to this one action (and its prompt): see ui_action_ids(). */
		ui->tagged = ui->tag_prefix;
		ui->tag_prefix = false;
		ui->dirty |= UI_DIRTY_STATUS;
	}
	switch (action) {
	case KEYMAP_ACTION_NONE:
		break;
	case KEYMAP_ACTION_QUIT:
		if (ui->pager != NULL) {
			ui_pager_free(ui->pager);
			ui->pager = NULL;
			ui->zoom = false;
			ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		} else {
			ui->quit = true;
		}
		break;
	case KEYMAP_ACTION_HELP:
		ui->overlay = UI_OVERLAY_HELP;
		ui->help_top = 0;
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case KEYMAP_ACTION_REDRAW:
		clearok(curscr, TRUE);
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		break;
	case KEYMAP_ACTION_ENTER_COMMAND:
		ui_cmdline_open(ui);
		break;
	case KEYMAP_ACTION_NEXT_ENTRY:
		actions_step(ui, 1);
		break;
	case KEYMAP_ACTION_PREVIOUS_ENTRY:
		actions_step(ui, -1);
		break;
	case KEYMAP_ACTION_NEXT_PAGE:
		actions_move(ui, page, true);
		break;
	case KEYMAP_ACTION_PREVIOUS_PAGE:
		actions_move(ui, -page, false);
		break;
	case KEYMAP_ACTION_HALF_DOWN:
		actions_move(ui, MAX(1, page / 2), false);
		break;
	case KEYMAP_ACTION_HALF_UP:
		actions_move(ui, -MAX(1, page / 2), false);
		break;
	case KEYMAP_ACTION_FIRST_ENTRY:
		ui_index_move(ui, 0);
		break;
	case KEYMAP_ACTION_LAST_ENTRY:
		ui_index_move(ui, ui->total - 1);
		break;
	case KEYMAP_ACTION_DISPLAY_MESSAGE:
		ui_action_open(ui);
		break;
	case KEYMAP_ACTION_NEXT_UNREAD:
		count = actions_find_unread(ui);
		if (count < 0) {
			ui_set_message(ui, false, "No unread messages.");
			break;
		}
		ui_index_move(ui, count);
		if (ui->pager != NULL)
			ui_action_open(ui);
		break;
	case KEYMAP_ACTION_TOGGLE_NEW:
	case KEYMAP_ACTION_FLAG_MESSAGE:
		ui_bulk_flags(ui, action);
		break;
	case KEYMAP_ACTION_DELETE_MESSAGE:
	case KEYMAP_ACTION_UNDELETE_MESSAGE:
		if (ui_bulk_flags(ui, action) && !ui->tagged && ui->cursor + 1 < ui->total)
			actions_step(ui, 1);
		break;
	case KEYMAP_ACTION_EXPUNGE:
		ui_folders_expunge(ui);
		break;
	case KEYMAP_ACTION_DISPLAY_TOGGLE_WEED:
		if (ui->pager == NULL) {
			ui_set_message(ui, true, "No message is open.");
			break;
		}
		ui->pager->full_headers = !ui->pager->full_headers;
		ui_pager_rerender(ui);
		break;
	case KEYMAP_ACTION_NEXT_LINE:
		ui_pager_scroll(ui, 1);
		break;
	case KEYMAP_ACTION_PREVIOUS_LINE:
		ui_pager_scroll(ui, -1);
		break;
	case KEYMAP_ACTION_TOP:
		ui_pager_scroll(ui, -(1 << 30));
		break;
	case KEYMAP_ACTION_BOTTOM:
		ui_pager_scroll(ui, 1 << 30);
		break;
	case KEYMAP_ACTION_SEARCH:
		if (ui->pager == NULL) {
			ui_browse_search_prompt(ui, false);
			break;
		}
		/* In a message, / searches its text. */
		ui_prompt_open(ui, UI_PROMPT_SEARCH, "Search for: ", NULL, NULL, actions_search_done);
		break;
	case KEYMAP_ACTION_SEARCH_NEXT:
		if (ui->pager == NULL)
			ui_browse_search_next(ui, false);
		else if (ui->pager->search == NULL)
			ui_set_message(ui, true, "No search yet; press / to search.");
		else
			ui_pager_search(ui, true);
		break;
	case KEYMAP_ACTION_SEARCH_REVERSE:
		ui_browse_search_prompt(ui, true);
		break;
	case KEYMAP_ACTION_SEARCH_OPPOSITE:
		ui_browse_search_next(ui, true);
		break;
	case KEYMAP_ACTION_LIMIT:
		ui_browse_limit_prompt(ui);
		break;
	case KEYMAP_ACTION_SORT:
	case KEYMAP_ACTION_SORT_REVERSE:
		ui_browse_sort_prompt(ui, action == KEYMAP_ACTION_SORT_REVERSE);
		break;
	case KEYMAP_ACTION_COLLAPSE_THREAD:
		ui_browse_collapse(ui);
		break;
	case KEYMAP_ACTION_COLLAPSE_ALL:
		ui_browse_collapse_all(ui);
		break;
	case KEYMAP_ACTION_NEXT_THREAD:
	case KEYMAP_ACTION_PREVIOUS_THREAD:
		ui_browse_thread_step(ui, action == KEYMAP_ACTION_NEXT_THREAD ? 1 : -1);
		break;
	case KEYMAP_ACTION_PARENT_MESSAGE:
		ui_browse_parent(ui);
		break;
	case KEYMAP_ACTION_TAG_ENTRY:
		ui_bulk_tag(ui);
		break;
	case KEYMAP_ACTION_TAG_PATTERN:
	case KEYMAP_ACTION_UNTAG_PATTERN:
		ui_bulk_tag_prompt(ui, action == KEYMAP_ACTION_TAG_PATTERN);
		break;
	case KEYMAP_ACTION_TAG_PREFIX:
		ui_bulk_prefix(ui);
		break;
	case KEYMAP_ACTION_UNDO:
		ui_bulk_undo(ui);
		break;
	case KEYMAP_ACTION_TOGGLE_ZOOM:
		if (ui->pager == NULL) {
			ui_set_message(ui, true, "No message is open.");
			break;
		}
		ui->zoom = !ui->zoom;
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		break;
	case KEYMAP_ACTION_FETCH_MAIL:
		ui_fetch_now(ui);
		break;
	case KEYMAP_ACTION_FETCH_REST:
		actions_fetch_rest(ui);
		break;
	case KEYMAP_ACTION_SHOW_LOG:
		ui->overlay = UI_OVERLAY_LOG;
		ui->help_top = MAX(0, ui_help_lines(ui) - (LINES - 2));
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case KEYMAP_ACTION_VIEW_ATTACHMENTS:
		ui_attachments_run(ui);
		break;
	case KEYMAP_ACTION_VIEW_LINKS:
		ui_links_run(ui);
		break;
	case KEYMAP_ACTION_PIPE_MESSAGE:
		ui_pipe_message(ui);
		break;
	/* Folders and the sidebar: folders.c and sidebar.c. */
	case KEYMAP_ACTION_SAVE_MESSAGE:
	case KEYMAP_ACTION_COPY_MESSAGE:
	case KEYMAP_ACTION_MOVE_MESSAGE: {
		/* The tagged messages after ;, else the current one. */
		GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
		GError *error = NULL;

		if (ui_action_ids(ui, ids, &error) && ids->len > 0) {
			ui_folders_prompt(ui, action, ids);
		} else {
			if (error != NULL)
				ui_set_message(ui, true, "%s", error->message);
			else
				ui_set_message(ui, true, "No message here.");
			g_clear_error(&error);
			g_array_unref(ids);
		}
		break;
	}
	case KEYMAP_ACTION_SIDEBAR_TOGGLE:
	case KEYMAP_ACTION_SIDEBAR_NEXT:
	case KEYMAP_ACTION_SIDEBAR_PREVIOUS:
	case KEYMAP_ACTION_SIDEBAR_OPEN:
	case KEYMAP_ACTION_SIDEBAR_FOCUS:
	case KEYMAP_ACTION_NEXT_ACCOUNT:
	case KEYMAP_ACTION_PREVIOUS_ACCOUNT:
		ui_sidebar_action(ui, action);
		break;
	/* The attachment and link views run these in their own loops (attachments.c, links.c). */
	case KEYMAP_ACTION_OPEN_ATTACHMENT:
	case KEYMAP_ACTION_SAVE_ATTACHMENT:
	case KEYMAP_ACTION_PIPE_ATTACHMENT:
	case KEYMAP_ACTION_OPEN_LINK:
	case KEYMAP_ACTION_COPY_LINK:
	/* The prompt's own: prompt.c runs them while a line is typed. */
	case KEYMAP_ACTION_ACCEPT:
	case KEYMAP_ACTION_CANCEL:
	case KEYMAP_ACTION_COMPLETE:
	case KEYMAP_ACTION_HISTORY_UP:
	case KEYMAP_ACTION_HISTORY_DOWN:
	case KEYMAP_ACTION_BACKSPACE:
	case KEYMAP_ACTION_DELETE_CHAR:
	case KEYMAP_ACTION_BACKWARD_CHAR:
	case KEYMAP_ACTION_FORWARD_CHAR:
	case KEYMAP_ACTION_BOL:
	case KEYMAP_ACTION_EOL:
	case KEYMAP_ACTION_KILL_LINE:
	case KEYMAP_ACTION_KILL_EOL:
	case KEYMAP_ACTION_KILL_WORD:
	case KEYMAP_ACTION_COUNT:
		break;
	}
}
