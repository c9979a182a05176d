/*
 * The interface's private face: the state the views share, and the
 * functions the ui/ files call in each other.  Only ui/ includes this, and
 * only ui/ calls curses.
 *
 * Shape (STYLE 8.6): ui.c runs a poll() loop over the terminal and a signal
 * self-pipe; keys (keys.c) are looked up in the live key map (keymap.h) for
 * the focused context, sequences waiting for their next key; the action
 * found runs in actions.c (or prompt.c in the prompt), changes the model and
 * sets dirty bits; at the end of the pass the screen is drawn once.
 */
#ifndef SURAT_UI_PRIVATE_H
#define SURAT_UI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "surat/config.h"
#include "surat/format.h"
#include "surat/index.h"
#include "surat/keymap.h"
#include "surat/render.h"
#include "surat/theme.h"

/*
 * Keys are those of the key map (keymap.h): int32_t, 0 for none.  A resize
 * and a mouse event are read like keys but are not keys.
 */
#define UI_KEY_NONE   KEYMAP_KEY_NONE
#define UI_KEY_RESIZE (-2)
#define UI_KEY_MOUSE  (-3)

#define UI_PENDING_MS 1000 /* how long "g" waits for the second key of "g g" */
#define UI_MACRO_RUNS 100   /* macros (and :push) run from one key before it is a loop */
#define UI_INPUT_MAX  10000 /* steps waiting in ui->input */

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
	unsigned int hidden; /* > 0: this line stands for that many quoted lines, hidden (T) */
};

/* The open message. */
struct ui_pager {
	int64_t id;                /* index row */
	struct rendering *rendering;
	GArray *screen;            /* struct ui_pager_line, wrapped to width */
	int width;                 /* width the screen lines were wrapped to */
	int render_width;          /* width the rendering reflowed flowed text to */
	int top;                   /* first screen line shown */
	bool full_headers;
	bool hide_quoted;          /* quoted blocks shown as one line each (toggle-quoted) */
	char *search;              /* the last search, or NULL */
};

struct ui;

/*
 * The line editor (prompt.c): one line typed on the message line, edited
 * with the prompt context's keys (accept, cancel, complete, history...).
 *
 * A completion function gets the line and the cursor (a byte offset), adds
 * the candidates for the word before the cursor to OUT (g_free'd strings,
 * whole words) and returns the byte offset where that word starts.
 * The done function gets the accepted line (never NULL); cancelling calls
 * nothing.  Both are called with the prompt already closed for DONE, open
 * for COMPLETE.
 */
typedef size_t (*ui_prompt_complete_fn)(struct ui *ui, const char *line, size_t cursor,
    GPtrArray *out);
typedef void (*ui_prompt_done_fn)(struct ui *ui, const char *text);

/* Each kind of prompt keeps its own history. */
enum ui_prompt_kind {
	UI_PROMPT_NONE,
	UI_PROMPT_SEARCH,   /* text, then Enter */
	UI_PROMPT_CONFIRM,  /* one key answers: y or anything else */
	UI_PROMPT_COMMAND,  /* the : command line */
	UI_PROMPT_LIMIT,    /* for the model's limit, tag-pattern... prompts */
	UI_PROMPT_PATTERN,
	UI_PROMPT_FOLDER,
	UI_PROMPT_PIPE,
	UI_PROMPT_KEY,      /* one key answers: DONE gets its character, or "" */
	UI_PROMPT_FILE,     /* a file's path: a completed name gets no space after it */
	UI_PROMPT_ADDRESS,  /* addresses and a subject on the compose screen */
	UI_PROMPT_NUMBER,   /* jump: a message number */
	UI_PROMPT_SHELL,    /* shell-escape: a command */
	UI_PROMPT_MAILBOX,  /* change-folder: a mailbox's name or a Maildir's path */
	UI_PROMPT_QUAD,     /* mutt's quad-option: a printable key ("y", "n"...) or Enter
	                       ("") answers; Escape or C-g (cancel) gives up, DONE unheard */
	UI_PROMPT_KIND_COUNT
};

#define UI_PROMPT_MAX      1024 /* bytes of a line */
#define UI_PROMPT_HISTORY  100  /* lines kept per kind */

struct ui_prompt {
	enum ui_prompt_kind kind;  /* NONE: no prompt open */
	char *question;
	GString *text;
	size_t cursor;             /* byte offset in text */
	ui_prompt_complete_fn complete;
	ui_prompt_done_fn done;
	GPtrArray *history[UI_PROMPT_KIND_COUNT]; /* char *, oldest first */
	int history_pos;           /* index into the kind's history, or -1: the new line */
	char *saved;               /* the new line while the history is browsed */
	GPtrArray *candidates;     /* of the last Tab, for cycling; NULL after an edit */
	guint candidate;           /* the one shown */
	size_t word_start;         /* where the completed word starts */
	char *hint;                /* the candidates, shown in the status line */
};

/*
 * A mode: a screen of its own with its own keys, on a stack as tmux keeps
 * its window modes (mode.c).  The bottom one is the mail mode (mail.c: the
 * sidebar, index and pager), never popped; the others (the text pager, the
 * lists) are pushed over it.  The top mode draws the screen but the message
 * line, gets the keys of its context and the actions they name (ACTION
 * none with TYPED: a key bound to nothing, or Escape) and the mouse, and is
 * freed when popped.  ui_loop runs them all: the background fetch,
 * resizes, signals and timers keep flowing whichever is up.  A resize is a
 * draw at the new LINES and COLS: a mode keeps no screen of its own.
 */
struct ui_mode;

/* A mouse event as a mode gets it. */
struct ui_mouse {
	int x, y;
	int wheel;  /* lines down (up when negative), or 0 */
	bool click; /* button 1 */
};

struct ui_mode_class {
	const char *name;
	enum keymap_context context;
	/* The context now, where it follows the focus (the mail mode's); NULL: CONTEXT. */
	enum keymap_context (*focus)(const struct ui *ui, const struct ui_mode *mode);
	void (*draw)(struct ui *ui, struct ui_mode *mode);
	void (*key)(struct ui *ui, struct ui_mode *mode, enum keymap_action action, int32_t typed);
	/* NULL: the mode ignores the mouse. */
	void (*mouse)(struct ui *ui, struct ui_mode *mode, const struct ui_mouse *event);
	void (*free)(void *data);
};

struct ui_mode {
	const struct ui_mode_class *cls;
	void *data;
	enum keymap_context context; /* its keys: the class's, unless the pusher says */
	const char *tag;             /* shown in the index's status line ("help"), or NULL */
};

struct ui_fetcher;
struct ui_sender;
struct ui_index;
struct ui_browse;
struct ui_bulk;
struct ui_views;
struct ui_addresses;
struct ui_sidebar;
struct ui_folders;
struct search_query;
struct ui_colours;

struct ui {
	const struct surat_config *config; /* what the code reads: SETTINGS */
	/*
	 * The options as `:set` left them: a copy of the file's (CONFIG_FILE,
	 * what `:reset` goes back to) sharing its values; the values :set made
	 * are in OWNED (strings) and OWNED_STRV (lists) until the end.
	 */
	struct surat_config *settings;
	const struct surat_config *config_file;
	GPtrArray *owned;
	GPtrArray *owned_strv;
	struct index *idx;
	struct theme *theme;
	bool quit;
	unsigned int dirty;

	/* The index view (index-view.c, browse.c) and what acts on its messages (bulk.c). */
	struct ui_index *index;
	struct ui_browse *browse;
	struct ui_bulk *bulk;

	struct ui_pager *pager; /* NULL when no message is open */
	bool zoom;              /* pager takes the whole screen */
	GPtrArray *modes;       /* struct ui_mode *: the mail mode, then those over it, top last */

	struct ui_fetcher *fetcher; /* the background fetch (fetcher.c) */
	struct ui_sender *sender;   /* the background sender (sender.c) */
	struct reindex_watcher *watcher; /* other programs' changes to the Maildirs (reindex.h) */
	bool watcher_started;        /* after the first frame, once */
	uint64_t watch_stamp;        /* index_change_stamp last seen without the sidebar */
	struct ui_views *views;     /* the key map and mailcap of view.c, made on first use */
	struct ui_addresses *addresses; /* aliases, alternates (addresses.c), made on first use */

	struct ui_prompt prompt;
	char *message;          /* shown on the message line until the next key */
	bool message_error;

	/* Keys: the live key map and the keys of a sequence typed so far. */
	struct keymap *keymap;
	int32_t pending[KEYMAP_SEQ_MAX * 2]; /* Escapes count once joined */
	size_t n_pending;
	enum keymap_action pending_action;   /* what the pending keys do alone, or NONE */
	const struct keymap_macro *pending_macro; /* or the macro they type alone, or NULL */
	gint64 pending_deadline;             /* run pending_action then (monotonic) */
	/*
	 * Steps a macro or :push typed (struct keymap_step), read before the
	 * terminal from INPUT_HEAD on; MACRO_RUNS counts the macros run since
	 * the last key from the terminal, to stop one that runs itself.
	 */
	GArray *input;
	guint input_head;
	unsigned int macro_runs;
	unsigned int source_depth; /* :source inside :source */
	int32_t action_key;  /* the last key of the binding whose action runs now, or NONE */

	/* Options `:set` changes at run time, first from the config. */
	int index_lines;
	bool mouse;
	bool osc8_links;
	char *date_format;
	struct ui_formats *formats; /* index_format, status_format, pager_format (formats.c) */
	bool sidebar;
	int sidebar_width;
	char *theme_name;

	/* The sidebar (sidebar.c) and the folder questions (folders.c). */
	struct ui_sidebar *sb;
	struct ui_folders *folders;
	bool sidebar_focus; /* the sidebar has the keys (its context) */
	int pane_x;         /* first column of the index and pager: right of the sidebar */

	struct ui_colours *colours; /* the colour rules (colour.c), NULL when there are none */
};

/*
 * colour.c: the colour rules (`color`, `:color`) over the theme; the last
 * rule that matches wins.  ui_colour_init compiles the config's rules.
 */
bool ui_colour_init(struct ui *ui, GError **error);
void ui_colour_clear(struct ui *ui);
/* The index rule of each of ROWS (struct index_message *) into OUT (int, -1: none): one query. */
void ui_colour_rows(struct ui *ui, const GPtrArray *rows, GArray *out);
/* The attributes of a row whose rule (from ui_colour_rows) is RULE, over ELEMENT. */
int ui_colour_row_attr(struct ui *ui, int rule, enum theme_element element);
/* The header rule matching the header line TEXT (the last one), or -1. */
int ui_colour_header(struct ui *ui, const char *text);
/* The attributes of the header rule RULE (from ui_colour_header) over ELEMENT. */
int ui_colour_rule_attr(struct ui *ui, int rule, enum theme_element element);
/*
 * Paint the body rules' matches in the rendered line TEXT over ATTRS, the
 * attributes of its bytes FROM .. FROM+LEN (a screen line's slice), drawn
 * over ELEMENT.
 */
void ui_colour_body(struct ui *ui, const char *text, size_t from, size_t len,
    enum theme_element element, int *attrs);
/* `:color OBJECT [ATTR...] FG BG PATTERN`: add a rule; a bad one says why and changes nothing. */
void ui_colour_command(struct ui *ui, const char *args);
/* Tab after `color`: the objects for word N 1, the colours for words 2 and 3. */
void ui_colour_complete(guint n, const char *word, GPtrArray *out);

/* ui.c */
/* The message line; an error also drops what a macro or :push had left to type. */
void ui_set_message(struct ui *ui, bool error, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/*
 * Type STEPS (N struct keymap_step) before anything else: what a macro or
 * :push does.  WHAT names them in an error ("macro ,a").  False, with the
 * error on the message line and the input dropped, when they would run
 * more than UI_MACRO_RUNS macros from one key (a macro typing its own
 * keys) or make the input longer than UI_INPUT_MAX.
 */
bool ui_input_push(struct ui *ui, const struct keymap_step *steps, guint n, const char *what);
/* Another process or program changed the rows: read them again, the cursor staying on its message. */
void ui_reload_keep_cursor(struct ui *ui);

/*
 * Say on the message line that KEYS (a formatted sequence; NULL: the key just
 * typed) do nothing in CONTEXT, and which key opens the help.
 */
void ui_say_unbound(struct ui *ui, enum keymap_context context, const char *keys);
/* The key map context of what has the keyboard now (the prompt, the help...). */
enum keymap_context ui_context(const struct ui *ui);
/* Run ACTION as if its key was typed, in the current context. */
void ui_key_action(struct ui *ui, enum keymap_action action);
/* Where the mail mode's panes are now (mail.c), for the mouse. */
struct ui_layout {
	int index_y, index_h;  /* index pane (index_h 0: hidden) */
	int sep_y;             /* the rule between index and pager, or -1 */
	int pager_y, pager_h;  /* pager pane (pager_h 0: hidden) */
	int status_y;
	int message_y;
	int sidebar_w;         /* columns of the sidebar at the left; 0 until it exists */
};
void ui_layout_compute(const struct ui *ui, struct ui_layout *l);

/* term.c: the terminal, colours and signals. */
bool ui_term_start(const struct theme *theme, GError **error);
/* Colours and attributes for THEME again (`:set theme`). */
void ui_term_apply_theme(const struct theme *theme);
/* Report mouse events as UI_KEY_MOUSE, or stop (`mouse`). */
void ui_term_mouse(bool on);
void ui_term_stop(void);
int ui_term_attr(enum theme_element element);
/* The curses attributes of STYLE, a pair allocated for its colours on first use (colour rules). */
int ui_term_style_attr(const struct theme_style *style);
/*
 * TEXT made safe for the terminal (sanitize.h: no escape, no control, bidi
 * controls shown) and cut to COLS columns, padded with spaces with PAD; a
 * new string.  Every line of text the interface draws passes through here,
 * so a string from outside reaches the screen safe whichever caller forgot.
 */
char *ui_term_fit(const char *text, int cols, int pad);
int ui_term_signal_fd(void);
int ui_term_take_signal(void);

/* keys.c: the next key from the terminal, UI_KEY_RESIZE, UI_KEY_MOUSE or UI_KEY_NONE. */
int32_t ui_keys_read(void);

/*
 * actions.c: every action, dispatched by enum keymap_action in one place.
 * ui_action_unavailable() is the single place for actions whose feature is
 * not built yet: "ACTION-NAME: not available yet" on the message line.
 * ui_action_run gives ACTION to the top mode, as if its key was typed there.
 */
void ui_action_run(struct ui *ui, enum keymap_action action);
/* The mail mode's keys: ACTION from the table; a key bound to nothing (TYPED) is said so. */
void ui_action_mail(struct ui *ui, struct ui_mode *mode, enum keymap_action action,
    int32_t typed);
void ui_action_unavailable(struct ui *ui, enum keymap_action action);
void ui_action_open(struct ui *ui);
/*
 * The messages the running action applies to, appended to IDS (int64_t):
 * every tagged one after ; (ui_bulk_on_tagged), else the current one (none
 * on an empty view).  For actions whose prompt answers later, that stays
 * true until the next action runs.
 */
bool ui_action_ids(struct ui *ui, GArray *ids, GError **error);
/* Ask a y/n question; DONE gets "y" or "n". */
void ui_confirm(struct ui *ui, const char *question, ui_prompt_done_fn done);

/* prompt.c: the line editor. */
void ui_prompt_init(struct ui *ui);
void ui_prompt_clear(struct ui *ui);
/* Open a prompt of KIND asking QUESTION; COMPLETE may be NULL. */
void ui_prompt_open(struct ui *ui, enum ui_prompt_kind kind, const char *question,
    const char *initial, ui_prompt_complete_fn complete, ui_prompt_done_fn done);
/* An action of the prompt context. */
void ui_prompt_action(struct ui *ui, enum keymap_action action);
/* A key bound to nothing in the prompt: typed into the line if printable. */
void ui_prompt_insert(struct ui *ui, int32_t key);
/* Draw the prompt on line Y; places the terminal cursor. */
void ui_prompt_draw(struct ui *ui, int y, int width);
/* Complete WORD (the text from START to CURSOR) against NAMES (NULL-terminated). */
void ui_prompt_candidates(const char *word, const char *const *names, GPtrArray *out);

/* cmdline.c: the : command line. */
void ui_cmdline_open(struct ui *ui);
/* Run one command line (an action, set, bind, help, quit); errors go to the message line. */
void ui_cmdline_run(struct ui *ui, const char *line);
/* Run LINE as typed at : (FROM: the file it comes from for :source, or NULL). */
void ui_cmdline_exec(struct ui *ui, const char *line, const char *from);

/* mouse.c: one mouse event (after UI_KEY_MOUSE), to the top mode. */
void ui_mouse_event(struct ui *ui);
/* The mail mode's: a click or the wheel over the sidebar, the index or the pager. */
void ui_mouse_mail(struct ui *ui, struct ui_mode *mode, const struct ui_mouse *event);

/*
 * index-view.c: the message list.  Its state (index-view.h) is opaque to
 * all of ui/ but browse.c; the rest reads and moves it through these.
 */
void ui_index_init(struct ui *ui);
void ui_index_clear(struct ui *ui);
void ui_index_reload(struct ui *ui);
void ui_index_move(struct ui *ui, int64_t position);
const struct index_message *ui_index_current(struct ui *ui);
void ui_index_draw(struct ui *ui, int y, int height, int width);
/* The Maildir of the mailbox (ACCOUNT, FOLDER): folder "" or NULL is the inbox.  New string. */
char *ui_index_maildir(const struct ui *ui, const char *account, const char *folder);
int64_t ui_index_total(const struct ui *ui);  /* rows of the view (a collapsed thread is one) */
int64_t ui_index_unread(const struct ui *ui); /* unread messages of the view */
int64_t ui_index_cursor(const struct ui *ui); /* position of the selected row */
int64_t ui_index_top(const struct ui *ui);    /* position of the first row on screen */
int ui_index_height(const struct ui *ui);     /* rows the pane shows */
/* The pane is HEIGHT rows now; when that changed, the cursor is centred again. */
void ui_index_resize(struct ui *ui, int height);
/* The wheel: the rows move LINES (up when negative) under a cursor that stays on screen. */
void ui_index_scroll(struct ui *ui, int64_t lines);
/* Show mailbox ACCOUNT/FOLDER (borrowed; index_filter's meaning) from its first row. */
void ui_index_set_mailbox(struct ui *ui, const char *account, const char *folder);
/* The view's filter (mailbox, query, threads), for a query over the same messages. */
const struct index_filter *ui_index_filter(const struct ui *ui);
/* Put the cursor on the view's first unread message, else its last. */
void ui_index_initial_cursor(struct ui *ui);
/* The position of the first unread row after the cursor (wrapping around), or -1. */
int64_t ui_index_find_unread(struct ui *ui);
/* The position of row ID in the view, or -1 (index_query_position). */
int64_t ui_index_position(struct ui *ui, int64_t id, GError **error);
/* FN on each row of the view, in its order (index_query_foreach). */
bool ui_index_foreach(struct ui *ui, index_row_fn fn, void *data, GError **error);
/* The ids of the rows FILTER shows, in the view's order, appended to IDS (index_query_ids). */
bool ui_index_ids(struct ui *ui, const struct index_filter *filter, GArray *ids, GError **error);

/* pager.c */
struct ui_pager *ui_pager_open(struct ui *ui, const struct index_message *msg, GError **error);
void ui_pager_free(struct ui_pager *pager);
void ui_pager_draw(struct ui *ui, int y, int height, int width);
void ui_pager_scroll(struct ui *ui, int lines);
bool ui_pager_search(struct ui *ui, bool from_next);
void ui_pager_rerender(struct ui *ui);
/* skip-quoted (S): the first line after the next quoted block to the top. */
void ui_pager_skip_quoted(struct ui *ui);
/* toggle-quoted (T): hide each quoted block behind one line saying how long it is, or show. */
void ui_pager_toggle_quoted(struct ui *ui);
int ui_pager_height(const struct ui *ui);
int ui_pager_percent(const struct ui *ui);

/* browse.c: order, limit, search and threads of the index view. */
void ui_browse_init(struct ui *ui);
void ui_browse_clear(struct ui *ui);
/* "date", "reverse-thread"...: a new string. */
char *ui_browse_sort_name(const struct ui *ui);
/* True when some thread is shown collapsed (the view has fewer rows than messages). */
bool ui_browse_collapsing(const struct ui *ui);
/* The row id under the cursor, or 0. */
int64_t ui_browse_current_id(struct ui *ui);
/*
 * Read the view again with the cursor on row ID (or the row of its collapsed
 * thread), OFFSET rows below the top; where ID is no longer shown, the
 * cursor keeps its place.
 */
void ui_browse_keep(struct ui *ui, int64_t id, int64_t offset);
void ui_browse_set_sort(struct ui *ui, enum config_sort sort, bool reverse);
void ui_browse_sort_prompt(struct ui *ui, bool reverse);
void ui_browse_search_prompt(struct ui *ui, bool backward);
void ui_browse_search_next(struct ui *ui, bool opposite);
void ui_browse_limit_prompt(struct ui *ui);
/*
 * True when TEXT, a whole answer to l, T or C-t, is the word all (any case)
 * or ~A: every message, as in mutt.  Elsewhere all is a word like any other.
 */
bool ui_browse_means_all(const char *text);
/* The limit's query text (borrowed), or NULL when every message shows. */
const char *ui_browse_limit_text(const struct ui *ui);
/* The query the view shows (saved search and limit together), or NULL. */
const char *ui_browse_view_text(const struct ui *ui);
/* The sidebar opened a mailbox: SAVED (borrowed) is its saved search or NULL; the limit goes. */
void ui_browse_mailbox_opened(struct ui *ui, const struct search_query *saved);
void ui_browse_collapse(struct ui *ui);
void ui_browse_collapse_all(struct ui *ui);
/* Next (DIRECTION 1) or previous (-1) thread. */
void ui_browse_thread_step(struct ui *ui, int direction);
void ui_browse_parent(struct ui *ui);

/* bulk.c: tags, flags, expunge and undo through change.h. */
void ui_bulk_init(struct ui *ui);
void ui_bulk_clear(struct ui *ui);
/* Flag, toggle-new, delete or undelete the action's messages (ui_action_ids); undoable. */
bool ui_bulk_flags(struct ui *ui, enum keymap_action action);
/* Mark row ID read when it is opened (not undoable). */
bool ui_bulk_mark_read(struct ui *ui, int64_t id, GError **error);
void ui_bulk_tag(struct ui *ui);
void ui_bulk_tag_prompt(struct ui *ui, bool tag);
void ui_bulk_prefix(struct ui *ui);
void ui_bulk_undo(struct ui *ui);
/* An action starts: it is on the tagged messages when ; was typed before it (then ; is spent). */
void ui_bulk_action_starts(struct ui *ui);
/* The running action (and its prompt) is on the tagged messages. */
bool ui_bulk_on_tagged(const struct ui *ui);
/* ; was typed: the next action is on the tagged messages. */
bool ui_bulk_prefixed(const struct ui *ui);
/*
 * The tagged messages ; acts on: the view's (its mailbox and query), or with
 * tags_across_views every view's; -1 when they cannot be counted.  Counted
 * again only when the index or the view changed.
 */
int64_t ui_bulk_tagged_count(struct ui *ui);
/*
 * TEXT parsed as a query and ANDed with the limit, so it covers what the
 * view shows; NULL with the error (and its column) on the message line.
 */
struct search_query *ui_bulk_query(struct ui *ui, const char *text);

/*
 * formats.c: the line formats (format.h), compiled from the config and
 * again at `:set NAME VALUE`.  NAME is "index_format", "status_format" or
 * "pager_format" (for which "" means: status_format).
 */
void ui_formats_init(struct ui *ui);
void ui_formats_clear(struct ui *ui);
/* Compile VALUE for NAME and use it from the next frame; false (and the old one kept) with ERROR. */
bool ui_formats_set(struct ui *ui, const char *name, const char *value, GError **error);
/* The text NAME is set to (never NULL). */
const char *ui_formats_text(const struct ui *ui, const char *name);
/* The compiled index_format; status_format; pager_format (NULL when ""). */
const struct format *ui_formats_index(const struct ui *ui);
const struct format *ui_formats_status(const struct ui *ui);
const struct format *ui_formats_pager(const struct ui *ui);
/*
 * Draw LINE (made safe, at most WIDTH columns) at Y, X in the curses
 * attributes ATTR, padded to WIDTH, with the spans MARKS (struct
 * format_mark) in MARKED (the thread tree, the limit).
 */
void ui_formats_draw(const char *line, const GArray *marks, int y, int x, int width, int attr,
    int marked);

/* index-view.c: the value of an index_format CODE for row M at POSITION (format_field_fn). */
struct ui_index_row {
	struct ui *ui;
	const struct index_message *m;
	int64_t position; /* in the view, 0 first */
	int64_t now;      /* for relative dates: once per frame */
	bool pager;       /* pager_format: %s is the subject alone, without the tree */
};
void ui_index_field(void *data, char code, const char *arg, int cols, struct format_field *out);

/* status.c */
void ui_status_draw(struct ui *ui, int y, int width);
/* The candidates of the prompt's last Tab on line Y, if there are any: true when drawn. */
bool ui_status_hint(struct ui *ui, int y, int width);
void ui_message_draw(struct ui *ui, int y, int width);

/* mode.c: the stack of modes (struct ui_mode above). */
struct ui_mode *ui_mode_push(struct ui *ui, const struct ui_mode_class *cls, void *data);
/* Pop the top mode and free it; what is below is drawn again.  The mail mode stays. */
void ui_mode_pop(struct ui *ui);
/* The top mode: the mail mode when nothing is over it (NULL only before ui_mail_push). */
struct ui_mode *ui_mode_top(const struct ui *ui);
/* The top mode when one covers the mail mode, else NULL. */
struct ui_mode *ui_mode_cover(const struct ui *ui);
/* The context the keys are looked up in under MODE. */
enum keymap_context ui_mode_context(const struct ui *ui, const struct ui_mode *mode);
/* The wheel moves a mode a line a turn, as its next-line and previous-line keys (text, list). */
void ui_mode_mouse_lines(struct ui *ui, struct ui_mode *mode, const struct ui_mouse *event);
void ui_modes_clear(struct ui *ui);

/*
 * mail.c: the mail mode at the bottom of the stack: the sidebar, the index
 * and the pager laid out side by side (ui_layout_compute), the status line.
 * Its keys run the action table (actions.c), its mouse mouse.c's handler.
 */
void ui_mail_push(struct ui *ui);

/*
 * text.c: the text pager mode, for every screen of text: the help, the
 * fetch log, a command's output, a text part.  Lines are sanitized here.
 */
typedef GPtrArray *(*ui_text_lines_fn)(struct ui *ui, void *data);
struct ui_text_options {
	const char *title;  /* its own status line "-- surat: TITLE -- N% -- q:back"; */
	const char *tag;    /* or, with TITLE NULL, the index's with "-- TAG" in it */
	enum keymap_context context;
	bool wrap;          /* long lines wrap (command output), else are cut (the help) */
	bool at_end;        /* open at the last page (the log) */
	enum theme_element element; /* the colours of the text */
	/* Lines made again at each draw (g_free'd strings), so a live log stays live. */
	ui_text_lines_fn lines_fn;
	void *lines_data;
};
/* Push the pager over what is shown, with LINES (taken; NULL: OPTIONS->lines_fn's). */
void ui_text_push(struct ui *ui, const struct ui_text_options *options, GPtrArray *lines);
/* LEN bytes of TEXT as sanitized lines (tabs expanded, CR LF read as LF). */
GPtrArray *ui_text_lines(const char *text, size_t len);
/* Push the pager over what is shown with LEN bytes of TEXT, wrapped, titled TITLE. */
void ui_text_show(struct ui *ui, const char *title, const char *text, size_t len);

/*
 * list.c: the list mode, entries 1..COUNT (the attachment and link lists).
 * The mode moves, selects by number, closes and opens the help; the class
 * gives each entry's text, the status line and the list's own actions.
 */
struct ui_list_class {
	enum keymap_context context;
	const char *header;                   /* the column heads, line 0 */
	enum theme_element element, selected; /* an entry's colours, the selected one's */
	char *(*row)(struct ui *ui, void *data, int number);          /* g_free'd */
	char *(*status)(struct ui *ui, void *data, int cursor, int count); /* g_free'd */
	void (*action)(struct ui *ui, void *data, enum keymap_action action, int cursor);
	void (*chosen)(struct ui *ui, void *data, int number); /* a number typed; may be NULL */
	void (*free)(void *data);
};
void ui_list_push(struct ui *ui, const struct ui_list_class *cls, void *data, int count);
/* DATA of the top mode when it is a list of CLS (a question's answer finds its list), else NULL. */
void *ui_list_top(struct ui *ui, const struct ui_list_class *cls);

/* help.c: the help (the live bindings, FIRST's first) and the fetch log, as text modes. */
void ui_help_push(struct ui *ui, enum keymap_context first);
void ui_help_push_log(struct ui *ui);

/*
 * sidebar.c: the mailboxes (unified inbox, accounts, their local folders,
 * saved searches) with new/total counts; opening one sets the index view's
 * mailbox (ui_index_set_mailbox).
 * ui_sidebar_init picks the first view (one account: its inbox; else every
 * inbox).  Counts are read again only when the index changed.
 */
void ui_sidebar_init(struct ui *ui);
void ui_sidebar_clear(struct ui *ui);
void ui_sidebar_refresh(struct ui *ui);
void ui_sidebar_draw(struct ui *ui, int y, int height, int width);
/* sidebar-toggle/next/previous/open/focus, next/previous-account, and q in the sidebar. */
void ui_sidebar_action(struct ui *ui, enum keymap_action action);
/* A click on sidebar row Y (mouse.c's hook): highlight and open that entry. */
void ui_sidebar_click(struct ui *ui, int y);
/*
 * The loop wakes every ui_sidebar_watch_ms and ui_sidebar_watch redraws
 * when another process (surat fetch, reindex) changed the index, so the
 * index and the sidebar's counts follow.
 */
int ui_sidebar_watch_ms(const struct ui *ui);
void ui_sidebar_watch(struct ui *ui);
/* Columns the sidebar takes on a screen COLS wide (0: not shown). */
int ui_sidebar_width(const struct ui *ui, int cols);
/* What the index shows, for the status line ("demo/Archive").  New string. */
char *ui_sidebar_scope(const struct ui *ui);
/* The accounts listed, and one account's local folders, appended as g_free'd strings. */
void ui_sidebar_accounts(struct ui *ui, GPtrArray *names);
void ui_sidebar_folders(struct ui *ui, const char *account, GPtrArray *names);
/*
 * Open a mailbox as the sidebar does: saved search SEARCH when >= 0, else
 * every inbox when ACCOUNT is NULL, else (ACCOUNT, FOLDER), "" its inbox.
 * False when the sidebar has no such entry.
 */
bool ui_sidebar_open_mailbox(struct ui *ui, const char *account, const char *folder, int search);
/* The account of the mailbox shown (its inbox or a folder), or NULL (all inboxes, a search). */
const char *ui_sidebar_open_account(const struct ui *ui);

/*
 * mailbox.c: change-folder (c), a mailbox by name with Tab: an account, a
 * folder (=Folder or +Folder: the current account's, as mutt's shorthand),
 * account/folder, a saved search, or the path of a Maildir outside the
 * store, which is indexed and shown read-only as a folder of the
 * pseudo-account UI_READONLY_ACCOUNT (<store>/.ro/.NAME a symbolic link to
 * it).  Its name starts with a dot, so reindex and the store watch never
 * take it for an account; its rows and links go when surat quits.
 */
#define UI_READONLY_ACCOUNT ".ro"
void ui_mailbox_prompt(struct ui *ui);
/* What a session that crashed left of its read-only Maildirs goes (at start). */
void ui_mailbox_init(struct ui *ui);
/* The read-only Maildirs' rows and links go (at quit). */
void ui_mailbox_clear(struct ui *ui);
/* True when ACCOUNT is the read-only pseudo-account. */
bool ui_mailbox_readonly(const char *account);
/* True when a Maildir is open read-only (the pseudo-account has its folder). */
bool ui_mailbox_readonly_any(struct ui *ui);
/* True when a row of IDS (int64_t) is in a read-only Maildir. */
bool ui_mailbox_rows_readonly(struct ui *ui, const GArray *ids);
/* True when row ID is in a read-only Maildir (a reply to it marks nothing). */
bool ui_mailbox_row_readonly(struct ui *ui, int64_t id);
/*
 * The account =Folder means: the one shown, else the current message's,
 * else the config's first; never the read-only one.  NULL without accounts.
 */
const char *ui_mailbox_account(struct ui *ui);
/* Before ACTION changes files: true (said on the message line) when a row is read-only. */
bool ui_mailbox_refuse(struct ui *ui, enum keymap_action action);
/*
 * A folder typed with mutt's shorthand: "=Archive" and "+Archive" are
 * "Archive" (a folder of the current account); other text is itself.
 * Borrowed: a pointer into TEXT.
 */
const char *ui_mailbox_shorthand(const char *text);

/*
 * folders.c: save (s) and move (M) move, copy (C) copies, to a folder asked
 * for with completion (created after asking); expunge with the trash.
 * ui_folders_prompt takes IDS (int64_t row ids, e.g. the tagged ones; NULL:
 * the current message) and owns them.
 */
void ui_folders_init(struct ui *ui);
void ui_folders_clear(struct ui *ui);
void ui_folders_prompt(struct ui *ui, enum keymap_action what, GArray *ids);
/* Ask, then expunge the view's messages marked deleted (to the trash, or for good). */
void ui_folders_expunge(struct ui *ui);
/*
 * q (and :quit): with messages marked deleted in any mailbox, purge them as
 * $ does, asking first as `delete` says (mutt's $delete); then quit.
 */
void ui_folders_quit(struct ui *ui);

/* fetcher.c: the background fetcher (the policy of one fetch is src/fetch.c). */
void ui_fetcher_init(struct ui *ui);
void ui_fetcher_stop(struct ui *ui);
int ui_fetcher_fd(struct ui *ui);
int ui_fetcher_timeout_ms(struct ui *ui);
void ui_fetcher_readable(struct ui *ui);
void ui_fetcher_tick(struct ui *ui);
void ui_fetcher_now(struct ui *ui);
void ui_fetcher_rest(struct ui *ui, const char *account);
bool ui_fetcher_status(struct ui *ui, GString *out);
bool ui_fetcher_errors(struct ui *ui, GString *out);
GPtrArray *ui_fetcher_log(struct ui *ui);
/* A line in the log the fetch log view shows (E), with the time. */
void ui_fetcher_note(struct ui *ui, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/*
 * Start `surat -c CONFIG ARGS...` in a session of its own with its output
 * appended to LOG_PATH and a pipe as its descriptor 3: *FD (non-blocking)
 * the reading end, *PID the child, for command_wait or command_stop.
 */
bool ui_child_start(struct ui *ui, const char *const *args, const char *log_path, GPid *pid,
    int *fd, GError **error);

/*
 * sender.c: the background sender, as the fetcher: `surat send --queue
 * --due --events-fd 3 ACCOUNT` for an account with something to send, its
 * events on the status line ("sending", "sent", why a message waits), a
 * timer for the next try of a waiting message.
 */
void ui_sender_init(struct ui *ui);
void ui_sender_stop(struct ui *ui);
int ui_sender_fd(struct ui *ui);
int ui_sender_timeout_ms(struct ui *ui);
void ui_sender_readable(struct ui *ui);
void ui_sender_tick(struct ui *ui);
/* ACCOUNT's Outbox has a new message: send it after the next draw (or after the running run). */
void ui_sender_now(struct ui *ui, const char *account);
/* "sending", "sent", or why a message waits; false when there is nothing to say. */
bool ui_sender_status(struct ui *ui, GString *out);

/* view.c: what the attachment and link modes and the pipe commands share. */
void ui_views_free(struct ui *ui);
/* The key map (defaults plus the user's bind), owned by UI. */
struct keymap *ui_views_keymap(struct ui *ui);
/* The mailcap entries of mailcap_path, read on first use, owned by UI. */
const struct mailcap *ui_views_mailcap(struct ui *ui);
/* The render options the pager uses: the configuration's, and the mailcap for auto_view. */
void ui_view_render_options(struct ui *ui, struct render_options *options);
/* Draw a status line at Y. */
void ui_view_status(int y, const char *text);
/*
 * Leave curses, run ARGV (PATH searched) with the terminal, INPUT (may be
 * NULL: the terminal) on its standard input, wait for it, optionally "Press
 * any key", and come back with everything to be drawn again.  *STATUS is its
 * exit status (128 + N for signal N).  False only when it cannot start.
 */
bool ui_view_run_terminal(struct ui *ui, char **argv, const void *input, size_t len,
    bool wait_key, int *status, GError **error);
/* ui_view_run_terminal of { /bin/sh, -c, COMMAND } (typed by the user); WAIT_KEY: a key after. */
bool ui_view_run_shell_wait(struct ui *ui, const char *command, const void *input, size_t len,
    bool wait_key, int *status, GError **error);
/* ui_view_run_terminal of { /bin/sh, -c, COMMAND } (typed by the user), waiting for a key. */
bool ui_view_run_shell(struct ui *ui, const char *command, const void *input, size_t len,
    int *status, GError **error);
/* The file of the open message, else of the one under the cursor (g_free). */
char *ui_view_message_path(struct ui *ui, int64_t *id, GError **error);
/* The file of row ID (followed where another program renamed it), *ACCOUNT its account. */
char *ui_view_row_path(struct ui *ui, int64_t id, char **account, GError **error);
/* Put TEXT on the terminal's clipboard with OSC 52. */
bool ui_view_osc52(const char *text);
/*
 * Tab over paths (a ui_prompt_complete_fn; the whole line is the path): the
 * names in the folder of the path typed, ~/ for the home folder, folders
 * with a / after them.  For UI_PROMPT_FILE prompts (no space after a name).
 */
size_t ui_view_complete_path(struct ui *ui, const char *line, size_t cursor, GPtrArray *out);
/* PATH typed by the person with ~/ (or ~ alone) read as the home folder (g_free). */
char *ui_view_expand_path(const char *path);

/* attachments.c: the attachment list (v), a mode. */
void ui_attachments_push(struct ui *ui);

/* links.c: the link list (C-b), a mode, and OSC 8 over the pager rows Y..Y+HEIGHT-1 after refresh(). */
void ui_links_push(struct ui *ui);
void ui_links_osc8(struct ui *ui, int y, int height);

/*
 * composer.c: writing mail.  m, r, g, L, f, e and R make a draft
 * (compose.h), run the editor on it and push the compose screen, a mode;
 * y queues the message in the Outbox and starts the sender, P keeps it in
 * Drafts; b bounces without a screen.
 */
void ui_compose_action(struct ui *ui, enum keymap_action action);

struct compose_draft;

/*
 * The draft of the mailto: URL (compose_from_mailto) from the account
 * ACCOUNT_NAME if it can send, else the first that can (*ACCOUNT); NULL
 * with ERROR when none can or the URL is wrong.  Makes no folder and
 * draws nothing: ui_run calls it before the terminal is taken.
 */
struct compose_draft *ui_compose_mailto(struct ui *ui, const char *url,
    const char *account_name, const struct account_config **account, GError **error);
/* Write D (taken) from ACCOUNT as m does: the editor, then the compose screen. */
void ui_compose_open(struct ui *ui, struct compose_draft *d,
    const struct account_config *account);

/* pipe.c: pipe the message to a command (|). */
void ui_pipe_message(struct ui *ui);

/*
 * addresses.c: Tab over aliases, the index's address book and
 * query_command (a ui_prompt_complete_fn); the alias lookup compose.h
 * expands with (DATA is the ui); `a`; the alternates as one regex.
 */
size_t ui_addresses_complete(struct ui *ui, const char *line, size_t cursor, GPtrArray *out);
const char *ui_addresses_alias(const char *word, void *data);
void ui_addresses_create_alias(struct ui *ui);
const GRegex *ui_addresses_alternates(struct ui *ui);
/* The accounts' from addresses, NULL-terminated: the person's own besides alternates. */
const char *const *ui_addresses_own(struct ui *ui);
void ui_addresses_free(struct ui *ui);

#endif
