/*
 * The interface's private face: the state the views share, and the
 * functions the ui/ files call in each other.  Only ui/ includes this, and
 * only ui/ calls curses.
 *
 * Shape (STYLE 8.6): ui.c runs a poll() loop over the terminal and a signal
 * self-pipe; a key is looked up in the focused view's key table (keys.c),
 * which names an action (actions.c); the action changes the model and sets
 * dirty bits; at the end of the pass the screen is drawn once.
 */
#ifndef SURAT_UI_PRIVATE_H
#define SURAT_UI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "surat/config.h"
#include "surat/index.h"
#include "surat/keymap.h"
#include "surat/render.h"
#include "surat/theme.h"

/* Keys: a Unicode character, or UI_KEY_FN + a curses KEY_* code. */
#define UI_KEY_FN   0x200000
#define UI_KEY_NONE (-1)

/* What a key can do.  Every action has a name (for help and, later, bind). */
enum ui_action {
	UI_ACTION_NONE,
	UI_ACTION_QUIT,          /* close the pager, else quit */
	UI_ACTION_HELP,
	UI_ACTION_REDRAW,
	UI_ACTION_NEXT,          /* index: next message; pager: next message */
	UI_ACTION_PREV,
	UI_ACTION_PAGE_DOWN,
	UI_ACTION_PAGE_UP,
	UI_ACTION_FIRST,
	UI_ACTION_LAST,
	UI_ACTION_OPEN,
	UI_ACTION_NEXT_UNREAD,
	UI_ACTION_TOGGLE_NEW,
	UI_ACTION_FLAG,
	UI_ACTION_DELETE,
	UI_ACTION_UNDELETE,
	UI_ACTION_EXPUNGE,
	UI_ACTION_FULL_HEADERS,
	UI_ACTION_LINE_DOWN,     /* pager */
	UI_ACTION_LINE_UP,
	UI_ACTION_TOP,
	UI_ACTION_BOTTOM,
	UI_ACTION_SEARCH,
	UI_ACTION_SEARCH_NEXT,
	UI_ACTION_ZOOM,          /* full-screen pager on/off */
	UI_ACTION_FETCH,         /* fetch new mail now */
	UI_ACTION_FETCH_REST,    /* fetch the rest of a headers-only message */
	UI_ACTION_LOG,           /* the fetch log */
	UI_ACTION_VIEW_ATTACHMENTS, /* the attachment view (attachments.c) */
	UI_ACTION_VIEW_LINKS,    /* the link view (links.c) */
	UI_ACTION_PIPE_MESSAGE,  /* pipe the message to a command (pipe.c) */
	UI_ACTION_COUNT
};

/* Which key table applies. */
enum ui_context {
	UI_CONTEXT_INDEX,
	UI_CONTEXT_PAGER,
	UI_CONTEXT_HELP,         /* the help and the log screens */
	UI_CONTEXT_COUNT
};

/* Dirty bits: what must be drawn again at the end of the pass. */
#define UI_DIRTY_INDEX  0x1
#define UI_DIRTY_PAGER  0x2
#define UI_DIRTY_STATUS 0x4
#define UI_DIRTY_ALL    0x7
#define UI_RELOAD_ROWS  0x8  /* the visible rows must be read again */

/* One screen line of the pager: a slice of a rendered line. */
struct ui_pager_line {
	unsigned int line;  /* index into rendering->lines */
	unsigned int start; /* byte offset in its text */
	unsigned int len;   /* bytes */
};

/* The open message. */
struct ui_pager {
	int64_t id;                /* index row */
	struct rendering *rendering;
	GArray *screen;            /* struct ui_pager_line, wrapped to width */
	int width;                 /* width the screen lines were wrapped to */
	int top;                   /* first screen line shown */
	bool full_headers;
	char *search;              /* the last search, or NULL */
};

/* A question on the message line. */
enum ui_prompt_kind {
	UI_PROMPT_NONE,
	UI_PROMPT_SEARCH,   /* text, then Enter */
	UI_PROMPT_EXPUNGE,  /* y or n */
};

struct ui_prompt {
	enum ui_prompt_kind kind;
	char *question;
	GString *text;
};

/* Full screens of text shown over the index and pager. */
enum ui_overlay {
	UI_OVERLAY_NONE,
	UI_OVERLAY_HELP,
	UI_OVERLAY_LOG,
};

struct ui_fetcher;
struct ui_views;

struct ui {
	const struct surat_config *config;
	struct index *idx;
	struct theme *theme;
	bool quit;
	unsigned int dirty;

	/* The index view: only the visible rows are held. */
	struct index_filter filter;
	enum index_sort sort;
	bool reverse;
	int64_t total;
	int64_t unread;
	int64_t cursor;   /* position of the selected message, 0-based */
	int64_t top;      /* position of the first visible row */
	GPtrArray *rows;  /* struct index_message *, positions top.. */
	int index_height; /* rows the index pane shows */

	struct ui_pager *pager; /* NULL when no message is open */
	bool zoom;              /* pager takes the whole screen */
	enum ui_overlay overlay; /* a full screen of text over everything */
	int help_top;

	struct ui_fetcher *fetcher; /* the background fetch (fetch.c) */
	struct ui_views *views;     /* the key map and mailcap of view.c, made on first use */

	struct ui_prompt prompt;
	char *message;          /* shown on the message line until the next key */
	bool message_error;
};

/* ui.c */
void ui_set_message(struct ui *ui, bool error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
enum ui_context ui_context(const struct ui *ui);

/* term.c: the terminal, colours and signals. */
bool ui_term_start(const struct theme *theme, GError **error);
void ui_term_stop(void);
int ui_term_attr(enum theme_element element);
int ui_term_signal_fd(void);
int ui_term_take_signal(void);

/* keys.c */
int ui_keys_read(void);
enum ui_action ui_keys_lookup(enum ui_context context, int key);
const char *ui_keys_name(int key, char *buf, size_t size);
const char *ui_action_name(enum ui_action action);
const char *ui_action_help(enum ui_action action);
/* Help lines for CONTEXT's live bindings, appended to LINES (g_free'd char *). */
void ui_keys_help(enum ui_context context, GPtrArray *lines);

/* actions.c */
void ui_action_run(struct ui *ui, enum ui_action action);
void ui_prompt_key(struct ui *ui, int key);

/* index-view.c */
void ui_index_reload(struct ui *ui);
void ui_index_move(struct ui *ui, int64_t position);
const struct index_message *ui_index_current(struct ui *ui);
void ui_index_draw(struct ui *ui, int y, int height, int width);
char *ui_index_maildir(const struct ui *ui, const char *account);
bool ui_index_set_flags(struct ui *ui, const struct index_message *msg, const char *flags, GError **error);

/* pager.c */
struct ui_pager *ui_pager_open(struct ui *ui, const struct index_message *msg, GError **error);
void ui_pager_free(struct ui_pager *pager);
void ui_pager_draw(struct ui *ui, int y, int height, int width);
void ui_pager_scroll(struct ui *ui, int lines);
bool ui_pager_search(struct ui *ui, bool from_next);
void ui_pager_rerender(struct ui *ui);
int ui_pager_height(const struct ui *ui);
int ui_pager_percent(const struct ui *ui);

/* status.c */
void ui_status_draw(struct ui *ui, int y, int width);
void ui_message_draw(struct ui *ui, int y, int width);

/* help.c: the help screen and the fetch log screen. */
void ui_help_draw(struct ui *ui, int y, int height, int width);
int ui_help_lines(struct ui *ui);

/* fetch.c: the background fetcher. */
void ui_fetch_init(struct ui *ui);
void ui_fetch_stop(struct ui *ui);
int ui_fetch_fd(struct ui *ui);
int ui_fetch_timeout_ms(struct ui *ui);
void ui_fetch_readable(struct ui *ui);
void ui_fetch_tick(struct ui *ui);
void ui_fetch_now(struct ui *ui);
void ui_fetch_rest(struct ui *ui, const char *account);
bool ui_fetch_status(struct ui *ui, GString *out);
bool ui_fetch_errors(struct ui *ui, GString *out);
GPtrArray *ui_fetch_log(struct ui *ui);

/*
 * view.c: what the attachment and link views and the pipe commands share.
 * Those views run their own loop until closed, serving the background fetch
 * meanwhile; on return they have set UI_DIRTY_ALL.  ui->quit set (a quit
 * signal) makes every one of them return at once.
 */
void ui_views_free(struct ui *ui);
/* The key map (defaults plus the user's bind), owned by UI. */
struct keymap *ui_views_keymap(struct ui *ui);
/* The mailcap entries of mailcap_path, read on first use, owned by UI. */
const struct mailcap *ui_views_mailcap(struct ui *ui);
/* The render options the pager uses: the configuration's, and the mailcap for auto_view. */
void ui_view_render_options(struct ui *ui, struct render_options *options);
/* A curses key (ui_keys_read) as a keymap.h key; KEYMAP_KEY_NONE when it is none. */
int32_t ui_view_key(int key);
/*
 * Wait for keys and return the action they are bound to in CONTEXT; when
 * they are bound to nothing, KEYMAP_ACTION_NONE with the key in *TYPED
 * (digits, Escape).  A resize gives KEYMAP_ACTION_REDRAW.
 */
enum keymap_action ui_view_read(struct ui *ui, enum keymap_context context, int32_t *typed);
/* Draw a status line at Y. */
void ui_view_status(int y, const char *text);
/* Ask for a line on the message line; false when cancelled.  *ANSWER is the caller's. */
bool ui_view_ask(struct ui *ui, const char *question, const char *initial, char **answer);
/* Ask for one of the letters KEYS; returns it, or 0 when cancelled (Escape, C-g). */
int ui_view_choose(struct ui *ui, const char *question, const char *keys);
/*
 * Leave curses, run ARGV (PATH searched) with the terminal, INPUT (may be
 * NULL: the terminal) on its standard input, wait for it, optionally "Press
 * any key", and come back with everything to be drawn again.  *STATUS is its
 * exit status (128 + N for signal N).  False only when it cannot start.
 */
bool ui_view_run_terminal(struct ui *ui, char **argv, const void *input, size_t len,
    bool wait_key, int *status, GError **error);
/* ui_view_run_terminal of { /bin/sh, -c, COMMAND } (typed by the user), waiting for a key. */
bool ui_view_run_shell(struct ui *ui, const char *command, const void *input, size_t len,
    int *status, GError **error);
/* Show LEN bytes of TEXT (sanitized here) in a simple pager until q. */
void ui_view_text(struct ui *ui, const char *title, const char *text, size_t len);
/* The keys of CONTEXT in the simple pager. */
void ui_view_help(struct ui *ui, enum keymap_context context, const char *title);
/* The file of the open message, else of the one under the cursor (g_free). */
char *ui_view_message_path(struct ui *ui, int64_t *id, GError **error);
/* Put TEXT on the terminal's clipboard with OSC 52. */
bool ui_view_osc52(const char *text);

/* attachments.c: the attachment view (v). */
void ui_attachments_run(struct ui *ui);

/* links.c: the link view (C-b), and OSC 8 over the pager rows Y..Y+HEIGHT-1 after refresh(). */
void ui_links_run(struct ui *ui);
void ui_links_osc8(struct ui *ui, int y, int height);

/* pipe.c: pipe the message to a command (|). */
void ui_pipe_message(struct ui *ui);

#endif
