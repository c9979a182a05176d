/*
 * ui/composer: writing mail from the interface (compose.h makes drafts and
 * messages; this file runs the editor, shows the compose screen and files
 * the result).
 *
 * m, r, g, L, f, e and R make a draft, write the editor's file (0600, in a
 * folder of its own under $TMPDIR made with g_dir_make_tmp, 0700), run the
 * editor on the terminal (ui_view_run_terminal: an argv, the path one
 * argument) and push the compose screen, a mode.  What the editor wrote is
 * read back with compose_editor_parse; a mistake (a bad address) shows on
 * the screen and the file stays as written: e edits it again.  The file is
 * removed only once the message it became is durable: queued in the Outbox
 * (y, then the background sender, sender.c) or kept in Drafts (P, or q
 * after asking).  A crash or a lost terminal before that leaves the file.
 *
 * b (bounce) asks for the address and queues the message as it is, with
 * Resent- fields; no editor, no screen.
 *
 * A mailto: URL (surat mailto:URL at start-up, Enter on a mailto: link)
 * makes its draft with compose_from_mailto and opens it as m does.
 */
#include "config.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "private.h"
#include "surat/command.h"
#include "surat/compose.h"
#include "surat/folder.h"
#include "surat/outbox.h"
#include "surat/store.h"

#define COMPOSE_FILE "message.txt" /* the editor's file in the private folder */

struct composer {
	struct compose_draft *draft;
	const struct account_config *account; /* the identity that sends */
	char *dir;         /* the private folder of the editor's file and extracted parts */
	char *file;        /* the editor's file */
	char *error;       /* what is wrong with the editor's file, or NULL */
	int64_t replied;   /* the row answered (R:), or 0 */
	GArray *passed;    /* rows forwarded (P:), int64_t */
	int64_t recalled;  /* the draft it was recalled from, removed once this one is kept */
	int cursor;        /* the selected attachment, 0-based */
	enum keymap_action editing; /* the field t, c, b or s asked for */
};

static const struct ui_mode_class composer_class;

/* The compose screen when it is the top mode (a question's answer finds it), else NULL. */
static struct composer *
composer_top(struct ui *ui)
{
	struct ui_mode *mode = ui_mode_top(ui);

	return mode != NULL && mode->cls == &composer_class ? mode->data : NULL;
}

static bool
composer_can_send(const struct account_config *a)
{
	return a->smtp != NULL || a->sendmail_argv != NULL;
}

/* The account NAME if it can send, else the first that can; NULL when none can. */
static const struct account_config *
composer_account(struct ui *ui, const char *name)
{
	const struct account_config *a = name != NULL ? config_account(ui->config, name) : NULL;
	size_t i;

	if (a != NULL && composer_can_send(a))
		return a;
	for (i = 0; i < ui->config->n_accounts; i++)
		if (composer_can_send(&ui->config->accounts[i]))
			return &ui->config->accounts[i];
	return NULL;
}

/* ACCOUNT's From as a header value: as written, else "Name <address>", else the address. */
static char *
composer_from(const struct account_config *account)
{
	GString *s;
	const char *c;

	if (account->from != NULL)
		return g_strdup(account->from);
	if (account->from_address == NULL)
		return NULL;
	if (account->from_name == NULL)
		return g_strdup(account->from_address);
	/* A quoted display name: what a person would type, escaped where it must be. */
	s = g_string_new("\"");
	for (c = account->from_name; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			g_string_append_c(s, '\\');
		g_string_append_c(s, *c);
	}
	g_string_append_printf(s, "\" <%s>", account->from_address);
	return g_string_free(s, FALSE);
}

/* The identity of ACCOUNT: its from, the alternates and every account's from address. */
static struct compose_identity
composer_identity(struct ui *ui, const struct account_config *account)
{
	return (struct compose_identity){ account, ui_addresses_alternates(ui), ui_addresses_own(ui) };
}

/* The text of ACCOUNT's signature_file, or NULL (unset or unreadable: no signature). */
static char *
composer_signature(const struct account_config *account)
{
	char *text = NULL;

	if (account->signature_file == NULL ||
	    !g_file_get_contents(account->signature_file, &text, NULL, NULL))
		return NULL;
	return text;
}

/* Write LEN bytes of TEXT to PATH, 0600, synced: the person's words are on disk. */
static bool
composer_write(const char *path, const char *text, size_t len, GError **error)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	size_t done = 0;

	if (fd < 0)
		goto fail;
	while (done < len) {
		ssize_t n = write(fd, text + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			goto fail;
		}
		done += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0)
		goto fail;
	return true;
fail:
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", path,
	    g_strerror(errno));
	return false;
}

/* Write the editor's file from the draft (after a change made on the screen). */
static bool
composer_save_file(struct composer *c, GError **error)
{
	char *text = compose_editor_text(c->draft);
	bool ok = composer_write(c->file, text, strlen(text), error);

	g_free(text);
	return ok;
}

/* Remove the editor's file and the private folder: the message is durable elsewhere. */
static void
composer_remove_files(struct composer *c)
{
	GDir *dir;
	const char *name;

	if (c->dir == NULL)
		return;
	if ((dir = g_dir_open(c->dir, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(dir)) != NULL) {
			char *path = g_build_filename(c->dir, name, NULL);

			g_unlink(path);
			g_free(path);
		}
		g_dir_close(dir);
	}
	g_rmdir(c->dir);
	g_clear_pointer(&c->dir, g_free);
}

static void
composer_free(void *data)
{
	struct composer *c = data;

	compose_draft_free(c->draft);
	g_free(c->dir);
	g_free(c->file);
	g_free(c->error);
	g_array_unref(c->passed);
	g_free(c);
}

/* Run the editor on the file and read it back; a mistake stays on the screen, the file kept. */
static void
composer_edit(struct ui *ui, struct composer *c)
{
	GError *error = NULL;
	char **argv = command_split(config_editor(ui->config), &error);
	GPtrArray *args;
	char *text = NULL;
	size_t len = 0;
	int status = 0;
	gchar **w;

	if (argv == NULL) {
		ui_set_message(ui, true, "editor: %s; set editor in the configuration",
		    error->message);
		g_clear_error(&error);
		return;
	}
	args = g_ptr_array_new();
	for (w = argv; *w != NULL; w++)
		g_ptr_array_add(args, *w);
	g_ptr_array_add(args, c->file);
	g_ptr_array_add(args, NULL);
	if (!ui_view_run_terminal(ui, (char **)args->pdata, NULL, 0, false, &status, &error)) {
		ui_set_message(ui, true, "Cannot run the editor %s: %s; set editor in the "
		    "configuration.", argv[0], error->message);
		g_clear_error(&error);
		goto out;
	}
	if (status != 0)
		ui_set_message(ui, true, "The editor exited with status %d; the text is as it left "
		    "it.", status);
	if (!g_file_get_contents(c->file, &text, &len, &error)) {
		g_free(c->error);
		c->error = g_strdup(error->message);
		g_clear_error(&error);
		goto out;
	}
	g_clear_pointer(&c->error, g_free);
	if (!compose_editor_parse_aliases(c->draft, text, len, ui_addresses_alias, ui, &error)) {
		c->error = g_strdup_printf("%s (e edits the message again)", error->message);
		g_clear_error(&error);
	}
out:
	ui->dirty |= UI_DIRTY_ALL;
	g_free(text);
	g_ptr_array_free(args, TRUE);
	g_strfreev(argv);
}

/*
 * Start writing D (taken) from ACCOUNT: the private folder DIR (taken; NULL:
 * made here), the editor's file, the screen, then the editor.
 */
static struct composer *
composer_start(struct ui *ui, struct compose_draft *d, const struct account_config *account,
    char *dir)
{
	struct composer *c = g_new0(struct composer, 1);
	GError *error = NULL;

	c->draft = d;
	c->account = account;
	c->passed = g_array_new(FALSE, FALSE, sizeof(int64_t));
	c->dir = dir;
	if (c->dir == NULL && (c->dir = g_dir_make_tmp("surat-XXXXXX", &error)) == NULL)
		goto fail;
	c->file = g_build_filename(c->dir, COMPOSE_FILE, NULL);
	if (d->from == NULL || d->from[0] == '\0') {
		g_free(d->from);
		d->from = composer_from(account);
	}
	if (!composer_save_file(c, &error))
		goto fail;
	ui_mode_push(ui, &composer_class, c);
	composer_edit(ui, c);
	return c;
fail:
	ui_set_message(ui, true, "Cannot write the message: %s", error->message);
	g_clear_error(&error);
	composer_remove_files(c);
	composer_free(c);
	return NULL;
}

/* The private folder for the parts of a message that is edited again. */
static char *
composer_dir(struct ui *ui)
{
	GError *error = NULL;
	char *dir = g_dir_make_tmp("surat-XXXXXX", &error);

	if (dir == NULL) {
		ui_set_message(ui, true, "Cannot make a private folder: %s", error->message);
		g_clear_error(&error);
	}
	return dir;
}

/* One message read for an answer: its row, file, text and rendering. */
struct composer_source {
	int64_t id;
	char *account;
	char *path;
	char *text;
	size_t len;
	struct rendering *rendering;
};

static void
composer_source_clear(struct composer_source *s)
{
	g_free(s->account);
	g_free(s->path);
	g_free(s->text);
	if (s->rendering != NULL)
		render_free(s->rendering);
	memset(s, 0, sizeof *s);
}

/* Read row ID: its file, text and the rendering the pager shows (quoted from). */
static bool
composer_source(struct ui *ui, int64_t id, struct composer_source *s, GError **error)
{
	struct render_options options;

	memset(s, 0, sizeof *s);
	s->id = id;
	s->path = ui_view_row_path(ui, id, &s->account, error);
	if (s->path == NULL || !g_file_get_contents(s->path, &s->text, &s->len, error))
		return false;
	ui_view_render_options(ui, &options);
	s->rendering = render_bytes(s->text, s->len, &options);
	return s->rendering != NULL;
}

/* m: a new message, from the account of the mailbox shown (else the first that can send). */
static void
composer_mail(struct ui *ui, const struct account_config *account)
{
	struct compose_identity id = composer_identity(ui, account);
	char *signature = composer_signature(account);

	composer_start(ui, compose_new(&id, signature), account, NULL);
	g_free(signature);
}

struct compose_draft *
ui_compose_mailto(struct ui *ui, const char *url, const char *account_name,
    const struct account_config **account, GError **error)
{
	struct compose_identity id;
	struct compose_draft *d;
	char *signature;

	if ((*account = composer_account(ui, account_name)) == NULL) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no account can send: give one "
		    "smtp or sendmail_command (surat.conf(5))");
		return NULL;
	}
	id = composer_identity(ui, *account);
	signature = composer_signature(*account);
	d = compose_from_mailto(&id, url, signature, error);
	g_free(signature);
	return d;
}

void
ui_compose_open(struct ui *ui, struct compose_draft *d, const struct account_config *account)
{
	composer_start(ui, d, account, NULL);
}

static enum compose_reply_kind
composer_reply_kind(enum keymap_action action)
{
	return action == KEYMAP_ACTION_GROUP_REPLY ? COMPOSE_GROUP_REPLY :
	    action == KEYMAP_ACTION_LIST_REPLY ? COMPOSE_LIST_REPLY : COMPOSE_REPLY;
}

/* r, g, L: an answer to the current message, from the account it came to. */
static void
composer_reply(struct ui *ui, enum keymap_action action, int64_t row)
{
	struct composer_source s;
	const struct account_config *account;
	struct compose_identity id;
	struct compose_draft *d;
	struct composer *c;
	GError *error = NULL;
	char *signature;

	if (!composer_source(ui, row, &s, &error)) {
		ui_set_message(ui, true, "%s", error != NULL ? error->message : "Cannot read it.");
		g_clear_error(&error);
		composer_source_clear(&s);
		return;
	}
	account = composer_account(ui, s.account);
	id = composer_identity(ui, account);
	signature = composer_signature(account);
	d = compose_reply(&id, s.text, s.len, s.rendering, composer_reply_kind(action),
	    ui->config->attribution, ui->date_format, signature, &error);
	if (d == NULL) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	} else if ((c = composer_start(ui, d, account, NULL)) != NULL) {
		c->replied = row;
	}
	g_free(signature);
	composer_source_clear(&s);
}

/* f: the current message, or every tagged one after ;, inline or attached. */
static void
composer_forward(struct ui *ui, GArray *ids)
{
	struct composer_source *s = g_new0(struct composer_source, ids->len);
	const char **texts = g_new0(const char *, ids->len);
	const char **paths = g_new0(const char *, ids->len);
	const struct rendering **rendered = g_new0(const struct rendering *, ids->len);
	size_t *lens = g_new0(size_t, ids->len);
	const struct account_config *account;
	struct compose_identity id;
	struct compose_draft *d = NULL;
	struct composer *c;
	GError *error = NULL;
	char *signature = NULL;
	guint i;

	for (i = 0; i < ids->len; i++) {
		if (!composer_source(ui, g_array_index(ids, int64_t, i), &s[i], &error))
			goto out;
		texts[i] = s[i].text;
		lens[i] = s[i].len;
		paths[i] = s[i].path;
		rendered[i] = s[i].rendering;
	}
	account = composer_account(ui, s[0].account);
	id = composer_identity(ui, account);
	signature = composer_signature(account);
	d = compose_forward(&id, texts, lens, paths, rendered, ids->len,
	    ui->config->forward_format == CONFIG_FORWARD_ATTACH, signature, &error);
	if (d != NULL && (c = composer_start(ui, d, account, NULL)) != NULL)
		g_array_append_vals(c->passed, ids->data, ids->len);
out:
	if (error != NULL)
		ui_set_message(ui, true, "%s", error->message);
	g_clear_error(&error);
	for (i = 0; i < ids->len; i++)
		composer_source_clear(&s[i]);
	g_free(s);
	g_free(texts);
	g_free(paths);
	g_free(rendered);
	g_free(lens);
	g_free(signature);
}

/* e and R: a new message from a copy of row ROW; RECALLED: a draft, gone once this is kept. */
static void
composer_again(struct ui *ui, int64_t row, bool recalled)
{
	struct composer_source s;
	struct compose_draft *d;
	struct composer *c;
	GError *error = NULL;
	char *dir;

	memset(&s, 0, sizeof s);
	s.path = ui_view_row_path(ui, row, &s.account, &error);
	if (s.path == NULL || !g_file_get_contents(s.path, &s.text, &s.len, &error)) {
		ui_set_message(ui, true, "%s", error != NULL ? error->message : "Cannot read it.");
		g_clear_error(&error);
		composer_source_clear(&s);
		return;
	}
	if ((dir = composer_dir(ui)) == NULL) {
		composer_source_clear(&s);
		return;
	}
	d = compose_from_message(s.text, s.len, dir, &error);
	if (d == NULL) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		g_rmdir(dir);
		g_free(dir);
	} else if ((c = composer_start(ui, d, composer_account(ui, s.account), dir)) != NULL &&
	    recalled) {
		c->recalled = row;
	}
	composer_source_clear(&s);
}

/* ---- b: bounce ------------------------------------------------------------ */

/* "Bounce to:" answered: the rows are the action's still (ui_action_ids), tagged or current. */
static void
composer_bounce_done(struct ui *ui, const char *typed)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	char *to = compose_expand_aliases(typed, ui_addresses_alias, ui);
	GError *e = NULL;
	guint i, queued = 0;

	if (!ui_action_ids(ui, ids, &e)) {
		ui_set_message(ui, true, "%s", e->message);
		g_clear_error(&e);
	}
	for (i = 0; i < ids->len && to[0] != '\0'; i++) {
		int64_t row = g_array_index(ids, int64_t, i), qid = 0;
		struct composer_source s = { 0 };
		const struct account_config *account;
		GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
		struct compose_identity id;
		GError *error = NULL;
		char *text = NULL, *header = NULL, *sender = NULL, *marks;
		size_t len = 0;

		s.path = ui_view_row_path(ui, row, &s.account, &error);
		account = composer_account(ui, s.account);
		if (s.path == NULL || account == NULL ||
		    !g_file_get_contents(s.path, &s.text, &s.len, &error))
			goto next;
		id = composer_identity(ui, account);
		if ((text = compose_bounce(&id, s.text, s.len, to, &len, &error)) == NULL)
			goto next;
		/* The envelope goes to TO's addresses, not to the message's own. */
		header = g_strdup_printf("From: %s\nTo: %s\n\n", account->from_address, to);
		if (!outbox_envelope(header, strlen(header), &sender, rcpts, &error))
			goto next;
		g_ptr_array_add(rcpts, NULL);
		marks = ui_mailbox_row_readonly(ui, row) ? NULL :
		    g_strdup_printf("P:%" G_GINT64_FORMAT, row);
		if (outbox_queue(ui->idx, ui->config, account, text, len, account->from_address,
		    (const char *const *)rcpts->pdata, rcpts->len - 1, marks, &qid, &error)) {
			queued++;
			ui_sender_now(ui, account->name);
		}
		g_free(marks);
next:
		if (error != NULL)
			ui_set_message(ui, true, "Not bounced: %s", error->message);
		else if (account == NULL)
			ui_set_message(ui, true, "No account can send: give one smtp or "
			    "sendmail_command (surat.conf(5)).");
		g_clear_error(&error);
		g_free(text);
		g_free(header);
		g_free(sender);
		g_ptr_array_unref(rcpts);
		composer_source_clear(&s);
	}
	if (queued > 0)
		ui_set_message(ui, false, "Bounced %u message%s; sending in the background.",
		    queued, queued == 1 ? "" : "s");
	ui_reload_keep_cursor(ui);
	g_array_unref(ids);
	g_free(to);
}

/* ---- R: the list of drafts ---------------------------------------------------- */

struct composer_drafts {
	GPtrArray *rows; /* struct index_message * */
};

static bool
composer_drafts_row(const struct index_message *msg, void *data)
{
	struct composer_drafts *l = data;
	struct index_message *copy = g_new0(struct index_message, 1);

	copy->id = msg->id;
	copy->to = g_strdup(msg->to);
	copy->subject = g_strdup(msg->subject);
	copy->account = g_strdup(msg->account);
	copy->date = msg->date;
	g_ptr_array_add(l->rows, copy);
	return l->rows->len < 10000;
}

static void
composer_drafts_free_row(gpointer p)
{
	index_message_clear(p);
	g_free(p);
}

static char *
composer_drafts_entry(struct ui *ui, void *data, int number)
{
	struct composer_drafts *l = data;
	const struct index_message *m = g_ptr_array_index(l->rows, number - 1);
	GString *date = g_string_new(NULL);
	char *line;

	format_date(date, m->date, ui->date_format != NULL ? ui->date_format : RENDER_DATE_FORMAT,
	    (int64_t)time(NULL));
	line = g_strdup_printf("%4d  %-10s  %s  %s  %s", number, m->account, date->str,
	    m->to != NULL && m->to[0] != '\0' ? m->to : "(no recipient)",
	    m->subject != NULL && m->subject[0] != '\0' ? m->subject : "(no subject)");
	g_string_free(date, TRUE);
	return line;
}

static char *
composer_drafts_status(struct ui *ui, void *data, int cursor, int count)
{
	(void)ui;
	(void)data;
	return g_strdup_printf("-- surat: postponed -- %d/%d -- Enter:recall q:back ", cursor,
	    count);
}

static void composer_drafts_open(struct ui *ui, void *data, int number);

static void
composer_drafts_action(struct ui *ui, void *data, enum keymap_action action, int cursor)
{
	if (action == KEYMAP_ACTION_DISPLAY_MESSAGE || action == KEYMAP_ACTION_OPEN_ATTACHMENT)
		composer_drafts_open(ui, data, cursor);
	else
		ui_say_unbound(ui, KEYMAP_CONTEXT_ATTACHMENTS, NULL);
}

static void
composer_drafts_free(void *data)
{
	struct composer_drafts *l = data;

	g_ptr_array_free(l->rows, TRUE);
	g_free(l);
}

static const struct ui_list_class composer_drafts_list = {
	.context = KEYMAP_CONTEXT_ATTACHMENTS,
	.header = "   #  account     date  to  subject",
	.element = THEME_ATTACHMENT,
	.selected = THEME_ATTACHMENT_SELECTED,
	.row = composer_drafts_entry,
	.status = composer_drafts_status,
	.action = composer_drafts_action,
	.free = composer_drafts_free,
};

static void
composer_drafts_open(struct ui *ui, void *data, int number)
{
	struct composer_drafts *l = data;
	int64_t row = ((const struct index_message *)g_ptr_array_index(l->rows, number - 1))->id;

	ui_mode_pop(ui); /* frees L */
	composer_again(ui, row, true);
}

static void
composer_recall(struct ui *ui)
{
	struct composer_drafts *l = g_new0(struct composer_drafts, 1);
	struct index_filter filter = { 0 };
	GError *error = NULL;
	size_t i;

	l->rows = g_ptr_array_new_with_free_func(composer_drafts_free_row);
	filter.folder = ui->config->postponed;
	for (i = 0; i < ui->config->n_accounts; i++) {
		filter.account = ui->config->accounts[i].name;
		if (!index_query_foreach(ui->idx, &filter, INDEX_SORT_DATE, true,
		    composer_drafts_row, l, &error)) {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
			break;
		}
	}
	if (l->rows->len == 0) {
		ui_set_message(ui, false, "No postponed messages (the %s folder is empty).",
		    ui->config->postponed);
		composer_drafts_free(l);
		return;
	}
	ui_list_push(ui, &composer_drafts_list, l, (int)l->rows->len);
}

/* ---- the actions of the index and the pager -------------------------------------- */

void
ui_compose_action(struct ui *ui, enum keymap_action action)
{
	const struct index_message *cur = ui_index_current(ui);
	const char *name = cur != NULL ? cur->account : NULL;
	const struct account_config *account = composer_account(ui, name);
	GArray *ids;
	GError *error = NULL;

	if (account == NULL) {
		ui_set_message(ui, true, "No account can send: give one smtp or sendmail_command "
		    "(surat.conf(5)).");
		return;
	}
	switch (action) {
	case KEYMAP_ACTION_MAIL:
		composer_mail(ui, account);
		return;
	case KEYMAP_ACTION_RECALL_MESSAGE:
		composer_recall(ui);
		return;
	default:
		break;
	}
	ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	if (!ui_action_ids(ui, ids, &error) || ids->len == 0) {
		ui_set_message(ui, true, "%s", error != NULL ? error->message : "No message here.");
		g_clear_error(&error);
		g_array_unref(ids);
		return;
	}
	switch (action) {
	case KEYMAP_ACTION_FORWARD_MESSAGE:
		composer_forward(ui, ids);
		break;
	case KEYMAP_ACTION_BOUNCE_MESSAGE:
		ui_prompt_open(ui, UI_PROMPT_ADDRESS, "Bounce to: ", NULL, ui_addresses_complete,
		    composer_bounce_done);
		break;
	case KEYMAP_ACTION_EDIT_AS_NEW:
		composer_again(ui, g_array_index(ids, int64_t, 0), false);
		break;
	default:
		composer_reply(ui, action, g_array_index(ids, int64_t, 0));
		break;
	}
	g_array_unref(ids);
}

/* ---- the compose screen -------------------------------------------------------- */

/* Draw "NAME VALUE" at line Y, the value sanitized and cut by ui_term_fit. */
static void
composer_field(int y, const char *name, const char *value)
{
	char *text = g_strdup_printf("%-10s%s", name, value != NULL ? value : "");
	char *line = ui_term_fit(text, COLS, 0);

	attrset(ui_term_attr(THEME_HEADER_NAME));
	mvaddstr(y, 0, line);
	attrset(A_NORMAL);
	g_free(line);
	g_free(text);
}

static void
composer_draw(struct ui *ui, struct ui_mode *mode)
{
	struct composer *c = mode->data;
	struct compose_draft *d = c->draft;
	GPtrArray *parts = d->attachments;
	char *text, *line, *via, *size;
	int y = 0, rows;
	guint i, first;

	(void)ui;
	erase();
	composer_field(y++, "From:", d->from);
	composer_field(y++, "To:", d->to);
	composer_field(y++, "Cc:", d->cc);
	composer_field(y++, "Bcc:", d->bcc);
	composer_field(y++, "Subject:", d->subject);
	composer_field(y++, "Reply-To:", d->reply_to);
	via = c->account->smtp != NULL ?
	    g_strdup_printf("%s (SMTP to %s)", c->account->name, c->account->smtp->host) :
	    g_strdup_printf("%s (sendmail_command)", c->account->name);
	composer_field(y++, "Account:", via);
	g_free(via);
	if (c->error != NULL) {
		line = ui_term_fit(c->error, COLS, 0);
		attrset(ui_term_attr(THEME_ERROR));
		mvaddstr(y, 0, line);
		attrset(A_NORMAL);
		g_free(line);
	}
	y++;
	text = g_strdup_printf("-- Attachments (%u%s) --", parts->len,
	    d->forwarded != NULL && d->forwarded->len > 0 ? ", and the forwarded messages" : "");
	line = ui_term_fit(text, COLS, 0);
	attrset(ui_term_attr(THEME_HEADER_NAME));
	mvaddstr(y++, 0, line);
	g_free(line);
	g_free(text);
	rows = MAX(1, LINES - 2 - y);
	first = (guint)MAX(0, c->cursor - rows + 1);
	for (i = first; i < parts->len && (int)(i - first) < rows; i++) {
		const struct compose_attachment *a = g_ptr_array_index(parts, i);

		size = g_format_size((guint64)MAX(a->size, 0));
		text = g_strdup_printf("%3u  %-30s  %-24s  %9s  %s", i + 1, a->name,
		    a->type != NULL ? a->type : "application/octet-stream", size,
		    a->inline_disp ? "inline" : "attachment");
		line = ui_term_fit(text, COLS, 1);
		attrset(ui_term_attr((int)i == c->cursor ? THEME_ATTACHMENT_SELECTED :
		    THEME_ATTACHMENT));
		mvaddstr(y++, 0, line);
		g_free(line);
		g_free(text);
		g_free(size);
	}
	attrset(A_NORMAL);
	if (!ui_status_hint(ui, LINES - 2, COLS))
		ui_view_status(LINES - 2, "-- surat: compose -- y:send e:edit a:attach P:postpone "
		    "q:abort ?:help ");
}

/* ---- y, P, q: where the message goes --------------------------------------------- */

/* Remove the draft it was recalled from: this one replaced it. */
static void
composer_drop_recalled(struct ui *ui, struct composer *c)
{
	GArray *ids;
	GError *error = NULL;

	if (c->recalled == 0)
		return;
	ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	g_array_append_val(ids, c->recalled);
	if (!folder_expunge(ui->idx, ui->config->store, ui->config, ids, NULL, &error)) {
		ui_fetcher_note(ui, "the old draft stays in %s: %s", ui->config->postponed,
		    error->message);
		g_clear_error(&error);
	}
	g_array_unref(ids);
	c->recalled = 0;
}

/* Keep the message in Drafts (P, q): built as a draft, flag D; true once it is durable. */
static bool
composer_postpone(struct ui *ui, struct composer *c)
{
	struct compose_build_options o = { ui->config->text_flowed, NULL, true };
	GError *error = NULL;
	char *text;
	size_t len = 0;
	int64_t id = 0;
	bool ok;

	text = compose_build(c->draft, &o, &len, &error);
	ok = text != NULL &&
	    folder_add(ui->idx, ui->config->store, c->account->name, ui->config->postponed, text,
		len, "DS", (const char *const *)ui->config->charset_fallbacks, &id, &error);
	g_free(text);
	if (!ok) {
		ui_set_message(ui, true, "Not postponed: %s; the text stays in %s.", error->message,
		    c->file);
		g_clear_error(&error);
		return false;
	}
	composer_drop_recalled(ui, c);
	return true;
}

/*
 * The marks outbox_queue sets once it is sent: "R:ROW" for a reply, "P:ROW"
 * for each forward; none on a message of a Maildir opened read-only.
 */
static char *
composer_marks(struct ui *ui, const struct composer *c)
{
	GString *s = g_string_new(NULL);
	guint i;

	if (c->replied != 0 && !ui_mailbox_row_readonly(ui, c->replied))
		g_string_append_printf(s, "R:%" G_GINT64_FORMAT, c->replied);
	for (i = 0; i < c->passed->len; i++) {
		int64_t row = g_array_index(c->passed, int64_t, i);

		if (!ui_mailbox_row_readonly(ui, row))
			g_string_append_printf(s, "%sP:%" G_GINT64_FORMAT, s->len > 0 ? " " : "",
			    row);
	}
	if (s->len == 0) {
		g_string_free(s, TRUE);
		return NULL;
	}
	return g_string_free(s, FALSE);
}

/* y: build, queue in the Outbox (durable), then the sender; back to the index at once. */
static void
composer_send(struct ui *ui, struct composer *c)
{
	char *user_agent = ui->config->user_agent ? g_strdup("surat " PACKAGE_VERSION) : NULL;
	struct compose_build_options o = { ui->config->text_flowed, user_agent, false };
	GPtrArray *rcpts = g_ptr_array_new_with_free_func(g_free);
	GError *error = NULL;
	char *text = NULL, *sender = NULL, *marks = NULL;
	const char *account = c->account->name;
	size_t len = 0;
	int64_t id = 0;

	if (c->error != NULL) {
		ui_set_message(ui, true, "Fix the message first: e edits it.");
		goto out;
	}
	text = compose_build(c->draft, &o, &len, &error);
	if (text == NULL || !outbox_envelope(text, len, &sender, rcpts, &error))
		goto fail;
	g_ptr_array_add(rcpts, NULL);
	marks = composer_marks(ui, c);
	if (!outbox_queue(ui->idx, ui->config, c->account, text, len,
	    c->account->from_address != NULL ? c->account->from_address : sender,
	    (const char *const *)rcpts->pdata, rcpts->len - 1, marks, &id, &error))
		goto fail;
	/* Durable in the Outbox: the editor's file and the old draft may go. */
	composer_drop_recalled(ui, c);
	composer_remove_files(c);
	ui_mode_pop(ui);
	ui_set_message(ui, false, "Queued; sending in the background.");
	ui_sender_now(ui, account);
	ui_reload_keep_cursor(ui);
	goto out;
fail:
	ui_set_message(ui, true, "Not sent: %s", error->message);
	g_clear_error(&error);
out:
	g_free(user_agent);
	g_free(text);
	g_free(sender);
	g_free(marks);
	g_ptr_array_unref(rcpts);
}

static void
composer_abort_done(struct ui *ui, const char *answer)
{
	struct composer *c = composer_top(ui);

	if (c == NULL || answer[0] != 'y')
		return;
	if (c->error != NULL) {
		/* The draft is not what the file says: the file stays, with the person's words. */
		ui_set_message(ui, false, "Aborted; your text stays in %s.", c->file);
		g_clear_pointer(&c->dir, g_free);
		ui_mode_pop(ui);
		return;
	}
	if (!composer_postpone(ui, c))
		return;
	composer_remove_files(c);
	ui_mode_pop(ui);
	ui_set_message(ui, false, "Aborted; a draft stays in %s (R recalls it).",
	    ui->config->postponed);
	ui_reload_keep_cursor(ui);
}

/* ---- t, c, b, s, a, F: changes made on the screen ---------------------------------- */

static char **
composer_field_of(struct compose_draft *d, enum keymap_action action)
{
	switch (action) {
	case KEYMAP_ACTION_EDIT_TO:
		return &d->to;
	case KEYMAP_ACTION_EDIT_CC:
		return &d->cc;
	case KEYMAP_ACTION_EDIT_BCC:
		return &d->bcc;
	default:
		return &d->subject;
	}
}

static void
composer_field_done(struct ui *ui, const char *value)
{
	struct composer *c = composer_top(ui);
	char **field, *old, *text;
	GError *error = NULL;

	if (c == NULL)
		return;
	field = composer_field_of(c->draft, c->editing);
	old = *field;
	*field = g_strdup(value);
	/* The addresses are checked as the editor's file is: through the same parser. */
	text = compose_editor_text(c->draft);
	if (!compose_editor_parse_aliases(c->draft, text, strlen(text), ui_addresses_alias, ui,
	    &error) ||
	    !composer_save_file(c, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		g_free(*field);
		*field = old;
	} else {
		g_free(old);
	}
	g_free(text);
	ui->dirty |= UI_DIRTY_ALL;
}

static void
composer_attach_done(struct ui *ui, const char *typed)
{
	struct composer *c = composer_top(ui);
	struct compose_attachment *a;
	GError *error = NULL;
	char *path;

	if (c == NULL || typed[0] == '\0')
		return;
	path = typed[0] == '~' && typed[1] == '/' ? g_build_filename(g_get_home_dir(), typed + 2,
	    NULL) : g_canonicalize_filename(typed, NULL);
	/* its type from shared-mime-info (the name and the first bytes), its size */
	a = compose_attachment_new(path, &error);
	g_free(path);
	if (a == NULL) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		return;
	}
	g_ptr_array_add(c->draft->attachments, a);
	c->cursor = (int)c->draft->attachments->len - 1;
	ui->dirty |= UI_DIRTY_ALL;
}

/* F: the accounts that can send. */
static char *
composer_identity_entry(struct ui *ui, void *data, int number)
{
	const struct account_config *a = NULL;
	char *from, *line;
	size_t i;
	int n = 0;

	(void)data;
	for (i = 0; i < ui->config->n_accounts && n < number; i++)
		if (composer_can_send(&ui->config->accounts[i]) && ++n == number)
			a = &ui->config->accounts[i];
	if (a == NULL)
		return g_strdup("");
	from = composer_from(a);
	line = g_strdup_printf("%4d  %-16s  %s", number, a->name, from != NULL ? from : "");
	g_free(from);
	return line;
}

static char *
composer_identity_status(struct ui *ui, void *data, int cursor, int count)
{
	(void)ui;
	(void)data;
	return g_strdup_printf("-- surat: identities -- %d/%d -- Enter:choose q:back ", cursor,
	    count);
}

static void
composer_identity_chosen(struct ui *ui, void *data, int number)
{
	struct composer *c;
	size_t i;
	int n = 0;

	(void)data;
	ui_mode_pop(ui);
	if ((c = composer_top(ui)) == NULL)
		return;
	for (i = 0; i < ui->config->n_accounts; i++) {
		if (!composer_can_send(&ui->config->accounts[i]) || ++n != number)
			continue;
		c->account = &ui->config->accounts[i];
		g_free(c->draft->from);
		c->draft->from = composer_from(c->account);
		if (c->error == NULL)
			composer_save_file(c, NULL);
		break;
	}
	ui->dirty |= UI_DIRTY_ALL;
}

static void
composer_identity_action(struct ui *ui, void *data, enum keymap_action action, int cursor)
{
	if (action == KEYMAP_ACTION_OPEN_ATTACHMENT || action == KEYMAP_ACTION_DISPLAY_MESSAGE)
		composer_identity_chosen(ui, data, cursor);
	else
		ui_say_unbound(ui, KEYMAP_CONTEXT_ATTACHMENTS, NULL);
}

static const struct ui_list_class composer_identities = {
	.context = KEYMAP_CONTEXT_ATTACHMENTS,
	.header = "   #  account           from",
	.element = THEME_ATTACHMENT,
	.selected = THEME_ATTACHMENT_SELECTED,
	.row = composer_identity_entry,
	.status = composer_identity_status,
	.action = composer_identity_action,
};

static void
composer_key(struct ui *ui, struct ui_mode *mode, enum keymap_action action, int32_t typed)
{
	struct composer *c = mode->data;
	GPtrArray *parts = c->draft->attachments;
	char **field;
	size_t i;
	int n = 0;

	ui->dirty |= UI_DIRTY_ALL;
	if (typed != KEYMAP_KEY_NONE || action != KEYMAP_ACTION_NONE)
		g_clear_pointer(&ui->message, g_free);
	switch (action) {
	case KEYMAP_ACTION_SEND_MESSAGE:
		composer_send(ui, c);
		break;
	case KEYMAP_ACTION_EDIT_MESSAGE:
		composer_edit(ui, c);
		break;
	case KEYMAP_ACTION_EDIT_TO:
	case KEYMAP_ACTION_EDIT_CC:
	case KEYMAP_ACTION_EDIT_BCC:
	case KEYMAP_ACTION_EDIT_SUBJECT:
		if (c->error != NULL) {
			ui_set_message(ui, true, "Fix the message first: e edits it.");
			break;
		}
		c->editing = action;
		field = composer_field_of(c->draft, action);
		ui_prompt_open(ui, UI_PROMPT_ADDRESS, action == KEYMAP_ACTION_EDIT_TO ? "To: " :
		    action == KEYMAP_ACTION_EDIT_CC ? "Cc: " : action == KEYMAP_ACTION_EDIT_BCC ?
		    "Bcc: " : "Subject: ", *field, action == KEYMAP_ACTION_EDIT_SUBJECT ? NULL :
		    ui_addresses_complete, composer_field_done);
		break;
	case KEYMAP_ACTION_ATTACH_FILE:
		ui_prompt_open(ui, UI_PROMPT_FILE, "Attach file: ", NULL, ui_view_complete_path,
		    composer_attach_done);
		break;
	case KEYMAP_ACTION_DETACH_FILE:
	case KEYMAP_ACTION_TOGGLE_DISPOSITION:
		if (parts->len == 0) {
			ui_set_message(ui, true, "No attachment.");
			break;
		}
		if (action == KEYMAP_ACTION_DETACH_FILE) {
			compose_attachment_free(g_ptr_array_steal_index(parts, (guint)c->cursor));
			c->cursor = MIN(c->cursor, (int)parts->len - 1);
			c->cursor = MAX(c->cursor, 0);
		} else {
			struct compose_attachment *a = g_ptr_array_index(parts, (guint)c->cursor);

			a->inline_disp = !a->inline_disp;
		}
		break;
	case KEYMAP_ACTION_EDIT_FROM:
		for (i = 0; i < ui->config->n_accounts; i++)
			n += composer_can_send(&ui->config->accounts[i]);
		ui_list_push(ui, &composer_identities, NULL, n);
		break;
	case KEYMAP_ACTION_POSTPONE_MESSAGE:
		if (c->error != NULL) {
			ui_set_message(ui, true, "Fix the message first: e edits it.");
			break;
		}
		if (composer_postpone(ui, c)) {
			composer_remove_files(c);
			ui_mode_pop(ui);
			ui_set_message(ui, false, "Postponed to %s (R recalls it).",
			    ui->config->postponed);
			ui_reload_keep_cursor(ui);
		}
		break;
	case KEYMAP_ACTION_NEXT_ENTRY:
		c->cursor = MIN(c->cursor + 1, MAX((int)parts->len - 1, 0));
		break;
	case KEYMAP_ACTION_PREVIOUS_ENTRY:
		c->cursor = MAX(c->cursor - 1, 0);
		break;
	case KEYMAP_ACTION_QUIT:
		ui_confirm(ui, "Abort this message? A draft is kept. (y/n) ", composer_abort_done);
		break;
	case KEYMAP_ACTION_HELP:
		ui_help_push(ui, KEYMAP_CONTEXT_COMPOSE);
		break;
	case KEYMAP_ACTION_REDRAW:
		clearok(curscr, TRUE);
		break;
	case KEYMAP_ACTION_NONE:
		if (typed != KEYMAP_KEY_NONE && typed != UI_KEY_MOUSE && typed != KEYMAP_KEY_ESCAPE)
			ui_say_unbound(ui, mode->context, NULL);
		break;
	default:
		ui_action_unavailable(ui, action);
		break;
	}
}

static const struct ui_mode_class composer_class = {
	.name = "compose",
	.context = KEYMAP_CONTEXT_COMPOSE,
	.draw = composer_draw,
	.key = composer_key,
	.free = composer_free,
};
