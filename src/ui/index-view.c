/*
 * index-view: the message list.  Only the rows on screen are read from the
 * index (index_query_page), so drawing costs the same at 100 or 100,000 messages.
 */
#include <curses.h>
#include <string.h>
#include <time.h>

#include "index-view.h"
#include "private.h"
#include "surat/folder.h"
#include "surat/size.h"
#include "surat/store.h"
#include "surat/thread.h"
#include "surat/width.h"

#define INDEX_VIEW_DATE_COLS 10
#define INDEX_VIEW_FROM_COLS 20
#define INDEX_VIEW_SIZE_COLS 6
#define INDEX_VIEW_SCAN_CHUNK 512 /* rows read at a time looking for an unread one */

void
ui_index_init(struct ui *ui)
{
	ui->index = g_new0(struct ui_index, 1);
	ui->index->rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	ui->index->height = 1;
}

void
ui_index_clear(struct ui *ui)
{
	if (ui->index == NULL)
		return;
	g_ptr_array_free(ui->index->rows, TRUE);
	g_clear_pointer(&ui->index, g_free);
}

int64_t
ui_index_total(const struct ui *ui)
{
	return ui->index->total;
}

int64_t
ui_index_unread(const struct ui *ui)
{
	return ui->index->unread;
}

int64_t
ui_index_cursor(const struct ui *ui)
{
	return ui->index->cursor;
}

int64_t
ui_index_top(const struct ui *ui)
{
	return ui->index->top;
}

int
ui_index_height(const struct ui *ui)
{
	return ui->index->height;
}

const struct index_filter *
ui_index_filter(const struct ui *ui)
{
	return &ui->index->filter;
}

void
ui_index_resize(struct ui *ui, int height)
{
	struct ui_index *view = ui->index;

	height = MAX(1, height);
	if (view->height == height)
		return;
	/* Show the cursor with context around it. */
	view->height = height;
	view->top = MAX(0, view->cursor - height / 2);
	ui->dirty |= UI_RELOAD_ROWS;
}

void
ui_index_scroll(struct ui *ui, int64_t lines)
{
	struct ui_index *view = ui->index;
	int64_t top = CLAMP(view->top + lines, 0, MAX(0, view->total - view->height));

	view->top = top;
	view->cursor = CLAMP(view->cursor, top, MAX(top, top + view->height - 1));
	view->cursor = MIN(view->cursor, MAX(0, view->total - 1));
	ui->dirty |= UI_RELOAD_ROWS | UI_DIRTY_ALL;
}

void
ui_index_set_mailbox(struct ui *ui, const char *account, const char *folder)
{
	ui->index->filter.account = account;
	ui->index->filter.folder = folder;
	ui->index->cursor = 0;
	ui->index->top = 0;
	ui->dirty |= UI_RELOAD_ROWS;
}

int64_t
ui_index_position(struct ui *ui, int64_t id, GError **error)
{
	return index_query_position(ui->idx, &ui->index->filter, ui->index->sort,
	    ui->index->reverse, id, error);
}

bool
ui_index_foreach(struct ui *ui, index_row_fn fn, void *data, GError **error)
{
	return index_query_foreach(ui->idx, &ui->index->filter, ui->index->sort,
	    ui->index->reverse, fn, data, error);
}

bool
ui_index_ids(struct ui *ui, const struct index_filter *filter, GArray *ids, GError **error)
{
	return index_query_ids(ui->idx, filter, ui->index->sort, ui->index->reverse, ids, error);
}

void
ui_index_initial_cursor(struct ui *ui)
{
	struct ui_index *view = ui->index;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index_filter unread = view->filter;
	int64_t pos = view->total - 1;

	unread.unread_only = true;
	if (view->unread > 0 && index_query_page(ui->idx, &unread, view->sort, view->reverse, 0, 1,
	    -1, rows, NULL) && rows->len == 1) {
		const struct index_message *m = g_ptr_array_index(rows, 0);
		int64_t p = ui_index_position(ui, m->id, NULL);

		if (p >= 0)
			pos = p;
	}
	g_ptr_array_free(rows, TRUE);
	view->cursor = MAX(pos, 0);
	view->top = MAX(0, view->cursor - view->height / 2);
	ui->dirty |= UI_RELOAD_ROWS;
}

int64_t
ui_index_find_unread(struct ui *ui)
{
	struct ui_index *view = ui->index;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	int64_t result = -1, scanned = 0, pos = view->cursor + 1;
	GError *error = NULL;

	if (view->unread == 0 || view->total == 0)
		goto out;
	/* A chunk at a time: the view may be 100,000 rows. */
	while (scanned < view->total && result < 0) {
		guint i;

		if (pos >= view->total)
			pos = 0;
		g_ptr_array_set_size(rows, 0);
		if (!index_query_page(ui->idx, &view->filter, view->sort, view->reverse, pos,
		    MIN(INDEX_VIEW_SCAN_CHUNK, view->total - pos), -1, rows, &error)) {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
			break;
		}
		if (rows->len == 0)
			break;
		for (i = 0; i < rows->len && scanned < view->total; i++, scanned++) {
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

void
ui_index_reload(struct ui *ui)
{
	struct ui_index *view = ui->index;
	GError *error = NULL;
	int64_t height = view->height > 0 ? view->height : 1;

	/* The length of the view is its rows: a collapsed thread is one. */
	if (!index_query_count(ui->idx, &view->filter, &view->total, &view->unread, &error) ||
	    (view->sort == INDEX_SORT_THREAD && ui_browse_collapsing(ui) &&
	    !index_query_count_rows(ui->idx, &view->filter, view->sort, &view->total, &error))) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	}
	if (view->cursor >= view->total)
		view->cursor = view->total > 0 ? view->total - 1 : 0;
	if (view->cursor < 0)
		view->cursor = 0;
	if (view->cursor < view->top)
		view->top = view->cursor;
	if (view->cursor >= view->top + height)
		view->top = view->cursor - height + 1;
	if (view->top > 0 && view->top + height > view->total)
		view->top = MAX(0, view->total - height);
	g_ptr_array_set_size(view->rows, 0);
	if (!index_query_page(ui->idx, &view->filter, view->sort, view->reverse, view->top, height,
	    view->total, view->rows, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	}
	ui->dirty &= ~UI_RELOAD_ROWS;
	ui->dirty |= UI_DIRTY_INDEX | UI_DIRTY_STATUS;
}

void
ui_index_move(struct ui *ui, int64_t position)
{
	int64_t height = ui->index->height > 0 ? ui->index->height : 1;

	if (position >= ui->index->total)
		position = ui->index->total - 1;
	if (position < 0)
		position = 0;
	ui->index->cursor = position;
	if (ui->index->cursor < ui->index->top || ui->index->cursor >= ui->index->top + height ||
	    (int64_t)ui->index->rows->len < MIN(height, ui->index->total - ui->index->top))
		ui->dirty |= UI_RELOAD_ROWS;
	ui->dirty |= UI_DIRTY_INDEX | UI_DIRTY_STATUS;
}

const struct index_message *
ui_index_current(struct ui *ui)
{
	int64_t i;

	if (ui->dirty & UI_RELOAD_ROWS)
		ui_index_reload(ui);
	i = ui->index->cursor - ui->index->top;
	if (ui->index->total == 0 || i < 0 || i >= (int64_t)ui->index->rows->len)
		return NULL;
	return g_ptr_array_index(ui->index->rows, (guint)i);
}

char *
ui_index_maildir(const struct ui *ui, const char *account, const char *folder)
{
	return folder_maildir(ui->config->store, account, folder);
}

/* The theme element for a row. */
static enum theme_element
index_view_element(const struct index_message *m, bool selected)
{
	if (selected)
		return THEME_INDEX_SELECTED;
	if (m->tagged)
		return THEME_INDEX_TAGGED;
	if (index_message_has_flag(m, STORE_FLAG_TRASHED))
		return THEME_INDEX_DELETED;
	if (index_message_has_flag(m, STORE_FLAG_FLAGGED))
		return THEME_INDEX_FLAGGED;
	if (!index_message_has_flag(m, STORE_FLAG_SEEN))
		return THEME_INDEX_UNREAD;
	return THEME_INDEX;
}

/* The pieces of one index line: before the subject, the thread tree, the rest. */
struct index_view_parts {
	char *left;    /* flags, date, sender */
	char *tree;    /* the thread tree, or "" */
	char *right;   /* the subject (or the collapsed count) and the size */
};

/* Free the strings of PARTS. */
static void
index_view_parts_clear(struct index_view_parts *parts)
{
	g_free(parts->left);
	g_free(parts->tree);
	g_free(parts->right);
}

/*
 * One index line in pieces that together are exactly WIDTH columns.  In a
 * threaded view the subject follows the tree and is left out when it repeats
 * the row above; a collapsed thread says how many messages it holds.
 */
static void
index_view_line(const struct ui *ui, const struct index_message *m, int width,
    struct index_view_parts *parts)
{
	GString *line = g_string_new(NULL), *subject = g_string_new(NULL);
	char date[32], size[16], *cell;
	time_t t = (time_t)m->date;
	struct tm tm;
	int subject_cols, tree_cols = 0;
	bool threaded = ui->index->sort == INDEX_SORT_THREAD;

	g_string_append_c(line, m->tagged ? '*' : ' ');
	g_string_append_c(line, index_message_has_flag(m, STORE_FLAG_TRASHED) ? 'D' :
	    !index_message_has_flag(m, STORE_FLAG_SEEN) ? 'N' : ' ');
	g_string_append_c(line, index_message_has_flag(m, STORE_FLAG_FLAGGED) ? '!' : ' ');
	g_string_append_c(line, index_message_has_flag(m, STORE_FLAG_REPLIED) ? 'r' : ' ');
	g_string_append_c(line, ' ');
	if (localtime_r(&t, &tm) == NULL || strftime(date, sizeof date, "%Y-%m-%d", &tm) == 0)
		g_strlcpy(date, "?", sizeof date);
	cell = width_fit(date, INDEX_VIEW_DATE_COLS, 1);
	g_string_append(line, cell);
	g_free(cell);
	g_string_append(line, "  ");
	cell = ui_term_fit(m->from != NULL && m->from[0] != '\0' ? m->from : "(nobody)",
	    INDEX_VIEW_FROM_COLS, 1);
	g_string_append(line, cell);
	g_free(cell);
	g_string_append(line, "  ");
	subject_cols = width - (5 + INDEX_VIEW_DATE_COLS + 2 + INDEX_VIEW_FROM_COLS + 2) -
	    (INDEX_VIEW_SIZE_COLS + 1);
	parts->left = width_fit(line->str, MIN(width, width_of(line->str)), 1);
	width -= width_of(parts->left);
	subject_cols = MAX(subject_cols, 0);

	parts->tree = g_strdup("");
	if (threaded && m->thread_tree != NULL && m->thread_tree[0] != '\0' && subject_cols > 8) {
		char *prefix = thread_prefix(m->thread_tree, false);

		/* At most half the subject column: a deep thread still shows text. */
		g_free(parts->tree);
		parts->tree = width_fit(prefix, MIN(width_of(prefix), subject_cols / 2), 1);
		g_free(prefix);
		tree_cols = width_of(parts->tree);
	}
	if (threaded && m->thread_collapsed && m->thread_count > 1) {
		g_string_append_printf(subject, "(%" G_GINT64_FORMAT, m->thread_count);
		if (m->thread_unread > 0)
			g_string_append_printf(subject, ", %" G_GINT64_FORMAT " new", m->thread_unread);
		g_string_append(subject, ") ");
	}
	if (!threaded || m->thread_collapsed || !m->thread_subject_repeat || tree_cols == 0)
		g_string_append(subject, m->subject != NULL && m->subject[0] != '\0' ? m->subject :
		    "(no subject)");
	g_string_truncate(line, 0);
	cell = ui_term_fit(subject->str, MAX(subject_cols - tree_cols, 0), 1);
	g_string_append(line, cell);
	g_free(cell);
	size_text_short((uint64_t)MAX(m->size, 0), size, sizeof size);
	g_string_append_printf(line, " %*s", INDEX_VIEW_SIZE_COLS, size);
	parts->right = width_fit(line->str, MAX(width - tree_cols, 0), 1);
	g_string_free(subject, TRUE);
	g_string_free(line, TRUE);
}

void
ui_index_draw(struct ui *ui, int y, int height, int width)
{
	int i;

	if (ui->dirty & UI_RELOAD_ROWS)
		ui_index_reload(ui);
	for (i = 0; i < height; i++) {
		const struct index_message *m = NULL;
		struct index_view_parts parts;
		bool selected;

		if (i < (int)ui->index->rows->len)
			m = g_ptr_array_index(ui->index->rows, (guint)i);
		move(y + i, ui->pane_x);
		if (m == NULL) {
			attrset(ui_term_attr(THEME_NORMAL));
			clrtoeol();
			if (i == 0 && ui->index->total == 0)
				mvaddstr(y, ui->pane_x + 1, ui->index->filter.text != NULL ||
				    ui->index->filter.query != NULL ? "No messages match." :
				    "No messages yet.");
			continue;
		}
		selected = ui->index->top + i == ui->index->cursor;
		index_view_line(ui, m, width, &parts);
		attrset(ui_term_attr(index_view_element(m, selected)));
		addstr(parts.left);
		if (!selected)
			attrset(ui_term_attr(THEME_TREE));
		addstr(parts.tree);
		attrset(ui_term_attr(index_view_element(m, selected)));
		addstr(parts.right);
		index_view_parts_clear(&parts);
	}
	attrset(A_NORMAL);
}
