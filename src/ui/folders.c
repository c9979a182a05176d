/*
 * folders: save, copy and move messages to local folders, and expunge with
 * the trash (change.h has the semantics).  The folder prompt completes the
 * folders of the message's account and "account/folder" for every account;
 * a folder that does not exist yet is created after asking.
 *
 * s (save) and M (move) both move: mutt's s copies and marks the original
 * deleted, which surat's expunge would then put in the trash as well, so the
 * message would end up twice.  C copies.
 *
 * Every step goes through change.h, so each is undoable (U) and survives a
 * crash at any instant (folder.h).
 */
#include <string.h>

#include "private.h"
#include "surat/change.h"
#include "surat/folder.h"
#include "surat/sanitize.h"
#include "surat/search.h"
#include "surat/store.h"

#define FOLDERS_ACCOUNTS_SHOWN 8 /* accounts named in an error, at most */

struct ui_folders {
	struct change *change;     /* borrowed idx and config */
	enum keymap_action what;   /* SAVE, COPY or MOVE while a question is open */
	GArray *ids;               /* int64_t: the rows the open question is about */
	char *account;             /* the target's account; NULL: each row's own */
	char *folder;              /* the target's folder; "" the inbox */
	char *where;               /* the target as shown ("demo/Archive"), sanitized */
	guint n_trash, n_gone;     /* expunge: how many go to the trash, how many for good */
};

/* Forget the question's rows and target. */
static void
folders_forget(struct ui_folders *f)
{
	g_clear_pointer(&f->ids, g_array_unref);
	g_clear_pointer(&f->account, g_free);
	g_clear_pointer(&f->folder, g_free);
	g_clear_pointer(&f->where, g_free);
}

void
ui_folders_init(struct ui *ui)
{
	struct ui_folders *f = g_new0(struct ui_folders, 1);

	f->change = change_new(ui->idx, ui->config, ui->config->trash);
	ui->folders = f;
}

void
ui_folders_clear(struct ui *ui)
{
	struct ui_folders *f = ui->folders;

	if (f == NULL)
		return;
	folders_forget(f);
	change_free(f->change);
	g_free(f);
	ui->folders = NULL;
}

/* "1 message", "3 messages". */
static char *
folders_count(guint n)
{
	return g_strdup_printf("%u message%s", n, n == 1 ? "" : "s");
}

/* Close the pager when its message is no longer in the view. */
static void
folders_check_pager(struct ui *ui)
{
	if (ui->pager == NULL || ui_index_position(ui, ui->pager->id, NULL) >= 0)
		return;
	ui_pager_free(ui->pager);
	ui->pager = NULL;
	ui->zoom = false;
}

/* Do the save, copy or move the question was about. */
static void
folders_apply(struct ui *ui)
{
	struct ui_folders *f = ui->folders;
	const char *verb = f->what == KEYMAP_ACTION_COPY_MESSAGE ? "Copied" :
	    f->what == KEYMAP_ACTION_SAVE_MESSAGE ? "Saved" : "Moved";
	GError *error = NULL;
	guint done = 0;
	char *n;
	bool ok;

	if (f->what == KEYMAP_ACTION_COPY_MESSAGE)
		ok = change_copy(f->change, f->ids, f->account, f->folder, &done, &error);
	else
		ok = change_move(f->change, f->ids, f->account, f->folder, &done, &error);
	n = folders_count(done);
	if (!ok)
		ui_set_message(ui, true, "%s %s to %s, then: %s", verb, n, f->where, error->message);
	else if (done == 0)
		ui_set_message(ui, false, "Nothing to do: already in %s.", f->where);
	else
		ui_set_message(ui, false, "%s %s to %s.", verb, n, f->where);
	g_free(n);
	g_clear_error(&error);
	folders_forget(f);
	folders_check_pager(ui);
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
}

/* The answer to "Create folder X?". */
static void
folders_create_answer(struct ui *ui, const char *text)
{
	if (text[0] == 'y' || text[0] == 'Y') {
		folders_apply(ui);
		return;
	}
	ui_set_message(ui, false, "Nothing done: %s was not created.", ui->folders->where);
	folders_forget(ui->folders);
}

/* True when ACCOUNT is one the sidebar lists (the config's, or one with mail). */
static bool
folders_known_account(struct ui *ui, const char *account, GString *list)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	bool found = false;
	guint i;

	ui_sidebar_accounts(ui, names);
	for (i = 0; i < names->len; i++) {
		const char *name = g_ptr_array_index(names, i);

		if (strcmp(name, account) == 0)
			found = true;
		if (i < FOLDERS_ACCOUNTS_SHOWN && !ui_mailbox_readonly(name))
			g_string_append_printf(list, "%s%s", i > 0 ? ", " : "", name);
	}
	g_ptr_array_free(names, TRUE);
	return found;
}

/*
 * Read the target typed: "Folder" (in each message's own account; mutt's
 * "=Folder" and "+Folder" too), "account/Folder", "inbox" or
 * "account/inbox" (the inbox).  Sets
 * f->account, f->folder and f->where, or fails with folder_name_valid's
 * message (or an unknown account's).
 */
static bool
folders_target(struct ui *ui, const char *text, GError **error)
{
	struct ui_folders *f = ui->folders;
	const char *slash, *name;
	char *account = NULL, *where;

	/* mutt's =Folder and +Folder: the folder of the message's own account. */
	text = ui_mailbox_shorthand(text);
	slash = strchr(text, '/');
	name = text;
	if (slash != NULL) {
		GString *list = g_string_new(NULL);

		account = g_strndup(text, (gsize)(slash - text));
		name = slash + 1;
		if (!folders_known_account(ui, account, list)) {
			char *safe = sanitize_text(account, -1, 0);

			g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_NAME,
			    "no account \"%s\"; write account/folder with one of: %s", safe, list->str);
			g_free(safe);
			g_string_free(list, TRUE);
			g_free(account);
			return false;
		}
		g_string_free(list, TRUE);
		if (ui_mailbox_readonly(account)) {
			g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_NAME,
			    "the Maildirs opened with c are read-only; choose a folder of yours");
			g_free(account);
			return false;
		}
	}
	if (account == NULL && ui_mailbox_rows_readonly(ui, f->ids)) {
		/* A copy out of a read-only Maildir goes to a folder of the person's own. */
		if (ui_mailbox_account(ui) == NULL) {
			g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_NAME,
			    "write account/folder: these messages are in a read-only Maildir");
			return false;
		}
		account = g_strdup(ui_mailbox_account(ui));
	}
	if (name[0] == '\0' || g_ascii_strcasecmp(name, "inbox") == 0) {
		name = "";
	} else if (!folder_name_valid(name, error)) {
		g_free(account);
		return false;
	}
	f->account = account;
	f->folder = g_strdup(name);
	where = account != NULL ? g_strdup_printf("%s/%s", account, name[0] != '\0' ? name : "inbox") :
	    g_strdup(name[0] != '\0' ? name : "inbox");
	f->where = sanitize_text(where, -1, 0);
	g_free(where);
	return true;
}

/* True when every mailbox the rows would land in exists on disk. */
static bool
folders_target_exists(struct ui *ui)
{
	struct ui_folders *f = ui->folders;
	bool exists = true;
	guint i;

	for (i = 0; i < f->ids->len && exists; i++) {
		struct index_message msg = { 0 };
		const char *account = f->account;
		char *dir, *cur;

		if (account == NULL) {
			if (!index_get(ui->idx, g_array_index(f->ids, int64_t, i), &msg, NULL))
				continue;
			account = msg.account;
		}
		dir = folder_maildir(ui->config->store, account, f->folder);
		cur = g_build_filename(dir, "cur", NULL);
		exists = g_file_test(cur, G_FILE_TEST_IS_DIR);
		g_free(cur);
		g_free(dir);
		index_message_clear(&msg);
		if (f->account != NULL)
			break;
	}
	return exists;
}

/* The folder was typed: check it, ask before creating it, then go. */
static void
folders_done(struct ui *ui, const char *text)
{
	struct ui_folders *f = ui->folders;
	char *line = g_strstrip(g_strdup(text)), *question;
	GError *error = NULL;

	if (line[0] == '\0') {
		folders_forget(f);
		g_free(line);
		return;
	}
	if (!folders_target(ui, line, &error)) {
		char *safe = sanitize_text(error->message, -1, 0);

		ui_set_message(ui, true, "%s", safe);
		g_free(safe);
		g_clear_error(&error);
		folders_forget(f);
		g_free(line);
		return;
	}
	g_free(line);
	if (folders_target_exists(ui)) {
		folders_apply(ui);
		return;
	}
	question = g_strdup_printf("Create folder %s? (y/n) ", f->where);
	ui_confirm(ui, question, folders_create_answer);
	g_free(question);
}

/* The names to complete: own account's folders, "inbox", and account/folder for all. */
static size_t
folders_complete(struct ui *ui, const char *line, size_t cursor, GPtrArray *out)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *accounts = g_ptr_array_new_with_free_func(g_free);
	const struct index_message *cur = ui_index_current(ui);
	char *word = g_strndup(line, cursor);
	guint i, j;

	ui_sidebar_accounts(ui, accounts);
	if (cur != NULL && !ui_mailbox_readonly(cur->account))
		ui_sidebar_folders(ui, cur->account, names);
	g_ptr_array_add(names, g_strdup("inbox"));
	if (word[0] == '=' || word[0] == '+') {
		/* mutt's shorthand: the same names after it. */
		guint n = names->len;

		for (i = 0; i < n; i++)
			g_ptr_array_add(names, g_strdup_printf("%c%s", word[0],
			    (const char *)g_ptr_array_index(names, i)));
		g_ptr_array_remove_range(names, 0, n);
	}
	for (i = 0; i < accounts->len; i++) {
		const char *account = g_ptr_array_index(accounts, i);
		GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);

		if (ui_mailbox_readonly(account)) {
			g_ptr_array_free(folders, TRUE);
			continue;
		}
		ui_sidebar_folders(ui, account, folders);
		g_ptr_array_add(names, g_strdup_printf("%s/inbox", account));
		for (j = 0; j < folders->len; j++)
			g_ptr_array_add(names, g_strdup_printf("%s/%s", account,
			    (const char *)g_ptr_array_index(folders, j)));
		g_ptr_array_free(folders, TRUE);
	}
	g_ptr_array_add(names, NULL);
	ui_prompt_candidates(word, (const char *const *)names->pdata, out);
	g_ptr_array_free(names, TRUE);
	g_ptr_array_free(accounts, TRUE);
	g_free(word);
	return 0;
}

void
ui_folders_prompt(struct ui *ui, enum keymap_action what, GArray *ids)
{
	struct ui_folders *f = ui->folders;
	const char *question = what == KEYMAP_ACTION_COPY_MESSAGE ? "Copy to folder: " :
	    what == KEYMAP_ACTION_SAVE_MESSAGE ? "Save to folder: " : "Move to folder: ";

	folders_forget(f);
	if (ids == NULL) {
		const struct index_message *cur = ui_index_current(ui);

		if (cur == NULL) {
			ui_set_message(ui, true, "No message here.");
			return;
		}
		ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
		g_array_append_val(ids, cur->id);
	}
	if (ids->len == 0) {
		ui_set_message(ui, true, "No messages to %s.", what == KEYMAP_ACTION_COPY_MESSAGE ?
		    "copy" : what == KEYMAP_ACTION_SAVE_MESSAGE ? "save" : "move");
		g_array_unref(ids);
		return;
	}
	f->what = what;
	f->ids = ids;
	ui_prompt_open(ui, UI_PROMPT_FOLDER, question, NULL, folders_complete, folders_done);
}

/* What index_query_foreach collects for expunge. */
struct folders_marked {
	GArray *ids;
	const char *trash;
	guint n_trash, n_gone;
};

/* Collect a row marked deleted, counting where it will go. */
static bool
folders_marked_row(const struct index_message *msg, void *data)
{
	struct folders_marked *m = data;

	/* A Maildir opened read-only is another program's: its marks are not surat's to purge. */
	if (!index_message_has_flag(msg, STORE_FLAG_TRASHED) || ui_mailbox_readonly(msg->account))
		return true;
	g_array_append_val(m->ids, msg->id);
	if (m->trash != NULL && g_strcmp0(msg->folder, m->trash) != 0)
		m->n_trash++;
	else
		m->n_gone++;
	return true;
}

/* Expunge the rows of the question (f->ids): false with the error shown when it stopped. */
static bool
folders_expunge_run(struct ui *ui)
{
	struct ui_folders *f = ui->folders;
	guint trashed = 0, removed = 0;
	GError *error = NULL;
	bool ok = true;
	char *a, *b;
	guint i;

	for (i = 0; ui->pager != NULL && i < f->ids->len; i++) {
		if (g_array_index(f->ids, int64_t, i) == ui->pager->id) {
			ui_pager_free(ui->pager);
			ui->pager = NULL;
			ui->zoom = false;
		}
	}
	if (!change_expunge(f->change, f->ids, &trashed, &removed, &error)) {
		ui_set_message(ui, true, "expunge stopped after %u: %s", trashed + removed,
		    error->message);
		g_clear_error(&error);
		ok = false;
	} else {
		a = folders_count(trashed);
		b = folders_count(removed);
		if (removed == 0)
			ui_set_message(ui, false, "%s moved to %s.", a, ui->config->trash);
		else if (trashed == 0)
			ui_set_message(ui, false, "%s deleted for good.", b);
		else
			ui_set_message(ui, false, "%s moved to %s, %s deleted for good.", a,
			    ui->config->trash, b);
		g_free(a);
		g_free(b);
	}
	folders_forget(f);
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
	return ok;
}

/* The expunge question was answered. */
static void
folders_expunge_answer(struct ui *ui, const char *text)
{
	if (text[0] != 'y' && text[0] != 'Y') {
		folders_forget(ui->folders);
		return;
	}
	folders_expunge_run(ui);
}

void
ui_folders_expunge(struct ui *ui)
{
	struct ui_folders *f = ui->folders;
	struct folders_marked m = { 0 };
	GError *error = NULL;
	char *n, *question;

	folders_forget(f);
	m.ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	m.trash = ui->config->trash;
	if (!ui_index_foreach(ui, folders_marked_row, &m, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		g_array_unref(m.ids);
		return;
	}
	if (m.ids->len == 0) {
		ui_set_message(ui, false, "No message here is marked deleted.");
		g_array_unref(m.ids);
		return;
	}
	f->ids = m.ids;
	n = folders_count(m.ids->len);
	if (m.n_gone == 0)
		question = g_strdup_printf("Move %s marked deleted to %s? (y/n) ", n, m.trash);
	else if (m.n_trash == 0)
		question = g_strdup_printf("Delete %s marked deleted for good? (y/n) ", n);
	else
		question = g_strdup_printf("Expunge %s marked deleted (%u to %s, %u for good)? (y/n) ",
		    n, m.n_trash, m.trash, m.n_gone);
	ui_confirm(ui, question, folders_expunge_answer);
	g_free(question);
	g_free(n);
}

static void folders_quit_answer(struct ui *ui, const char *text);

/* "Purge 3 deleted messages (to Trash)? ([yes]/no): ", as mutt asks, with where they go. */
static void
folders_quit_ask(struct ui *ui)
{
	struct ui_folders *f = ui->folders;
	guint n = f->ids->len;
	char *where, *question;

	if (f->n_gone == 0)
		where = g_strdup_printf("to %s", ui->config->trash);
	else if (f->n_trash == 0)
		where = g_strdup("for good");
	else
		where = g_strdup_printf("%u to %s, %u for good", f->n_trash, ui->config->trash,
		    f->n_gone);
	question = g_strdup_printf("Purge %u deleted message%s (%s)? (%s): ", n, n == 1 ? "" : "s",
	    where, ui->config->delete_marked == CONFIG_DELETE_ASK_NO ? "yes/[no]" : "[yes]/no");
	ui_prompt_open(ui, UI_PROMPT_QUAD, question, NULL, NULL, folders_quit_answer);
	g_free(question);
	g_free(where);
}

/*
 * The answer to "Purge N deleted messages?": y purges and quits, n quits
 * keeping the marks, Enter is the default of `delete` (ask-yes: yes);
 * Escape stays (the prompt closes without an answer), another key asks again.
 */
static void
folders_quit_answer(struct ui *ui, const char *text)
{
	bool yes;

	if (text[0] == '\0')
		yes = ui->config->delete_marked != CONFIG_DELETE_ASK_NO;
	else if (text[0] == 'y' || text[0] == 'Y')
		yes = true;
	else if (text[0] == 'n' || text[0] == 'N')
		yes = false;
	else {
		folders_quit_ask(ui);
		return;
	}
	if (yes && !folders_expunge_run(ui))
		return; /* what stopped it is on the message line: stay */
	folders_forget(ui->folders);
	ui->quit = true;
}

void
ui_folders_quit(struct ui *ui)
{
	struct ui_folders *f = ui->folders;
	struct folders_marked m = { 0 };
	struct search_error parse = { 0 };
	struct index_filter all = { 0 };
	struct search_query *marked;
	GError *error = NULL;

	folders_forget(f);
	if (ui->config->delete_marked == CONFIG_DELETE_NO) {
		ui->quit = true;
		return;
	}
	/* Every mailbox's marks, not the view's: a mark made elsewhere is no less the user's. */
	marked = search_parse("is:deleted", 0, &parse);
	if (marked == NULL) {
		/* Cannot happen with this text; were it to, quitting keeps the marks. */
		search_error_clear(&parse);
		ui->quit = true;
		return;
	}
	all.query = marked;
	m.ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	m.trash = ui->config->trash;
	if (!index_query_foreach(ui->idx, &all, INDEX_SORT_DATE, false, folders_marked_row, &m,
	    &error)) {
		/* The marks cannot be read: quitting keeps them, as delete = no would. */
		g_clear_error(&error);
		g_array_set_size(m.ids, 0);
	}
	search_query_free(marked);
	if (m.ids->len == 0) {
		g_array_unref(m.ids);
		ui->quit = true;
		return;
	}
	f->ids = m.ids;
	f->n_trash = m.n_trash;
	f->n_gone = m.n_gone;
	if (ui->config->delete_marked == CONFIG_DELETE_YES)
		folders_quit_answer(ui, "y");
	else
		folders_quit_ask(ui);
}
