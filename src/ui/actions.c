/*
 * actions: what each named action does to the model.  Actions change state
 * and set dirty bits; they never draw.
 */
#include <curses.h>
#include <string.h>

#include "private.h"
#include "surat/store.h"

#define ACTIONS_SCAN_CHUNK 512 /* rows read at a time when looking ahead */

/* Open the message under the cursor in the pager and mark it read. */
static void
actions_open(struct ui *ui)
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
		char *flags = g_strdup_printf("%sS", cur->flags != NULL ? cur->flags : "");

		if (!ui_index_set_flags(ui, cur, flags, &error)) {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
		}
		g_free(flags);
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
		actions_open(ui);
}

/* Add or remove the flag letter FLAG on the current message. */
static bool
actions_flag(struct ui *ui, char flag, int set)
{
	const struct index_message *cur = ui_index_current(ui);
	GString *flags;
	GError *error = NULL;
	bool has, ok = true;
	char *p;

	if (cur == NULL) {
		ui_set_message(ui, true, "No message here.");
		return false;
	}
	has = index_message_has_flag(cur, flag);
	if (set < 0)
		set = !has;
	if ((bool)set == has)
		return true;
	flags = g_string_new(cur->flags != NULL ? cur->flags : "");
	if (set) {
		g_string_append_c(flags, flag);
	} else {
		while ((p = strchr(flags->str, flag)) != NULL)
			g_string_erase(flags, p - flags->str, 1);
	}
	if (!ui_index_set_flags(ui, cur, flags->str, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		ok = false;
	}
	g_string_free(flags, TRUE);
	ui->dirty |= UI_RELOAD_ROWS;
	return ok;
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
		    MIN(ACTIONS_SCAN_CHUNK, ui->total - pos), rows, &error)) {
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

/* Every row of the view marked deleted, appended to OUT. */
static bool
actions_deleted_rows(struct ui *ui, GPtrArray *out, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	int64_t pos = 0;
	bool ok = true;

	for (;;) {
		guint i;

		g_ptr_array_set_size(rows, 0);
		if (!index_page(ui->idx, &ui->filter, ui->sort, ui->reverse, pos, ACTIONS_SCAN_CHUNK,
		    rows, error)) {
			ok = false;
			break;
		}
		for (i = 0; i < rows->len; i++) {
			struct index_message *m = g_ptr_array_index(rows, i);

			if (index_message_has_flag(m, STORE_FLAG_TRASHED))
				g_ptr_array_add(out, g_ptr_array_steal_index_fast(rows, i--));
		}
		pos += ACTIONS_SCAN_CHUNK;
		if (pos >= ui->total)
			break;
	}
	g_ptr_array_free(rows, TRUE);
	return ok;
}

/* Delete the files and rows of every message marked deleted. */
static void
actions_expunge(struct ui *ui)
{
	GPtrArray *doomed = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GError *error = NULL;
	guint i, done = 0;

	if (!actions_deleted_rows(ui, doomed, &error))
		goto fail;
	for (i = 0; i < doomed->len; i++) {
		struct index_message *m = g_ptr_array_index(doomed, i);
		char *maildir = ui_index_maildir(ui, m->account);
		bool ok;

		if (ui->pager != NULL && ui->pager->id == m->id) {
			ui_pager_free(ui->pager);
			ui->pager = NULL;
			ui->zoom = false;
		}
		/*
		 * The file goes first: a row without a file is settled by reindex.
		 * The row stays as GONE (index_bury) while the server still has the
		 * message, so a fetch with keep = true does not bring it back.
		 */
		ok = store_remove(maildir, m->subdir, m->base, m->flags, &error) &&
		    index_bury(ui->idx, m->id, &error);
		g_free(maildir);
		if (!ok)
			goto fail;
		done++;
	}
	ui_set_message(ui, false, "%u message%s expunged.", done, done == 1 ? "" : "s");
	goto out;
fail:
	ui_set_message(ui, true, "expunge stopped after %u: %s", done, error->message);
	g_clear_error(&error);
out:
	g_ptr_array_free(doomed, TRUE);
	ui->dirty |= UI_RELOAD_ROWS | UI_DIRTY_ALL;
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

/* Ask a question on the message line. */
static void
actions_ask(struct ui *ui, enum ui_prompt_kind kind, const char *question)
{
	ui->prompt.kind = kind;
	g_free(ui->prompt.question);
	ui->prompt.question = g_strdup(question);
	g_string_truncate(ui->prompt.text, 0);
	ui->dirty |= UI_DIRTY_STATUS;
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

/* Actions while the help screen is up. */
static void
actions_run_help(struct ui *ui, enum ui_action action)
{
	switch (action) {
	case UI_ACTION_QUIT:
		ui->overlay = UI_OVERLAY_NONE;
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case UI_ACTION_LINE_DOWN:
		actions_help_scroll(ui, 1);
		break;
	case UI_ACTION_LINE_UP:
		actions_help_scroll(ui, -1);
		break;
	case UI_ACTION_PAGE_DOWN:
		actions_help_scroll(ui, LINES - 3);
		break;
	case UI_ACTION_PAGE_UP:
		actions_help_scroll(ui, -(LINES - 3));
		break;
	case UI_ACTION_REDRAW:
		clearok(curscr, TRUE);
		ui->dirty |= UI_DIRTY_ALL;
		break;
	default:
		break;
	}
}

void
ui_action_run(struct ui *ui, enum ui_action action)
{
	int64_t count;

	if (ui->overlay != UI_OVERLAY_NONE) {
		actions_run_help(ui, action);
		return;
	}
	switch (action) {
	case UI_ACTION_NONE:
		break;
	case UI_ACTION_QUIT:
		if (ui->pager != NULL) {
			ui_pager_free(ui->pager);
			ui->pager = NULL;
			ui->zoom = false;
			ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		} else {
			ui->quit = true;
		}
		break;
	case UI_ACTION_HELP:
		ui->overlay = UI_OVERLAY_HELP;
		ui->help_top = 0;
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case UI_ACTION_REDRAW:
		clearok(curscr, TRUE);
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		break;
	case UI_ACTION_NEXT:
		actions_step(ui, 1);
		break;
	case UI_ACTION_PREV:
		actions_step(ui, -1);
		break;
	case UI_ACTION_PAGE_DOWN:
		if (ui->pager != NULL) {
			if (ui_pager_percent(ui) >= 100)
				actions_step(ui, 1);
			else
				ui_pager_scroll(ui, MAX(1, ui_pager_height(ui) - 1));
		} else {
			ui_index_move(ui, ui->cursor + ui->index_height);
		}
		break;
	case UI_ACTION_PAGE_UP:
		if (ui->pager != NULL)
			ui_pager_scroll(ui, -MAX(1, ui_pager_height(ui) - 1));
		else
			ui_index_move(ui, ui->cursor - ui->index_height);
		break;
	case UI_ACTION_FIRST:
		ui_index_move(ui, 0);
		break;
	case UI_ACTION_LAST:
		ui_index_move(ui, ui->total - 1);
		break;
	case UI_ACTION_OPEN:
		actions_open(ui);
		break;
	case UI_ACTION_NEXT_UNREAD:
		count = actions_find_unread(ui);
		if (count < 0) {
			ui_set_message(ui, false, "No unread messages.");
			break;
		}
		ui_index_move(ui, count);
		if (ui->pager != NULL)
			actions_open(ui);
		break;
	case UI_ACTION_TOGGLE_NEW:
		actions_flag(ui, STORE_FLAG_SEEN, -1);
		break;
	case UI_ACTION_FLAG:
		actions_flag(ui, STORE_FLAG_FLAGGED, -1);
		break;
	case UI_ACTION_DELETE:
	case UI_ACTION_UNDELETE:
		if (actions_flag(ui, STORE_FLAG_TRASHED, action == UI_ACTION_DELETE) &&
		    ui->cursor + 1 < ui->total)
			actions_step(ui, 1);
		break;
	case UI_ACTION_EXPUNGE:
		actions_ask(ui, UI_PROMPT_EXPUNGE, "Expunge messages marked deleted? (y/n) ");
		break;
	case UI_ACTION_FULL_HEADERS:
		if (ui->pager == NULL) {
			ui_set_message(ui, true, "No message is open.");
			break;
		}
		ui->pager->full_headers = !ui->pager->full_headers;
		ui_pager_rerender(ui);
		break;
	case UI_ACTION_LINE_DOWN:
		ui_pager_scroll(ui, 1);
		break;
	case UI_ACTION_LINE_UP:
		ui_pager_scroll(ui, -1);
		break;
	case UI_ACTION_TOP:
		ui_pager_scroll(ui, -(1 << 30));
		break;
	case UI_ACTION_BOTTOM:
		ui_pager_scroll(ui, 1 << 30);
		break;
	case UI_ACTION_SEARCH:
		actions_ask(ui, UI_PROMPT_SEARCH, "Search for: ");
		break;
	case UI_ACTION_SEARCH_NEXT:
		if (ui->pager == NULL || ui->pager->search == NULL)
			ui_set_message(ui, true, "No search yet; press / to search.");
		else
			ui_pager_search(ui, true);
		break;
	case UI_ACTION_ZOOM:
		if (ui->pager == NULL) {
			ui_set_message(ui, true, "No message is open.");
			break;
		}
		ui->zoom = !ui->zoom;
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		break;
	case UI_ACTION_FETCH:
		ui_fetch_now(ui);
		break;
	case UI_ACTION_FETCH_REST:
		actions_fetch_rest(ui);
		break;
	case UI_ACTION_LOG:
		ui->overlay = UI_OVERLAY_LOG;
		ui->help_top = MAX(0, ui_help_lines(ui) - (LINES - 2));
		ui->dirty |= UI_DIRTY_ALL;
		break;
	case UI_ACTION_VIEW_ATTACHMENTS:
		ui_attachments_run(ui);
		break;
	case UI_ACTION_VIEW_LINKS:
		ui_links_run(ui);
		break;
	case UI_ACTION_PIPE_MESSAGE:
		ui_pipe_message(ui);
		break;
	case UI_ACTION_COUNT:
		break;
	}
}

/* The prompt was answered with TEXT. */
static void
actions_prompt_done(struct ui *ui, enum ui_prompt_kind kind, const char *text)
{
	switch (kind) {
	case UI_PROMPT_SEARCH:
		if (ui->pager == NULL || text[0] == '\0')
			break;
		g_free(ui->pager->search);
		ui->pager->search = g_strdup(text);
		ui_pager_search(ui, false);
		break;
	case UI_PROMPT_EXPUNGE:
		if (text[0] == 'y' || text[0] == 'Y')
			actions_expunge(ui);
		break;
	case UI_PROMPT_NONE:
		break;
	}
}

void
ui_prompt_key(struct ui *ui, int key)
{
	enum ui_prompt_kind kind = ui->prompt.kind;
	char *text;

	ui->dirty |= UI_DIRTY_STATUS;
	if (key == 0x1b || key == ('g' & 0x1f)) {
		ui->prompt.kind = UI_PROMPT_NONE;
		return;
	}
	if (kind == UI_PROMPT_EXPUNGE) {
		char answer[2] = { (char)(key < 0x80 ? key : 'n'), '\0' };

		ui->prompt.kind = UI_PROMPT_NONE;
		actions_prompt_done(ui, kind, answer);
		return;
	}
	if (key == '\r' || key == '\n' || key == UI_KEY_FN + KEY_ENTER) {
		ui->prompt.kind = UI_PROMPT_NONE;
		text = g_strdup(ui->prompt.text->str);
		actions_prompt_done(ui, kind, text);
		g_free(text);
		return;
	}
	if (key == 0x7f || key == 0x08 || key == UI_KEY_FN + KEY_BACKSPACE) {
		if (ui->prompt.text->len > 0) {
			const char *end = ui->prompt.text->str + ui->prompt.text->len;
			const char *prev = g_utf8_find_prev_char(ui->prompt.text->str, end);

			g_string_truncate(ui->prompt.text, prev - ui->prompt.text->str);
		}
		return;
	}
	if (key == ('u' & 0x1f)) {
		g_string_truncate(ui->prompt.text, 0);
		return;
	}
	/* Printable characters only: the answer is drawn on the screen. */
	if (key >= 0x20 && key < UI_KEY_FN && key != 0x7f && g_unichar_isprint((gunichar)key) &&
	    ui->prompt.text->len < 1024)
		g_string_append_unichar(ui->prompt.text, (gunichar)key);
}
