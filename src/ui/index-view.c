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
#include "surat/sanitize.h"
#include "surat/size.h"
#include "surat/store.h"
#include "surat/thread.h"
#include "surat/width.h"

#define INDEX_VIEW_SCAN_CHUNK 512 /* rows read at a time looking for an unread one */

void
ui_index_init(struct ui *ui)
{
	ui->index = g_new0(struct ui_index, 1);
	ui->index->rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	ui->index->colour = g_array_new(FALSE, FALSE, sizeof(int));
	ui->index->height = 1;
}

void
ui_index_clear(struct ui *ui)
{
	if (ui->index == NULL)
		return;
	g_ptr_array_free(ui->index->rows, TRUE);
	g_array_free(ui->index->colour, TRUE);
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
	/* The colour rules: one query for the rows just read, none when the cursor moves. */
	ui_colour_rows(ui, view->rows, view->colour);
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

/* Append S made safe (it is already, from the index: this is the gate that checks). */
static void
index_view_put(GString *out, const char *s)
{
	char *safe;

	if (s == NULL)
		return;
	if (sanitize_is_clean(s, 0)) {
		g_string_append(out, s);
		return;
	}
	safe = sanitize_text(s, -1, 0);
	g_string_append(out, safe);
	g_free(safe);
}

/* True when ADDR (LEN bytes, or -1) is the person's: an account's address, or alternates. */
static bool
index_view_mine(struct ui *ui, const char *addr, gssize len)
{
	const char *const *own = ui_addresses_own(ui);
	const GRegex *alternates;
	char *one;
	bool mine = false;

	if (addr == NULL || len == 0 || addr[0] == '\0')
		return false;
	one = g_strndup(addr, len < 0 ? strlen(addr) : (size_t)len);
	for (; own != NULL && *own != NULL && !mine; own++)
		mine = g_ascii_strcasecmp(*own, one) == 0;
	alternates = ui_addresses_alternates(ui);
	if (!mine && alternates != NULL)
		mine = g_regex_match(alternates, one, 0, NULL);
	g_free(one);
	return mine;
}

/* How many of the space-separated ADDRS there are, and whether one is the person's. */
static int
index_view_count_mine(struct ui *ui, const char *addrs, bool *mine)
{
	const char *p = addrs != NULL ? addrs : "";
	int n = 0;

	*mine = false;
	while (*p != '\0') {
		size_t len = strcspn(p, " ");

		if (len > 0) {
			n++;
			*mine = *mine || index_view_mine(ui, p, (gssize)len);
		}
		p += len;
		p += strspn(p, " ");
	}
	return n;
}

/* mutt's %T ($to_chars " +TCF"): F from me, + to me alone, T me in To, C me in Cc. */
static char
index_view_to_char(struct ui *ui, const struct index_message *m)
{
	bool in_to, in_cc;
	int n_to, n_cc;

	if (index_view_mine(ui, m->from_addr, -1))
		return 'F';
	n_to = index_view_count_mine(ui, m->to_addr, &in_to);
	n_cc = index_view_count_mine(ui, m->cc_addr, &in_cc);
	if (in_to)
		return n_to == 1 && n_cc == 0 ? '+' : 'T';
	return in_cc ? 'C' : ' ';
}

/*
 * %s: in a threaded index the tree (marked, at most half of COLS, none in
 * 8 columns or fewer) and the subject, left out when it repeats the row
 * above; a collapsed thread says how many messages it holds.
 */
static void
index_view_subject(const struct ui_index_row *row, int cols, struct format_field *out)
{
	const struct index_message *m = row->m;
	bool threaded = row->ui->index->sort == INDEX_SORT_THREAD && !row->pager;
	int tree_cols = 0;

	if (threaded && m->thread_tree != NULL && m->thread_tree[0] != '\0' && (cols < 0 || cols > 8)) {
		char *prefix = thread_prefix(m->thread_tree, false);
		char *tree = width_fit(prefix, cols < 0 ? width_of(prefix) :
		    MIN(width_of(prefix), cols / 2), 0);

		out->mark_start = (gssize)out->text->len;
		index_view_put(out->text, tree);
		out->mark_end = (gssize)out->text->len;
		tree_cols = width_of(tree);
		g_free(tree);
		g_free(prefix);
	}
	if (threaded && m->thread_collapsed && m->thread_count > 1) {
		g_string_append_printf(out->text, "(%" G_GINT64_FORMAT, m->thread_count);
		if (m->thread_unread > 0)
			g_string_append_printf(out->text, ", %" G_GINT64_FORMAT " new", m->thread_unread);
		g_string_append(out->text, ") ");
	}
	if (!threaded || m->thread_collapsed || !m->thread_subject_repeat || tree_cols == 0)
		index_view_put(out->text, m->subject != NULL && m->subject[0] != '\0' ? m->subject :
		    "(no subject)");
}

void
ui_index_field(void *data, char code, const char *arg, int cols, struct format_field *out)
{
	const struct ui_index_row *row = data;
	const struct index_message *m = row->m;
	GString *s = out->text;
	char size[16];

	switch (code) {
	case 'a':
		index_view_put(s, m->from_addr);
		break;
	case 'c':
		size_text_short((uint64_t)MAX(m->size, 0), size, sizeof size);
		g_string_append(s, size);
		break;
	case 'C':
		g_string_append_printf(s, "%" G_GINT64_FORMAT, row->position + 1);
		break;
	case 'd':
	case 'D':
		format_date(s, m->date, row->ui->date_format != NULL ? row->ui->date_format :
		    RENDER_DATE_FORMAT, row->now);
		break;
	case '{':
	case '[':
		format_date(s, m->date, arg, row->now);
		break;
	case '(':
		format_date(s, m->arrival, arg, row->now);
		break;
	case 'e':
		g_string_append_printf(s, "%d", m->thread_pos + 1);
		break;
	case 'E':
		g_string_append_printf(s, "%" G_GINT64_FORMAT,
		    row->ui->index->sort == INDEX_SORT_THREAD ? m->thread_count : 0);
		break;
	case 'F':
	case 'L':
		if (index_view_mine(row->ui, m->from_addr, -1)) {
			g_string_append(s, "To ");
			index_view_put(s, m->to);
			break;
		}
		/* fall through */
	case 'n':
		index_view_put(s, m->from != NULL && m->from[0] != '\0' ? m->from : "(nobody)");
		break;
	case 'i':
		index_view_put(s, m->message_id);
		break;
	case 'b':
		index_view_put(s, m->account);
		if (m->folder != NULL && m->folder[0] != '\0') {
			g_string_append_c(s, '/');
			index_view_put(s, m->folder);
		}
		break;
	case 'f':
		if (m->from != NULL && m->from[0] != '\0' && m->from_addr != NULL &&
		    strcmp(m->from, m->from_addr) != 0) {
			index_view_put(s, m->from);
			g_string_append(s, " <");
			index_view_put(s, m->from_addr);
			g_string_append_c(s, '>');
		} else {
			index_view_put(s, m->from_addr);
		}
		break;
	case 'M':
		if (row->ui->index->sort == INDEX_SORT_THREAD && m->thread_collapsed &&
		    m->thread_count > 1)
			g_string_append_printf(s, "%" G_GINT64_FORMAT, m->thread_count - 1);
		break;
	case 'r':
		index_view_put(s, m->to);
		break;
	case 'R':
		index_view_put(s, m->cc);
		break;
	case 'T':
		g_string_append_c(s, index_view_to_char(row->ui, m));
		break;
	case 'u':
		if (m->from_addr != NULL)
			g_string_append_len(s, m->from_addr, (gssize)strcspn(m->from_addr, "@"));
		break;
	case 'v':
		if (m->from != NULL && m->from[0] != '\0')
			g_string_append_len(s, m->from, (gssize)strcspn(m->from, " "));
		break;
	case 'l':
		g_string_append_c(s, '0'); /* lines are not indexed: %?l? picks its other branch */
		break;
	case 'm':
		g_string_append_printf(s, "%" G_GINT64_FORMAT, row->ui->index->total);
		break;
	case 'P':
		g_string_append_printf(s, "%d%%", ui_pager_percent(row->ui));
		break;
	case 's':
		index_view_subject(row, cols, out);
		break;
	case 'S':
		g_string_append_c(s, index_message_has_flag(m, STORE_FLAG_TRASHED) ? 'D' :
		    m->tagged ? '*' : index_message_has_flag(m, STORE_FLAG_FLAGGED) ? '!' :
		    !index_message_has_flag(m, STORE_FLAG_SEEN) ? 'N' :
		    index_message_has_flag(m, STORE_FLAG_REPLIED) ? 'r' : ' ');
		break;
	case 't':
		index_view_put(s, m->to);
		break;
	case 'X':
		g_string_append_c(s, m->has_attachment ? '1' : '0');
		break;
	case 'Z':
		g_string_append_c(s, m->tagged ? '*' : ' ');
		g_string_append_c(s, index_message_has_flag(m, STORE_FLAG_TRASHED) ? 'D' :
		    !index_message_has_flag(m, STORE_FLAG_SEEN) ? 'N' : ' ');
		g_string_append_c(s, index_message_has_flag(m, STORE_FLAG_FLAGGED) ? '!' : ' ');
		g_string_append_c(s, index_message_has_flag(m, STORE_FLAG_REPLIED) ? 'r' : ' ');
		break;
	default:
		break;
	}
}

void
ui_index_draw(struct ui *ui, int y, int height, int width)
{
	struct ui_index_row row = { .ui = ui, .now = (int64_t)time(NULL) };
	GString *line = g_string_sized_new(256);
	GArray *marks = g_array_new(FALSE, FALSE, sizeof(struct format_mark));
	int i;

	if (ui->dirty & UI_RELOAD_ROWS)
		ui_index_reload(ui);
	for (i = 0; i < height; i++) {
		const struct index_message *m = NULL;
		bool selected;
		int attr;

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
		/* A colour rule paints the row; the cursor's row keeps the cursor's look. */
		attr = ui_colour_row_attr(ui, selected || (guint)i >= ui->index->colour->len ? -1 :
		    g_array_index(ui->index->colour, int, i), index_view_element(m, selected));
		row.m = m;
		row.position = ui->index->top + i;
		g_string_truncate(line, 0);
		g_array_set_size(marks, 0);
		format_expand(ui_formats_index(ui), width, ui_index_field, &row, line, marks);
		ui_formats_draw(line->str, marks, y + i, ui->pane_x, width, attr,
		    selected ? attr : ui_term_attr(THEME_TREE));
	}
	attrset(A_NORMAL);
	g_array_free(marks, TRUE);
	g_string_free(line, TRUE);
}
