/*
 * view: what the attachment and link lists (attachments.c, links.c) and the
 * pipe commands (pipe.c) share: the mailcap, a status line, the file of the
 * message, the clipboard, and handing the terminal to a command.
 *
 * Commands the user typed run with /bin/sh -c, as mutt runs them: the user
 * wrote the line.  Message data only ever reaches a command on its standard
 * input or in a file whose name surat chose.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
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
ui_view_run_shell_wait(struct ui *ui, const char *command, const void *input, size_t len,
    bool wait_key, int *status, GError **error)
{
	char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)command, NULL };

	return ui_view_run_terminal(ui, argv, input, len, wait_key, status, error);
}

bool
ui_view_run_shell(struct ui *ui, const char *command, const void *input, size_t len,
    int *status, GError **error)
{
	return ui_view_run_shell_wait(ui, command, input, len, true, status, error);
}

char *
ui_view_row_path(struct ui *ui, int64_t id, char **account, GError **error)
{
	struct index_message msg = { 0 };
	char *maildir, *path;

	if (!index_get(ui->idx, id, &msg, error)) {
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
	if (account != NULL)
		*account = g_strdup(msg.account);
	index_message_clear(&msg);
	return path;
}

char *
ui_view_message_path(struct ui *ui, int64_t *id, GError **error)
{
	const struct index_message *cur;
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
	if (id != NULL)
		*id = want;
	return ui_view_row_path(ui, want, NULL, error);
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

size_t
ui_view_complete_path(struct ui *ui, const char *line, size_t cursor, GPtrArray *out)
{
	char *typed = g_strndup(line, cursor), *expanded, *dir, *base;
	const char *slash = strrchr(typed, '/'), *name;
	size_t prefix = slash != NULL ? (size_t)(slash - typed) + 1 : 0;
	GDir *d;

	(void)ui;
	expanded = typed[0] == '~' && (typed[1] == '/' || typed[1] == '\0') ?
	    g_strconcat(g_get_home_dir(), typed + 1, NULL) : g_strdup(typed);
	slash = strrchr(expanded, '/');
	dir = slash == NULL ? g_strdup(".") : slash == expanded ? g_strdup("/") :
	    g_strndup(expanded, (gsize)(slash - expanded));
	base = g_strdup(slash != NULL ? slash + 1 : expanded);
	if ((d = g_dir_open(dir, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL && out->len < 1000) {
			char *path;

			if (!g_str_has_prefix(name, base) || (name[0] == '.' && base[0] != '.'))
				continue;
			path = g_build_filename(dir, name, NULL);
			g_ptr_array_add(out, g_strdup_printf("%.*s%s%s", (int)prefix, typed, name,
			    g_file_test(path, G_FILE_TEST_IS_DIR) ? "/" : ""));
			g_free(path);
		}
		g_dir_close(d);
	}
	g_free(typed);
	g_free(expanded);
	g_free(dir);
	g_free(base);
	return 0; /* the whole line is the path */
}

char *
ui_view_expand_path(const char *path)
{
	if (path[0] == '~' && (path[1] == '/' || path[1] == '\0'))
		return g_strconcat(g_get_home_dir(), path + 1, NULL);
	return g_strdup(path);
}
