/*
 * status: the status bar (where am I, how many, how many new) and the
 * message line under it (errors, notices and prompts).  Both draw through
 * ui_term_fit, so what they show is sanitized here, not by each caller.
 */
#include "config.h"

#include <curses.h>
#include <string.h>
#include <time.h>

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

/* What a status_format expansion reads, gathered once per frame. */
struct status_data {
	struct ui *ui;
	char *limit;   /* made safe, or NULL */
};

/* Append TEXT made safe. */
static void
status_put(GString *out, const char *text)
{
	char *safe = sanitize_text(text, -1, 0);

	g_string_append(out, safe);
	g_free(safe);
}

/* Append the text one of the views' reporters gives (fetch, send, errors). */
static void
status_report(struct ui *ui, bool (*fn)(struct ui *, GString *), GString *out)
{
	GString *text = g_string_new(NULL);

	if (fn(ui, text))
		status_put(out, text->str);
	g_string_free(text, TRUE);
}

/* The value of a status_format code (format_field_fn). */
static void
status_field(void *data, char code, const char *arg, int cols, struct format_field *out)
{
	struct status_data *d = data;
	struct ui *ui = d->ui;
	GString *s = out->text;
	char *text;
	int64_t n;

	(void)arg;
	(void)cols;
	switch (code) {
	case 'A':
		if (ui_bulk_prefixed(ui))
			g_string_append(s, "tag-prefix");
		break;
	case 'C':
		g_string_append_printf(s, "%" G_GINT64_FORMAT,
		    ui_index_total(ui) > 0 ? ui_index_cursor(ui) + 1 : 0);
		break;
	case 'E':
		status_report(ui, ui_fetcher_errors, s);
		break;
	case 'f':
		/* Account and folder names come from the config and the disk: made safe. */
		text = ui_sidebar_scope(ui);
		status_put(s, text);
		g_free(text);
		break;
	case 'I':
		/* Fetched bodies not yet in body search (reindex_watcher_bodies_left). */
		if ((n = reindex_watcher_bodies_left(ui->watcher)) > 0)
			g_string_append_printf(s, "%" G_GINT64_FORMAT, n);
		break;
	case 'j':
		status_report(ui, ui_fetcher_status, s);
		break;
	case 'k':
		/* A sequence waits for its next key: say which keys are typed. */
		if ((text = status_pending(ui)) != NULL) {
			g_string_append(s, text);
			g_free(text);
		}
		break;
	case 'h':
		status_put(s, g_get_host_name());
		break;
	case 'm':
		g_string_append_printf(s, "%" G_GINT64_FORMAT, ui_index_total(ui));
		break;
	case 'M':
		/* mutt's: the messages shown, while a limit hides some. */
		if (d->limit != NULL)
			g_string_append_printf(s, "%" G_GINT64_FORMAT, ui_index_total(ui));
		break;
	case 'n':
	case 'u':
		g_string_append_printf(s, "%" G_GINT64_FORMAT, ui_index_unread(ui));
		break;
	case 'P':
		if (ui->pager != NULL && ui_mode_cover(ui) == NULL)
			g_string_append_printf(s, "%d%%", ui_pager_percent(ui));
		break;
	case 'q':
		status_report(ui, ui_sender_status, s);
		break;
	case 's':
		text = ui_browse_sort_name(ui);
		g_string_append(s, text);
		g_free(text);
		break;
	case 'V':
		if (d->limit != NULL) {
			out->mark_start = (gssize)s->len;
			g_string_append(s, d->limit);
			out->mark_end = (gssize)s->len;
		}
		break;
	case 'v':
		g_string_append(s, PACKAGE_VERSION);
		break;
	case 't':
		/* What ; would act on: this view's tagged messages (tags_across_views: every view's). */
		if ((n = ui_bulk_tagged_count(ui)) > 0)
			g_string_append_printf(s, "%" G_GINT64_FORMAT, n);
		break;
	case 'G':
		if (ui->config->tags_across_views)
			g_string_append(s, " in all views");
		break;
	case 'y':
		if (ui_mode_cover(ui) != NULL && ui_mode_cover(ui)->tag != NULL)
			g_string_append(s, ui_mode_cover(ui)->tag);
		break;
	default:
		break;
	}
}

/* The open message's row, when pager_format speaks of it (the cursor's), else NULL. */
static const struct index_message *
status_open_row(struct ui *ui)
{
	const struct index_message *m;

	if (ui->pager == NULL || ui_mode_cover(ui) != NULL || ui_formats_pager(ui) == NULL)
		return NULL;
	m = ui_index_current(ui);
	return m != NULL && m->id == ui->pager->id ? m : NULL;
}

void
ui_status_draw(struct ui *ui, int y, int width)
{
	struct status_data d = { .ui = ui };
	GString *line;
	GArray *marks;
	const struct index_message *open;

	/* The candidates of a Tab in the prompt, over the status line. */
	if (ui_status_hint(ui, y, width))
		return;
	line = g_string_sized_new(256);
	marks = g_array_new(FALSE, FALSE, sizeof(struct format_mark));
	if ((open = status_open_row(ui)) != NULL) {
		struct ui_index_row row = { ui, open, ui_index_cursor(ui), (int64_t)time(NULL), true };

		format_expand(ui_formats_pager(ui), width, ui_index_field, &row, line, marks);
	} else {
		/* Made safe before the marker's columns are counted on it. */
		if (ui_browse_limit_text(ui) != NULL)
			d.limit = sanitize_text(ui_browse_limit_text(ui), -1, 0);
		format_expand(ui_formats_status(ui), width, status_field, &d, line, marks);
	}
	ui_formats_draw(line->str, marks, y, 0, width, ui_term_attr(THEME_STATUS),
	    ui_term_attr(THEME_MARKER));
	attrset(A_NORMAL);
	g_array_free(marks, TRUE);
	g_string_free(line, TRUE);
	g_free(d.limit);
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
