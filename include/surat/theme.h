/*
 * theme: colour themes, libconfig files in themes/ (or any path).
 *
 * A theme gives each element of the interface a foreground, background and
 * attributes.  Colours are stored as written (named, 256-colour index or
 * 24-bit RGB); the UI maps them to what the terminal can show.
 *
 * What it never does: call curses.  The UI translates a struct theme_style.
 */
#ifndef SURAT_THEME_H
#define SURAT_THEME_H

#include <stdbool.h>
#include <glib.h>

enum theme_element {
	THEME_NORMAL,          /* everything not named below */
	THEME_INDEX,           /* an index line, read */
	THEME_INDEX_UNREAD,    /* an index line, not yet read */
	THEME_INDEX_FLAGGED,   /* an index line, flagged */
	THEME_INDEX_DELETED,   /* an index line, marked deleted */
	THEME_INDEX_SELECTED,  /* the cursor line in the index */
	THEME_HEADER_NAME,     /* "Subject:" in the pager */
	THEME_HEADER_VALUE,    /* its value */
	THEME_BODY,            /* body text */
	THEME_QUOTE1,          /* quoted text, level 1.. */
	THEME_QUOTE2,
	THEME_QUOTE3,
	THEME_QUOTE4,          /* ..and deeper */
	THEME_SIGNATURE,       /* after "-- " */
	THEME_ATTACHMENT,      /* attachment lines */
	THEME_LINK,            /* URLs and link references */
	THEME_SEPARATOR,       /* part separators, the split-view rule */
	THEME_SEARCH,          /* matches of a pager search */
	THEME_STATUS,          /* the status line */
	THEME_ERROR,           /* error and warning messages */
	THEME_HELP,            /* the help screen */
	THEME_INDEX_TAGGED,    /* an index line, tagged (t, T) */
	THEME_TREE,            /* the thread tree's lines in the index */
	THEME_SIDEBAR,         /* the sidebar: accounts, folders, saved searches */
	THEME_SIDEBAR_SELECTED, /* the sidebar's cursor line */
	THEME_SIDEBAR_NEW,     /* a sidebar line with new mail */
	THEME_SIDEBAR_COUNT,   /* the new/total counts in the sidebar */
	THEME_PROMPT,          /* the line being typed (:, /, l...) */
	THEME_MARKER,          /* the search/limit indicator in the status line */
	THEME_LINK_SELECTED,   /* the cursor line in the link list */
	THEME_ATTACHMENT_SELECTED, /* the cursor line in the attachment list */
	THEME_ELEMENT_COUNT
};

#define THEME_COLOR_DEFAULT (-1)      /* the terminal's own colour */
#define THEME_COLOR_RGB     0x1000000 /* OR'ed with 0xRRGGBB for truecolour */

#define THEME_ATTR_BOLD      0x01
#define THEME_ATTR_UNDERLINE 0x02
#define THEME_ATTR_REVERSE   0x04
#define THEME_ATTR_DIM       0x08
#define THEME_ATTR_ITALIC    0x10
#define THEME_ATTR_BLINK     0x20

struct theme_style {
	int fg;             /* THEME_COLOR_DEFAULT, 0..255, or THEME_COLOR_RGB|rgb */
	int bg;             /* same */
	unsigned int attrs; /* THEME_ATTR_* */
};

struct theme {
	char *name;
	struct theme_style styles[THEME_ELEMENT_COUNT];
};

/* Errors of theme_load, in the SURAT_THEME_ERROR domain. */
#define SURAT_THEME_ERROR theme_error_quark()
GQuark theme_error_quark(void);

enum theme_error {
	SURAT_THEME_ERROR_IO,      /* the file cannot be read */
	SURAT_THEME_ERROR_SYNTAX,  /* libconfig cannot parse it */
	SURAT_THEME_ERROR_INVALID, /* an unknown element, key, colour or attribute */
};

/* The name of the theme built into the binary (themes/default.theme). */
#define THEME_BUILTIN "default"

/*
 * The theme file for NAME_OR_PATH: a path (contains '/') as given, ~
 * expanded; a bare name is looked up as NAME.theme in $SURAT_THEMES_DIR, then
 * the installed themes folder.  Returns a new string, or NULL when there is no
 * such file.  THEME_BUILTIN needs no file: see theme_load_builtin().
 */
char *theme_resolve(const char *name_or_path);

/* The folders a bare theme name is looked up in, for error messages. */
char *theme_search_path(void);

/*
 * Parse the theme file PATH.  Unset elements, and unset fields of an element,
 * keep the built-in defaults (theme_new_default).  The theme's name is the
 * file's base name without ".theme".  On error returns NULL and sets ERROR
 * (SURAT_THEME_ERROR domain) to one line "FILE:LINE: element: what is wrong"
 * ("FILE:LINE: syntax: ..." when libconfig cannot parse it, "FILE: ..." when
 * it cannot be read).
 */
struct theme *theme_load(const char *path, GError **error);

/*
 * Parse a colour as written in a theme file: "default", one of the 16 names
 * ("red", "bright-red"...), "colorN" (0..255) or "#rrggbb"; case does not
 * matter.  Sets *COLOR and returns true, or returns false.
 */
bool theme_parse_color(const char *text, int *color);

/*
 * Parse an attribute as written in a theme file: bold, underline, reverse,
 * dim, italic or blink (any case).  Sets *ATTR (one THEME_ATTR_* bit) and
 * returns true, or returns false.
 */
bool theme_parse_attr(const char *text, unsigned int *attr);

/*
 * The base under every theme: the terminal's colours and a few attributes
 * that every terminal has.  What a theme file leaves unset keeps these.
 */
struct theme *theme_new_default(void);

/*
 * The theme THEME_BUILTIN: themes/default.theme as it was at build time,
 * compiled into the binary, so surat runs without any installed file.
 * Never NULL: test-theme parses the same text.
 */
struct theme *theme_load_builtin(void);

/* A theme without colours (attributes only), for NO_COLOR and mono terminals. */
void theme_strip_colors(struct theme *theme);

void theme_free(struct theme *theme);

/* The element's name as written in theme files ("index_unread"). */
const char *theme_element_name(enum theme_element element);

#endif
