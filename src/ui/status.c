/*
 * status: the status bar (where am I, how many, how many new) and the
 * message line under it (errors, notices and prompts).  Both draw through
 * ui_term_fit, so what they show is sanitized here, not by each caller.
 */
#include <curses.h>
#include <string.h>

#include "private.h"
#include "surat/reindex.h"
#include "surat/sanitize.h"
#include "surat/width.h"


/* The keys of a sequence typed so far ("g"), or NULL. */
static char *
status_pending(const struct ui *ui)
{
	struct keymap_seq seq = { .len = 0 };
	size_t i;

	if (ui->n_pending == 0)
		return NULL;
	for (i = 0; i < ui->n_pending && seq.len < KEYMAP_SEQ_MAX; i++)
		seq.keys[seq.len++] = ui->pending[i];
	return keymap_seq_format(&seq);
}

bool
ui_status_hint(struct ui *ui, int y, int width)
{
	char *line;

	if (ui->prompt.hint == NULL)
		return false;
	line = ui_term_fit(ui->prompt.hint, width, 1);
	attrset(ui_term_attr(THEME_STATUS));
	mvaddstr(y, 0, line);
	attrset(A_NORMAL);
	g_free(line);
	return true;
}

void
ui_status_draw(struct ui *ui, int y, int width)
{
	GString *s;
	char *line, *pending, *scope, *sort, *limit = NULL;
	int marker = -1, marker_cols = 0;
	int64_t bodies, tagged;

	/* The candidates of a Tab in the prompt, over the status line. */
	if (ui_status_hint(ui, y, width))
		return;
	s = g_string_new(NULL);
	pending = status_pending(ui);

	/* Made safe before the marker's columns are counted on it. */
	if (ui_browse_limit_text(ui) != NULL)
		limit = sanitize_text(ui_browse_limit_text(ui), -1, 0);
	scope = ui_sidebar_scope(ui);
	g_string_append_printf(s, "-- surat: %s -- ", scope);
	g_free(scope);
	if (ui_index_total(ui) > 0)
		g_string_append_printf(s, "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
		    ui_index_cursor(ui) + 1, ui_index_total(ui));
	else
		g_string_append(s, "0/0");
	g_string_append_printf(s, " -- %" G_GINT64_FORMAT " new ", ui_index_unread(ui));
	/* What ; would act on: this view's tagged messages (tags_across_views: every view's). */
	tagged = ui_bulk_tagged_count(ui);
	if (tagged > 0)
		g_string_append_printf(s, "-- %" G_GINT64_FORMAT " tagged%s ", tagged,
		    ui->config->tags_across_views ? " in all views" : "");
	sort = ui_browse_sort_name(ui);
	g_string_append_printf(s, "-- %s ", sort);
	g_free(sort);
	if (limit != NULL) {
		/* Drawn again over itself in the marker's colours. */
		g_string_append(s, "-- ");
		marker = width_of(s->str);
		g_string_append_printf(s, "limit: %s", limit);
		marker_cols = width_of(s->str) - marker;
		g_string_append_c(s, ' ');
	}
	if (ui_bulk_prefixed(ui))
		g_string_append(s, "-- tag-prefix ");
	if (pending != NULL) {
		/* A sequence waits for its next key: say which keys are typed. */
		g_string_append_printf(s, "-- keys: %s ", pending);
		g_free(pending);
	}
	if (ui->pager != NULL && ui_mode_cover(ui) == NULL)
		g_string_append_printf(s, "-- %d%% ", ui_pager_percent(ui));
	if (ui_mode_cover(ui) != NULL && ui_mode_cover(ui)->tag != NULL)
		g_string_append_printf(s, "-- %s ", ui_mode_cover(ui)->tag);
	{
		GString *fetch = g_string_new(NULL);

		if (ui_fetcher_status(ui, fetch))
			g_string_append_printf(s, "-- %s ", fetch->str);
		g_string_truncate(fetch, 0);
		if (ui_sender_status(ui, fetch))
			g_string_append_printf(s, "-- %s ", fetch->str);
		g_string_truncate(fetch, 0);
		/* The marker first: a long error is cut at the screen's edge. */
		if (ui_fetcher_errors(ui, fetch))
			g_string_append_printf(s, "-- (E: log) %s ", fetch->str);
		g_string_free(fetch, TRUE);
	}
	/* Fetched bodies not yet in body search (reindex_watcher_bodies_left). */
	bodies = reindex_watcher_bodies_left(ui->watcher);
	if (bodies > 0)
		g_string_append_printf(s, "-- indexing %" G_GINT64_FORMAT " left ", bodies);
	g_string_append(s, "-- ?:help q:quit ");
	while (width_of(s->str) < width)
		g_string_append_c(s, '-');
	line = ui_term_fit(s->str, width, 1);
	attrset(ui_term_attr(THEME_STATUS));
	mvaddstr(y, 0, line);
	g_free(line);
	if (marker >= 0 && marker < width) {
		GString *text = g_string_new(NULL);

		g_string_append_printf(text, "limit: %s", limit);
		line = ui_term_fit(text->str, MIN(marker_cols, width - marker), 0);
		attrset(ui_term_attr(THEME_MARKER));
		mvaddstr(y, marker, line);
		g_free(line);
		g_string_free(text, TRUE);
	}
	attrset(A_NORMAL);
	g_string_free(s, TRUE);
	g_free(limit);
}

void
ui_message_draw(struct ui *ui, int y, int width)
{
	char *line;

	move(y, 0);
	attrset(ui_term_attr(THEME_NORMAL));
	clrtoeol();
	if (ui->prompt.kind != UI_PROMPT_NONE) {
		ui_prompt_draw(ui, y, width);
		return;
	}
	curs_set(0);
	if (ui->message == NULL)
		return;
	line = ui_term_fit(ui->message, width, 0);
	attrset(ui_term_attr(ui->message_error ? THEME_ERROR : THEME_NORMAL));
	mvaddstr(y, 0, line);
	attrset(A_NORMAL);
	g_free(line);
}
