/*
 * theme: colour themes as libconfig files (surat.conf(5), THEMES).
 *
 * A theme file holds one group per element, each with optional fg, bg and
 * attrs.  An element's unset fields keep the built-in default, so a theme
 * only says what it changes.  Colours are kept as written (named, 256-colour
 * index or RGB); the UI maps them onto what the terminal can show.
 *
 * What it never does: call curses, or print.
 */
#include "surat/theme.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "surat/path.h"
#include "surat/sanitize.h"
/* theme_default_text: themes/default.theme, made into a C string by the build. */
#include "theme-default.h"

#define THEME_MAX_FILE_SIZE (256 * 1024)

static const char *const theme_element_names[] = {
	"normal", "index", "index_unread", "index_flagged", "index_deleted", "index_selected",
	"header_name", "header_value", "body", "quote1", "quote2", "quote3", "quote4",
	"signature", "attachment", "link", "separator", "search", "status", "error", "help",
	"index_tagged", "tree", "sidebar", "sidebar_selected", "sidebar_new", "sidebar_count",
	"prompt", "marker", "link_selected", "attachment_selected",
};

_Static_assert(G_N_ELEMENTS(theme_element_names) == THEME_ELEMENT_COUNT,
    "one name per theme element");

/* The 16 named colours, 0..15 as terminals number them. */
static const char *const theme_color_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
	"bright-black", "bright-red", "bright-green", "bright-yellow", "bright-blue",
	"bright-magenta", "bright-cyan", "bright-white",
};

static const struct {
	const char *name;
	unsigned int attr;
} theme_attrs[] = {
	{ "bold", THEME_ATTR_BOLD },
	{ "underline", THEME_ATTR_UNDERLINE },
	{ "reverse", THEME_ATTR_REVERSE },
	{ "dim", THEME_ATTR_DIM },
	{ "italic", THEME_ATTR_ITALIC },
	{ "blink", THEME_ATTR_BLINK },
};

GQuark
theme_error_quark(void)
{
	return g_quark_from_static_string("surat-theme-error-quark");
}

const char *
theme_element_name(enum theme_element element)
{
	if ((unsigned int)element >= THEME_ELEMENT_COUNT)
		return "?";
	return theme_element_names[element];
}

struct theme *
theme_new_default(void)
{
	struct theme *theme = g_new0(struct theme, 1);
	int i;

	theme->name = g_strdup("default");
	for (i = 0; i < THEME_ELEMENT_COUNT; i++) {
		theme->styles[i].fg = THEME_COLOR_DEFAULT;
		theme->styles[i].bg = THEME_COLOR_DEFAULT;
	}
	/* Attributes every terminal has, so the built-in look works anywhere. */
	theme->styles[THEME_INDEX_UNREAD].attrs = THEME_ATTR_BOLD;
	theme->styles[THEME_INDEX_FLAGGED].attrs = THEME_ATTR_BOLD;
	theme->styles[THEME_INDEX_DELETED].attrs = THEME_ATTR_DIM;
	theme->styles[THEME_INDEX_SELECTED].attrs = THEME_ATTR_REVERSE;
	theme->styles[THEME_HEADER_NAME].attrs = THEME_ATTR_BOLD;
	theme->styles[THEME_SIGNATURE].attrs = THEME_ATTR_DIM;
	theme->styles[THEME_ATTACHMENT].attrs = THEME_ATTR_BOLD;
	theme->styles[THEME_LINK].attrs = THEME_ATTR_UNDERLINE;
	theme->styles[THEME_SEPARATOR].attrs = THEME_ATTR_BOLD;
	theme->styles[THEME_SEARCH].attrs = THEME_ATTR_REVERSE;
	theme->styles[THEME_STATUS].attrs = THEME_ATTR_REVERSE;
	theme->styles[THEME_ERROR].attrs = THEME_ATTR_BOLD;
	theme->styles[THEME_INDEX_TAGGED].attrs = THEME_ATTR_UNDERLINE;
	theme->styles[THEME_SIDEBAR_SELECTED].attrs = THEME_ATTR_REVERSE;
	theme->styles[THEME_SIDEBAR_NEW].attrs = THEME_ATTR_BOLD;
	theme->styles[THEME_MARKER].attrs = THEME_ATTR_REVERSE | THEME_ATTR_BOLD;
	theme->styles[THEME_LINK_SELECTED].attrs = THEME_ATTR_REVERSE;
	theme->styles[THEME_ATTACHMENT_SELECTED].attrs = THEME_ATTR_REVERSE;
	return theme;
}

void
theme_strip_colors(struct theme *theme)
{
	int i;

	if (theme == NULL)
		return;
	for (i = 0; i < THEME_ELEMENT_COUNT; i++) {
		theme->styles[i].fg = THEME_COLOR_DEFAULT;
		theme->styles[i].bg = THEME_COLOR_DEFAULT;
	}
}

void
theme_free(struct theme *theme)
{
	if (theme == NULL)
		return;
	g_free(theme->name);
	g_free(theme);
}

bool
theme_parse_color(const char *text, int *color)
{
	char *end;
	unsigned long v;
	int i;

	if (text == NULL)
		return false;
	if (g_ascii_strcasecmp(text, "default") == 0) {
		*color = THEME_COLOR_DEFAULT;
		return true;
	}
	for (i = 0; i < 16; i++) {
		if (g_ascii_strcasecmp(text, theme_color_names[i]) == 0) {
			*color = i;
			return true;
		}
	}
	if (g_ascii_strncasecmp(text, "color", 5) == 0 && g_ascii_isdigit(text[5]) &&
	    strlen(text) <= 8) {
		v = strtoul(text + 5, &end, 10);
		if (*end != '\0' || v > 255)
			return false;
		*color = (int)v;
		return true;
	}
	if (text[0] == '#' && strlen(text) == 7 && strspn(text + 1, "0123456789abcdefABCDEF") == 6) {
		*color = THEME_COLOR_RGB | (int)strtoul(text + 1, NULL, 16);
		return true;
	}
	return false;
}

bool
theme_parse_attr(const char *text, unsigned int *attr)
{
	size_t i;

	for (i = 0; text != NULL && i < G_N_ELEMENTS(theme_attrs); i++) {
		if (g_ascii_strcasecmp(text, theme_attrs[i].name) == 0) {
			*attr = theme_attrs[i].attr;
			return true;
		}
	}
	return false;
}

/* Set ERROR (CODE) to the message, made safe: it quotes the file. Returns false. */
static bool G_GNUC_PRINTF(3, 4)
theme_set_error(GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	char *text, *safe;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	safe = sanitize_text(text, -1, 0);
	g_set_error_literal(error, SURAT_THEME_ERROR, code, safe);
	g_free(safe);
	g_free(text);
	return false;
}

/* Set ERROR to "FILE:LINE: ELEMENT: message" about setting S; returns false. */
static bool G_GNUC_PRINTF(5, 6)
theme_fail(GError **error, const char *path, const config_setting_t *s, const char *element,
    const char *fmt, ...)
{
	const char *file = config_setting_source_file(s) ? config_setting_source_file(s) : path;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	theme_set_error(error, SURAT_THEME_ERROR_INVALID, "%s:%u: %s: %s", file,
	    config_setting_source_line(s), element, msg);
	g_free(msg);
	return false;
}

/* Parse the colour setting S (fg or bg) of ELEMENT into COLOR. */
static bool
theme_load_color(const char *path, const config_setting_t *s, const char *element, int *color,
    GError **error)
{
	const char *text = config_setting_get_string(s);

	if (text == NULL)
		return theme_fail(error, path, s, element, "%s must be a string, as in %s = \"red\"",
		    config_setting_name(s), config_setting_name(s));
	if (theme_parse_color(text, color))
		return true;
	if (g_str_has_prefix(text, "light-") && theme_parse_color(text + 6, color) && *color < 8)
		return theme_fail(error, path, s, element, "unknown colour \"%.40s\" for %s; did "
		    "you mean bright-%s?", text, config_setting_name(s), theme_color_names[*color]);
	return theme_fail(error, path, s, element, "unknown colour \"%.40s\" for %s; use default, "
	    "black, red, green, yellow, blue, magenta, cyan, white, bright-black .. bright-white, "
	    "color0 .. color255 or #rrggbb", text, config_setting_name(s));
}

/* Parse the attrs setting S of ELEMENT: a list of names, or one name. */
static bool
theme_load_attrs(const char *path, const config_setting_t *s, const char *element,
    unsigned int *attrs, GError **error)
{
	const config_setting_t *item;
	const char *name;
	unsigned int attr;
	int i, n = 1;

	*attrs = 0;
	if (config_setting_is_array(s) || config_setting_is_list(s))
		n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		item = config_setting_is_scalar(s) ? s : config_setting_get_elem(s, (unsigned int)i);
		if ((name = config_setting_get_string(item)) == NULL)
			return theme_fail(error, path, s, element, "attrs must be a list of "
			    "strings, as in attrs = [\"bold\", \"underline\"]");
		if (!theme_parse_attr(name, &attr))
			return theme_fail(error, path, s, element, "unknown attribute \"%.40s\"; "
			    "use bold, underline, reverse, dim, italic or blink", name);
		*attrs |= attr;
	}
	return true;
}

/* Parse one element group S into STYLE; unset fields stay as they are. */
static bool
theme_load_element(const char *path, const config_setting_t *s, struct theme_style *style,
    GError **error)
{
	const char *element = config_setting_name(s), *key;
	const config_setting_t *field;
	int i;

	if (!config_setting_is_group(s))
		return theme_fail(error, path, s, element, "expected a group, as in %s = "
		    "{ fg = \"red\"; attrs = [\"bold\"]; };", element);
	for (i = 0; i < config_setting_length(s); i++) {
		field = config_setting_get_elem(s, (unsigned int)i);
		key = config_setting_name(field);
		if (strcmp(key, "fg") == 0) {
			if (!theme_load_color(path, field, element, &style->fg, error))
				return false;
		} else if (strcmp(key, "bg") == 0) {
			if (!theme_load_color(path, field, element, &style->bg, error))
				return false;
		} else if (strcmp(key, "attrs") == 0) {
			if (!theme_load_attrs(path, field, element, &style->attrs, error))
				return false;
		} else {
			return theme_fail(error, path, field, element, "unknown key \"%s\"; use fg, "
			    "bg and attrs", key);
		}
	}
	return true;
}

/*
 * Read the parsed theme in CFG, from PATH (a file, or the name shown for the
 * built-in text), into a new theme named NAME.
 */
static struct theme *
theme_from_config(const config_t *cfg, const char *path, const char *name, GError **error)
{
	struct theme *theme = theme_new_default();
	const config_setting_t *root, *s;
	int i, e;

	g_free(theme->name);
	theme->name = sanitize_text(name, -1, 0);
	root = config_root_setting(cfg);
	for (i = 0; i < config_setting_length(root); i++) {
		s = config_setting_get_elem(root, (unsigned int)i);
		for (e = 0; e < THEME_ELEMENT_COUNT; e++) {
			if (strcmp(config_setting_name(s), theme_element_names[e]) == 0)
				break;
		}
		if (e == THEME_ELEMENT_COUNT) {
			theme_fail(error, path, s, config_setting_name(s), "unknown element; "
			    "see THEMES in surat.conf(5) for the list");
			theme_free(theme);
			return NULL;
		}
		if (!theme_load_element(path, s, &theme->styles[e], error)) {
			theme_free(theme);
			return NULL;
		}
	}
	return theme;
}

struct theme *
theme_load(const char *path, GError **error)
{
	struct theme *theme = NULL;
	struct stat st;
	config_t cfg;
	char *base;

	if (path == NULL || stat(path, &st) != 0) {
		theme_set_error(error, SURAT_THEME_ERROR_IO, "%s: %s", path ? path : "(no theme)",
		    g_strerror(path ? errno : ENOENT));
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > THEME_MAX_FILE_SIZE) {
		theme_set_error(error, SURAT_THEME_ERROR_IO, "%s: %s", path, S_ISREG(st.st_mode) ?
		    "larger than 256 KiB; not a theme file" : "not a regular file");
		return NULL;
	}
	config_init(&cfg);
	if (!config_read_file(&cfg, path)) {
		theme_set_error(error, config_error_type(&cfg) == CONFIG_ERR_FILE_IO ?
		    SURAT_THEME_ERROR_IO : SURAT_THEME_ERROR_SYNTAX, "%s:%d: syntax: %s",
		    config_error_file(&cfg) ? config_error_file(&cfg) : path,
		    config_error_line(&cfg), config_error_text(&cfg));
		goto out;
	}
	base = g_path_get_basename(path);
	if (g_str_has_suffix(base, ".theme"))
		base[strlen(base) - 6] = '\0';
	theme = theme_from_config(&cfg, path, base, error);
	g_free(base);
out:
	config_destroy(&cfg);
	return theme;
}

struct theme *
theme_load_builtin(void)
{
	static const char where[] = "(built in: themes/default.theme)";
	GError *error = NULL;
	struct theme *theme = NULL;
	config_t cfg;

	config_init(&cfg);
	if (config_read_string(&cfg, theme_default_text))
		theme = theme_from_config(&cfg, where, THEME_BUILTIN, &error);
	config_destroy(&cfg);
	/* test-theme parses the same text: this cannot fail in a build that passed it. */
	if (theme == NULL) {
		g_clear_error(&error);
		theme = theme_new_default();
	}
	return theme;
}

/* The folders a bare theme name is looked up in, in order. */
static GPtrArray *
theme_dirs(void)
{
	GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
	const char *env = g_getenv("SURAT_THEMES_DIR");

	if (env != NULL && *env != '\0')
		g_ptr_array_add(dirs, path_expand(env));
	g_ptr_array_add(dirs, g_strdup(SURAT_THEMES_DIR));
	return dirs;
}

char *
theme_search_path(void)
{
	GPtrArray *dirs = theme_dirs();
	char *joined;

	g_ptr_array_add(dirs, NULL);
	joined = g_strjoinv(", ", (char **)dirs->pdata);
	g_ptr_array_free(dirs, TRUE);
	return joined;
}

char *
theme_resolve(const char *name_or_path)
{
	GPtrArray *dirs;
	char *file, *path = NULL;
	guint i;

	if (name_or_path == NULL || *name_or_path == '\0')
		return NULL;
	if (strchr(name_or_path, '/') != NULL) {
		path = path_expand(name_or_path);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			g_clear_pointer(&path, g_free);
		return path;
	}
	/* "mono" and "mono.theme" both name themes/mono.theme. */
	if (g_str_has_suffix(name_or_path, ".theme"))
		file = g_strdup(name_or_path);
	else
		file = g_strconcat(name_or_path, ".theme", NULL);
	dirs = theme_dirs();
	for (i = 0; i < dirs->len && path == NULL; i++) {
		path = g_build_filename(dirs->pdata[i], file, NULL);
		if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
			g_clear_pointer(&path, g_free);
	}
	g_ptr_array_free(dirs, TRUE);
	g_free(file);
	return path;
}
