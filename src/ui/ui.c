/*
 * ui: the mail reader's entry point and loop.  One poll() over the terminal
 * and the signal self-pipe; keys become actions; the screen is drawn once at
 * the end of each pass in which something changed.
 */
#include <curses.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "surat/cli.h"
#include "surat/compose.h"
#include "surat/reindex.h"
#include "surat/store.h"
#include "surat/ui.h"

enum keymap_context
ui_context(const struct ui *ui)
{
	const struct ui_mode *mode = ui_mode_top(ui);

	if (ui->prompt.kind != UI_PROMPT_NONE)
		return KEYMAP_CONTEXT_PROMPT;
	return mode != NULL ? ui_mode_context(ui, mode) : KEYMAP_CONTEXT_INDEX;
}

void
ui_set_message(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;

	g_free(ui->message);
	va_start(ap, fmt);
	ui->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ui->message_error = error;
	ui->dirty |= UI_DIRTY_STATUS;
}

/* Draw everything once: the top mode (the mail mode, or one over it), the message line. */
static void
ui_draw(struct ui *ui)
{
	struct ui_mode *mode = ui_mode_top(ui);
	struct ui_layout l;

	ui_layout_compute(ui, &l);
	/* A mode over the index leaves its shape (and rows) as they were. */
	ui_index_resize(ui, l.index_h);
	if (ui->dirty & UI_RELOAD_ROWS)
		ui_index_reload(ui);
	ui->pane_x = l.sidebar_w;
	if (mode != NULL)
		mode->cls->draw(ui, mode);
	ui_message_draw(ui, l.message_y, COLS);
	refresh();
	/* Links are marked on what the terminal shows, so after refresh(). */
	if (ui_mode_cover(ui) == NULL && l.pager_h > 0)
		ui_links_osc8(ui, l.pager_y, l.pager_h);
	ui->dirty = 0;
}

void
ui_key_action(struct ui *ui, enum keymap_action action)
{
	if (ui->prompt.kind != UI_PROMPT_NONE)
		ui_prompt_action(ui, action);
	else
		ui_action_run(ui, action);
}

void
ui_say_unbound(struct ui *ui, enum keymap_context context, const char *keys)
{
	char *help = keymap_keys_for(ui->keymap, context, KEYMAP_ACTION_HELP);

	/* As mutt says it; the first key that opens the help, if one does. */
	if (help != NULL) {
		help[strcspn(help, ",")] = '\0';
		ui_set_message(ui, false, "%s is not bound. Press %s for help.",
		    keys != NULL ? keys : "Key", help);
	} else {
		ui_set_message(ui, false, "%s is not bound.", keys != NULL ? keys : "Key");
	}
	g_free(help);
}

/* Forget the keys of a sequence typed so far. */
static void
ui_pending_clear(struct ui *ui)
{
	if (ui->n_pending > 0)
		ui->dirty |= UI_DIRTY_STATUS;
	ui->n_pending = 0;
	ui->pending_action = KEYMAP_ACTION_NONE;
	ui->pending_deadline = 0;
}

/* The pending keys waited long enough: run what they do on their own. */
static void
ui_pending_expire(struct ui *ui)
{
	enum keymap_action action = ui->pending_action;

	ui_pending_clear(ui);
	if (action != KEYMAP_ACTION_NONE)
		ui_key_action(ui, action);
}

/* Look up the pending keys, the last one just added; run what they name. */
static void
ui_pending_lookup(struct ui *ui, int32_t key)
{
	enum keymap_context context = ui_context(ui);
	enum keymap_action action;
	enum keymap_match match;

	match = keymap_lookup(ui->keymap, context, ui->pending, ui->n_pending, &action);
	switch (match) {
	case KEYMAP_MATCH_FULL:
		ui_pending_clear(ui);
		ui_key_action(ui, action);
		break;
	case KEYMAP_MATCH_PREFIX:
		ui->pending_action = action;
		ui->pending_deadline = action != KEYMAP_ACTION_NONE ?
		    g_get_monotonic_time() + UI_PENDING_MS * 1000 : 0;
		ui->dirty |= UI_DIRTY_STATUS;
		break;
	case KEYMAP_MATCH_NONE:
		if (ui->n_pending > 1 && ui->pending_action != KEYMAP_ACTION_NONE) {
			/* "g" bound alone and in "g g", then "x": run "g", then look "x" up afresh. */
			ui_pending_expire(ui);
			ui->pending[0] = key;
			ui->n_pending = 1;
			ui_pending_lookup(ui, key);
			break;
		}
		if (ui->n_pending == 1 && context == KEYMAP_CONTEXT_PROMPT) {
			ui_prompt_insert(ui, key);
		} else if (ui->n_pending == 1) {
			/*
			 * A key bound to nothing is the top mode's to read (a digit,
			 * Escape); the mail mode says it is not bound.
			 */
			ui_mode_top(ui)->cls->key(ui, ui_mode_top(ui), KEYMAP_ACTION_NONE, key);
		} else {
			struct keymap_seq seq = { .len = 0 };
			char *name;
			size_t i;

			for (i = 0; i < ui->n_pending && seq.len < KEYMAP_SEQ_MAX; i++)
				seq.keys[seq.len++] = ui->pending[i];
			name = keymap_seq_format(&seq);
			ui_say_unbound(ui, context, name);
			g_free(name);
		}
		ui_pending_clear(ui);
		break;
	}
}

void
ui_reload_keep_cursor(struct ui *ui)
{
	int64_t id = ui_browse_current_id(ui);

	if (id != 0)
		ui_browse_keep(ui, id, ui_index_cursor(ui) - ui_index_top(ui));
	else
		ui->dirty |= UI_RELOAD_ROWS;
	ui->dirty |= UI_DIRTY_ALL;
}

/* How often the Maildirs are looked at for other programs' changes. */
#define UI_STORE_WATCH_MS 2000

/*
 * Follow what other programs (mutt, a script, an MDA) do to the Maildirs:
 * a thread reindexes the mailboxes whose folders changed (reindex_watcher),
 * on its own index connection, so a scan of a large mailbox never stops
 * the keys.  Started after the first frame: its first look catches up
 * with what changed while surat was not running.
 */
static void
ui_store_watch_start(struct ui *ui)
{
	GError *error = NULL;
	char *path;

	if (ui->watcher_started)
		return;
	ui->watcher_started = true;
	path = g_build_filename(ui->config->store, "index.db", NULL);
	ui->watcher = reindex_watcher_start(path, ui->config->store,
	    (const char *const *)ui->config->charset_fallbacks, UI_STORE_WATCH_MS, &error);
	g_free(path);
	if (ui->watcher == NULL) {
		ui_set_message(ui, true, "cannot follow other programs' changes: %s",
		    error->message);
		g_clear_error(&error);
	}
}

/*
 * The watcher has news.  Rows it changed reach the view as any other
 * connection's writes do: through the index's change stamp
 * (ui_sidebar_watch), so only a failure is shown here.
 */
static void
ui_store_watch_readable(struct ui *ui)
{
	GError *error = NULL;
	bool changed = false;

	if (!reindex_watcher_take(ui->watcher, &changed, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	}
	/* The count of bodies left to index may have changed (status line). */
	ui->dirty |= UI_DIRTY_STATUS;
}

/* Handle one key (or a resize or a mouse event). */
static void ui_key_handle(struct ui *ui, int32_t key);

/* Handle one key; what it does to the files is no news for the watch. */
static void
ui_key(struct ui *ui, int32_t key)
{
	reindex_watcher_mine_begin(ui->watcher);
	ui_key_handle(ui, key);
	reindex_watcher_mine_end(ui->watcher);
}

static void
ui_key_handle(struct ui *ui, int32_t key)
{
	if (key == UI_KEY_RESIZE) {
		ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
		return;
	}
	if (ui->message != NULL && ui->prompt.kind == UI_PROMPT_NONE) {
		g_clear_pointer(&ui->message, g_free);
		ui->dirty |= UI_DIRTY_STATUS;
	}
	if (key == UI_KEY_MOUSE) {
		ui_pending_clear(ui);
		ui_mouse_event(ui);
		return;
	}
	if (ui->prompt.kind == UI_PROMPT_CONFIRM || ui->prompt.kind == UI_PROMPT_KEY) {
		/* A y/n or one-key question: the key itself is the answer. */
		ui_pending_clear(ui);
		ui_prompt_insert(ui, key);
		return;
	}
	if (ui->n_pending >= G_N_ELEMENTS(ui->pending))
		ui_pending_clear(ui);
	ui->pending[ui->n_pending++] = key;
	ui_pending_lookup(ui, key);
	if (ui->dirty == 0)
		ui->dirty |= UI_DIRTY_STATUS;
}

/* Milliseconds poll() may sleep: until the next fetch or a pending key's deadline. */
static int
ui_timeout_ms(struct ui *ui)
{
	int timeout = ui_fetcher_timeout_ms(ui), watch = ui_sidebar_watch_ms(ui);
	int send = ui_sender_timeout_ms(ui);

	if (watch >= 0 && (timeout < 0 || watch < timeout))
		timeout = watch;
	if (send >= 0 && (timeout < 0 || send < timeout))
		timeout = send;

	if (ui->pending_deadline > 0) {
		gint64 left = (ui->pending_deadline - g_get_monotonic_time()) / 1000 + 1;
		int ms = (int)CLAMP(left, 0, UI_PENDING_MS);

		if (timeout < 0 || ms < timeout)
			timeout = ms;
	}
	return timeout;
}

/* Run until quit. */
static void
ui_loop(struct ui *ui)
{
	struct pollfd fds[5];

	while (!ui->quit) {
		int32_t key;
		int sig;

		if (ui->dirty)
			ui_draw(ui);
		/* After the draw: the first frame waits neither for the fetch nor the watch. */
		ui_fetcher_tick(ui);
		ui_sender_tick(ui);
		ui_store_watch_start(ui);
		if (ui->dirty)
			ui_draw(ui);
		fds[0].fd = STDIN_FILENO;
		fds[0].events = POLLIN;
		fds[1].fd = ui_term_signal_fd();
		fds[1].events = POLLIN;
		fds[2].fd = ui_fetcher_fd(ui); /* -1 is ignored by poll */
		fds[2].events = POLLIN;
		fds[2].revents = 0;
		fds[3].fd = reindex_watcher_fd(ui->watcher);
		fds[3].events = POLLIN;
		fds[3].revents = 0;
		fds[4].fd = ui_sender_fd(ui);
		fds[4].events = POLLIN;
		fds[4].revents = 0;
		if (poll(fds, 5, ui_timeout_ms(ui)) < 0 && errno != EINTR)
			break;
		if (ui->pending_deadline > 0 && g_get_monotonic_time() >= ui->pending_deadline)
			ui_pending_expire(ui);
		if (fds[3].fd >= 0 && (fds[3].revents & POLLIN))
			ui_store_watch_readable(ui);
		ui_sidebar_watch(ui);
		if (fds[2].fd >= 0 && (fds[2].revents & (POLLIN | POLLHUP | POLLERR)))
			ui_fetcher_readable(ui);
		if (fds[4].fd >= 0 && (fds[4].revents & (POLLIN | POLLHUP | POLLERR)))
			ui_sender_readable(ui);
		if (fds[1].revents & POLLIN) {
			while ((sig = ui_term_take_signal()) != 0) {
				if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
					ui->quit = true;
			}
		}
		if (fds[0].revents & (POLLHUP | POLLERR))
			ui->quit = true;
		/* Also after EINTR: curses reports a resize as a key. */
		while (!ui->quit && (key = ui_keys_read()) != UI_KEY_NONE)
			ui_key(ui, key);
	}
}

/* Add the config's bindings to KEYMAP (the defaults) in order: a later one wins. */
static bool
ui_bind_config(struct keymap *keymap, const struct surat_config *config, GError **error)
{
	size_t i;
	int c;

	for (i = 0; i < config->n_bindings; i++) {
		const struct config_binding *b = &config->bindings[i];

		for (c = 0; c < KEYMAP_CONTEXT_COUNT; c++) {
			if (!(b->contexts & KEYMAP_IN(c)))
				continue;
			if (!keymap_bind(keymap, (enum keymap_context)c, &b->keys, b->action, error)) {
				g_prefix_error(error, "%s:%d: bind: ", config->path, b->line);
				return false;
			}
		}
	}
	return true;
}

/* Open the index, filling it from the Maildirs when it is new or empty. */
static struct index *
ui_open_index(const struct surat_config *config, GError **error)
{
	char *path = g_build_filename(config->store, "index.db", NULL);
	struct index_filter all = { 0 };
	struct index *idx = NULL;
	int64_t total = 0;

	if (g_mkdir_with_parents(config->store, 0700) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "%s: cannot create the store: %s", config->store, g_strerror(errno));
		goto out;
	}
	/* Only its owner may read it; a change is noted in fetch.log. */
	if (!store_make_private(config->store, error))
		goto out;
	idx = index_open(path, error);
	if (idx == NULL)
		goto out;
	if (index_query_count(idx, &all, &total, NULL, NULL) && total == 0 &&
	    !reindex_store(idx, config->store, (const char *const *)config->charset_fallbacks,
	    NULL, error)) {
		index_free(idx);
		idx = NULL;
	}
out:
	g_free(path);
	return idx;
}

/*
 * The draft START asks for (surat mailto:URL), made before the terminal is
 * taken: a wrong URL is an error line on stderr, status 2; without a
 * terminal, say what to do as ui_term_start does, status 1.  NULL with
 * *STATUS 0 when START asks for none.
 */
static struct compose_draft *
ui_start_draft(struct ui *ui, const struct ui_start *start,
    const struct account_config **account, int *status)
{
	struct compose_draft *d;
	GError *error = NULL;

	*status = 0;
	if (start == NULL || start->mailto == NULL)
		return NULL;
	d = ui_compose_mailto(ui, start->mailto, NULL, account, &error);
	if (d == NULL) {
		cli_stderr("surat: %s", error->message);
		g_clear_error(&error);
		*status = 2;
	} else if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		/* A browser or xdg-open that starts surat without one: Terminal=true says it. */
		cli_stderr("surat: writing to a mailto: link needs a terminal; start surat in one "
		    "(Terminal=true in its .desktop file), or use surat send in scripts");
		compose_draft_free(d);
		d = NULL;
		*status = 1;
	}
	return d;
}

int
ui_run(const struct surat_config *config, const struct ui_start *start)
{
	struct ui ui;
	const struct account_config *account = NULL;
	struct compose_draft *draft = NULL;
	GError *error = NULL;
	int status = 0;

	memset(&ui, 0, sizeof ui);
	ui.config = config;
	ui_index_init(&ui);
	ui_mail_push(&ui);
	ui_prompt_init(&ui);
	ui_browse_init(&ui);
	ui.index_lines = config->index_lines;
	ui.mouse = config->mouse;
	ui.osc8_links = config->osc8_links;
	ui.date_format = g_strdup(config->date_format);
	ui.sidebar = config->sidebar;
	ui.sidebar_width = config->sidebar_width;
	ui.theme_name = g_strdup(config->theme);

	draft = ui_start_draft(&ui, start, &account, &status);
	if (status != 0)
		goto out;
	ui.keymap = keymap_new();
	if (!ui_bind_config(ui.keymap, config, &error))
		goto fail;

	if (config->theme_path == NULL)
		ui.theme = theme_load_builtin();
	else if ((ui.theme = theme_load(config->theme_path, &error)) == NULL)
		goto fail;
	ui.idx = ui_open_index(config, &error);
	if (ui.idx == NULL)
		goto fail;
	ui_bulk_init(&ui);
	if (!ui_term_start(ui.theme, &error))
		goto fail;
	ui_term_mouse(ui.mouse);
	ui_index_resize(&ui, LINES - 2);
	ui_sidebar_init(&ui);
	ui_folders_init(&ui);
	ui_index_reload(&ui);
	ui_index_initial_cursor(&ui);
	ui_fetcher_init(&ui);
	ui_sender_init(&ui);
	ui.dirty |= UI_DIRTY_ALL;
	if (draft != NULL)
		ui_compose_open(&ui, g_steal_pointer(&draft), account);
	ui_loop(&ui);
	{
		GString *running = g_string_new(NULL);

		if (ui_fetcher_status(&ui, running)) {
			ui_set_message(&ui, false, "Stopping the fetch...");
			ui_draw(&ui);
		}
		g_string_free(running, TRUE);
	}
	ui_fetcher_stop(&ui);
	ui_sender_stop(&ui);
	ui_term_stop();
	goto out;
fail:
	ui_term_stop();
	cli_stderr("surat: %s", error->message);
	g_clear_error(&error);
	status = 1;
out:
	compose_draft_free(draft);
	reindex_watcher_stop(ui.watcher);
	ui_fetcher_stop(&ui);
	ui_sender_stop(&ui);
	ui_modes_clear(&ui);
	ui_pager_free(ui.pager);
	ui_views_free(&ui);
	ui_addresses_free(&ui);
	ui_folders_clear(&ui);
	ui_sidebar_clear(&ui);
	ui_bulk_clear(&ui);
	ui_browse_clear(&ui);
	index_free(ui.idx);
	theme_free(ui.theme);
	ui_index_clear(&ui);
	ui_prompt_clear(&ui);
	keymap_free(ui.keymap);
	g_free(ui.date_format);
	g_free(ui.theme_name);
	g_free(ui.message);
	return status;
}
