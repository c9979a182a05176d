/*
 * browse: the shape of the index view: its order (o, O, `sort`), its limit
 * (l), the search through it (/, M-/, n, M-n) and its threads (collapse,
 * next/previous thread, parent).  Every question goes to the index
 * (index.h) as a filter and an order, so each costs the same at 100 or
 * 100,000 messages; the view itself holds only the rows on screen.
 */
#include <string.h>

#include "index-view.h"
#include "private.h"
#include "surat/search.h"

/* What the view shows beyond its mailbox: opaque to the rest of ui/. */
struct ui_browse {
	struct search_query *limit;  /* the limit (l), or NULL */
	const struct search_query *mailbox_query; /* the saved search the sidebar opened, or NULL */
	struct search_query *view_query; /* the two ANDed, when both are set */
	struct search_query *search; /* the last index search (/), or NULL */
	bool search_backward;        /* it went up (M-/) */
	GArray *threads;             /* int64_t; filter.threads: collapsed (or expanded) threads */
};

/* The orders of o and O, one key each, in the order of the question. */
static const struct {
	char key;
	enum config_sort sort;
} browse_sort_keys[] = {
	{ 'd', CONFIG_SORT_DATE },
	{ 'a', CONFIG_SORT_ARRIVAL },
	{ 'f', CONFIG_SORT_FROM },
	{ 's', CONFIG_SORT_SUBJECT },
	{ 'z', CONFIG_SORT_SIZE },
	{ 't', CONFIG_SORT_THREAD },
};

/* The index's order for the config's. */
static enum index_sort
browse_index_sort(enum config_sort sort)
{
	switch (sort) {
	case CONFIG_SORT_ARRIVAL:
		return INDEX_SORT_ARRIVAL;
	case CONFIG_SORT_FROM:
		return INDEX_SORT_FROM;
	case CONFIG_SORT_SUBJECT:
		return INDEX_SORT_SUBJECT;
	case CONFIG_SORT_SIZE:
		return INDEX_SORT_SIZE;
	case CONFIG_SORT_THREAD:
		return INDEX_SORT_THREAD;
	case CONFIG_SORT_DATE:
	case CONFIG_SORT_COUNT:
		break;
	}
	return INDEX_SORT_DATE;
}

/* The config's order for the index's (for its name). */
static enum config_sort
browse_config_sort(enum index_sort sort)
{
	switch (sort) {
	case INDEX_SORT_ARRIVAL:
		return CONFIG_SORT_ARRIVAL;
	case INDEX_SORT_FROM:
		return CONFIG_SORT_FROM;
	case INDEX_SORT_SUBJECT:
		return CONFIG_SORT_SUBJECT;
	case INDEX_SORT_SIZE:
		return CONFIG_SORT_SIZE;
	case INDEX_SORT_THREAD:
		return CONFIG_SORT_THREAD;
	case INDEX_SORT_DATE:
	case INDEX_SORT_COUNT:
		break;
	}
	return CONFIG_SORT_DATE;
}

void
ui_browse_init(struct ui *ui)
{
	ui->browse = g_new0(struct ui_browse, 1);
	ui->index->sort = browse_index_sort(ui->config->sort);
	ui->index->reverse = ui->config->sort_reverse;
	ui->browse->threads = g_array_new(FALSE, FALSE, sizeof(int64_t));
	ui->index->filter.threads = ui->browse->threads;
	ui->index->filter.collapse_all = false;
}

void
ui_browse_clear(struct ui *ui)
{
	if (ui->browse == NULL)
		return;
	search_query_free(ui->browse->limit);
	search_query_free(ui->browse->view_query);
	search_query_free(ui->browse->search);
	g_array_free(ui->browse->threads, TRUE);
	g_clear_pointer(&ui->browse, g_free);
	/* The view (cleared after) must not point at what was freed. */
	if (ui->index != NULL) {
		ui->index->filter.query = NULL;
		ui->index->filter.threads = NULL;
	}
}

char *
ui_browse_sort_name(const struct ui *ui)
{
	return g_strdup_printf("%s%s", ui->index->reverse ? "reverse-" : "",
	    config_sort_name(browse_config_sort(ui->index->sort)));
}

bool
ui_browse_collapsing(const struct ui *ui)
{
	return ui->index->sort == INDEX_SORT_THREAD && (ui->index->filter.collapse_all ||
	    (ui->browse->threads != NULL && ui->browse->threads->len > 0));
}

int64_t
ui_browse_current_id(struct ui *ui)
{
	const struct index_message *cur = ui->index->total > 0 ? ui_index_current(ui) : NULL;

	return cur != NULL ? cur->id : 0;
}

/* Where thread THREAD_ID starts in the view and how many rows it has there. */
static bool
browse_thread_span(struct ui *ui, int64_t thread_id, int64_t *first, int64_t *count,
    GError **error)
{
	return index_query_thread_span(ui->idx, &ui->index->filter, ui->index->reverse, thread_id,
	    first, count, error);
}

/* The row at POSITION of the view into *MSG (cleared first); false when there is none. */
static bool
browse_row_at(struct ui *ui, int64_t position, struct index_message *msg)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GError *error = NULL;
	bool ok = false;

	index_message_clear(msg);
	if (!index_query_page(ui->idx, &ui->index->filter, ui->index->sort, ui->index->reverse,
	    position, 1, -1, rows, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	} else if (rows->len == 1) {
		*msg = *(struct index_message *)g_ptr_array_index(rows, 0);
		/* The strings now belong to MSG: free only the struct. */
		g_free(g_ptr_array_steal_index(rows, 0));
		ok = true;
	}
	g_ptr_array_free(rows, TRUE);
	return ok;
}

/* The position of row ID in the view, or of its collapsed thread's row; -1 when hidden. */
static int64_t
browse_position(struct ui *ui, int64_t id)
{
	struct index_message msg = { 0 };
	int64_t pos, first = -1, count = 0;

	pos = ui_index_position(ui, id, NULL);
	if (pos >= 0 || !ui_browse_collapsing(ui))
		return pos;
	if (index_get(ui->idx, id, &msg, NULL) && msg.thread_id != 0 &&
	    browse_thread_span(ui, msg.thread_id, &first, &count, NULL))
		pos = first;
	index_message_clear(&msg);
	return pos;
}

void
ui_browse_keep(struct ui *ui, int64_t id, int64_t offset)
{
	int64_t pos = id != 0 ? browse_position(ui, id) : -1;

	if (pos >= 0) {
		ui->index->cursor = pos;
		ui->index->top = MAX(0, pos - CLAMP(offset, 0, MAX(0, ui->index->height - 1)));
	}
	/* Read once: it counts the view and keeps the cursor in it. */
	ui_index_reload(ui);
	ui->dirty |= UI_DIRTY_ALL;
}

/* After the view changed: the cursor on row ID when it is still shown, mid-screen. */
static void
browse_reshape(struct ui *ui, int64_t id)
{
	ui_browse_keep(ui, id, ui->index->height / 2);
}

void
ui_browse_set_sort(struct ui *ui, enum config_sort sort, bool reverse)
{
	int64_t id = ui_browse_current_id(ui);
	char *name;

	ui->index->sort = browse_index_sort(sort);
	ui->index->reverse = reverse;
	browse_reshape(ui, id);
	name = ui_browse_sort_name(ui);
	ui_set_message(ui, false, "Sorted by %s.", name);
	g_free(name);
}

/* The order key typed after o (or O). */
static void
browse_sort_answer(struct ui *ui, const char *text, bool reverse)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(browse_sort_keys); i++) {
		if (text[0] == browse_sort_keys[i].key && text[1] == '\0') {
			ui_browse_set_sort(ui, browse_sort_keys[i].sort, reverse);
			return;
		}
	}
	if (text[0] != '\0')
		ui_set_message(ui, true, "Sort: no order on that key; d a f s z or t.");
}

/* The answer to o. */
static void
browse_sort_done(struct ui *ui, const char *text)
{
	browse_sort_answer(ui, text, false);
}

/* The answer to O. */
static void
browse_sort_reverse_done(struct ui *ui, const char *text)
{
	browse_sort_answer(ui, text, true);
}

void
ui_browse_sort_prompt(struct ui *ui, bool reverse)
{
	ui_prompt_open(ui, UI_PROMPT_KEY,
	    reverse ? "Reverse sort (d)ate (a)rrival (f)rom (s)ubject si(z)e (t)hread? " :
	    "Sort (d)ate (a)rrival (f)rom (s)ubject si(z)e (t)hread? ", NULL, NULL,
	    reverse ? browse_sort_reverse_done : browse_sort_done);
}

/* Parse TEXT as a query; on an error say where on the message line and return NULL. */
static struct search_query *
browse_parse(struct ui *ui, const char *text)
{
	struct search_error error = { 0 };
	struct search_query *query = search_parse(text, 0, &error);

	if (query == NULL) {
		ui_set_message(ui, true, "query: column %d: %s", error.column,
		    error.message != NULL ? error.message : "not a query");
		search_error_clear(&error);
	}
	return query;
}

/* Whether thread THREAD_ID is shown collapsed now. */
static bool
browse_thread_collapsed(const struct ui *ui, int64_t thread_id)
{
	bool listed = false;
	guint i;

	for (i = 0; i < ui->browse->threads->len; i++)
		if (g_array_index(ui->browse->threads, int64_t, i) == thread_id)
			listed = true;
	return ui->index->filter.collapse_all ? !listed : listed;
}

/* Collapse (COLLAPSE) or expand thread THREAD_ID. */
static void
browse_thread_set(struct ui *ui, int64_t thread_id, bool collapse)
{
	guint i;

	if (browse_thread_collapsed(ui, thread_id) == collapse)
		return;
	/* With collapse_all the set holds the expanded threads. */
	if (collapse != ui->index->filter.collapse_all) {
		g_array_append_val(ui->browse->threads, thread_id);
		return;
	}
	for (i = 0; i < ui->browse->threads->len; i++)
		if (g_array_index(ui->browse->threads, int64_t, i) == thread_id)
			g_array_remove_index_fast(ui->browse->threads, i--);
}

/* Move the cursor to POSITION, bringing it into view. */
static void
browse_goto(struct ui *ui, int64_t position)
{
	int64_t height = MAX(1, ui->index->height);

	ui_index_move(ui, position);
	if (ui->index->cursor < ui->index->top || ui->index->cursor >= ui->index->top + height) {
		ui->index->top = MAX(0, ui->index->cursor - height / 2);
		ui->dirty |= UI_RELOAD_ROWS;
	}
}

/* Find the next match of the last search from the cursor; BACKWARD goes up. */
static void
browse_search_run(struct ui *ui, bool backward)
{
	int64_t from = ui_browse_current_id(ui), found = 0, thread = 0, pos;
	GError *error = NULL;

	if (!index_query_find(ui->idx, &ui->index->filter, ui->index->sort, ui->index->reverse,
	    ui->browse->search, from, backward, true, &found, &thread, &error)) {
		if (error != NULL) {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
		} else {
			char *read = search_query_explain(ui->browse->search);

			ui_set_message(ui, true, "Not found (read as: %s).", read);
			g_free(read);
		}
		return;
	}
	if (ui->index->sort == INDEX_SORT_THREAD && thread != 0 &&
	    browse_thread_collapsed(ui, thread)) {
		/* The match hides in a collapsed thread: open it. */
		browse_thread_set(ui, thread, false);
		ui_index_reload(ui);
	}
	pos = ui_index_position(ui, found, NULL);
	if (pos < 0) {
		ui_set_message(ui, true, "Not found.");
		return;
	}
	if (found == from)
		ui_set_message(ui, false, "This is the only match.");
	else if (!backward && pos <= ui->index->cursor)
		ui_set_message(ui, false, "Search wrapped to top.");
	else if (backward && pos >= ui->index->cursor)
		ui_set_message(ui, false, "Search wrapped to bottom.");
	browse_goto(ui, pos);
	if (ui->pager != NULL)
		ui_action_open(ui);
}

/* A query typed after / or M-/: remember it and find its first match. */
static void
browse_search_start(struct ui *ui, const char *text, bool backward)
{
	struct search_query *query;

	if (text[0] == '\0') {
		if (ui->browse->search != NULL)
			browse_search_run(ui, backward);
		return;
	}
	query = browse_parse(ui, text);
	if (query == NULL)
		return;
	search_query_free(ui->browse->search);
	ui->browse->search = query;
	ui->browse->search_backward = backward;
	browse_search_run(ui, backward);
}

/* The answer to /. */
static void
browse_search_done(struct ui *ui, const char *text)
{
	browse_search_start(ui, text, false);
}

/* The answer to M-/. */
static void
browse_search_reverse_done(struct ui *ui, const char *text)
{
	browse_search_start(ui, text, true);
}

void
ui_browse_search_prompt(struct ui *ui, bool backward)
{
	ui_prompt_open(ui, UI_PROMPT_SEARCH, backward ? "Reverse search for: " : "Search for: ",
	    NULL, NULL, backward ? browse_search_reverse_done : browse_search_done);
}

void
ui_browse_search_next(struct ui *ui, bool opposite)
{
	if (ui->browse->search == NULL) {
		ui_set_message(ui, true, "No search yet; press / to search.");
		return;
	}
	browse_search_run(ui, ui->browse->search_backward != opposite);
}

/*
 * Point filter.query at what the view shows: the saved search the sidebar
 * opened and the limit, ANDed (parsed again together), or whichever is set.
 */
static void
browse_apply_query(struct ui *ui)
{
	struct ui_browse *br = ui->browse;
	const char *saved = br->mailbox_query != NULL ? search_query_text(br->mailbox_query) : NULL;
	const char *limit = br->limit != NULL ? search_query_text(br->limit) : NULL;

	search_query_free(ui->browse->view_query);
	ui->browse->view_query = NULL;
	if (saved != NULL && limit != NULL) {
		struct search_error error = { 0 };
		char *both = g_strdup_printf("(%s) (%s)", saved, limit);

		/* Each parsed alone already; together they can only pass a cap. */
		ui->browse->view_query = search_parse(both, 0, &error);
		if (ui->browse->view_query == NULL)
			ui_set_message(ui, true, "the saved search and the limit together: %s",
			    error.message != NULL ? error.message : "too long");
		search_error_clear(&error);
		g_free(both);
		ui->index->filter.query = br->view_query != NULL ? br->view_query : br->limit;
	} else {
		ui->index->filter.query = limit != NULL ? br->limit : br->mailbox_query;
	}
}

void
ui_browse_mailbox_opened(struct ui *ui, const struct search_query *saved)
{
	search_query_free(ui->browse->limit);
	ui->browse->limit = NULL;
	ui->browse->mailbox_query = saved;
	browse_apply_query(ui);
}

const char *
ui_browse_view_text(const struct ui *ui)
{
	return ui->index->filter.query != NULL ? search_query_text(ui->index->filter.query) : NULL;
}

bool
ui_browse_means_all(const char *text)
{
	char *line = g_strstrip(g_strdup(text));
	bool all = g_ascii_strcasecmp(line, "all") == 0 || strcmp(line, "~A") == 0;

	g_free(line);
	return all;
}

/* The answer to l: a query, or all (or nothing) for every message. */
static void
browse_limit_done(struct ui *ui, const char *text)
{
	int64_t id = ui_browse_current_id(ui);
	struct search_query *query = NULL;
	char *line = g_strstrip(g_strdup(text));

	if (line[0] != '\0' && !ui_browse_means_all(line)) {
		query = browse_parse(ui, line);
		if (query == NULL) {
			g_free(line);
			return;
		}
	}
	g_free(line);
	search_query_free(ui->browse->limit);
	ui->browse->limit = query;
	browse_apply_query(ui);
	browse_reshape(ui, id);
	if (ui->index->total == 0) {
		/* How the query was read: a regular expression where words were meant, say. */
		char *read = search_query_explain(query);

		ui_set_message(ui, false, "No messages match (read as: %s); l all shows every message.",
		    read);
		g_free(read);
	}
}

void
ui_browse_limit_prompt(struct ui *ui)
{
	ui_prompt_open(ui, UI_PROMPT_LIMIT, "Limit to messages matching: ", NULL, NULL,
	    browse_limit_done);
}

const char *
ui_browse_limit_text(const struct ui *ui)
{
	return ui->browse->limit != NULL ? search_query_text(ui->browse->limit) : NULL;
}

/* The current row, or NULL with a message unless the view is threaded. */
static const struct index_message *
browse_thread_row(struct ui *ui)
{
	const struct index_message *cur;

	if (ui->index->sort != INDEX_SORT_THREAD) {
		ui_set_message(ui, true, "Threads show when sorted by thread (o t).");
		return NULL;
	}
	cur = ui_index_current(ui);
	if (cur == NULL)
		ui_set_message(ui, true, "No message here.");
	return cur;
}

void
ui_browse_collapse(struct ui *ui)
{
	const struct index_message *cur = browse_thread_row(ui);
	int64_t id, thread;

	if (cur == NULL)
		return;
	id = cur->id;
	thread = cur->thread_id;
	browse_thread_set(ui, thread, !browse_thread_collapsed(ui, thread));
	/* Collapsed, the thread is its first row: browse_position finds it. */
	browse_reshape(ui, id);
}

void
ui_browse_collapse_all(struct ui *ui)
{
	int64_t id;

	if (browse_thread_row(ui) == NULL && ui->index->sort != INDEX_SORT_THREAD)
		return;
	id = ui_browse_current_id(ui);
	ui->index->filter.collapse_all = !ui->index->filter.collapse_all;
	g_array_set_size(ui->browse->threads, 0);
	browse_reshape(ui, id);
}

void
ui_browse_thread_step(struct ui *ui, int direction)
{
	const struct index_message *cur = browse_thread_row(ui);
	struct index_message prev = { 0 };
	int64_t first = 0, count = 0;
	GError *error = NULL;

	if (cur == NULL)
		return;
	if (!browse_thread_span(ui, cur->thread_id, &first, &count, &error)) {
		ui_set_message(ui, true, "%s", error != NULL ? error->message : "No thread here.");
		g_clear_error(&error);
		return;
	}
	if (direction > 0) {
		if (first + count >= ui->index->total) {
			ui_set_message(ui, false, "You are on the last thread.");
			return;
		}
		browse_goto(ui, first + count);
	} else {
		if (first == 0) {
			ui_set_message(ui, false, "You are on the first thread.");
			return;
		}
		if (!browse_row_at(ui, first - 1, &prev))
			return;
		if (!browse_thread_span(ui, prev.thread_id, &first, &count, &error)) {
			ui_set_message(ui, true, "%s",
			    error != NULL ? error->message : "No thread here.");
			g_clear_error(&error);
			index_message_clear(&prev);
			return;
		}
		index_message_clear(&prev);
		browse_goto(ui, first);
	}
	if (ui->pager != NULL)
		ui_action_open(ui);
}

void
ui_browse_parent(struct ui *ui)
{
	const struct index_message *cur = browse_thread_row(ui);
	int64_t pos;

	if (cur == NULL)
		return;
	if (cur->thread_parent == 0) {
		ui_set_message(ui, true, "This message has no parent here.");
		return;
	}
	pos = ui_index_position(ui, cur->thread_parent, NULL);
	if (pos < 0) {
		ui_set_message(ui, true, "The parent message is not in this view.");
		return;
	}
	browse_goto(ui, pos);
	if (ui->pager != NULL)
		ui_action_open(ui);
}
