/*
 * view: what the attachment and link views (attachments.c, links.c) and the
 * pipe commands (pipe.c) share.  Those views run their own loop over the
 * terminal until they are closed (the background fetch keeps being served),
 * read keys through the key map (keymap.h), ask questions on the message
 * line, show text in a simple pager, and hand the terminal to a command.
 *
 * Commands the user typed run with /bin/sh -c, as mutt runs them: the user
 * wrote the line.  Message data only ever reaches a command on its standard
 * input or in a file whose name surat chose.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "private.h"
#include "surat/command.h"
#include "surat/folder.h"
#include "surat/keymap.h"
#include "surat/mailcap.h"
#include "surat/sanitize.h"
#include "surat/store.h"
#include "surat/width.h"

#define VIEW_PREFIX_WAIT_MS UI_PENDING_MS /* a bound prefix runs after this long alone */

struct ui_views {
	struct mailcap *mailcap;
	bool mailcap_loaded;
};

/* The views' state, made on first use. */
static struct ui_views *
view_state(struct ui *ui)
{
	if (ui->views == NULL)
		ui->views = g_new0(struct ui_views, 1);
	return ui->views;
}

void
ui_views_free(struct ui *ui)
{
	if (ui->views == NULL)
		return;
	mailcap_free(ui->views->mailcap);
	g_free(ui->views);
	ui->views = NULL;
}

struct keymap *
ui_views_keymap(struct ui *ui)
{
	/* The live map: the defaults, the config's bindings and any :bind. */
	return ui->keymap;
}

const struct mailcap *
ui_views_mailcap(struct ui *ui)
{
	struct ui_views *v = view_state(ui);

	if (!v->mailcap_loaded) {
		v->mailcap = mailcap_load((const char *const *)ui->config->mailcap_path, NULL);
		v->mailcap_loaded = true;
	}
	return v->mailcap;
}

/*
 * Wait up to TIMEOUT_MS (-1: for ever) for a key, serving the background
 * fetch and the quit signals meanwhile.  Returns the key (keymap.h),
 * UI_KEY_RESIZE on a resize, or UI_KEY_NONE on timeout or when surat must
 * quit (ui->quit set).  Mouse events are dropped: the views take keys only.
 */
static int
view_wait(struct ui *ui, int timeout_ms)
{
	gint64 deadline = timeout_ms < 0 ? -1 : g_get_monotonic_time() / 1000 + timeout_ms;

	for (;;) {
		struct pollfd fds[3];
		int key, sig, wait_ms = ui_fetcher_timeout_ms(ui);

		while ((key = ui_keys_read()) == UI_KEY_MOUSE) {
			MEVENT ev;

			(void)getmouse(&ev); /* taken off the queue, not acted on */
		}
		if (key != UI_KEY_NONE)
			return key;
		if (deadline >= 0) {
			gint64 left = deadline - g_get_monotonic_time() / 1000;

			if (left <= 0)
				return UI_KEY_NONE;
			if (wait_ms < 0 || wait_ms > left)
				wait_ms = (int)left;
		}
		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		fds[1].fd = ui_term_signal_fd();
		fds[1].events = POLLIN;
		fds[2].fd = ui_fetcher_fd(ui);
		fds[2].events = POLLIN;
		fds[0].revents = fds[1].revents = fds[2].revents = 0;
		if (poll(fds, 3, wait_ms) < 0 && errno != EINTR) {
			ui->quit = true;
			return UI_KEY_NONE;
		}
		if (fds[2].fd >= 0 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)))
			ui_fetcher_readable(ui);
		ui_fetcher_tick(ui);
		if (fds[1].revents & POLLIN) {
			while ((sig = ui_term_take_signal()) != 0)
				if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
					ui->quit = true;
		}
		if (fds[0].revents & (POLLHUP | POLLERR))
			ui->quit = true;
		if (ui->quit)
			return UI_KEY_NONE;
	}
}

enum keymap_action
ui_view_read(struct ui *ui, enum keymap_context context, int32_t *typed)
{
	struct keymap *km = ui_views_keymap(ui);
	int32_t pending[KEYMAP_SEQ_MAX];
	enum keymap_action prefix_action = KEYMAP_ACTION_NONE, action;
	size_t n = 0;

	*typed = KEYMAP_KEY_NONE;
	for (;;) {
		bool waiting = n > 0 && (prefix_action != KEYMAP_ACTION_NONE ||
		    pending[n - 1] == KEYMAP_KEY_ESCAPE);
		int key = view_wait(ui, waiting ? VIEW_PREFIX_WAIT_MS : -1);
		int32_t k;

		if (ui->quit)
			return KEYMAP_ACTION_NONE;
		if (key == UI_KEY_NONE) {
			/* A prefix left alone: its own action, or the key itself (Escape). */
			if (prefix_action == KEYMAP_ACTION_NONE && n > 0)
				*typed = pending[n - 1];
			return prefix_action;
		}
		if (key == UI_KEY_RESIZE) {
			*typed = KEYMAP_KEY_NONE;
			return KEYMAP_ACTION_REDRAW;
		}
		k = key;
		if (n == KEYMAP_SEQ_MAX)
			n = 0;
		pending[n++] = k;
		switch (keymap_lookup(km, context, pending, n, &action)) {
		case KEYMAP_MATCH_FULL:
			return action;
		case KEYMAP_MATCH_PREFIX:
			prefix_action = action;
			break;
		case KEYMAP_MATCH_NONE:
			if (n > 1) {
				/* The key ends no binding: look it up on its own. */
				pending[0] = k;
				if (keymap_lookup(km, context, pending, 1, &action) ==
				    KEYMAP_MATCH_FULL)
					return action;
			}
			*typed = k;
			return KEYMAP_ACTION_NONE;
		}
	}
}

bool
ui_view_list_key(struct ui *ui, enum keymap_action action, int32_t typed, int page, int count,
    int *cursor, int *digits)
{
	bool digit = action == KEYMAP_ACTION_NONE && typed >= '0' && typed <= '9';
	int n;

	if (!digit)
		*digits = 0;
	if (typed != KEYMAP_KEY_NONE || action != KEYMAP_ACTION_NONE)
		g_clear_pointer(&ui->message, g_free);
	switch (action) {
	case KEYMAP_ACTION_NEXT_ENTRY:
	case KEYMAP_ACTION_NEXT_LINE:
		*cursor = MIN(*cursor + 1, count);
		return true;
	case KEYMAP_ACTION_PREVIOUS_ENTRY:
	case KEYMAP_ACTION_PREVIOUS_LINE:
		*cursor = MAX(*cursor - 1, 1);
		return true;
	case KEYMAP_ACTION_NEXT_PAGE:
	case KEYMAP_ACTION_HALF_DOWN:
		*cursor = MIN(*cursor + page, count);
		return true;
	case KEYMAP_ACTION_PREVIOUS_PAGE:
	case KEYMAP_ACTION_HALF_UP:
		*cursor = MAX(*cursor - page, 1);
		return true;
	case KEYMAP_ACTION_FIRST_ENTRY:
	case KEYMAP_ACTION_TOP:
		*cursor = 1;
		return true;
	case KEYMAP_ACTION_LAST_ENTRY:
	case KEYMAP_ACTION_BOTTOM:
		*cursor = count;
		return true;
	case KEYMAP_ACTION_NONE:
		if (!digit)
			return false;
		n = *digits * 10 + (int)(typed - '0');
		if (n < 1 || n > count)
			n = (int)(typed - '0');
		*digits = n;
		if (n < 1 || n > count)
			return false;
		*cursor = n;
		return true;
	default:
		return false;
	}
}

/* Draw the status line at Y: TEXT, then dashes to the edge. */
void
ui_view_status(int y, const char *text)
{
	GString *s = g_string_new(text);
	char *line;

	g_string_append_c(s, ' ');
	while (width_of(s->str) < COLS)
		g_string_append_c(s, '-');
	line = ui_term_fit(s->str, COLS, 1);
	attrset(ui_term_attr(THEME_STATUS));
	mvaddstr(y, 0, line);
	attrset(A_NORMAL);
	g_free(line);
	g_string_free(s, TRUE);
}

/* Draw the message line (the last line) with ui->message. */
static void
view_message_line(struct ui *ui)
{
	ui_message_draw(ui, LINES - 1, COLS);
}

/* Draw the message line as a prompt: QUESTION then TEXT, the cursor after it. */
static void
view_prompt_draw(struct ui *ui, const char *question, const char *text)
{
	char *saved = ui->prompt.question;
	GString *saved_text = ui->prompt.text;
	enum ui_prompt_kind saved_kind = ui->prompt.kind;
	size_t saved_cursor = ui->prompt.cursor;
	GString *t = g_string_new(text);

	/*
	 * status.c draws prompts; borrow its drawing for this one, with the
	 * cursor at the end of TEXT (the borrowed prompt's may be past it: a
	 * view can be opened from the : line).
	 */
	ui->prompt.question = (char *)question;
	ui->prompt.text = t;
	ui->prompt.kind = UI_PROMPT_SEARCH;
	ui->prompt.cursor = t->len;
	ui_message_draw(ui, LINES - 1, COLS);
	ui->prompt.question = saved;
	ui->prompt.text = saved_text;
	ui->prompt.kind = saved_kind;
	ui->prompt.cursor = saved_cursor;
	g_string_free(t, TRUE);
	refresh();
}

bool
ui_view_ask(struct ui *ui, const char *question, const char *initial, char **answer)
{
	struct keymap *km = ui_views_keymap(ui);
	GString *text = g_string_new(initial != NULL ? initial : "");
	bool done = false, accepted = false;

	*answer = NULL;
	while (!done) {
		enum keymap_action action;
		int32_t k;
		int key;

		view_prompt_draw(ui, question, text->str);
		key = view_wait(ui, -1);
		if (ui->quit)
			break;
		if (key == UI_KEY_RESIZE)
			continue;
		k = key;
		if (keymap_lookup(km, KEYMAP_CONTEXT_PROMPT, &k, 1, &action) != KEYMAP_MATCH_FULL)
			action = KEYMAP_ACTION_NONE;
		switch (action) {
		case KEYMAP_ACTION_ACCEPT:
			accepted = done = true;
			break;
		case KEYMAP_ACTION_CANCEL:
			done = true;
			break;
		case KEYMAP_ACTION_BACKSPACE:
			if (text->len > 0) {
				const char *prev = g_utf8_find_prev_char(text->str,
				    text->str + text->len);

				g_string_truncate(text, (gsize)(prev - text->str));
			}
			break;
		case KEYMAP_ACTION_KILL_LINE:
			g_string_truncate(text, 0);
			break;
		case KEYMAP_ACTION_KILL_WORD:
			while (text->len > 0 && text->str[text->len - 1] == ' ')
				g_string_truncate(text, text->len - 1);
			while (text->len > 0 && text->str[text->len - 1] != ' ')
				g_string_truncate(text, text->len - 1);
			break;
		default:
			/* Printable characters only: the line is drawn on the screen. */
			if (k < KEYMAP_KEY_SPECIAL && k >= 0x20 && g_unichar_isprint((gunichar)k) &&
			    text->len < 1024)
				g_string_append_unichar(text, (gunichar)k);
			break;
		}
	}
	curs_set(0);
	if (accepted)
		*answer = g_string_free(text, FALSE);
	else
		g_string_free(text, TRUE);
	return accepted;
}

int
ui_view_choose(struct ui *ui, const char *question, const char *keys)
{
	for (;;) {
		int key;

		view_prompt_draw(ui, question, "");
		key = view_wait(ui, -1);
		if (ui->quit || key == 0x1b || key == ('g' & 0x1f))
			break;
		if (key > 0 && key < 0x80 && strchr(keys, g_ascii_tolower((char)key)) != NULL) {
			curs_set(0);
			return g_ascii_tolower((char)key);
		}
	}
	curs_set(0);
	return 0;
}

/* Write LEN bytes of BUF to FD, a pipe that may close: no SIGPIPE reaches surat. */
static bool
view_write_all(int fd, const char *buf, size_t len)
{
	sigset_t pipe_set, old;
	bool ok = true;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ok = false;
			break;
		}
		buf += n;
		len -= (size_t)n;
	}
	if (!ok && errno == EPIPE) {
		struct timespec zero = { 0, 0 };

		while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
			;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return ok;
}

/* Wait for one key on the terminal outside curses (canonical mode off for it). */
static void
view_press_any_key(void)
{
	struct termios saved, raw;
	char c;

	fputs("Press any key to continue...", stdout);
	fflush(stdout);
	if (tcgetattr(STDIN_FILENO, &saved) != 0)
		return;
	raw = saved;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	while (read(STDIN_FILENO, &c, 1) < 0 && errno == EINTR)
		;
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
}

bool
ui_view_run_terminal(struct ui *ui, char **argv, const void *input, size_t len, bool wait_key,
    int *status, GError **error)
{
	struct command_child child = { argv, COMMAND_GROUP_TERMINAL, input != NULL, false, -1, -1,
		false };
	struct sigaction ignore, old_int, old_quit;
	GPid pid;
	int in_fd = -1;
	bool ok;

	def_prog_mode();
	endwin();
	/* ^C at the command is the command's: surat waits for it. */
	memset(&ignore, 0, sizeof ignore);
	sigemptyset(&ignore.sa_mask);
	ignore.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ignore, &old_int);
	sigaction(SIGQUIT, &ignore, &old_quit);
	ok = command_start(&child, &pid, &in_fd, NULL, error);
	if (ok) {
		if (in_fd >= 0) {
			/* A command that does not read it all is its own business. */
			view_write_all(in_fd, input, len);
			close(in_fd);
		}
		*status = command_wait(pid);
	}
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	if (ok && wait_key) {
		printf("\n[exit status %d] ", *status);
		view_press_any_key();
	}
	/* Back to curses: draw everything again. */
	reset_prog_mode();
	clearok(curscr, TRUE);
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
	return ok;
}

bool
ui_view_run_shell(struct ui *ui, const char *command, const void *input, size_t len,
    int *status, GError **error)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)command, NULL };

	return ui_view_run_terminal(ui, argv, input, len, true, status, error);
}

/*
 * Run the modes pushed above DEPTH (the text pager) in this view's loop
 * until they are popped: the view waits for them as for a question.
 */
static void
view_modes_run(struct ui *ui, guint depth)
{
	while (!ui->quit && ui->modes != NULL && ui->modes->len > depth) {
		struct ui_mode *mode = ui_mode_top(ui);
		enum keymap_action action;
		int32_t typed;

		mode->cls->draw(ui, mode);
		view_message_line(ui);
		refresh();
		action = ui_view_read(ui, mode->context, &typed);
		if (ui->message != NULL && action != KEYMAP_ACTION_NONE)
			g_clear_pointer(&ui->message, g_free);
		/* The : line is the main loop's. */
		if (action == KEYMAP_ACTION_ENTER_COMMAND)
			continue;
		mode->cls->key(ui, mode, action, typed);
	}
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
}

void
ui_view_text(struct ui *ui, const char *title, const char *text, size_t len)
{
	struct ui_text_options o = {
		.title = title, .context = KEYMAP_CONTEXT_PAGER, .wrap = true,
		.element = THEME_BODY,
	};
	guint depth = ui->modes != NULL ? ui->modes->len : 0;

	ui_text_push(ui, &o, ui_text_lines(text, len));
	view_modes_run(ui, depth);
}

void
ui_view_help(struct ui *ui, enum keymap_context context)
{
	guint depth = ui->modes != NULL ? ui->modes->len : 0;

	ui_help_push(ui, context);
	view_modes_run(ui, depth);
}

char *
ui_view_message_path(struct ui *ui, int64_t *id, GError **error)
{
	const struct index_message *cur;
	struct index_message msg = { 0 };
	char *maildir, *path;
	int64_t want;

	if (ui->pager != NULL) {
		want = ui->pager->id;
	} else {
		cur = ui_index_current(ui);
		if (cur == NULL) {
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "No message here.");
			return NULL;
		}
		want = cur->id;
	}
	if (!index_get(ui->idx, want, &msg, error)) {
		if (error != NULL && *error == NULL)
			g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
			    "the message is gone");
		index_message_clear(&msg);
		return NULL;
	}
	/* Another program (mutt) may have renamed it: follow it (the row too). */
	if (folder_locate(ui->idx, ui->config->store, &msg, NULL))
		ui->dirty |= UI_RELOAD_ROWS;
	maildir = ui_index_maildir(ui, msg.account, msg.folder);
	path = store_message_path(maildir, msg.subdir, msg.base, msg.flags);
	g_free(maildir);
	index_message_clear(&msg);
	if (id != NULL)
		*id = want;
	return path;
}

bool
ui_view_osc52(const char *text)
{
	char *b64 = g_base64_encode((const guchar *)text, strlen(text));
	char *seq = g_strdup_printf("\033]52;c;%s\a", b64);
	size_t len = strlen(seq), off = 0;
	bool ok = true;

	/* curses has flushed its own output: this goes after it. */
	fflush(stdout);
	while (off < len) {
		ssize_t n = write(STDOUT_FILENO, seq + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ok = false;
			break;
		}
		off += (size_t)n;
	}
	g_free(seq);
	g_free(b64);
	return ok;
}

void
ui_view_render_options(struct ui *ui, struct render_options *options)
{
	render_options_init(options, ui->config);
	/* The mailcap files are read only when auto_view asks for them. */
	if (options->auto_view != NULL && options->auto_view[0] != NULL)
		options->mailcap = ui_views_mailcap(ui);
}
