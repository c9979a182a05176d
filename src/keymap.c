/*
 * keymap: actions, key names and key bindings (doc/internals/keymap.md).
 *
 * Three tables are the truth, in keymap-tables.c: keymap_actions (every
 * action's name, help and contexts), keymap_key_names (the named keys) and
 * keymap_defaults (the bindings surat starts with).  A struct keymap copies
 * the defaults into one array per context and lets bind() replace or add to
 * them; lookup() and help() work on the "effective" bindings of a context,
 * its own plus those it falls back on in the index.
 *
 * What it never does: call curses, print, or read a file.
 */
#include "surat/keymap.h"
#include "keymap-private.h"
#include "surat/suggest.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define KEYMAP_MAX_BINDINGS 1024 /* per context: the defaults and a generous config */
#define KEYMAP_MAX_FN       24   /* F1..F24 */
#define KEYMAP_KEYS_WIDTH   24   /* the help's key column at most */

struct keymap_binding {
	struct keymap_seq keys;
	enum keymap_action action; /* NONE: unbound here, hiding the index's binding */
	const struct keymap_macro *macro; /* or NULL; then ACTION is NONE */
};

struct keymap {
	GArray *bindings[KEYMAP_CONTEXT_COUNT]; /* struct keymap_binding, in bind order */
	GPtrArray *macros; /* struct keymap_macro *, every one ever bound (the bindings point in) */
};

/* True when B does something: an action or a macro. */
static bool
keymap_bound(const struct keymap_binding *b)
{
	return b->action != KEYMAP_ACTION_NONE || b->macro != NULL;
}

GQuark
keymap_error_quark(void)
{
	return g_quark_from_static_string("surat-keymap-error-quark");
}

/* ---- keys ---------------------------------------------------------------- */

/* True when C is a character that stands for itself as a key. */
static bool
keymap_printable(uint32_t c)
{
	if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
		return false;
	if (c >= 0xd800 && c < 0xe000)
		return false;
	return c < KEYMAP_KEY_SPECIAL;
}

/*
 * The key for C-C (ASCII C, either case), or KEYMAP_KEY_NONE: the control
 * characters a terminal sends, with those that are named keys named.
 */
static int32_t
keymap_ctrl(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	switch (c) {
	case 'h':
	case '?':
		return KEYMAP_KEY_BACKSPACE;
	case 'i':
		return KEYMAP_KEY_TAB;
	case 'j':
	case 'm':
		return KEYMAP_KEY_ENTER;
	case '[':
		return KEYMAP_KEY_ESCAPE;
	case ' ':
	case '2':
		return KEYMAP_MOD_CTRL | '@'; /* C-Space and C-2 send NUL */
	case '@':
	case '\\':
	case ']':
	case '^':
	case '_':
		return KEYMAP_MOD_CTRL | (int32_t)c;
	}
	if (c >= 'a' && c <= 'z')
		return KEYMAP_MOD_CTRL | (int32_t)c;
	return KEYMAP_KEY_NONE;
}

bool
keymap_key_valid(int32_t key)
{
	int32_t base = key & KEYMAP_KEY_BASE;

	if (key <= 0 || (key & ~(KEYMAP_KEY_BASE | KEYMAP_MOD_CTRL | KEYMAP_MOD_META)) != 0)
		return false;
	if (key & KEYMAP_MOD_CTRL)
		return keymap_ctrl((uint32_t)base) == (KEYMAP_MOD_CTRL | base);
	if (base >= KEYMAP_KEY_ENTER && base <= KEYMAP_KEY_DELETE)
		return true;
	if (base >= KEYMAP_KEY_F1 && base <= KEYMAP_KEY_F(KEYMAP_MAX_FN))
		return true;
	return keymap_printable((uint32_t)base);
}

int32_t
keymap_key_from_char(uint32_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		return KEYMAP_KEY_ENTER;
	case '\t':
		return KEYMAP_KEY_TAB;
	case 0x1b:
		return KEYMAP_KEY_ESCAPE;
	case 0x08:
	case 0x7f:
		return KEYMAP_KEY_BACKSPACE;
	}
	if (c < 0x20)
		return keymap_ctrl(c + 0x40);
	return keymap_printable(c) ? (int32_t)c : KEYMAP_KEY_NONE;
}

/* Set ERROR (CODE) to the message; returns false. */
static bool G_GNUC_PRINTF(3, 4)
keymap_fail(GError **error, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(error, SURAT_KEYMAP_ERROR, code, msg);
	g_free(msg);
	return false;
}

/* TEXT quoted for an error: control characters escaped, cut at 40 bytes (g_free). */
static char *
keymap_quote(const char *text)
{
	char *cut = g_utf8_make_valid(text, MIN(strlen(text), 40));
	char *quoted = g_strescape(cut, "\xc2\xa0");

	g_free(cut);
	return quoted;
}

/* Parse the key name TEXT into *KEY, without an error message. */
static bool
keymap_key_parse_name(const char *text, int32_t *key)
{
	size_t len = strlen(text), i;
	gunichar c;
	char *inner, *end;
	unsigned long n;
	int32_t k;
	bool ok;

	if (len == 0 || !g_utf8_validate(text, -1, NULL))
		return false;
	if (g_utf8_strlen(text, -1) == 1) {
		c = g_utf8_get_char(text);
		*key = (int32_t)c;
		return keymap_printable(c);
	}
	if (text[0] == '<' && text[len - 1] == '>') {
		inner = g_strndup(text + 1, len - 2);
		ok = strchr(inner, '<') == NULL && keymap_key_parse_name(inner, key);
		g_free(inner);
		return ok;
	}
	if ((text[0] == 'M' || text[0] == 'm') && text[1] == '-') {
		if (!keymap_key_parse_name(text + 2, &k) || (k & KEYMAP_MOD_META))
			return false;
		*key = k | KEYMAP_MOD_META;
		return true;
	}
	if ((text[0] == 'C' || text[0] == 'c') && text[1] == '-') {
		if (g_ascii_strcasecmp(text + 2, "Space") == 0)
			*key = keymap_ctrl(' ');
		else
			*key = len == 3 ? keymap_ctrl((unsigned char)text[2]) : KEYMAP_KEY_NONE;
		return *key != KEYMAP_KEY_NONE;
	}
	if (text[0] == '^' && len == 2) {
		*key = keymap_ctrl((unsigned char)text[1]);
		return *key != KEYMAP_KEY_NONE;
	}
	for (i = 0; i < keymap_key_names_count; i++) {
		if (g_ascii_strcasecmp(text, keymap_key_names[i].name) == 0) {
			*key = keymap_key_names[i].key;
			return true;
		}
	}
	if ((text[0] == 'F' || text[0] == 'f') && g_ascii_isdigit(text[1]) && text[1] != '0') {
		n = strtoul(text + 1, &end, 10);
		if (*end == '\0' && n >= 1 && n <= KEYMAP_MAX_FN) {
			*key = KEYMAP_KEY_F((int32_t)n);
			return true;
		}
	}
	return false;
}

bool
keymap_key_parse(const char *text, int32_t *key, GError **error)
{
	char *quoted;

	if (text == NULL || *text == '\0')
		return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "no key; %s", KEYMAP_KEY_HINT);
	if (keymap_key_parse_name(text, key))
		return true;
	quoted = keymap_quote(text);
	if (((text[0] == 'C' || text[0] == 'c') && text[1] == '-') ||
	    (text[0] == '^' && strlen(text) == 2))
		keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "\"%s\" is not a key; C- goes with a "
		    "letter or one of @ [ \\ ] ^ _ ? and Space", quoted);
	else
		keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "\"%s\" is not a key name; %s", quoted,
		    KEYMAP_KEY_HINT);
	g_free(quoted);
	return false;
}

char *
keymap_key_format(int32_t key)
{
	int32_t base = key & KEYMAP_KEY_BASE;
	GString *out;
	size_t i;

	if (!keymap_key_valid(key))
		return g_strdup("?");
	out = g_string_new(key & KEYMAP_MOD_META ? "M-" : "");
	if (key & KEYMAP_MOD_CTRL) {
		g_string_append_printf(out, "C-%c", (char)base);
		return g_string_free(out, FALSE);
	}
	if (base >= KEYMAP_KEY_F1) {
		g_string_append_printf(out, "F%d", base - KEYMAP_KEY_F1 + 1);
		return g_string_free(out, FALSE);
	}
	for (i = 0; i < keymap_key_names_count; i++) {
		if (keymap_key_names[i].key == base) {
			g_string_append(out, keymap_key_names[i].name);
			return g_string_free(out, FALSE);
		}
	}
	g_string_append_unichar(out, (gunichar)base);
	return g_string_free(out, FALSE);
}

bool
keymap_seq_parse(const char *text, struct keymap_seq *seq, GError **error)
{
	char **words = g_strsplit_set(text != NULL ? text : "", " \t", -1), *quoted;
	int32_t key;
	bool meta = false, ok = false;
	size_t i;

	seq->len = 0;
	for (i = 0; words[i] != NULL; i++) {
		if (*words[i] == '\0')
			continue;
		if (!keymap_key_parse(words[i], &key, error))
			goto out;
		if (meta && (key & KEYMAP_MOD_META)) {
			quoted = keymap_quote(words[i]);
			keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "Escape before \"%s\" is Meta "
			    "twice; write one of them", quoted);
			g_free(quoted);
			goto out;
		}
		if (meta) {
			/* Escape then a key is what a terminal sends for Meta (Alt) and the key. */
			seq->keys[seq->len - 1] = key | KEYMAP_MOD_META;
			meta = false;
			continue;
		}
		if (seq->len == KEYMAP_SEQ_MAX) {
			keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "more than %d keys in a row; "
			    "use at most %d", KEYMAP_SEQ_MAX, KEYMAP_SEQ_MAX);
			goto out;
		}
		seq->keys[seq->len++] = key;
		meta = key == KEYMAP_KEY_ESCAPE;
	}
	if (seq->len == 0)
		keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "no key; %s", KEYMAP_KEY_HINT);
	else
		ok = true;
out:
	g_strfreev(words);
	if (!ok)
		seq->len = 0;
	return ok;
}

char *
keymap_seq_format(const struct keymap_seq *seq)
{
	GString *out = g_string_new(NULL);
	unsigned int i;
	char *name;

	for (i = 0; i < seq->len && i < KEYMAP_SEQ_MAX; i++) {
		name = keymap_key_format(seq->keys[i]);
		if (i > 0)
			g_string_append_c(out, ' ');
		g_string_append(out, name);
		g_free(name);
	}
	return g_string_free(out, FALSE);
}

/* ---- actions and contexts ------------------------------------------------- */

const char *
keymap_action_name(enum keymap_action action)
{
	if ((unsigned int)action >= KEYMAP_ACTION_COUNT)
		return "?";
	return keymap_actions[action].name;
}

const char *
keymap_action_help(enum keymap_action action)
{
	if ((unsigned int)action >= KEYMAP_ACTION_COUNT)
		return "";
	return keymap_actions[action].help;
}

unsigned int
keymap_action_contexts(enum keymap_action action)
{
	if ((unsigned int)action >= KEYMAP_ACTION_COUNT)
		return 0;
	return keymap_actions[action].contexts;
}

bool
keymap_action_applies(enum keymap_action action, enum keymap_context context)
{
	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT)
		return false;
	return (keymap_action_contexts(action) & KEYMAP_IN(context)) != 0;
}

bool
keymap_action_parse(const char *name, enum keymap_action *action, GError **error)
{
	const char *hint = NULL;
	int best = 3, d;
	char *quoted;
	size_t i;

	for (i = 0; name != NULL && i < KEYMAP_ACTION_COUNT; i++) {
		if (strcmp(name, keymap_actions[i].name) == 0) {
			*action = (enum keymap_action)i;
			return true;
		}
		if ((d = suggest_distance(name, keymap_actions[i].name)) < best) {
			best = d;
			hint = keymap_actions[i].name;
		}
	}
	quoted = keymap_quote(name != NULL ? name : "");
	keymap_fail(error, SURAT_KEYMAP_ERROR_ACTION, "unknown action \"%s\"%s%s%s%s", quoted,
	    hint ? "; did you mean " : "", hint ? hint : "", hint ? "?" : "",
	    hint ? "" : "; the actions are listed under KEY BINDINGS in surat.conf(5)");
	g_free(quoted);
	return false;
}

const char *
keymap_context_name(enum keymap_context context)
{
	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT)
		return "?";
	return keymap_context_names[context];
}

/* The names of the contexts in MASK, joined by ", " (g_free). */
static char *
keymap_context_list(unsigned int mask)
{
	GString *out = g_string_new(NULL);
	int i;

	for (i = 0; i < KEYMAP_CONTEXT_COUNT; i++) {
		if (!(mask & KEYMAP_IN(i)))
			continue;
		if (out->len > 0)
			g_string_append(out, ", ");
		g_string_append(out, keymap_context_names[i]);
	}
	return g_string_free(out, FALSE);
}

bool
keymap_context_parse(const char *text, unsigned int *mask, GError **error)
{
	char **parts = g_strsplit(text != NULL ? text : "", ",", -1), *name, *quoted, *all;
	bool ok = true;
	int i, c;

	*mask = 0;
	for (i = 0; parts[i] != NULL && ok; i++) {
		name = g_strstrip(parts[i]);
		for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
			if (g_ascii_strcasecmp(name, keymap_context_names[c]) == 0)
				break;
		}
		if (c < KEYMAP_CONTEXT_COUNT) {
			*mask |= KEYMAP_IN(c);
			continue;
		}
		quoted = keymap_quote(name);
		all = keymap_context_list(KEYMAP_IN(KEYMAP_CONTEXT_COUNT) - 1);
		keymap_fail(error, SURAT_KEYMAP_ERROR_CONTEXT, *name == '\0' ? "no context%s; "
		    "use %s, or several joined by commas" : "unknown context \"%s\"; use %s, or "
		    "several joined by commas", quoted, all);
		g_free(all);
		g_free(quoted);
		ok = false;
	}
	g_strfreev(parts);
	if (ok && *mask == 0) {
		all = keymap_context_list(KEYMAP_IN(KEYMAP_CONTEXT_COUNT) - 1);
		keymap_fail(error, SURAT_KEYMAP_ERROR_CONTEXT, "no context; use %s, or several "
		    "joined by commas", all);
		g_free(all);
		ok = false;
	}
	if (!ok)
		*mask = 0;
	return ok;
}

bool
keymap_action_check(enum keymap_action action, unsigned int mask, GError **error)
{
	unsigned int bad = mask & ~keymap_action_contexts(action);
	char *where, *contexts;

	if ((unsigned int)action >= KEYMAP_ACTION_COUNT)
		return keymap_fail(error, SURAT_KEYMAP_ERROR_ACTION, "no such action");
	if (bad == 0)
		return true;
	where = keymap_context_list(bad);
	contexts = keymap_context_list(keymap_actions[action].contexts);
	keymap_fail(error, SURAT_KEYMAP_ERROR_CONTEXT, "%s does not apply in %s; it applies in %s",
	    keymap_actions[action].name, where, contexts);
	g_free(contexts);
	g_free(where);
	return false;
}

/* ---- the key map ------------------------------------------------------------ */

/* True when A and B hold the same keys. */
static bool
keymap_seq_equal(const struct keymap_seq *a, const struct keymap_seq *b)
{
	return a->len == b->len && memcmp(a->keys, b->keys, a->len * sizeof a->keys[0]) == 0;
}

/* True when one of A and B begins with the other (or they are equal). */
static bool
keymap_seq_overlap(const struct keymap_seq *a, const struct keymap_seq *b)
{
	unsigned int n = MIN(a->len, b->len);

	return memcmp(a->keys, b->keys, n * sizeof a->keys[0]) == 0;
}

/*
 * Bind SEQ to ACTION in the array B, replacing a binding of exactly SEQ;
 * false when that would make B longer than KEYMAP_MAX_BINDINGS.
 */
static bool
keymap_set(GArray *b, const struct keymap_seq *seq, enum keymap_action action,
    const struct keymap_macro *macro)
{
	struct keymap_binding new = { .keys = *seq, .action = action, .macro = macro };
	guint i;

	for (i = 0; i < b->len; i++) {
		if (keymap_seq_equal(&g_array_index(b, struct keymap_binding, i).keys, seq)) {
			g_array_index(b, struct keymap_binding, i).action = action;
			g_array_index(b, struct keymap_binding, i).macro = macro;
			return true;
		}
	}
	if (b->len >= KEYMAP_MAX_BINDINGS)
		return false;
	g_array_append_val(b, new);
	return true;
}

static void keymap_macro_free(gpointer data);

struct keymap *
keymap_new(void)
{
	struct keymap *keymap = g_new0(struct keymap, 1);
	struct keymap_seq seq;
	GError *error = NULL;
	size_t i;

	for (i = 0; i < KEYMAP_CONTEXT_COUNT; i++)
		keymap->bindings[i] = g_array_new(FALSE, FALSE, sizeof(struct keymap_binding));
	keymap->macros = g_ptr_array_new_with_free_func(keymap_macro_free);
	for (i = 0; i < keymap_defaults_count; i++) {
		/* The table is ours; test-keymap checks every row. */
		if (!keymap_seq_parse(keymap_defaults[i].keys, &seq, &error))
			g_error("keymap_defaults[%zu]: %s", i, error->message);
		if (!keymap_action_applies(keymap_defaults[i].action, keymap_defaults[i].context) ||
		    !keymap_set(keymap->bindings[keymap_defaults[i].context], &seq,
		    keymap_defaults[i].action, NULL))
			g_error("keymap_defaults[%zu]: the action does not apply there", i);
	}
	return keymap;
}

void
keymap_free(struct keymap *keymap)
{
	int i;

	if (keymap == NULL)
		return;
	for (i = 0; i < KEYMAP_CONTEXT_COUNT; i++)
		g_array_free(keymap->bindings[i], TRUE);
	g_ptr_array_free(keymap->macros, TRUE);
	g_free(keymap);
}

/* True when CONTEXT is one and SEQ is 1 to KEYMAP_SEQ_MAX valid keys; else ERROR. */
static bool
keymap_check_seq(enum keymap_context context, const struct keymap_seq *seq, GError **error)
{
	unsigned int i;

	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT)
		return keymap_fail(error, SURAT_KEYMAP_ERROR_CONTEXT, "no such context");
	if (seq->len == 0 || seq->len > KEYMAP_SEQ_MAX)
		return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "a binding needs 1 to %d keys",
		    KEYMAP_SEQ_MAX);
	for (i = 0; i < seq->len; i++) {
		if (!keymap_key_valid(seq->keys[i]))
			return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "0x%x is not a key",
			    (unsigned int)seq->keys[i]);
	}
	return true;
}

bool
keymap_bind(struct keymap *keymap, enum keymap_context context, const struct keymap_seq *seq,
    enum keymap_action action, GError **error)
{
	if (!keymap_check_seq(context, seq, error))
		return false;
	if (!keymap_action_check(action, KEYMAP_IN(context), error))
		return false;
	if (!keymap_set(keymap->bindings[context], seq, action, NULL))
		return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "more than %d bindings in the "
		    "%s; bind fewer keys", KEYMAP_MAX_BINDINGS, keymap_context_names[context]);
	return true;
}

bool
keymap_bind_names(struct keymap *keymap, const char *contexts, const char *keys,
    const char *action, GError **error)
{
	struct keymap_seq seq;
	enum keymap_action a;
	unsigned int mask;
	int c;

	if (!keymap_context_parse(contexts, &mask, error) || !keymap_seq_parse(keys, &seq, error) ||
	    !keymap_action_parse(action, &a, error) || !keymap_action_check(a, mask, error))
		return false;
	for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
		if ((mask & KEYMAP_IN(c)) && !keymap_bind(keymap, c, &seq, a, error))
			return false;
	}
	return true;
}

/*
 * The bindings live in CONTEXT, into OUT (pointers into KEYMAP): its own,
 * then the index's that apply there and clash with none of its own.  Unbound
 * (noop) entries are left out once they have hidden what they hide.
 */
static void
keymap_effective(const struct keymap *keymap, enum keymap_context context, GPtrArray *out)
{
	GArray *own = keymap->bindings[context], *index = keymap->bindings[KEYMAP_CONTEXT_INDEX];
	const struct keymap_binding *b, *o;
	guint i, j;

	for (i = 0; i < own->len; i++) {
		b = &g_array_index(own, struct keymap_binding, i);
		if (keymap_bound(b))
			g_ptr_array_add(out, (gpointer)b);
	}
	if (context == KEYMAP_CONTEXT_INDEX || context == KEYMAP_CONTEXT_PROMPT)
		return;
	for (i = 0; i < index->len; i++) {
		b = &g_array_index(index, struct keymap_binding, i);
		/* A macro has no contexts of its own: it applies where it is bound. */
		if (b->macro != NULL || b->action == KEYMAP_ACTION_NONE ||
		    !keymap_action_applies(b->action, context))
			continue;
		for (j = 0; j < own->len; j++) {
			o = &g_array_index(own, struct keymap_binding, j);
			if (keymap_seq_overlap(&o->keys, &b->keys))
				break;
		}
		if (j == own->len)
			g_ptr_array_add(out, (gpointer)b);
	}
}

enum keymap_match
keymap_lookup(const struct keymap *keymap, enum keymap_context context, const int32_t *keys,
    size_t n, enum keymap_action *action)
{
	return keymap_lookup_macro(keymap, context, keys, n, action, NULL);
}

enum keymap_match
keymap_lookup_macro(const struct keymap *keymap, enum keymap_context context,
    const int32_t *keys, size_t n, enum keymap_action *action,
    const struct keymap_macro **macro)
{
	const struct keymap_binding *b, *exact = NULL;
	struct keymap_seq typed = { .len = 0 };
	bool prefix = false, escape;
	GPtrArray *live;
	unsigned int m;
	size_t i;

	*action = KEYMAP_ACTION_NONE;
	if (macro != NULL)
		*macro = NULL;
	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT || n == 0 || n > 2 * KEYMAP_SEQ_MAX)
		return KEYMAP_MATCH_NONE;
	/* Read Escape then a key as Meta and the key, as keymap_seq_parse does. */
	for (i = 0; i < n; i++) {
		if (typed.len == KEYMAP_SEQ_MAX)
			return KEYMAP_MATCH_NONE;
		if (keys[i] == KEYMAP_KEY_ESCAPE && i + 1 < n && !(keys[i + 1] & KEYMAP_MOD_META))
			typed.keys[typed.len++] = keys[++i] | KEYMAP_MOD_META;
		else
			typed.keys[typed.len++] = keys[i];
	}
	m = typed.len;
	/* A trailing Escape may still become Meta with the next key. */
	escape = typed.keys[m - 1] == KEYMAP_KEY_ESCAPE;
	live = g_ptr_array_new();
	keymap_effective(keymap, context, live);
	for (i = 0; i < live->len; i++) {
		b = live->pdata[i];
		if (b->keys.len < m)
			continue;
		if (memcmp(b->keys.keys, typed.keys, (m - 1) * sizeof typed.keys[0]) != 0)
			continue;
		if (b->keys.keys[m - 1] == typed.keys[m - 1]) {
			if (b->keys.len == m)
				exact = b;
			else
				prefix = true;
		} else if (escape && (b->keys.keys[m - 1] & KEYMAP_MOD_META)) {
			prefix = true;
		}
	}
	g_ptr_array_free(live, TRUE);
	if (exact != NULL && exact->macro != NULL && macro == NULL)
		exact = NULL; /* a caller that runs no macros sees its keys as unbound */
	if (exact != NULL) {
		*action = exact->action;
		if (macro != NULL)
			*macro = exact->macro;
	}
	if (prefix)
		return KEYMAP_MATCH_PREFIX;
	return exact != NULL ? KEYMAP_MATCH_FULL : KEYMAP_MATCH_NONE;
}

/* The digit SEQ is, alone, or -1. */
static int
keymap_digit(const struct keymap_seq *seq)
{
	return seq->len == 1 && seq->keys[0] >= '0' && seq->keys[0] <= '9' ? seq->keys[0] - '0' :
	    -1;
}

/*
 * The keys of the live bindings BINDINGS that do ACTION, joined by ", ", or
 * NULL.  Three digits or more in a row are a range, "1..9" (jump's keys).
 */
static char *
keymap_join(GPtrArray *live, enum keymap_action action)
{
	const struct keymap_binding *b;
	GPtrArray *mine = g_ptr_array_new();
	GString *out = NULL;
	char *text;
	guint i, j;

	for (i = 0; i < live->len; i++) {
		b = live->pdata[i];
		if (b->action == action && b->macro == NULL)
			g_ptr_array_add(mine, (gpointer)b);
	}
	for (i = 0; i < mine->len; i = j) {
		int first = keymap_digit(&((const struct keymap_binding *)mine->pdata[i])->keys);

		j = i + 1;
		while (first >= 0 && j < mine->len && keymap_digit(&((const struct keymap_binding *)
		    mine->pdata[j])->keys) == first + (int)(j - i))
			j++;
		out = out != NULL ? g_string_append(out, ", ") : g_string_new(NULL);
		if (j - i >= 3) {
			g_string_append_printf(out, "%d..%d", first, first + (int)(j - i) - 1);
			continue;
		}
		j = i + 1;
		text = keymap_seq_format(&((const struct keymap_binding *)mine->pdata[i])->keys);
		g_string_append(out, text);
		g_free(text);
	}
	g_ptr_array_free(mine, TRUE);
	return out != NULL ? g_string_free(out, FALSE) : NULL;
}

char *
keymap_keys_for(const struct keymap *keymap, enum keymap_context context,
    enum keymap_action action)
{
	GPtrArray *live;
	char *keys;

	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT || action == KEYMAP_ACTION_NONE)
		return NULL;
	live = g_ptr_array_new();
	keymap_effective(keymap, context, live);
	keys = keymap_join(live, action);
	g_ptr_array_free(live, TRUE);
	return keys;
}

/* TEXT with its control characters written as escapes (\\n), the rest as it is (g_free). */
static char *
keymap_escape(const char *text)
{
	GString *out = g_string_new(NULL);
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '\n')
			g_string_append(out, "\\n");
		else if (*p == '\t')
			g_string_append(out, "\\t");
		else if (*p == 0x1b)
			g_string_append(out, "\\e");
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			g_string_append_printf(out, "\\x%02x", (unsigned char)*p);
		else
			g_string_append_c(out, *p);
	}
	return g_string_free(out, FALSE);
}

void
keymap_help(const struct keymap *keymap, enum keymap_context context, GPtrArray *lines)
{
	long width = 0, name_width = 0, w;
	GPtrArray *live, *keys, *names, *helps;
	const struct keymap_binding *b;
	char *text;
	guint i;
	int a;

	if ((unsigned int)context >= KEYMAP_CONTEXT_COUNT)
		return;
	keys = g_ptr_array_new_with_free_func(g_free);
	names = g_ptr_array_new();
	helps = g_ptr_array_new_with_free_func(g_free);
	live = g_ptr_array_new();
	keymap_effective(keymap, context, live);
	for (a = 1; a < KEYMAP_ACTION_COUNT; a++) {
		if ((text = keymap_join(live, a)) == NULL)
			continue;
		g_ptr_array_add(keys, text);
		g_ptr_array_add(names, (gpointer)keymap_actions[a].name);
		g_ptr_array_add(helps, g_strdup(keymap_actions[a].help));
	}
	/* The macros after the actions, each with its description (or what it types). */
	for (i = 0; i < live->len; i++) {
		b = live->pdata[i];
		if (b->macro == NULL)
			continue;
		g_ptr_array_add(keys, keymap_seq_format(&b->keys));
		g_ptr_array_add(names, (gpointer) "macro");
		g_ptr_array_add(helps, b->macro->description != NULL ? g_strdup(b->macro->description) :
		    keymap_escape(b->macro->text));
	}
	for (i = 0; i < keys->len; i++) {
		width = MAX(width, g_utf8_strlen(keys->pdata[i], -1));
		name_width = MAX(name_width, (long)strlen(names->pdata[i]));
	}
	width = MIN(width, KEYMAP_KEYS_WIDTH);
	for (i = 0; i < keys->len; i++) {
		text = keys->pdata[i];
		w = g_utf8_strlen(text, -1);
		g_ptr_array_add(lines, g_strdup_printf("  %s%*s  %-*s  %s", text,
		    (int)(w < width ? width - w : 0), "", (int)name_width,
		    (const char *)names->pdata[i], (const char *)helps->pdata[i]));
	}
	g_ptr_array_free(live, TRUE);
	g_ptr_array_free(helps, TRUE);
	g_ptr_array_free(names, TRUE);
	g_ptr_array_free(keys, TRUE);
}

/* ---- macros ------------------------------------------------------------------ */

static void
keymap_macro_free(gpointer data)
{
	struct keymap_macro *m = data;

	g_free(m->text);
	g_free(m->description);
	if (m->steps != NULL)
		g_array_unref(m->steps);
	g_free(m);
}

/* The <NAME> a near miss of NAME among actions and key names, or NULL. */
static const char *
keymap_name_hint(const char *name)
{
	const char *hint = NULL;
	int best = 3, d;
	size_t i;

	for (i = 0; i < KEYMAP_ACTION_COUNT; i++) {
		if ((d = suggest_distance(name, keymap_actions[i].name)) < best) {
			best = d;
			hint = keymap_actions[i].name;
		}
	}
	for (i = 0; i < keymap_key_names_count; i++) {
		if ((d = suggest_distance(name, keymap_key_names[i].name)) < best) {
			best = d;
			hint = keymap_key_names[i].name;
		}
	}
	return hint;
}

/* Append a key step, or an action step when KEY is KEYMAP_KEY_NONE. */
static void
keymap_step_add(GArray *steps, int32_t key, enum keymap_action action)
{
	struct keymap_step step = { .key = key, .action = action };

	g_array_append_val(steps, step);
}

/*
 * The <NAME> at TEXT (which starts with '<'): sets *LEN to its length and
 * returns the name (g_free), or NULL when TEXT does not start one.
 */
static char *
keymap_angle_name(const char *text, size_t *len)
{
	size_t n = 1;

	while (g_ascii_isalnum(text[n]) || text[n] == '-' || text[n] == '_')
		n++;
	if (n == 1 || text[n] != '>')
		return NULL;
	*len = n + 1;
	return g_strndup(text + 1, n - 1);
}

GArray *
keymap_steps_parse(const char *text, GError **error)
{
	GArray *steps = g_array_new(FALSE, FALSE, sizeof(struct keymap_step));
	enum keymap_action action;
	const char *p = text != NULL ? text : "", *hint;
	char *name, *quoted;
	int32_t key;
	size_t len;
	gunichar c;

	if (!g_utf8_validate(p, -1, NULL)) {
		keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "not valid UTF-8");
		goto fail;
	}
	while (*p != '\0') {
		if (steps->len >= KEYMAP_MACRO_MAX) {
			keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "more than %d keys and actions; "
			    "make it shorter", KEYMAP_MACRO_MAX);
			goto fail;
		}
		if (*p == '<' && (name = keymap_angle_name(p, &len)) != NULL) {
			if (keymap_key_parse_name(name, &key)) {
				keymap_step_add(steps, key, KEYMAP_ACTION_NONE);
			} else if (keymap_action_parse(name, &action, NULL)) {
				keymap_step_add(steps, KEYMAP_KEY_NONE, action);
			} else {
				quoted = keymap_quote(name);
				hint = keymap_name_hint(name);
				keymap_fail(error, SURAT_KEYMAP_ERROR_ACTION, "<%s> is neither an action "
				    "nor a key name%s%s%s", quoted, hint ? "; did you mean <" : "; the "
				    "actions are listed under KEY BINDINGS in surat.conf(5)",
				    hint ? hint : "", hint ? ">?" : "");
				g_free(quoted);
				g_free(name);
				goto fail;
			}
			g_free(name);
			p += len;
			continue;
		}
		if (*p == '^' && p[1] != '\0') {
			/* mutt's ^X: a control key; ^^ is ^ and ^[ Escape. */
			key = p[1] == '^' ? '^' : keymap_ctrl((unsigned char)p[1]);
			if (key != KEYMAP_KEY_NONE && g_ascii_isgraph(p[1])) {
				keymap_step_add(steps, key, KEYMAP_ACTION_NONE);
				p += 2;
				continue;
			}
			/* No control key: ^ types itself. */
		}
		if (*p == '\\' && p[1] != '\0') {
			p++;
			if (*p == 'n' || *p == 'r')
				key = KEYMAP_KEY_ENTER;
			else if (*p == 't')
				key = KEYMAP_KEY_TAB;
			else if (*p == 'e')
				key = KEYMAP_KEY_ESCAPE;
			else if ((*p == 'c' || *p == 'C') && g_ascii_isgraph(p[1]) &&
			    (key = keymap_ctrl((unsigned char)p[1])) != KEYMAP_KEY_NONE)
				p++; /* mutt's \Cx */
			else
				key = keymap_key_from_char(g_utf8_get_char(p));
			if (key != KEYMAP_KEY_NONE)
				keymap_step_add(steps, key, KEYMAP_ACTION_NONE);
			p = g_utf8_next_char(p);
			continue;
		}
		c = g_utf8_get_char(p);
		key = keymap_key_from_char(c);
		if (key == KEYMAP_KEY_NONE) {
			keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "U+%04X is not a key; write it as "
			    "<name> or leave it out", c);
			goto fail;
		}
		keymap_step_add(steps, key, KEYMAP_ACTION_NONE);
		p = g_utf8_next_char(p);
	}
	if (steps->len == 0) {
		keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "no keys; write what the macro types, "
		    "with <action-name> for an action: \"<limit>~f alice<Enter>\"");
		goto fail;
	}
	return steps;
fail:
	g_array_unref(steps);
	return NULL;
}

bool
keymap_macro_keys_parse(const char *text, struct keymap_seq *seq, GError **error)
{
	const struct keymap_step *step;
	GError *first = NULL;
	GArray *steps;
	bool meta = false;
	guint i;

	if (keymap_seq_parse(text, seq, &first))
		return true;
	/* One word that names no key: mutt's way, each character a key. */
	if (text == NULL || strpbrk(text, " \t") != NULL ||
	    (steps = keymap_steps_parse(text, NULL)) == NULL) {
		g_propagate_error(error, first);
		return false;
	}
	seq->len = 0;
	for (i = 0; i < steps->len; i++) {
		step = &g_array_index(steps, struct keymap_step, i);
		if (step->key == KEYMAP_KEY_NONE || seq->len == KEYMAP_SEQ_MAX ||
		    (meta && (step->key & KEYMAP_MOD_META)))
			break;
		if (meta) {
			seq->keys[seq->len - 1] = step->key | KEYMAP_MOD_META;
			meta = false;
			continue;
		}
		seq->keys[seq->len++] = step->key;
		meta = step->key == KEYMAP_KEY_ESCAPE;
	}
	if (i < steps->len) {
		seq->len = 0;
		g_array_unref(steps);
		g_propagate_error(error, first);
		return false;
	}
	g_array_unref(steps);
	g_clear_error(&first);
	return true;
}

bool
keymap_macro_bind(struct keymap *keymap, enum keymap_context context,
    const struct keymap_seq *seq, const char *sequence, const char *description,
    GError **error)
{
	struct keymap_macro *m;
	GArray *steps;

	if (!keymap_check_seq(context, seq, error))
		return false;
	if ((steps = keymap_steps_parse(sequence, error)) == NULL)
		return false;
	m = g_new0(struct keymap_macro, 1);
	m->text = g_strdup(sequence);
	m->description = description != NULL && *description != '\0' ? g_strdup(description) :
	    NULL;
	m->steps = steps;
	if (!keymap_set(keymap->bindings[context], seq, KEYMAP_ACTION_NONE, m)) {
		keymap_macro_free(m);
		return keymap_fail(error, SURAT_KEYMAP_ERROR_KEY, "more than %d bindings in the "
		    "%s; bind fewer keys", KEYMAP_MAX_BINDINGS, keymap_context_names[context]);
	}
	g_ptr_array_add(keymap->macros, m);
	return true;
}

bool
keymap_macro_names(struct keymap *keymap, const char *contexts, const char *keys,
    const char *sequence, const char *description, GError **error)
{
	struct keymap_seq seq;
	unsigned int mask;
	GArray *steps;
	int c;

	if (!keymap_context_parse(contexts, &mask, error) ||
	    !keymap_macro_keys_parse(keys, &seq, error))
		return false;
	if ((steps = keymap_steps_parse(sequence, error)) == NULL)
		return false;
	g_array_unref(steps);
	for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
		if ((mask & KEYMAP_IN(c)) &&
		    !keymap_macro_bind(keymap, c, &seq, sequence, description, error))
			return false;
	}
	return true;
}
