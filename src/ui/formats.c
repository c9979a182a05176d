/*
 * formats: the interface's line formats (index_format, status_format,
 * pager_format; format.h), each compiled once from the config and again
 * when `:set` changes it, and the drawing of an expanded line with its
 * marked spans (the thread tree, the limit) in their own colours.
 */
#include <curses.h>
#include <string.h>

#include "private.h"
#include "surat/width.h"

struct ui_formats {
	char *text[3];          /* as set: index, status, pager */
	struct format *format[3];
};

static const char *const formats_names[] = { "index_format", "status_format", "pager_format" };
static const enum format_kind formats_kinds[] = { FORMAT_INDEX, FORMAT_STATUS, FORMAT_PAGER };

/* The slot of NAME, or -1. */
static int
formats_slot(const char *name)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(formats_names); i++)
		if (strcmp(formats_names[i], name) == 0)
			return (int)i;
	return -1;
}

bool
ui_formats_set(struct ui *ui, const char *name, const char *value, GError **error)
{
	int slot = formats_slot(name);
	struct format *f = NULL;

	if (slot < 0)
		return false;
	/* An empty pager_format stands for status_format. */
	if ((value[0] != '\0' || slot != 2) &&
	    (f = format_compile(value, formats_kinds[slot], error)) == NULL)
		return false;
	format_free(ui->formats->format[slot]);
	ui->formats->format[slot] = f;
	g_free(ui->formats->text[slot]);
	ui->formats->text[slot] = g_strdup(value);
	ui->dirty |= UI_DIRTY_ALL;
	return true;
}

void
ui_formats_init(struct ui *ui)
{
	const char *values[3] = { ui->config->index_format, ui->config->status_format,
		ui->config->pager_format };
	const char *defaults[3] = { CONFIG_INDEX_FORMAT, CONFIG_STATUS_FORMAT, "" };
	size_t i;

	ui->formats = g_new0(struct ui_formats, 1);
	for (i = 0; i < G_N_ELEMENTS(values); i++) {
		/* The config checked them: a failure here is a config made in code (tests). */
		if (values[i] == NULL || !ui_formats_set(ui, formats_names[i], values[i], NULL))
			ui_formats_set(ui, formats_names[i], defaults[i], NULL);
	}
}

void
ui_formats_clear(struct ui *ui)
{
	size_t i;

	if (ui->formats == NULL)
		return;
	for (i = 0; i < G_N_ELEMENTS(ui->formats->text); i++) {
		g_free(ui->formats->text[i]);
		format_free(ui->formats->format[i]);
	}
	g_clear_pointer(&ui->formats, g_free);
}

const char *
ui_formats_text(const struct ui *ui, const char *name)
{
	int slot = formats_slot(name);

	return slot >= 0 && ui->formats->text[slot] != NULL ? ui->formats->text[slot] : "";
}

const struct format *
ui_formats_index(const struct ui *ui)
{
	return ui->formats->format[0];
}

const struct format *
ui_formats_status(const struct ui *ui)
{
	return ui->formats->format[1];
}

const struct format *
ui_formats_pager(const struct ui *ui)
{
	return ui->formats->format[2];
}

/* Bytes LEN of TEXT at the cursor in curses ATTR, made safe again (it is already: belt and braces). */
static void
formats_put(const char *text, size_t len, int attr)
{
	char *piece = g_strndup(text, len);
	char *safe = ui_term_fit(piece, width_of(piece), 0);

	attrset(attr);
	addstr(safe);
	g_free(safe);
	g_free(piece);
}

void
ui_formats_draw(const char *line, const GArray *marks, int y, int x, int width, int attr,
    int marked)
{
	size_t at = 0, len = strlen(line);
	int cols = width_of(line);
	guint i;

	move(y, x);
	for (i = 0; marks != NULL && i < marks->len; i++) {
		const struct format_mark *m = &g_array_index(marks, struct format_mark, i);

		if (m->start < at || m->end > len)
			continue;
		formats_put(line + at, m->start - at, attr);
		formats_put(line + m->start, m->end - m->start, marked);
		at = m->end;
	}
	formats_put(line + at, len - at, attr);
	attrset(attr);
	for (; cols < width; cols++)
		addch(' ');
}
