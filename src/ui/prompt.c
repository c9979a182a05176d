/*
 * prompt: the line editor on the message line, for every question that
 * takes a line (the : command line, searches, and later limit, tag-pattern,
 * save and pipe).  Its keys are the prompt context of the key map; a key
 * bound to nothing there is typed.  The cursor is a byte offset on a
 * character boundary; columns are measured with width.c, so wide and
 * combining characters line up.  Each kind of prompt keeps its own history.
 */
#include <curses.h>
#include <string.h>

#include "private.h"
#include "surat/sanitize.h"
#include "surat/width.h"

void
ui_prompt_init(struct ui *ui)
{
	int i;

	memset(&ui->prompt, 0, sizeof ui->prompt);
	ui->prompt.text = g_string_new(NULL);
	for (i = 0; i < UI_PROMPT_KIND_COUNT; i++)
		ui->prompt.history[i] = g_ptr_array_new_with_free_func(g_free);
	ui->prompt.history_pos = -1;
}

/* Forget the candidates of the last Tab. */
static void
prompt_forget_candidates(struct ui_prompt *p)
{
	if (p->candidates != NULL)
		g_ptr_array_free(p->candidates, TRUE);
	p->candidates = NULL;
	g_clear_pointer(&p->hint, g_free);
}

void
ui_prompt_clear(struct ui *ui)
{
	struct ui_prompt *p = &ui->prompt;
	int i;

	prompt_forget_candidates(p);
	if (p->text != NULL)
		g_string_free(p->text, TRUE);
	for (i = 0; i < UI_PROMPT_KIND_COUNT; i++)
		if (p->history[i] != NULL)
			g_ptr_array_free(p->history[i], TRUE);
	g_free(p->question);
	g_free(p->saved);
	memset(p, 0, sizeof *p);
}

void
ui_prompt_open(struct ui *ui, enum ui_prompt_kind kind, const char *question,
    const char *initial, ui_prompt_complete_fn complete, ui_prompt_done_fn done)
{
	struct ui_prompt *p = &ui->prompt;

	p->kind = kind;
	g_free(p->question);
	p->question = g_strdup(question);
	g_string_assign(p->text, initial != NULL ? initial : "");
	if (p->text->len > UI_PROMPT_MAX)
		g_string_truncate(p->text, 0);
	p->cursor = p->text->len;
	p->complete = complete;
	p->done = done;
	p->history_pos = -1;
	g_clear_pointer(&p->saved, g_free);
	prompt_forget_candidates(p);
	ui->dirty |= UI_DIRTY_STATUS;
}

/* Close the prompt; with ACCEPT, remember the line and hand it to DONE. */
static void
prompt_close(struct ui *ui, bool accept)
{
	struct ui_prompt *p = &ui->prompt;
	ui_prompt_done_fn done = p->done;
	GPtrArray *history = p->history[p->kind];
	char *text = g_strdup(p->text->str);

	if (accept && p->kind != UI_PROMPT_CONFIRM && p->kind != UI_PROMPT_KEY &&
	    p->kind != UI_PROMPT_QUAD && text[0] != '\0') {
		/* The newest last, no repeat of the one before. */
		if (history->len == 0 || strcmp(g_ptr_array_index(history, history->len - 1), text) != 0)
			g_ptr_array_add(history, g_strdup(text));
		if (history->len > UI_PROMPT_HISTORY)
			g_ptr_array_remove_range(history, 0, history->len - UI_PROMPT_HISTORY);
	}
	p->kind = UI_PROMPT_NONE;
	p->done = NULL;
	p->complete = NULL;
	prompt_forget_candidates(p);
	g_clear_pointer(&p->saved, g_free);
	ui->dirty |= UI_DIRTY_STATUS;
	if (accept && done != NULL)
		done(ui, text);
	g_free(text);
}

/* Replace the line with TEXT, the cursor at its end. */
static void
prompt_set_text(struct ui_prompt *p, const char *text)
{
	g_string_assign(p->text, text);
	if (p->text->len > UI_PROMPT_MAX)
		g_string_truncate(p->text, 0);
	p->cursor = p->text->len;
}

/* Step through the history: -1 older, +1 newer. */
static void
prompt_history(struct ui_prompt *p, int step)
{
	GPtrArray *history = p->history[p->kind];
	int pos = p->history_pos;

	if (history->len == 0)
		return;
	if (pos < 0) {
		if (step > 0)
			return;
		g_free(p->saved);
		p->saved = g_strdup(p->text->str);
		pos = (int)history->len;
	}
	pos += step;
	if (pos < 0)
		pos = 0;
	if (pos >= (int)history->len) {
		/* Past the newest: back to the line being typed. */
		prompt_set_text(p, p->saved != NULL ? p->saved : "");
		g_clear_pointer(&p->saved, g_free);
		p->history_pos = -1;
		return;
	}
	p->history_pos = pos;
	prompt_set_text(p, g_ptr_array_index(history, (guint)pos));
}

/* The byte offset of the character before POS (POS > 0). */
static size_t
prompt_prev(const struct ui_prompt *p, size_t pos)
{
	return (size_t)(g_utf8_find_prev_char(p->text->str, p->text->str + pos) - p->text->str);
}

/* The byte offset of the character after POS (POS < len). */
static size_t
prompt_next(const struct ui_prompt *p, size_t pos)
{
	return (size_t)(g_utf8_next_char(p->text->str + pos) - p->text->str);
}

/* The longest common prefix of the candidates, in bytes on a character boundary. */
static size_t
prompt_common(GPtrArray *candidates)
{
	const char *first = g_ptr_array_index(candidates, 0);
	size_t n = strlen(first);
	guint i;

	for (i = 1; i < candidates->len; i++) {
		const char *c = g_ptr_array_index(candidates, i);
		size_t k = 0;

		while (k < n && c[k] == first[k])
			k++;
		n = k;
	}
	while (n > 0 && !g_utf8_validate(first, (gssize)n, NULL))
		n--;
	return n;
}

/* Put CANDIDATE in place of the word being completed; FINAL adds a space. */
static void
prompt_put_word(struct ui_prompt *p, const char *candidate, size_t len, bool final)
{
	g_string_erase(p->text, (gssize)p->word_start, (gssize)(p->cursor - p->word_start));
	g_string_insert_len(p->text, (gssize)p->word_start, candidate, (gssize)len);
	p->cursor = p->word_start + len;
	/*
	 * A path goes on (a folder) or ends there: a space would be part of it.
	 * An address is followed by a comma the person types, or by nothing.
	 */
	if (final && p->kind != UI_PROMPT_FILE && p->kind != UI_PROMPT_ADDRESS &&
	    p->kind != UI_PROMPT_MAILBOX &&
	    (p->cursor == p->text->len || p->text->str[p->cursor] != ' ')) {
		g_string_insert_c(p->text, (gssize)p->cursor, ' ');
		p->cursor++;
	}
	if (p->text->len > UI_PROMPT_MAX) {
		g_string_truncate(p->text, UI_PROMPT_MAX);
		while (p->text->len > 0 && !g_utf8_validate(p->text->str, (gssize)p->text->len, NULL))
			g_string_truncate(p->text, p->text->len - 1);
		p->cursor = MIN(p->cursor, p->text->len);
	}
}

/*
 * Tab: one candidate is put in with a space after it; several are completed
 * as far as they agree and listed in the status line; Tab again cycles
 * through them.
 */
static void
prompt_complete(struct ui *ui)
{
	struct ui_prompt *p = &ui->prompt;
	GPtrArray *candidates;
	GString *hint;
	size_t common, word_len;
	guint i;

	if (p->complete == NULL)
		return;
	if (p->candidates != NULL && p->candidates->len > 1) {
		p->candidate = (p->candidate + 1) % p->candidates->len;
		prompt_put_word(p, g_ptr_array_index(p->candidates, p->candidate),
		    strlen(g_ptr_array_index(p->candidates, p->candidate)), false);
		return;
	}
	prompt_forget_candidates(p);
	candidates = g_ptr_array_new_with_free_func(g_free);
	p->word_start = p->complete(ui, p->text->str, p->cursor, candidates);
	if (p->word_start > p->cursor)
		p->word_start = p->cursor;
	if (candidates->len == 0) {
		g_ptr_array_free(candidates, TRUE);
		p->hint = g_strdup("no completion");
		return;
	}
	if (candidates->len == 1) {
		const char *only = g_ptr_array_index(candidates, 0);

		prompt_put_word(p, only, strlen(only), true);
		g_ptr_array_free(candidates, TRUE);
		return;
	}
	word_len = p->cursor - p->word_start;
	common = prompt_common(candidates);
	if (common > word_len)
		prompt_put_word(p, g_ptr_array_index(candidates, 0), common, false);
	hint = g_string_new(NULL);
	for (i = 0; i < candidates->len && hint->len < 2048; i++)
		g_string_append_printf(hint, "%s%s", i > 0 ? " " : "",
		    (const char *)g_ptr_array_index(candidates, i));
	p->hint = g_string_free(hint, FALSE);
	/* The first Tab shows them; the next ones cycle, starting at the first. */
	p->candidates = candidates;
	p->candidate = candidates->len - 1;
}

void
ui_prompt_candidates(const char *word, const char *const *names, GPtrArray *out)
{
	size_t n = strlen(word);

	for (; *names != NULL; names++)
		if (strncmp(*names, word, n) == 0)
			g_ptr_array_add(out, g_strdup(*names));
}

void
ui_prompt_action(struct ui *ui, enum keymap_action action)
{
	struct ui_prompt *p = &ui->prompt;
	size_t k;

	ui->dirty |= UI_DIRTY_STATUS;
	if (action != KEYMAP_ACTION_COMPLETE)
		prompt_forget_candidates(p);
	switch (action) {
	case KEYMAP_ACTION_ACCEPT:
		prompt_close(ui, true);
		break;
	case KEYMAP_ACTION_CANCEL:
		prompt_close(ui, false);
		break;
	case KEYMAP_ACTION_COMPLETE:
		prompt_complete(ui);
		break;
	case KEYMAP_ACTION_HISTORY_UP:
		prompt_history(p, -1);
		break;
	case KEYMAP_ACTION_HISTORY_DOWN:
		prompt_history(p, 1);
		break;
	case KEYMAP_ACTION_BACKSPACE:
		if (p->cursor == 0) {
			/* Backspace on an empty line gives up, as in mutt. */
			if (p->text->len == 0)
				prompt_close(ui, false);
			break;
		}
		k = prompt_prev(p, p->cursor);
		g_string_erase(p->text, (gssize)k, (gssize)(p->cursor - k));
		p->cursor = k;
		break;
	case KEYMAP_ACTION_DELETE_CHAR:
		if (p->cursor < p->text->len)
			g_string_erase(p->text, (gssize)p->cursor,
			    (gssize)(prompt_next(p, p->cursor) - p->cursor));
		break;
	case KEYMAP_ACTION_BACKWARD_CHAR:
		if (p->cursor > 0)
			p->cursor = prompt_prev(p, p->cursor);
		break;
	case KEYMAP_ACTION_FORWARD_CHAR:
		if (p->cursor < p->text->len)
			p->cursor = prompt_next(p, p->cursor);
		break;
	case KEYMAP_ACTION_BOL:
		p->cursor = 0;
		break;
	case KEYMAP_ACTION_EOL:
		p->cursor = p->text->len;
		break;
	case KEYMAP_ACTION_KILL_LINE:
		g_string_truncate(p->text, 0);
		p->cursor = 0;
		break;
	case KEYMAP_ACTION_KILL_EOL:
		g_string_truncate(p->text, p->cursor);
		break;
	case KEYMAP_ACTION_KILL_WORD:
		/* The spaces before the cursor, then the word before them. */
		k = p->cursor;
		while (k > 0 && p->text->str[k - 1] == ' ')
			k--;
		while (k > 0 && p->text->str[k - 1] != ' ')
			k = prompt_prev(p, k);
		g_string_erase(p->text, (gssize)k, (gssize)(p->cursor - k));
		p->cursor = k;
		break;
	default:
		/* noop, or an action of another context bound here by mistake. */
		break;
	}
}

void
ui_prompt_insert(struct ui *ui, int32_t key)
{
	struct ui_prompt *p = &ui->prompt;
	char utf8[8];
	int n;

	ui->dirty |= UI_DIRTY_STATUS;
	if (p->kind == UI_PROMPT_CONFIRM) {
		char answer[2] = { key == 'y' || key == 'Y' ? 'y' : 'n', '\0' };

		g_string_assign(p->text, answer);
		prompt_close(ui, true);
		return;
	}
	if (p->kind == UI_PROMPT_QUAD) {
		/* A printable key answers; Enter (accept, "") and Escape (cancel) are actions. */
		if (key < 0x20 || key >= 0x7f)
			return;
		g_string_truncate(p->text, 0);
		g_string_append_c(p->text, (char)key);
		prompt_close(ui, true);
		return;
	}
	if (p->kind == UI_PROMPT_KEY) {
		/* The key is the answer: a character, else "" (Escape gives up). */
		g_string_truncate(p->text, 0);
		if (key >= 0x20 && key < KEYMAP_KEY_SPECIAL && key != 0x7f &&
		    g_unichar_isprint((gunichar)key)) {
			n = g_unichar_to_utf8((gunichar)key, utf8);
			g_string_append_len(p->text, utf8, n);
		}
		/* DONE hears a give-up too, as "": the question's owner may have something to say. */
		prompt_close(ui, true);
		return;
	}
	/* Printable characters only: the line is drawn on the screen. */
	if (key < 0x20 || key >= KEYMAP_KEY_SPECIAL || key == 0x7f ||
	    !g_unichar_isprint((gunichar)key))
		return;
	n = g_unichar_to_utf8((gunichar)key, utf8);
	if (p->text->len + (size_t)n > UI_PROMPT_MAX)
		return;
	prompt_forget_candidates(p);
	g_string_insert_len(p->text, (gssize)p->cursor, utf8, n);
	p->cursor += (size_t)n;
}

void
ui_prompt_draw(struct ui *ui, int y, int width)
{
	struct ui_prompt *p = &ui->prompt;
	char *raw = g_strdup_printf("%s%.*s", p->question, (int)p->cursor, p->text->str);
	/* Each side of the cursor made safe on its own, so the cursor stays put. */
	char *before = sanitize_text(raw, -1, 0);
	char *after = sanitize_text(p->text->str + p->cursor, -1, 0);
	const char *start = before;
	char *shown;
	int cursor_x;

	/* Keep the cursor in view: drop characters from the left of a long line. */
	while (*start != '\0' && width_of(start) >= width)
		start = g_utf8_next_char(start);
	cursor_x = width_of(start);
	shown = g_strconcat(start, after, NULL);
	{
		char *fit = ui_term_fit(shown, width, 0);

		move(y, 0);
		attrset(ui_term_attr(THEME_PROMPT));
		clrtoeol();
		addstr(fit);
		g_free(fit);
	}
	attrset(A_NORMAL);
	move(y, MIN(cursor_x, MAX(width - 1, 0)));
	curs_set(1);
	g_free(shown);
	g_free(after);
	g_free(before);
	g_free(raw);
}
