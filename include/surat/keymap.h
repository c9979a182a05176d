/*
 * keymap: what keys can do, key names, and the bindings of keys to actions
 * in each context of the interface.
 *
 * Every action has a name (mutt-style, "next-entry"), one line of help and
 * the contexts it applies to.  A key is an int32_t in the encoding below, a
 * key sequence ("g g") a struct keymap_seq.  A struct keymap holds the
 * default bindings plus the user's, answers "what does this sequence do
 * here" (complete, a prefix of a longer binding, or nothing) and writes the
 * help screen from the live bindings.  doc/internals/keymap.md tells the
 * interface how to feed it keys.
 *
 * What it never does: call curses (the interface maps curses key codes onto
 * this encoding), print, or read files (config.c reads `bind`).
 */
#ifndef SURAT_KEYMAP_H
#define SURAT_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

/*
 * Keys.  A key is an int32_t:
 *
 *   bits 0..20   the base key: a Unicode code point (a printable character,
 *                never a control character), or KEYMAP_KEY_SPECIAL + n for
 *                the named keys below (Enter, Up, F1...);
 *   bit 24       KEYMAP_MOD_CTRL: the base is an ASCII letter in lower case
 *                ('a' for C-a and C-A alike) or one of @ \ ] ^ _;
 *   bit 25       KEYMAP_MOD_META: Alt, or Escape typed before the key.
 *
 * Terminals cannot tell some control characters from named keys, so they are
 * one key here: C-i is Tab, C-m and C-j are Enter, C-h and C-? are
 * Backspace, C-[ is Escape.  Shift shows in the character ('J'), and
 * Shift-Tab is KEYMAP_KEY_BACKTAB.  0 (KEYMAP_KEY_NONE) is no key.
 *
 * The interface turns what curses reads into keys: a character through
 * keymap_key_from_char(), a KEY_* code onto the KEYMAP_KEY_* below.  It
 * passes Escape on as KEYMAP_KEY_ESCAPE: keymap_lookup() itself reads
 * Escape followed by a key as that key with KEYMAP_MOD_META.
 */
#define KEYMAP_KEY_NONE     0
#define KEYMAP_KEY_BASE     0x001fffff /* mask of the base key */
#define KEYMAP_KEY_SPECIAL  0x00110000 /* first named key, just past Unicode */
#define KEYMAP_MOD_CTRL     0x01000000
#define KEYMAP_MOD_META     0x02000000
#define KEYMAP_KEY_F(n)     (KEYMAP_KEY_F1 + (n) - 1) /* F1..F24 */
#define KEYMAP_KEY_NAME_MAX 32 /* bytes of the longest key name, NUL included */

enum keymap_special_key {
	KEYMAP_KEY_ENTER = KEYMAP_KEY_SPECIAL, /* Return, Enter, keypad Enter, C-m, C-j */
	KEYMAP_KEY_TAB,                        /* also C-i */
	KEYMAP_KEY_BACKTAB,                    /* Shift-Tab */
	KEYMAP_KEY_BACKSPACE,                  /* DEL (0x7f), C-h, curses KEY_BACKSPACE */
	KEYMAP_KEY_ESCAPE,                     /* also C-[ */
	KEYMAP_KEY_UP,
	KEYMAP_KEY_DOWN,
	KEYMAP_KEY_LEFT,
	KEYMAP_KEY_RIGHT,
	KEYMAP_KEY_PAGE_UP,
	KEYMAP_KEY_PAGE_DOWN,
	KEYMAP_KEY_HOME,
	KEYMAP_KEY_END,
	KEYMAP_KEY_INSERT,
	KEYMAP_KEY_DELETE,
	KEYMAP_KEY_F1 = KEYMAP_KEY_SPECIAL + 0x100, /* ..F24 = KEYMAP_KEY_F(24) */
};

#define KEYMAP_SEQ_MAX 8 /* keys in one binding */

/* A key sequence such as "g g": LEN keys.  Plain storage, copied freely. */
struct keymap_seq {
	int32_t keys[KEYMAP_SEQ_MAX];
	unsigned int len;
};

/* Contexts: where a binding applies.  The names are those of the config. */
enum keymap_context {
	KEYMAP_CONTEXT_INDEX,       /* "index": the message list */
	KEYMAP_CONTEXT_PAGER,       /* "pager": a message */
	KEYMAP_CONTEXT_ATTACHMENTS, /* "attachments": the attachment list */
	KEYMAP_CONTEXT_LINKS,       /* "links": the link list */
	KEYMAP_CONTEXT_SIDEBAR,     /* "sidebar": the sidebar when it has the focus */
	KEYMAP_CONTEXT_PROMPT,      /* "prompt": any line being typed (:, /, l, T, s...) */
	KEYMAP_CONTEXT_HELP,        /* "help": the help and log screens */
	KEYMAP_CONTEXT_COMPOSE,     /* "compose": the message being written, before it goes */
	KEYMAP_CONTEXT_COUNT
};

#define KEYMAP_IN(context) (1u << (context)) /* a context as a bit of a mask */

/*
 * Actions.  Names, help and contexts are in keymap.c's table; the order
 * here is the order of the help screen.  KEYMAP_ACTION_NONE is "noop":
 * binding a key to it unbinds the key.
 */
enum keymap_action {
	KEYMAP_ACTION_NONE, /* noop */
	/* everywhere but the prompt */
	KEYMAP_ACTION_QUIT,
	KEYMAP_ACTION_HELP,
	KEYMAP_ACTION_REDRAW,
	KEYMAP_ACTION_ENTER_COMMAND,
	/* moving */
	KEYMAP_ACTION_NEXT_ENTRY,
	KEYMAP_ACTION_PREVIOUS_ENTRY,
	KEYMAP_ACTION_NEXT_PAGE,
	KEYMAP_ACTION_PREVIOUS_PAGE,
	KEYMAP_ACTION_HALF_DOWN,
	KEYMAP_ACTION_HALF_UP,
	KEYMAP_ACTION_FIRST_ENTRY,
	KEYMAP_ACTION_LAST_ENTRY,
	KEYMAP_ACTION_NEXT_LINE,
	KEYMAP_ACTION_PREVIOUS_LINE,
	KEYMAP_ACTION_TOP,
	KEYMAP_ACTION_BOTTOM,
	KEYMAP_ACTION_NEXT_UNREAD,
	KEYMAP_ACTION_NEXT_THREAD,
	KEYMAP_ACTION_PREVIOUS_THREAD,
	KEYMAP_ACTION_PARENT_MESSAGE,
	KEYMAP_ACTION_JUMP,
	/* messages */
	KEYMAP_ACTION_DISPLAY_MESSAGE,
	KEYMAP_ACTION_TOGGLE_NEW,
	KEYMAP_ACTION_FLAG_MESSAGE,
	KEYMAP_ACTION_DELETE_MESSAGE,
	KEYMAP_ACTION_UNDELETE_MESSAGE,
	KEYMAP_ACTION_EXPUNGE,
	KEYMAP_ACTION_SAVE_MESSAGE,
	KEYMAP_ACTION_COPY_MESSAGE,
	KEYMAP_ACTION_MOVE_MESSAGE,
	KEYMAP_ACTION_PIPE_MESSAGE,
	KEYMAP_ACTION_SHELL_ESCAPE,
	KEYMAP_ACTION_UNDO,
	KEYMAP_ACTION_DISPLAY_TOGGLE_WEED,
	KEYMAP_ACTION_SKIP_QUOTED,
	KEYMAP_ACTION_TOGGLE_QUOTED,
	KEYMAP_ACTION_TOGGLE_ZOOM,
	KEYMAP_ACTION_FETCH_MAIL,
	KEYMAP_ACTION_FETCH_REST,
	KEYMAP_ACTION_SHOW_LOG,
	/* writing */
	KEYMAP_ACTION_MAIL,
	KEYMAP_ACTION_REPLY,
	KEYMAP_ACTION_GROUP_REPLY,
	KEYMAP_ACTION_LIST_REPLY,
	KEYMAP_ACTION_FORWARD_MESSAGE,
	KEYMAP_ACTION_BOUNCE_MESSAGE,
	KEYMAP_ACTION_EDIT_AS_NEW,
	KEYMAP_ACTION_RECALL_MESSAGE,
	KEYMAP_ACTION_CREATE_ALIAS,
	/* search, limit, sort, threads */
	KEYMAP_ACTION_SEARCH,
	KEYMAP_ACTION_SEARCH_REVERSE,
	KEYMAP_ACTION_SEARCH_NEXT,
	KEYMAP_ACTION_SEARCH_OPPOSITE,
	KEYMAP_ACTION_LIMIT,
	KEYMAP_ACTION_SORT,
	KEYMAP_ACTION_SORT_REVERSE,
	KEYMAP_ACTION_COLLAPSE_THREAD,
	KEYMAP_ACTION_COLLAPSE_ALL,
	/* tags */
	KEYMAP_ACTION_TAG_ENTRY,
	KEYMAP_ACTION_TAG_PATTERN,
	KEYMAP_ACTION_UNTAG_PATTERN,
	KEYMAP_ACTION_TAG_PREFIX,
	/* sidebar and accounts */
	KEYMAP_ACTION_CHANGE_FOLDER,
	KEYMAP_ACTION_SIDEBAR_TOGGLE,
	KEYMAP_ACTION_SIDEBAR_NEXT,
	KEYMAP_ACTION_SIDEBAR_PREVIOUS,
	KEYMAP_ACTION_SIDEBAR_OPEN,
	KEYMAP_ACTION_SIDEBAR_FOCUS,
	KEYMAP_ACTION_NEXT_ACCOUNT,
	KEYMAP_ACTION_PREVIOUS_ACCOUNT,
	/* attachments and links */
	KEYMAP_ACTION_VIEW_ATTACHMENTS,
	KEYMAP_ACTION_OPEN_ATTACHMENT,
	KEYMAP_ACTION_SAVE_ATTACHMENT,
	KEYMAP_ACTION_PIPE_ATTACHMENT,
	KEYMAP_ACTION_VIEW_LINKS,
	KEYMAP_ACTION_OPEN_LINK,
	KEYMAP_ACTION_COPY_LINK,
	/* the compose screen */
	KEYMAP_ACTION_SEND_MESSAGE,
	KEYMAP_ACTION_EDIT_MESSAGE,
	KEYMAP_ACTION_EDIT_TO,
	KEYMAP_ACTION_EDIT_CC,
	KEYMAP_ACTION_EDIT_BCC,
	KEYMAP_ACTION_EDIT_SUBJECT,
	KEYMAP_ACTION_EDIT_FROM,
	KEYMAP_ACTION_ATTACH_FILE,
	KEYMAP_ACTION_DETACH_FILE,
	KEYMAP_ACTION_TOGGLE_DISPOSITION,
	KEYMAP_ACTION_POSTPONE_MESSAGE,
	/* the prompt */
	KEYMAP_ACTION_ACCEPT,
	KEYMAP_ACTION_CANCEL,
	KEYMAP_ACTION_COMPLETE,
	KEYMAP_ACTION_HISTORY_UP,
	KEYMAP_ACTION_HISTORY_DOWN,
	KEYMAP_ACTION_BACKSPACE,
	KEYMAP_ACTION_DELETE_CHAR,
	KEYMAP_ACTION_BACKWARD_CHAR,
	KEYMAP_ACTION_FORWARD_CHAR,
	KEYMAP_ACTION_BOL,
	KEYMAP_ACTION_EOL,
	KEYMAP_ACTION_KILL_LINE,
	KEYMAP_ACTION_KILL_EOL,
	KEYMAP_ACTION_KILL_WORD,
	KEYMAP_ACTION_COUNT
};

/* What keymap_lookup() found. */
enum keymap_match {
	KEYMAP_MATCH_NONE,   /* nothing is bound to these keys or begins with them */
	KEYMAP_MATCH_PREFIX, /* a longer binding begins with them: wait for a key */
	KEYMAP_MATCH_FULL,   /* bound, and nothing longer begins with them */
};

/* Errors, in the SURAT_KEYMAP_ERROR domain. */
#define SURAT_KEYMAP_ERROR keymap_error_quark()
GQuark keymap_error_quark(void);

enum keymap_error {
	SURAT_KEYMAP_ERROR_KEY,     /* an unknown key name, or a sequence too long */
	SURAT_KEYMAP_ERROR_ACTION,  /* an unknown action */
	SURAT_KEYMAP_ERROR_CONTEXT, /* an unknown context, or an action that does not apply */
};

/* The key map: the defaults plus the user's bindings.  Opaque. */
struct keymap;

/* ---- key names ---------------------------------------------------------- */

/*
 * Parse one key name: a single character ("j", "J", "<", "é"), "C-x" or
 * "^X", "M-x", or a name (case does not matter): Enter (Return), Tab,
 * BackTab (S-Tab), Space, Backspace, Escape (Esc), Up, Down, Left, Right,
 * PageUp (PgUp), PageDown (PgDn), Home, End, Insert, Delete, F1..F24; a name
 * may be written in angle brackets as mutt does ("<Enter>").  Sets *KEY and
 * returns true, or returns false with ERROR (SURAT_KEYMAP_ERROR_KEY) saying
 * what is wrong and how keys are written.
 */
bool keymap_key_parse(const char *text, int32_t *key, GError **error);

/*
 * The canonical name of KEY, which keymap_key_parse() reads back: "j",
 * "C-x", "M-v", "Enter", "Space", "F5".  Returns a new string (g_free); an
 * invalid key is "?".
 */
char *keymap_key_format(int32_t key);

/*
 * Parse a key sequence: key names separated by spaces ("g g", "Esc v", "C-x
 * C-s").  Escape followed by a key is that key with Meta ("Esc v" is "M-v");
 * a lone or trailing Escape stays Escape.  Sets *SEQ and returns true, or
 * returns false with ERROR (SURAT_KEYMAP_ERROR_KEY) naming the bad part: no
 * keys, an unknown name, or more than KEYMAP_SEQ_MAX keys.
 */
bool keymap_seq_parse(const char *text, struct keymap_seq *seq, GError **error);

/* SEQ written as keymap_seq_parse() reads it: names joined by spaces (g_free). */
char *keymap_seq_format(const struct keymap_seq *seq);

/*
 * The key for the character C read from the terminal (curses get_wch()
 * returning OK): CR and LF are Enter, HT Tab, ESC Escape, BS and DEL
 * Backspace, other C0 controls C-a..C-_, a printable character itself.
 * Returns KEYMAP_KEY_NONE for what is no key (C1 controls, surrogates,
 * beyond Unicode).
 */
int32_t keymap_key_from_char(uint32_t c);

/* True when KEY is a key this encoding allows (what keymap_key_parse can give). */
bool keymap_key_valid(int32_t key);

/* ---- actions and contexts ------------------------------------------------ */

/* The action's name ("next-entry"); "?" when out of range. */
const char *keymap_action_name(enum keymap_action action);

/* One line of help for the action ("move to the next message"); "" when out of range. */
const char *keymap_action_help(enum keymap_action action);

/* The contexts the action applies to, as a mask of KEYMAP_IN(context). */
unsigned int keymap_action_contexts(enum keymap_action action);

/* True when ACTION applies in CONTEXT ("noop" applies everywhere). */
bool keymap_action_applies(enum keymap_action action, enum keymap_context context);

/*
 * The action named NAME (exact, lower case).  Sets *ACTION and returns true,
 * or returns false with ERROR (SURAT_KEYMAP_ERROR_ACTION): "unknown action
 * "X"", with "; did you mean Y?" for a near miss.
 */
bool keymap_action_parse(const char *name, enum keymap_action *action, GError **error);

/* The context's name as written in the config ("index"); "?" when out of range. */
const char *keymap_context_name(enum keymap_context context);

/*
 * One context name, or several joined by commas as mutt writes them
 * ("index,pager"; spaces around the commas are allowed).  Sets *MASK to the
 * KEYMAP_IN() bits and returns true, or returns false with ERROR
 * (SURAT_KEYMAP_ERROR_CONTEXT) listing the valid names.
 */
bool keymap_context_parse(const char *text, unsigned int *mask, GError **error);

/*
 * Check that ACTION applies in every context of MASK.  Returns true, or
 * false with ERROR (SURAT_KEYMAP_ERROR_CONTEXT): "X does not apply in the
 * prompt; it applies in index, pager".
 */
bool keymap_action_check(enum keymap_action action, unsigned int mask, GError **error);

/* ---- the key map ---------------------------------------------------------- */

/* A key map holding the default bindings (keymap.c's table).  Free with keymap_free. */
struct keymap *keymap_new(void);

/* Free KEYMAP; NULL is fine. */
void keymap_free(struct keymap *keymap);

/*
 * Bind SEQ in CONTEXT to ACTION, replacing a binding of exactly SEQ there
 * (the default or an earlier bind); KEYMAP_ACTION_NONE unbinds SEQ, also
 * hiding the index binding a context would fall back on.  A binding that is
 * a prefix of another stays: see keymap_lookup().  Returns false with ERROR
 * (SURAT_KEYMAP_ERROR_CONTEXT) when ACTION does not apply in CONTEXT, or
 * (SURAT_KEYMAP_ERROR_KEY) when SEQ is empty or holds an invalid key.
 */
bool keymap_bind(struct keymap *keymap, enum keymap_context context,
    const struct keymap_seq *seq, enum keymap_action action, GError **error);

/*
 * keymap_bind() from names as written in the config or on the command line
 * ("index,pager", "g g", "first-entry"), binding in each context named.
 * Nothing is bound unless all three are valid; the error is that of the
 * parser that failed.
 */
bool keymap_bind_names(struct keymap *keymap, const char *contexts, const char *keys,
    const char *action, GError **error);

/* ---- macros ----------------------------------------------------------------- */

/* One step of a macro (or of `:push`): a key as if typed, or an action run by name. */
struct keymap_step {
	int32_t key;               /* KEYMAP_KEY_NONE: the step is ACTION */
	enum keymap_action action; /* with no key: run in the view the step finds */
};

#define KEYMAP_MACRO_MAX 1024 /* steps in one macro */

/* A macro bound to keys (`macro`): what it types, as written and parsed. */
struct keymap_macro {
	char *text;        /* the sequence as written */
	char *description; /* for the help screen, or NULL */
	GArray *steps;     /* struct keymap_step, at least one */
};

/*
 * Parse a sequence of keys and actions as mutt writes a macro: each
 * character is the key that types it ("~f alice"); <NAME> is a named key
 * ("<Enter>", "<Esc>", "<C-x>", "<F5>"; any name keymap_key_parse takes) or
 * else an action ("<limit>", "<enter-command>"); ^X is C-x (^^ is ^, ^[ is
 * Escape); \n and \r are Enter, \t Tab, \e Escape, \Cx C-x, and \ before any other
 * character is that character (\< types <).  A < that does not start
 * <NAME> (NAME: letters, digits, - and _) is the key <.  Returns a GArray of
 * struct keymap_step (g_array_unref), or NULL with ERROR
 * (SURAT_KEYMAP_ERROR_KEY): empty, an unknown <NAME> (with a near miss), or
 * more than KEYMAP_MACRO_MAX steps.
 */
GArray *keymap_steps_parse(const char *text, GError **error);

/*
 * Parse the keys a macro is bound to: as keymap_seq_parse() reads them
 * ("g g", "C-x"), or, when that fails on a single word, as mutt writes
 * them, each character a key and <NAME> a named key (",a" is "," then "a";
 * "<Esc>x" is M-x).  The error is keymap_seq_parse()'s.
 */
bool keymap_macro_keys_parse(const char *text, struct keymap_seq *seq, GError **error);

/*
 * Bind SEQ in CONTEXT to the macro SEQUENCE (keymap_steps_parse) with an
 * optional DESCRIPTION, replacing any binding of exactly SEQ there.  A
 * macro applies only in the contexts it is bound in (no fallback on the
 * index).  False with ERROR when SEQ or SEQUENCE is bad.
 */
bool keymap_macro_bind(struct keymap *keymap, enum keymap_context context,
    const struct keymap_seq *seq, const char *sequence, const char *description,
    GError **error);

/*
 * keymap_macro_bind() from names as written in the config or at the :
 * line ("index,pager", ",a", "<limit>~f alice<Enter>", "limit to alice").
 * Nothing is bound unless all are valid.
 */
bool keymap_macro_names(struct keymap *keymap, const char *contexts, const char *keys,
    const char *sequence, const char *description, GError **error);

/*
 * keymap_lookup(), also telling a macro: with KEYMAP_MATCH_FULL (or a
 * PREFIX whose keys are bound on their own), *MACRO is the macro bound to
 * the keys (borrowed from KEYMAP; *ACTION is then KEYMAP_ACTION_NONE), or
 * NULL when they are bound to an action.  MACRO may be NULL.
 */
enum keymap_match keymap_lookup_macro(const struct keymap *keymap, enum keymap_context context,
    const int32_t *keys, size_t n, enum keymap_action *action,
    const struct keymap_macro **macro);

/*
 * Look up the keys typed so far, KEYS[0..N-1] as the terminal gave them
 * (Escape as its own key), in CONTEXT:
 *
 *   KEYMAP_MATCH_FULL    *ACTION is bound to them; run it and start afresh;
 *   KEYMAP_MATCH_PREFIX  a longer binding begins with them: read another
 *                        key.  *ACTION is what they are bound to on their
 *                        own, or KEYMAP_ACTION_NONE: when it is not NONE, run
 *                        it after a pause (as for a lone Escape) or when the
 *                        next key continues no binding;
 *   KEYMAP_MATCH_NONE    nothing: drop them (in the prompt, insert a
 *                        printable key); *ACTION is KEYMAP_ACTION_NONE.
 *
 * A context's own bindings come first; pager, attachments, links, sidebar,
 * help and compose fall back on the index's bindings whose action applies in them
 * and whose keys the context does not use itself (no prefix of one is
 * bound there, nor is it the prefix of one).  The prompt falls back on
 * nothing.  No keys, or more than KEYMAP_SEQ_MAX once Escapes are joined to
 * the keys after them, match nothing.
 */
enum keymap_match keymap_lookup(const struct keymap *keymap, enum keymap_context context,
    const int32_t *keys, size_t n, enum keymap_action *action);

/*
 * The keys bound to ACTION in CONTEXT (fallback included), joined by ", "
 * ("j, Down"), or NULL when none is.  Returns a new string (g_free); for
 * hints such as "? help" in the status line.
 */
char *keymap_keys_for(const struct keymap *keymap, enum keymap_context context,
    enum keymap_action action);

/*
 * Append the help for CONTEXT to LINES (a GPtrArray of g_free'd char *): one
 * line per action with a live binding, in the order of enum keymap_action,
 * "  KEYS  ACTION-NAME  HELP" with the columns aligned, KEYS joined by ", ".
 * Unbound actions are left out.  The macros bound there follow, one line
 * each: "  KEYS  macro  DESCRIPTION" (the sequence when it has none).
 */
void keymap_help(const struct keymap *keymap, enum keymap_context context, GPtrArray *lines);

#endif
