/*
 * colour: the colour rules (`color` in the config, `:color` at run time)
 * on top of the theme.  Index rules are search queries, compiled to SQL
 * once (index_rules) and tested on the rows on screen only, one statement
 * per page read; body and header rules are regular expressions over the
 * pager's rendered lines.  As in mutt, the last rule that matches wins (so
 * a muttrc's color lines keep their meaning in order, and a `:color` typed
 * later beats the file's): an index row or a header line takes that
 * rule's colours, a body span takes the colours of the last rule matching
 * it.  A rule's fg and bg replace the element's where it sets them; its
 * attributes add to the element's.  The selected index row keeps the
 * cursor's look.
 */
#include <curses.h>
#include <string.h>

#include "private.h"
#include "surat/sanitize.h"
#include "surat/search.h"

#define COLOUR_WORD_MAX 64 /* bytes of a word quoted back in an error */

/* One rule, compiled. */
struct colour_rule {
	enum config_color_object object;
	int fg, bg;         /* or CONFIG_COLOR_UNSET */
	unsigned int attrs;
	GRegex *regex;      /* body, header */
	struct search_query *query; /* index */
};

struct ui_colours {
	GPtrArray *rules;    /* struct colour_rule *, in order: the last match wins */
	GPtrArray *index;    /* the index rules (borrowed from RULES), last first */
	struct index_rules *compiled; /* INDEX's queries as one statement, or NULL */
};

static void
colour_rule_free(struct colour_rule *r)
{
	if (r == NULL)
		return;
	if (r->regex != NULL)
		g_regex_unref(r->regex);
	search_query_free(r->query);
	g_free(r);
}

static struct ui_colours *
colours_get(struct ui *ui)
{
	if (ui->colours == NULL) {
		ui->colours = g_new0(struct ui_colours, 1);
		ui->colours->rules = g_ptr_array_new_with_free_func((GDestroyNotify)colour_rule_free);
		ui->colours->index = g_ptr_array_new();
	}
	return ui->colours;
}

/* Compile the index rules again, the last one first (index_rules_match gives the first). */
static void
colours_compile(struct ui_colours *c)
{
	GPtrArray *queries = g_ptr_array_new();
	guint i;

	g_ptr_array_set_size(c->index, 0);
	for (i = c->rules->len; i > 0; i--) {
		struct colour_rule *r = g_ptr_array_index(c->rules, i - 1);

		if (r->object == CONFIG_COLOR_INDEX) {
			g_ptr_array_add(c->index, r);
			g_ptr_array_add(queries, r->query);
		}
	}
	index_rules_free(c->compiled);
	c->compiled = c->index->len > 0
	    ? index_rules_new((const struct search_query *const *)queries->pdata, queries->len)
	    : NULL;
	g_ptr_array_free(queries, TRUE);
}

/*
 * Add a rule; its pattern is a query for index, a regular expression
 * otherwise.  False with *WHY (g_free) when the pattern is not one.
 */
static bool
colours_add(struct ui *ui, enum config_color_object object, int fg, int bg, unsigned int attrs,
    const char *pattern, char **why)
{
	struct colour_rule *r = g_new0(struct colour_rule, 1);

	r->object = object;
	r->fg = fg;
	r->bg = bg;
	r->attrs = attrs;
	if (object == CONFIG_COLOR_INDEX) {
		struct search_error error = { 0 };

		if ((r->query = search_parse(pattern, 0, &error)) == NULL) {
			*why = g_strdup_printf("query: column %d: %s", error.column, error.message);
			search_error_clear(&error);
		}
	} else {
		GError *error = NULL;

		if ((r->regex = config_color_regex(pattern, &error)) == NULL) {
			*why = g_strdup_printf("not a regular expression (%s)", error->message);
			g_error_free(error);
		}
	}
	if (r->query == NULL && r->regex == NULL) {
		colour_rule_free(r);
		return false;
	}
	g_ptr_array_add(colours_get(ui)->rules, r);
	if (object == CONFIG_COLOR_INDEX)
		colours_compile(ui->colours);
	return true;
}

bool
ui_colour_init(struct ui *ui, GError **error)
{
	size_t i;

	for (i = 0; i < ui->config->n_colors; i++) {
		const struct config_color *c = &ui->config->colors[i];
		char *why = NULL;

		/* config.c checked every pattern: this fails only with a changed language. */
		if (!colours_add(ui, c->object, c->fg, c->bg, c->attrs,
		    c->object == CONFIG_COLOR_INDEX ? c->query : c->regex, &why)) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
			    "%s:%d: color[%zu]: %s", ui->config->path, c->line, i, why);
			g_free(why);
			return false;
		}
	}
	return true;
}

void
ui_colour_clear(struct ui *ui)
{
	if (ui->colours == NULL)
		return;
	index_rules_free(ui->colours->compiled);
	g_ptr_array_free(ui->colours->index, TRUE);
	g_ptr_array_free(ui->colours->rules, TRUE);
	g_clear_pointer(&ui->colours, g_free);
}

void
ui_colour_rows(struct ui *ui, const GPtrArray *rows, GArray *out)
{
	GArray *ids;
	GError *error = NULL;
	guint i;

	g_array_set_size(out, rows->len);
	for (i = 0; i < rows->len; i++)
		g_array_index(out, int, i) = -1;
	if (ui->colours == NULL || ui->colours->compiled == NULL || rows->len == 0)
		return;
	ids = g_array_sized_new(FALSE, FALSE, sizeof(int64_t), rows->len);
	for (i = 0; i < rows->len; i++) {
		const struct index_message *m = g_ptr_array_index(rows, i);

		g_array_append_val(ids, m->id);
	}
	if (!index_rules_match(ui->idx, ui->colours->compiled, (const int64_t *)ids->data,
	    ids->len, (int *)out->data, &error)) {
		ui_set_message(ui, true, "color: %s", error->message);
		g_clear_error(&error);
	}
	g_array_free(ids, TRUE);
}

/* The attributes of RULE drawn over the theme's ELEMENT. */
static int
colour_attr(struct ui *ui, const struct colour_rule *rule, enum theme_element element)
{
	struct theme_style style = ui->theme->styles[element];

	if (rule->fg != CONFIG_COLOR_UNSET)
		style.fg = rule->fg;
	if (rule->bg != CONFIG_COLOR_UNSET)
		style.bg = rule->bg;
	style.attrs |= rule->attrs;
	return ui_term_style_attr(&style);
}

int
ui_colour_row_attr(struct ui *ui, int rule, enum theme_element element)
{
	if (rule < 0 || ui->colours == NULL || (guint)rule >= ui->colours->index->len)
		return ui_term_attr(element);
	return colour_attr(ui, g_ptr_array_index(ui->colours->index, (guint)rule), element);
}

int
ui_colour_header(struct ui *ui, const char *text)
{
	guint i;

	for (i = ui->colours != NULL ? ui->colours->rules->len : 0; i > 0; i--) {
		const struct colour_rule *r = g_ptr_array_index(ui->colours->rules, i - 1);

		if (r->object == CONFIG_COLOR_HEADER && g_regex_match(r->regex, text, 0, NULL))
			return (int)(i - 1);
	}
	return -1;
}

int
ui_colour_rule_attr(struct ui *ui, int rule, enum theme_element element)
{
	if (rule < 0 || ui->colours == NULL || (guint)rule >= ui->colours->rules->len)
		return ui_term_attr(element);
	return colour_attr(ui, g_ptr_array_index(ui->colours->rules, (guint)rule), element);
}

void
ui_colour_body(struct ui *ui, const char *text, size_t from, size_t len,
    enum theme_element element, int *attrs)
{
	guint i;

	for (i = 0; ui->colours != NULL && i < ui->colours->rules->len; i++) {
		const struct colour_rule *r = g_ptr_array_index(ui->colours->rules, i);
		GMatchInfo *match = NULL;
		int attr = -1;

		if (r->object != CONFIG_COLOR_BODY)
			continue;
		/* The whole rendered line, so ^ and $ mean its ends, not the wrap's. */
		g_regex_match(r->regex, text, 0, &match);
		while (g_match_info_matches(match)) {
			int start, end;
			size_t k;

			if (g_match_info_fetch_pos(match, 0, &start, &end) && end > start) {
				if (attr == -1)
					attr = colour_attr(ui, r, element);
				/* A later rule paints over an earlier one. */
				for (k = MAX((size_t)start, from); k < MIN((size_t)end, from + len); k++)
					attrs[k - from] = attr;
			}
			if (!g_match_info_next(match, NULL))
				break;
		}
		g_match_info_free(match);
	}
}

/* A colour as the : line takes it: the theme's names, and mutt's brightred too. */
static bool
colour_parse(const char *word, int *color)
{
	char *dashed;
	bool ok;

	if (theme_parse_color(word, color))
		return true;
	if (g_ascii_strncasecmp(word, "bright", 6) != 0 || word[6] == '-')
		return false;
	dashed = g_strconcat("bright-", word + 6, NULL);
	ok = theme_parse_color(dashed, color);
	g_free(dashed);
	return ok;
}

/* An error on the message line quoting WORD, cut and made safe. */
static void
colour_error(struct ui *ui, const char *what, const char *word)
{
	char *safe = sanitize_text(word, (gssize)MIN(strlen(word), COLOUR_WORD_MAX), 0);

	ui_set_message(ui, true, "color: %s \"%s\"", what, safe);
	g_free(safe);
}

void
ui_colour_command(struct ui *ui, const char *args)
{
	enum config_color_object object;
	unsigned int attrs = 0, attr;
	char **argv = NULL, *pattern, *why = NULL;
	int argc = 0, i = 1, fg, bg;

	if (!g_shell_parse_argv(args, &argc, &argv, NULL) || argc < 4) {
		ui_set_message(ui, true, "color needs an object, colours and a pattern: "
		    "color index red default \"~f boss\"");
		goto out;
	}
	if (!config_color_object_parse(argv[0], &object)) {
		colour_error(ui, "unknown object (use index, body or header):", argv[0]);
		goto out;
	}
	/* neomutt's attributes before the colours: color index bold red default ~F */
	for (; i < argc && theme_parse_attr(argv[i], &attr); i++)
		attrs |= attr;
	if (argc - i < 3) {
		ui_set_message(ui, true, "color needs a foreground, a background and a pattern");
		goto out;
	}
	if (!colour_parse(argv[i], &fg)) {
		colour_error(ui, "unknown colour", argv[i]);
		goto out;
	}
	if (!colour_parse(argv[i + 1], &bg)) {
		colour_error(ui, "unknown colour", argv[i + 1]);
		goto out;
	}
	/* The pattern unquoted is every word left: color index red default ~f boss */
	pattern = g_strjoinv(" ", argv + i + 2);
	if (!colours_add(ui, object, fg, bg, attrs, pattern, &why)) {
		char *safe = sanitize_text(why, -1, 0);

		ui_set_message(ui, true, "color: %s", safe);
		g_free(safe);
		g_free(why);
	} else {
		char *safe = sanitize_text(pattern, (gssize)MIN(strlen(pattern), COLOUR_WORD_MAX),
		    0);

		ui_set_message(ui, false, "color: %s rule added for \"%s\"",
		    config_color_object_name(object), safe);
		g_free(safe);
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
	}
	g_free(pattern);
out:
	g_strfreev(argv);
}

void
ui_colour_complete(guint n, const char *word, GPtrArray *out)
{
	static const char *const objects[] = { "index", "body", "header", NULL };
	static const char *const colours[] = { "default", "black", "red", "green", "yellow",
		"blue", "magenta", "cyan", "white", "bright-black", "bright-red", "bright-green",
		"bright-yellow", "bright-blue", "bright-magenta", "bright-cyan", "bright-white",
		NULL };

	if (n == 1)
		ui_prompt_candidates(word, objects, out);
	else if (n == 2 || n == 3)
		ui_prompt_candidates(word, colours, out);
}
