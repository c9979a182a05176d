/*
 * mailbox: change-folder (c), mutt's way of opening a mailbox by name.  The
 * line is read as, in this order: a path (it starts with / ~ or .), mutt's
 * =Folder or +Folder (a folder of the current account; =inbox its inbox),
 * "All inboxes", "inbox" or mutt's "!" (the current account's inbox), an
 * account (its inbox), account/folder, a saved search, a folder of the
 * current account.  Tab completes all of these, and paths.
 *
 * A path names a Maildir.  One under the store is opened as its mailbox;
 * one elsewhere is indexed as a folder of the pseudo-account ".ro" through
 * a symbolic link <store>/.ro/.NAME -> PATH, and shown read-only: opening a
 * message leaves it unread, and flags, delete, save and move are refused
 * (copy takes a message out).  The index's model is one account per Maildir
 * directly under the store; a name that starts with a dot is never taken
 * for one by reindex or the store watch, so these rows stay the session's:
 * they and the links go at quit (or at the next start after a crash).
 * The one change reindex may make to such a Maildir is the one it makes to
 * every Maildir it indexes: a file whose name is not in Maildir's canonical
 * form is renamed to it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "surat/folder.h"
#include "surat/reindex.h"
#include "surat/sanitize.h"
#include "surat/store.h"

#define MAILBOX_ALL "All inboxes"

const char *
ui_mailbox_shorthand(const char *text)
{
	return text[0] == '=' || text[0] == '+' ? text + 1 : text;
}

bool
ui_mailbox_readonly(const char *account)
{
	return account != NULL && strcmp(account, UI_READONLY_ACCOUNT) == 0;
}

/* <store>/.ro (g_free). */
static char *
mailbox_readonly_dir(struct ui *ui)
{
	return g_build_filename(ui->config->store, UI_READONLY_ACCOUNT, NULL);
}

bool
ui_mailbox_readonly_any(struct ui *ui)
{
	char *dir = mailbox_readonly_dir(ui);
	bool any = g_file_test(dir, G_FILE_TEST_IS_DIR);

	g_free(dir);
	return any;
}

bool
ui_mailbox_rows_readonly(struct ui *ui, const GArray *ids)
{
	bool found = false;
	guint i;

	if (!ui_mailbox_readonly_any(ui))
		return false;
	for (i = 0; i < ids->len && !found; i++) {
		struct index_message msg = { 0 };

		if (index_get(ui->idx, g_array_index(ids, int64_t, i), &msg, NULL))
			found = ui_mailbox_readonly(msg.account);
		index_message_clear(&msg);
	}
	return found;
}

bool
ui_mailbox_row_readonly(struct ui *ui, int64_t id)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	bool found;

	g_array_append_val(ids, id);
	found = ui_mailbox_rows_readonly(ui, ids);
	g_array_unref(ids);
	return found;
}

bool
ui_mailbox_refuse(struct ui *ui, enum keymap_action action)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	bool refuse = ui_mailbox_readonly_any(ui) && ui_action_ids(ui, ids, NULL) &&
	    ui_mailbox_rows_readonly(ui, ids);

	g_array_unref(ids);
	if (refuse)
		ui_set_message(ui, true, "%s: this Maildir is open read-only; C copies a message "
		    "into a folder of yours.", keymap_action_name(action));
	return refuse;
}

/* Drop the read-only rows, then the links and their folder. */
static void
mailbox_readonly_forget(struct ui *ui)
{
	char *dir = mailbox_readonly_dir(ui);
	GError *error = NULL;
	const char *name;
	GDir *d;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
		g_free(dir);
		return;
	}
	/* Rows first: while a link is there, its rows may be. */
	if (!reindex_drop(ui->idx, UI_READONLY_ACCOUNT, &error)) {
		g_printerr("surat: the read-only Maildirs' rows stay in the index: %s\n",
		    error->message);
		g_clear_error(&error);
		g_free(dir);
		return;
	}
	if ((d = g_dir_open(dir, 0, NULL)) != NULL) {
		while ((name = g_dir_read_name(d)) != NULL) {
			char *path = g_build_filename(dir, name, NULL);

			/* Only the links surat made: never what they point to. */
			if (g_file_test(path, G_FILE_TEST_IS_SYMLINK))
				unlink(path);
			g_free(path);
		}
		g_dir_close(d);
	}
	rmdir(dir);
	g_free(dir);
}

void
ui_mailbox_init(struct ui *ui)
{
	mailbox_readonly_forget(ui);
}

void
ui_mailbox_clear(struct ui *ui)
{
	if (ui->config != NULL && ui->idx != NULL)
		mailbox_readonly_forget(ui);
}

const char *
ui_mailbox_account(struct ui *ui)
{
	const char *account = ui_sidebar_open_account(ui);
	const struct index_message *cur;

	if (account != NULL && !ui_mailbox_readonly(account))
		return account;
	cur = ui_index_current(ui);
	if (cur != NULL && !ui_mailbox_readonly(cur->account))
		return cur->account;
	return ui->config->n_accounts > 0 ? ui->config->accounts[0].name : NULL;
}

/* True when NAME is in NAMES (g_free'd strings). */
static bool
mailbox_listed(GPtrArray *names, const char *name)
{
	guint i;

	for (i = 0; i < names->len; i++)
		if (strcmp(g_ptr_array_index(names, i), name) == 0)
			return true;
	return false;
}

/* The saved search called NAME, or -1. */
static int
mailbox_search(struct ui *ui, const char *name)
{
	size_t i;

	for (i = 0; i < ui->config->n_mailboxes; i++)
		if (strcmp(ui->config->mailboxes[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Open FOLDER ("" or "inbox": the inbox) of ACCOUNT; false with ERROR when it has none. */
static bool
mailbox_open_folder(struct ui *ui, const char *account, const char *folder, GError **error)
{
	GPtrArray *folders;
	bool ok;

	if (folder[0] == '\0' || g_ascii_strcasecmp(folder, "inbox") == 0)
		return ui_sidebar_open_mailbox(ui, account, "", -1);
	folders = g_ptr_array_new_with_free_func(g_free);
	ui_sidebar_folders(ui, account, folders);
	ok = mailbox_listed(folders, folder) && ui_sidebar_open_mailbox(ui, account, folder, -1);
	g_ptr_array_free(folders, TRUE);
	if (!ok) {
		char *a = sanitize_text(account, -1, 0), *f = sanitize_text(folder, -1, 0);

		g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_MISSING,
		    "%s has no folder \"%s\"; Tab lists the mailboxes", a, f);
		g_free(a);
		g_free(f);
	}
	return ok;
}

/* A name for the read-only folder of PATH: its base name as a valid folder name. */
static char *
mailbox_readonly_name(const char *path)
{
	char *base = g_path_get_basename(path), *p;
	GString *name = g_string_new(NULL);

	for (p = base; *p != '\0' && name->len < 40; p++)
		g_string_append_c(name, g_ascii_isalnum(*p) || *p == '-' || *p == '_' ? *p : '_');
	if (name->len == 0 || !folder_name_valid(name->str, NULL))
		g_string_assign(name, "maildir");
	g_free(base);
	return g_string_free(name, FALSE);
}

/*
 * The link <store>/.ro/.NAME to the Maildir at REAL (an absolute path without
 * symbolic links): the one there is, else a new one.  *NAME gets the folder.
 */
static bool
mailbox_readonly_link(struct ui *ui, const char *real, char **name, GError **error)
{
	char *dir = mailbox_readonly_dir(ui), *base = mailbox_readonly_name(real);
	bool ok = false;
	int n;

	if (g_mkdir_with_parents(dir, 0700) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s: %s",
		    dir, g_strerror(errno));
		goto out;
	}
	for (n = 1; n < 100 && !ok; n++) {
		char *folder = n == 1 ? g_strdup(base) : g_strdup_printf("%s-%d", base, n);
		char *dot = g_strconcat(".", folder, NULL);
		char *link = g_build_filename(dir, dot, NULL);
		char *target = g_file_read_link(link, NULL);

		if (target != NULL && strcmp(target, real) == 0) {
			ok = true;
		} else if (target == NULL && !g_file_test(link, G_FILE_TEST_EXISTS)) {
			if (symlink(real, link) != 0) {
				g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
				    "cannot link %s to %s: %s", link, real, g_strerror(errno));
				n = 100;
			} else {
				ok = true;
			}
		}
		if (ok)
			*name = g_steal_pointer(&folder);
		g_free(folder);
		g_free(dot);
		g_free(link);
		g_free(target);
	}
	if (!ok && error != NULL && *error == NULL)
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST, "too many Maildirs called %s "
		    "open", base);
out:
	g_free(dir);
	g_free(base);
	return ok;
}

/* The mailbox under the store whose Maildir is REAL, opened; false when none is. */
static bool
mailbox_open_in_store(struct ui *ui, const char *real)
{
	GPtrArray *accounts = g_ptr_array_new_with_free_func(g_free);
	bool opened = false;
	guint i, j;

	ui_sidebar_accounts(ui, accounts);
	for (i = 0; i < accounts->len && !opened; i++) {
		const char *account = g_ptr_array_index(accounts, i);
		GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);

		if (ui_mailbox_readonly(account)) {
			g_ptr_array_free(folders, TRUE);
			continue;
		}
		g_ptr_array_add(folders, g_strdup(""));
		ui_sidebar_folders(ui, account, folders);
		for (j = 0; j < folders->len && !opened; j++) {
			const char *folder = g_ptr_array_index(folders, j);
			char *dir = folder_maildir(ui->config->store, account, folder);
			char *here = realpath(dir, NULL);

			if (here != NULL && strcmp(here, real) == 0)
				opened = ui_sidebar_open_mailbox(ui, account, folder, -1);
			free(here);
			g_free(dir);
		}
		g_ptr_array_free(folders, TRUE);
	}
	g_ptr_array_free(accounts, TRUE);
	return opened;
}

/* Open the Maildir at TYPED (a path): the store's own mailbox, or read-only. */
static bool
mailbox_open_path(struct ui *ui, const char *typed, GError **error)
{
	char *path = ui_view_expand_path(typed), *abs, *real = NULL, *name = NULL, *link = NULL;
	char *safe = sanitize_text(typed, -1, 0);
	struct reindex_stats stats = { 0 };
	bool ok = false;

	abs = g_canonicalize_filename(path, NULL);
	if (!g_file_test(abs, G_FILE_TEST_EXISTS)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no such file or folder",
		    safe);
		goto out;
	}
	if (!store_is_maildir(abs)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not a Maildir (a Maildir "
		    "has cur/, new/ and tmp/ in it)", safe);
		goto out;
	}
	real = realpath(abs, NULL);
	if (real == NULL) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: %s", safe,
		    g_strerror(errno));
		goto out;
	}
	if (mailbox_open_in_store(ui, real)) {
		ok = true;
		goto out;
	}
	if (!mailbox_readonly_link(ui, real, &name, error))
		goto out;
	link = folder_maildir(ui->config->store, UI_READONLY_ACCOUNT, name);
	if (!reindex_folder(ui->idx, UI_READONLY_ACCOUNT, name, link,
	    (const char *const *)ui->config->charset_fallbacks, &stats, error)) {
		g_prefix_error(error, "%s: ", safe);
		goto out;
	}
	if (!ui_sidebar_open_mailbox(ui, UI_READONLY_ACCOUNT, name, -1)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s was read but cannot be "
		    "shown", safe);
		goto out;
	}
	ui_set_message(ui, false, "%s: read-only, %" G_GINT64_FORMAT " message%s.", safe,
	    ui_index_total(ui), ui_index_total(ui) == 1 ? "" : "s");
	ok = true;
out:
	free(real);
	g_free(path);
	g_free(abs);
	g_free(name);
	g_free(link);
	g_free(safe);
	return ok;
}

/* Open what LINE names (the order is the file's comment's); false with ERROR. */
static bool
mailbox_open(struct ui *ui, const char *line, GError **error)
{
	GPtrArray *accounts;
	const char *account = ui_mailbox_account(ui), *slash;
	char *safe;
	int search;
	bool ok;

	if (line[0] == '/' || line[0] == '~' || line[0] == '.')
		return mailbox_open_path(ui, line, error);
	if (line[0] == '=' || line[0] == '+') {
		if (account == NULL) {
			g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_MISSING,
			    "no account to look for %s in; write account/folder", line);
			return false;
		}
		return mailbox_open_folder(ui, account, ui_mailbox_shorthand(line), error);
	}
	if (g_ascii_strcasecmp(line, MAILBOX_ALL) == 0)
		return ui_sidebar_open_mailbox(ui, NULL, NULL, -1);
	/* mutt's ! is the spool: here the current account's inbox. */
	if (account != NULL && (strcmp(line, "!") == 0 || g_ascii_strcasecmp(line, "inbox") == 0))
		return ui_sidebar_open_mailbox(ui, account, "", -1);
	accounts = g_ptr_array_new_with_free_func(g_free);
	ui_sidebar_accounts(ui, accounts);
	slash = strchr(line, '/');
	if (mailbox_listed(accounts, line)) {
		ok = ui_sidebar_open_mailbox(ui, line, "", -1);
	} else if (slash != NULL && slash > line) {
		char *name = g_strndup(line, (gsize)(slash - line));

		ok = mailbox_listed(accounts, name) && mailbox_open_folder(ui, name, slash + 1, error);
		if (!ok && error != NULL && *error == NULL) {
			safe = sanitize_text(name, -1, 0);
			g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_MISSING,
			    "no account \"%s\"; Tab lists the mailboxes", safe);
			g_free(safe);
		}
		g_free(name);
	} else if ((search = mailbox_search(ui, line)) >= 0) {
		ok = ui_sidebar_open_mailbox(ui, NULL, NULL, search);
	} else {
		GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);

		if (account != NULL)
			ui_sidebar_folders(ui, account, folders);
		ok = account != NULL && mailbox_listed(folders, line) &&
		    ui_sidebar_open_mailbox(ui, account, line, -1);
		g_ptr_array_free(folders, TRUE);
		if (!ok) {
			safe = sanitize_text(line, -1, 0);
			g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_MISSING,
			    "no mailbox \"%s\": type an account, =folder, account/folder, a saved "
			    "search or a Maildir's path (Tab lists them)", safe);
			g_free(safe);
		}
	}
	g_ptr_array_free(accounts, TRUE);
	return ok;
}

/* The mailbox was typed. */
static void
mailbox_done(struct ui *ui, const char *text)
{
	char *line = g_strstrip(g_strdup(text));
	GError *error = NULL;

	if (line[0] != '\0' && !mailbox_open(ui, line, &error)) {
		ui_set_message(ui, true, "%s", error != NULL ? error->message : "cannot open it");
		g_clear_error(&error);
	}
	g_free(line);
}

/* Tab: paths, or every name c reads (=Folder for the current account's folders). */
static size_t
mailbox_complete(struct ui *ui, const char *line, size_t cursor, GPtrArray *out)
{
	GPtrArray *names, *accounts;
	const char *account;
	char *word;
	guint i, j;
	size_t k;

	if (line[0] == '/' || line[0] == '~' || line[0] == '.')
		return ui_view_complete_path(ui, line, cursor, out);
	names = g_ptr_array_new_with_free_func(g_free);
	accounts = g_ptr_array_new_with_free_func(g_free);
	account = ui_mailbox_account(ui);
	word = g_strndup(line, cursor);
	g_ptr_array_add(names, g_strdup(MAILBOX_ALL));
	if (account != NULL) {
		GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);

		ui_sidebar_folders(ui, account, folders);
		for (j = 0; j < folders->len; j++)
			g_ptr_array_add(names, g_strdup_printf("%c%s", word[0] == '+' ? '+' : '=',
			    (const char *)g_ptr_array_index(folders, j)));
		g_ptr_array_free(folders, TRUE);
	}
	ui_sidebar_accounts(ui, accounts);
	for (i = 0; i < accounts->len; i++) {
		const char *name = g_ptr_array_index(accounts, i);
		GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);

		if (!ui_mailbox_readonly(name))
			g_ptr_array_add(names, g_strdup(name));
		ui_sidebar_folders(ui, name, folders);
		for (j = 0; j < folders->len; j++)
			g_ptr_array_add(names, g_strdup_printf("%s/%s", name,
			    (const char *)g_ptr_array_index(folders, j)));
		g_ptr_array_free(folders, TRUE);
	}
	for (k = 0; k < ui->config->n_mailboxes; k++)
		g_ptr_array_add(names, g_strdup(ui->config->mailboxes[k].name));
	g_ptr_array_add(names, NULL);
	ui_prompt_candidates(word, (const char *const *)names->pdata, out);
	g_ptr_array_free(names, TRUE);
	g_ptr_array_free(accounts, TRUE);
	g_free(word);
	return 0;
}

void
ui_mailbox_prompt(struct ui *ui)
{
	/* A completed name gets no space after it: a path goes on (prompt.c). */
	ui_prompt_open(ui, UI_PROMPT_MAILBOX, "Open mailbox: ", NULL, mailbox_complete,
	    mailbox_done);
}
