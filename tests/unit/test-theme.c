/* Unit tests for theme.c: the shipped themes, colours, attributes and each error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "testlib.h"
#include "surat/theme.h"

#define DATA SURAT_TEST_DATA "/theme/"

/* The source tree's themes/, where the shipped themes live. */
static const char *
test_themes_dir(void)
{
	const char *env = getenv("SURAT_THEMES_DIR");

	return env != NULL && *env != '\0' ? env : SURAT_TEST_DATA "/../../themes";
}

/* Load PATH, failing the test with the error if it does not load. */
static struct theme *
test_load(const char *path)
{
	GError *error = NULL;
	struct theme *theme = theme_load(path, &error);

	if (theme == NULL)
		fail_msg("%s", error->message);
	assert_null(error);
	return theme;
}

static void
test_every_shipped_theme(void **state)
{
	GDir *dir = g_dir_open(test_themes_dir(), 0, NULL);
	const char *name;
	struct theme *theme;
	char *path, *resolved, *bare;
	int n = 0;

	assert_non_null(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		if (!g_str_has_suffix(name, ".theme"))
			continue;
		print_message("# %s\n", name);
		path = g_build_filename(test_themes_dir(), name, NULL);
		theme = test_load(path);
		bare = g_strndup(name, strlen(name) - 6);
		assert_string_equal(theme->name, bare);
		/* A bare name finds it through $SURAT_THEMES_DIR. */
		setenv("SURAT_THEMES_DIR", test_themes_dir(), 1);
		resolved = theme_resolve(bare);
		assert_non_null(resolved);
		assert_string_equal(resolved, path);
		g_free(resolved);
		g_free(bare);
		g_free(path);
		theme_free(theme);
		n++;
	}
	g_dir_close(dir);
	assert_true(n >= 6); /* default, mono, dark-256, light-256, solarized-dark, gruvbox */
}

/* Every shipped theme sets every element, so none depends on the built-in look. */
static void
test_shipped_themes_complete(void **state)
{
	static const char *const expected[] = { "default", "mono", "dark-256", "light-256",
		"solarized-dark", "gruvbox-truecolor" };
	config_t cfg;
	char *path;
	size_t i;
	int e;

	for (i = 0; i < G_N_ELEMENTS(expected); i++) {
		path = g_strdup_printf("%s/%s.theme", test_themes_dir(), expected[i]);
		print_message("# %s\n", path);
		config_init(&cfg);
		assert_true(config_read_file(&cfg, path));
		for (e = 0; e < THEME_ELEMENT_COUNT; e++) {
			if (config_lookup(&cfg, theme_element_name(e)) == NULL)
				fail_msg("%s sets no %s", path, theme_element_name(e));
		}
		config_destroy(&cfg);
		g_free(path);
	}
}

/* Load the shipped theme NAME. */
static struct theme *
test_load_shipped(const char *name)
{
	char *path = g_strdup_printf("%s/%s.theme", test_themes_dir(), name);
	struct theme *theme = test_load(path);

	g_free(path);
	return theme;
}

static void
test_shipped_colour_themes(void **state)
{
	static const char *const names[] = { "dark-256", "light-256", "solarized-dark",
		"gruvbox-truecolor" };
	struct theme *theme;
	const struct theme_style *s;
	size_t i;
	int e;

	theme = test_load_shipped("gruvbox-truecolor");
	assert_int_equal(theme->styles[THEME_NORMAL].bg, THEME_COLOR_RGB | 0x282828);
	assert_int_equal(theme->styles[THEME_NORMAL].fg, THEME_COLOR_RGB | 0xebdbb2);
	theme_free(theme);
	theme = test_load_shipped("solarized-dark");
	assert_int_equal(theme->styles[THEME_NORMAL].bg, 234); /* base03 */
	assert_int_equal(theme->styles[THEME_QUOTE1].fg, 37);  /* cyan */
	theme_free(theme);
	theme = test_load_shipped("dark-256");
	assert_int_equal(theme->styles[THEME_INDEX_SELECTED].bg, 24);
	assert_int_equal(theme->styles[THEME_MARKER].bg, 214);
	theme_free(theme);
	theme = test_load_shipped("light-256");
	assert_int_equal(theme->styles[THEME_NORMAL].fg, 235);
	theme_free(theme);

	for (i = 0; i < G_N_ELEMENTS(names); i++) {
		theme = test_load_shipped(names[i]);
		for (e = 0; e < THEME_ELEMENT_COUNT; e++) {
			s = &theme->styles[e];
			/* A background and reverse together would swap the colours. */
			if (s->bg != THEME_COLOR_DEFAULT && (s->attrs & THEME_ATTR_REVERSE))
				fail_msg("%s: %s has a bg and reverse", names[i],
				    theme_element_name(e));
			/* What the cursor is on differs from what it is not on. */
			if (e == THEME_INDEX_SELECTED || e == THEME_SIDEBAR_SELECTED ||
			    e == THEME_LINK_SELECTED || e == THEME_ATTACHMENT_SELECTED)
				assert_int_not_equal(s->bg, theme->styles[THEME_NORMAL].bg);
		}
		theme_free(theme);
	}
}

static void
test_shipped_default_and_mono(void **state)
{
	char *path = g_build_filename(test_themes_dir(), "default.theme", NULL);
	struct theme *theme = test_load(path), *builtin = theme_new_default();
	int i;

	/* The default theme keeps the terminal's colours where it matters most. */
	assert_int_equal(theme->styles[THEME_NORMAL].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(theme->styles[THEME_NORMAL].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(theme->styles[THEME_QUOTE1].fg, 6); /* cyan */
	assert_int_equal(theme->styles[THEME_INDEX_SELECTED].attrs, THEME_ATTR_REVERSE);
	/* Its attributes are the built-in ones, and it uses only the 8 basic colours. */
	for (i = 0; i < THEME_ELEMENT_COUNT; i++) {
		assert_int_equal(theme->styles[i].attrs, builtin->styles[i].attrs);
		assert_true(theme->styles[i].fg < 8 && theme->styles[i].bg < 8);
	}
	theme_free(theme);
	g_free(path);

	path = g_build_filename(test_themes_dir(), "mono.theme", NULL);
	theme = test_load(path);
	for (i = 0; i < THEME_ELEMENT_COUNT; i++) {
		assert_int_equal(theme->styles[i].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(theme->styles[i].bg, THEME_COLOR_DEFAULT);
	}
	assert_int_equal(theme->styles[THEME_INDEX_UNREAD].attrs, THEME_ATTR_BOLD);
	assert_int_equal(theme->styles[THEME_STATUS].attrs, THEME_ATTR_REVERSE);
	theme_free(theme);
	theme_free(builtin);
	g_free(path);
}

static void
test_builtin_default(void **state)
{
	struct theme *theme = theme_new_default();
	int i;

	assert_string_equal(theme->name, "default");
	for (i = 0; i < THEME_ELEMENT_COUNT; i++) {
		assert_int_equal(theme->styles[i].fg, THEME_COLOR_DEFAULT);
		assert_int_equal(theme->styles[i].bg, THEME_COLOR_DEFAULT);
	}
	assert_int_equal(theme->styles[THEME_INDEX_SELECTED].attrs, THEME_ATTR_REVERSE);
	assert_int_equal(theme->styles[THEME_INDEX_UNREAD].attrs, THEME_ATTR_BOLD);
	assert_int_equal(theme->styles[THEME_STATUS].attrs, THEME_ATTR_REVERSE);
	assert_int_equal(theme->styles[THEME_HEADER_NAME].attrs, THEME_ATTR_BOLD);
	assert_int_equal(theme->styles[THEME_ERROR].attrs, THEME_ATTR_BOLD);
	assert_int_equal(theme->styles[THEME_SEARCH].attrs, THEME_ATTR_REVERSE);
	/* The new interface's elements show without colours too. */
	assert_int_equal(theme->styles[THEME_INDEX_TAGGED].attrs, THEME_ATTR_UNDERLINE);
	assert_int_equal(theme->styles[THEME_SIDEBAR_SELECTED].attrs, THEME_ATTR_REVERSE);
	assert_int_equal(theme->styles[THEME_SIDEBAR_NEW].attrs, THEME_ATTR_BOLD);
	assert_int_equal(theme->styles[THEME_MARKER].attrs, THEME_ATTR_REVERSE | THEME_ATTR_BOLD);
	assert_int_equal(theme->styles[THEME_LINK_SELECTED].attrs, THEME_ATTR_REVERSE);
	assert_int_equal(theme->styles[THEME_ATTACHMENT_SELECTED].attrs, THEME_ATTR_REVERSE);
	assert_int_equal(theme->styles[THEME_TREE].attrs, 0);
	theme_free(theme);
	theme_free(NULL);
}

static void
test_values(void **state)
{
	struct theme *theme = test_load(DATA "good.theme");
	const struct theme_style *s;

	assert_string_equal(theme->name, "good");
	assert_int_equal(theme->styles[THEME_INDEX_UNREAD].fg, 2);
	/* Fields left out keep the built-in look: index_unread stays bold. */
	assert_int_equal(theme->styles[THEME_INDEX_UNREAD].attrs, THEME_ATTR_BOLD);
	assert_int_equal(theme->styles[THEME_INDEX_UNREAD].bg, THEME_COLOR_DEFAULT);
	s = &theme->styles[THEME_INDEX_FLAGGED];
	assert_int_equal(s->fg, 9);
	assert_int_equal(s->bg, 236);
	assert_int_equal(s->attrs, THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	s = &theme->styles[THEME_STATUS];
	assert_int_equal(s->fg, THEME_COLOR_RGB | 0x1e90ff);
	assert_int_equal(s->bg, 0);
	assert_int_equal(s->attrs,
	    THEME_ATTR_REVERSE | THEME_ATTR_ITALIC | THEME_ATTR_DIM | THEME_ATTR_BLINK);
	assert_int_equal(theme->styles[THEME_ERROR].attrs, THEME_ATTR_BOLD);
	assert_int_equal(theme->styles[THEME_LINK].attrs, 0); /* [] clears */
	assert_int_equal(theme->styles[THEME_QUOTE2].fg, 15);
	/* Elements left out keep the built-in look. */
	assert_int_equal(theme->styles[THEME_INDEX_SELECTED].attrs, THEME_ATTR_REVERSE);

	theme_strip_colors(theme);
	assert_int_equal(theme->styles[THEME_STATUS].fg, THEME_COLOR_DEFAULT);
	assert_int_equal(theme->styles[THEME_INDEX_FLAGGED].bg, THEME_COLOR_DEFAULT);
	assert_int_equal(theme->styles[THEME_INDEX_FLAGGED].attrs,
	    THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	theme_strip_colors(NULL);
	theme_free(theme);
}

static void
test_parse_color(void **state)
{
	int c = 12345;

	assert_true(theme_parse_color("default", &c));
	assert_int_equal(c, THEME_COLOR_DEFAULT);
	assert_true(theme_parse_color("black", &c));
	assert_int_equal(c, 0);
	assert_true(theme_parse_color("white", &c));
	assert_int_equal(c, 7);
	assert_true(theme_parse_color("bright-black", &c));
	assert_int_equal(c, 8);
	assert_true(theme_parse_color("color255", &c));
	assert_int_equal(c, 255);
	assert_true(theme_parse_color("#000000", &c));
	assert_int_equal(c, THEME_COLOR_RGB);
	assert_true(theme_parse_color("#FFFFFF", &c));
	assert_int_equal(c, THEME_COLOR_RGB | 0xffffff);
	assert_false(theme_parse_color("color256", &c));
	assert_false(theme_parse_color("color", &c));
	assert_false(theme_parse_color("color-1", &c));
	assert_false(theme_parse_color("color00000001", &c));
	assert_false(theme_parse_color("#fff", &c));
	assert_false(theme_parse_color("#1234567", &c));
	assert_false(theme_parse_color("light-red", &c));
	assert_false(theme_parse_color("", &c));
	assert_false(theme_parse_color(NULL, &c));
}

/* surat.conf(5) describes every element. */
static void
test_elements_documented(void **state)
{
	char *man, *want;
	int e;

	assert_true(g_file_get_contents(SURAT_TEST_DATA "/../../doc/surat.conf.5", &man, NULL,
	    NULL));
	for (e = 0; e < THEME_ELEMENT_COUNT; e++) {
		want = g_strdup_printf(" %s", theme_element_name(e));
		if (strstr(man, want) == NULL)
			fail_msg("surat.conf(5) does not mention %s", theme_element_name(e));
		g_free(want);
	}
	g_free(man);
}

static void
test_element_names(void **state)
{
	assert_string_equal(theme_element_name(THEME_NORMAL), "normal");
	assert_string_equal(theme_element_name(THEME_INDEX_UNREAD), "index_unread");
	assert_string_equal(theme_element_name(THEME_QUOTE4), "quote4");
	assert_string_equal(theme_element_name(THEME_HELP), "help");
	assert_string_equal(theme_element_name(THEME_INDEX_TAGGED), "index_tagged");
	assert_string_equal(theme_element_name(THEME_TREE), "tree");
	assert_string_equal(theme_element_name(THEME_SIDEBAR), "sidebar");
	assert_string_equal(theme_element_name(THEME_SIDEBAR_SELECTED), "sidebar_selected");
	assert_string_equal(theme_element_name(THEME_SIDEBAR_NEW), "sidebar_new");
	assert_string_equal(theme_element_name(THEME_SIDEBAR_COUNT), "sidebar_count");
	assert_string_equal(theme_element_name(THEME_PROMPT), "prompt");
	assert_string_equal(theme_element_name(THEME_MARKER), "marker");
	assert_string_equal(theme_element_name(THEME_LINK_SELECTED), "link_selected");
	assert_string_equal(theme_element_name(THEME_ATTACHMENT_SELECTED), "attachment_selected");
	assert_string_equal(theme_element_name(THEME_ELEMENT_COUNT), "?");
}

/* Each bad theme, and the one line it must give after "PATH". */
static const struct {
	const char *file;
	int code;
	const char *error;
} test_bad[] = {
	{ "unknown-element.theme", SURAT_THEME_ERROR_INVALID,
	    ":4: index_unred: unknown element; see THEMES in surat.conf(5) for the list" },
	{ "bad-colour.theme", SURAT_THEME_ERROR_INVALID,
	    ":3: quote1: unknown colour \"pink\" for fg; use default, black, red, green, yellow, "
	    "blue, magenta, cyan, white, bright-black .. bright-white, color0 .. color255 or "
	    "#rrggbb" },
	{ "light-colour.theme", SURAT_THEME_ERROR_INVALID,
	    ":2: quote1: unknown colour \"light-red\" for fg; did you mean bright-red?" },
	{ "color-range.theme", SURAT_THEME_ERROR_INVALID,
	    ":1: status: unknown colour \"color256\" for bg; use default, black, red, green, "
	    "yellow, blue, magenta, cyan, white, bright-black .. bright-white, color0 .. color255 "
	    "or #rrggbb" },
	{ "bad-rgb.theme", SURAT_THEME_ERROR_INVALID,
	    ":3: status: unknown colour \"#12345g\" for bg; use default, black, red, green, "
	    "yellow, blue, magenta, cyan, white, bright-black .. bright-white, color0 .. color255 "
	    "or #rrggbb" },
	{ "colour-type.theme", SURAT_THEME_ERROR_INVALID,
	    ":1: search: fg must be a string, as in fg = \"red\"" },
	{ "bad-attr.theme", SURAT_THEME_ERROR_INVALID,
	    ":2: header_name: unknown attribute \"strong\"; use bold, underline, reverse, dim, "
	    "italic or blink" },
	{ "attrs-type.theme", SURAT_THEME_ERROR_INVALID,
	    ":1: body: attrs must be a list of strings, as in attrs = [\"bold\", \"underline\"]" },
	{ "unknown-key.theme", SURAT_THEME_ERROR_INVALID,
	    ":1: help: unknown key \"colour\"; use fg, bg and attrs" },
	{ "not-group.theme", SURAT_THEME_ERROR_INVALID,
	    ":2: signature: expected a group, as in signature = { fg = \"red\"; attrs = "
	    "[\"bold\"]; };" },
	{ "syntax.theme", SURAT_THEME_ERROR_SYNTAX, ":2: syntax: syntax error" },
	{ "no-such.theme", SURAT_THEME_ERROR_IO, ": No such file or directory" },
};

/* One bad theme (STATE points at its test_bad entry). */
static void
test_error(void **state)
{
	GError *error = NULL;
	char *path, *want;
	size_t i = (size_t)((const char *)*state - (const char *)test_bad) / sizeof(test_bad[0]);

	{
		path = g_strconcat(DATA, test_bad[i].file, NULL);
		assert_null(theme_load(path, &error));
		assert_non_null(error);
		want = g_strconcat(path, test_bad[i].error, NULL);
		assert_string_equal(error->message, want);
		assert_true(g_error_matches(error, SURAT_THEME_ERROR, test_bad[i].code));
		g_error_free(error);
		g_free(want);
		g_free(path);
	}
}

/* The built-in theme is themes/default.theme, whatever the themes folders hold. */
static void
test_builtin_is_default_theme(void **state)
{
	char *path = g_build_filename(test_themes_dir(), "default.theme", NULL);
	struct theme *file = test_load(path), *builtin;
	int i;

	setenv("SURAT_THEMES_DIR", "/nonexistent/surat-themes", 1);
	builtin = theme_load_builtin();
	assert_string_equal(builtin->name, THEME_BUILTIN);
	for (i = 0; i < THEME_ELEMENT_COUNT; i++) {
		assert_int_equal(builtin->styles[i].fg, file->styles[i].fg);
		assert_int_equal(builtin->styles[i].bg, file->styles[i].bg);
		assert_int_equal(builtin->styles[i].attrs, file->styles[i].attrs);
	}
	/* Not the attribute-only base: the file's colours came through. */
	assert_int_equal(builtin->styles[THEME_QUOTE1].fg, 6); /* cyan */
	unsetenv("SURAT_THEMES_DIR");
	theme_free(builtin);
	theme_free(file);
	g_free(path);
}

static void
test_resolve(void **state)
{
	char *dirs, *path, *home = g_dir_make_tmp("surat-test-theme-XXXXXX", NULL);
	char *mine = g_build_filename(home, "mine.theme", NULL);
	GError *error = NULL;

	setenv("SURAT_THEMES_DIR", DATA, 1);
	path = theme_resolve("good");
	assert_string_equal(path, DATA "good.theme");
	g_free(path);
	path = theme_resolve("good.theme");
	assert_string_equal(path, DATA "good.theme");
	g_free(path);
	assert_null(theme_resolve("nosuch"));
	assert_null(theme_resolve(""));
	assert_null(theme_resolve(NULL));
	dirs = theme_search_path();
	assert_string_equal(dirs, DATA ", " SURAT_THEMES_DIR);
	g_free(dirs);

	/* A value with a '/' is a path, ~ expanded, and must exist. */
	assert_true(g_file_set_contents(mine, "body = { };\n", -1, NULL));
	setenv("HOME", home, 1);
	path = theme_resolve("~/mine.theme");
	assert_string_equal(path, mine);
	g_free(path);
	path = theme_resolve(mine);
	assert_string_equal(path, mine);
	g_free(path);
	assert_null(theme_resolve("~/other.theme"));
	assert_null(theme_resolve(home)); /* a folder is not a theme */
	assert_null(theme_load(home, &error));
	assert_true(g_error_matches(error, SURAT_THEME_ERROR, SURAT_THEME_ERROR_IO));
	g_clear_error(&error);
	assert_null(theme_load(NULL, &error));
	assert_true(g_error_matches(error, SURAT_THEME_ERROR, SURAT_THEME_ERROR_IO));
	g_clear_error(&error);

	unsetenv("SURAT_THEMES_DIR");
	dirs = theme_search_path();
	assert_string_equal(dirs, SURAT_THEMES_DIR);
	g_free(dirs);
	g_remove(mine);
	g_remove(home);
	g_free(mine);
	g_free(home);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_every_shipped_theme),
		cmocka_unit_test(test_builtin_is_default_theme),
		cmocka_unit_test(test_shipped_themes_complete),
		cmocka_unit_test(test_shipped_colour_themes),
		cmocka_unit_test(test_shipped_default_and_mono),
		cmocka_unit_test(test_builtin_default),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_parse_color),
		cmocka_unit_test(test_element_names),
		cmocka_unit_test(test_elements_documented),
		cmocka_unit_test(test_resolve),
	};
	return testlib_run_with_cases("test-theme", fixed, G_N_ELEMENTS(fixed), test_bad,
	    G_N_ELEMENTS(test_bad), sizeof test_bad[0], test_error, NULL, NULL);
}
