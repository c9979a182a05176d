/*
 * folder: local folders, and message files moved with their rows
 * (folder.h has the orders that make each step crash-safe).
 *
 * What it must never do: delete a row while its file may still be there,
 * forget a UIDL that is still on a server, replace a file, or leave a row
 * pointing at a file that is not where the row says once folder_recover ran.
 */
#include "surat/folder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "surat/deliver.h"
#include "surat/mime-lib.h"
#include "surat/store.h"
#include "surat/uidls.h"

G_DEFINE_QUARK(surat-folder-error-quark, folder_error)

/* The records for ACCOUNT's UIDL journal in JOURNALS (account -> GString *), made if new. */
static GString *
folder_journal_for(GHashTable *journals, const char *account)
{
	GString *records = g_hash_table_lookup(journals, account);

	if (records == NULL) {
		records = g_string_new(NULL);
		g_hash_table_insert(journals, g_strdup(account), records);
	}
	return records;
}

/* Free a GString of journal records. */
static void
folder_journal_free(gpointer records)
{
	g_string_free(records, TRUE);
}

/* A new table of records for the UIDL journals of accounts (folder_journal_for). */
static GHashTable *
folder_journals_new(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, folder_journal_free);
}

/*
 * Append the records in JOURNALS to each account's UIDL journal, synced
 * (uidls.h): after the index committed the change, before any file moves,
 * so the Maildir still tells what happened if the index is lost.
 */
static bool
folder_journals_write(const char *store, GHashTable *journals, GError **error)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, journals);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		char *dir = folder_maildir(store, key, "");
		bool ok = uidls_append(dir, ((GString *)value)->str, true, error);

		g_free(dir);
		if (!ok)
			return false;
	}
	return true;
}

bool
folder_name_valid(const char *name, GError **error)
{
	const char *why = NULL, *p;

	if (name == NULL || name[0] == '\0')
		why = "it is empty";
	else if (strlen(name) > FOLDER_NAME_MAX)
		why = "it is longer than 64 bytes";
	else if (!g_utf8_validate(name, -1, NULL))
		why = "it is not valid UTF-8";
	else if (strchr(name, '/') != NULL)
		why = "it has a '/'";
	else if (name[0] == '.' || name[strlen(name) - 1] == '.')
		why = "it starts or ends with '.'";
	else if (strstr(name, "..") != NULL)
		why = "it has \"..\"";
	else if (g_ascii_strcasecmp(name, "inbox") == 0)
		why = "inbox is the account's own mailbox";
	else if (strcmp(name, "lock") == 0)
		why = "the account's lock file is .lock";
	for (p = name; why == NULL && *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c < 0x20 || (c >= 0x7f && c < 0xa0))
			why = "it has a control character";
	}
	if (why == NULL)
		return true;
	g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_NAME, "'%s' cannot be a folder name: %s",
	    name != NULL && g_utf8_validate(name, -1, NULL) ? name : "?", why);
	return false;
}

char *
folder_maildir(const char *store, const char *account, const char *folder)
{
	if (folder == NULL || folder[0] == '\0')
		return g_build_filename(store, account, NULL);
	return g_strdup_printf("%s/%s/.%s", store, account, folder);
}

char *
folder_message_path(const char *store, const struct index_message *msg)
{
	char *dir = folder_maildir(store, msg->account, msg->folder);
	char *path = store_message_path(dir, msg->subdir, msg->base, msg->flags);

	g_free(dir);
	return path;
}

bool
folder_locate(struct index *idx, const char *store, struct index_message *msg, GError **error)
{
	char *path = folder_message_path(store, msg), *dir, *flags = NULL;
	const char *subdir = NULL;
	GError *local = NULL;
	bool ok;

	if (access(path, F_OK) == 0) {
		g_free(path);
		return true;
	}
	dir = folder_maildir(store, msg->account, msg->folder);
	ok = store_find(dir, msg->base, &subdir, &flags, &local);
	if (ok) {
		/* Renamed by another program: the row follows the file. */
		ok = index_set_flags(idx, msg->id, subdir, flags, error);
		if (ok) {
			g_free(msg->subdir);
			msg->subdir = g_strdup(subdir);
			g_free(msg->flags);
			msg->flags = flags;
			flags = NULL;
		}
	} else if (local != NULL) {
		g_propagate_error(error, local);
	} else {
		g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_MISSING,
		    "%s: the message is gone (another program deleted or moved it); "
		    "surat reindex updates the index", path);
	}
	g_free(flags);
	g_free(dir);
	g_free(path);
	return ok;
}

/* True when ACCOUNT can name a Maildir under the store. */
static bool
folder_account_valid(const char *account, GError **error)
{
	if (account != NULL && config_account_name_valid(account))
		return true;
	g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_NAME,
	    "'%s' cannot be an account's folder name: use 1 to 64 of A-Z a-z 0-9 . _ -",
	    account != NULL && g_utf8_validate(account, -1, NULL) ? account : "?");
	return false;
}

/* Stop reading a header block past this many bytes: no real one is longer. */
#define FOLDER_HEADERS_MAX (256 * 1024)

/* The header block of the file at PATH, its lines unfolded, or NULL when it cannot be read. */
static char *
folder_read_headers(const char *path)
{
	GString *raw = g_string_sized_new(8192), *out;
	const char *end = NULL, *p;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *valid;

	if (fd < 0) {
		g_string_free(raw, TRUE);
		return NULL;
	}
	while (raw->len < FOLDER_HEADERS_MAX) {
		size_t had = raw->len;
		ssize_t n;

		g_string_set_size(raw, had + 8192);
		n = read(fd, raw->str + had, 8192);
		g_string_set_size(raw, had + (size_t)MAX(n, 0));
		if (n <= 0)
			break;
		/* The blank line may straddle the chunks: look from just before them. */
		if ((end = strstr(raw->str + (had > 3 ? had - 3 : 0), "\n\n")) != NULL ||
		    (end = strstr(raw->str + (had > 3 ? had - 3 : 0), "\n\r\n")) != NULL)
			break;
	}
	close(fd);
	if (end == NULL)
		end = raw->str + raw->len;
	out = g_string_sized_new((gsize)(end - raw->str));
	for (p = raw->str; p < end; p++) {
		if (*p == '\r' || *p == '\0')
			continue;
		/* A line that starts with white space goes on the line before. */
		if (*p == '\n' && p + 1 < end && (p[1] == ' ' || p[1] == '\t')) {
			g_string_append_c(out, ' ');
			while (p + 1 < end && (p[1] == ' ' || p[1] == '\t'))
				p++;
			continue;
		}
		g_string_append_c(out, *p);
	}
	g_string_free(raw, TRUE);
	valid = g_utf8_make_valid(out->str, (gssize)out->len);
	g_string_free(out, TRUE);
	return valid;
}

/* index_headers_fn over the store DATA. */
static char *
folder_headers(const char *account, const char *folder, const char *subdir, const char *base,
    const char *flags, void *data)
{
	char *dir = folder_maildir(data, account, folder);
	char *path = store_message_path(dir, subdir, base, flags);
	char *headers = folder_read_headers(path);

	g_free(path);
	g_free(dir);
	return headers;
}

void
folder_search_setup(struct index *idx, const char *store, const struct surat_config *config)
{
	char **own = config_own_addresses(config);
	GRegex *alternates = config_alternates(config);

	index_set_headers_reader(idx, folder_headers, g_strdup(store), g_free);
	index_set_own_addresses(idx, (const char *const *)own, alternates);
	g_strfreev(own);
	if (alternates != NULL)
		g_regex_unref(alternates);
}

bool
folder_create(const char *store, const char *account, const char *folder, GError **error)
{
	char *top, *dir, *marker;
	bool ok = false;
	int fd;

	if (!folder_account_valid(account, error))
		return false;
	if (folder != NULL && folder[0] != '\0' && !folder_name_valid(folder, error))
		return false;
	top = g_build_filename(store, account, NULL);
	dir = folder_maildir(store, account, folder);
	marker = g_build_filename(dir, "maildirfolder", NULL);
	if (!store_maildir_create(top, error))
		goto out;
	if (folder == NULL || folder[0] == '\0') {
		ok = true;
		goto out;
	}
	if (!store_maildir_create(dir, error))
		goto out;
	/* Maildir++ marks a subfolder with this empty file. */
	fd = open(marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_IO, "cannot create %s: %s", marker,
		    g_strerror(errno));
		goto out;
	}
	close(fd);
	ok = true;
out:
	g_free(marker);
	g_free(dir);
	g_free(top);
	return ok;
}

/* Compare two strings for g_ptr_array_sort. */
static gint
folder_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

bool
folder_list(const char *store, const char *account, GPtrArray *names, GError **error)
{
	char *top = g_build_filename(store, account, NULL);
	GPtrArray *found = g_ptr_array_new();
	struct dirent *de;
	DIR *d = opendir(top);

	if (d == NULL) {
		int err = errno;

		g_free(top);
		g_ptr_array_free(found, TRUE);
		if (err == ENOENT || err == ENOTDIR)
			return true;
		g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_IO, "cannot read %s/%s: %s", store,
		    account, g_strerror(err));
		return false;
	}
	while ((de = readdir(d)) != NULL) {
		char *path;

		if (de->d_name[0] != '.' || !folder_name_valid(de->d_name + 1, NULL))
			continue;
		path = g_build_filename(top, de->d_name, NULL);
		if (store_is_maildir(path))
			g_ptr_array_add(found, g_strdup(de->d_name + 1));
		g_free(path);
	}
	closedir(d);
	g_free(top);
	g_ptr_array_sort(found, folder_cmp);
	g_ptr_array_extend_and_steal(names, found);
	return true;
}

/* The rows of IDS (those that exist), appended to ROWS. */
static bool
folder_rows(struct index *idx, const GArray *ids, GPtrArray *rows, GError **error)
{
	guint i;

	for (i = 0; ids != NULL && i < ids->len; i++) {
		struct index_message *m = g_new0(struct index_message, 1);
		GError *local = NULL;

		if (!index_get(idx, g_array_index(ids, int64_t, i), m, &local)) {
			index_message_free(m);
			if (local != NULL) {
				g_propagate_error(error, local);
				return false;
			}
			continue;
		}
		g_ptr_array_add(rows, m);
	}
	return true;
}

/* New flags: FLAGS with the letters of ADD and without those of REMOVE, normalized. */
static char *
folder_flags(const char *flags, const char *add, const char *remove)
{
	GString *s = g_string_new(NULL);
	const char *p;
	char *norm;

	for (p = flags != NULL ? flags : ""; *p != '\0'; p++) {
		if (remove == NULL || strchr(remove, *p) == NULL)
			g_string_append_c(s, *p);
	}
	if (add != NULL)
		g_string_append(s, add);
	norm = store_flags_normalize(s->str);
	g_string_free(s, TRUE);
	return norm;
}

/* Add DIR/SUBDIR to the set of directories to sync (a new string key). */
static void
folder_dirty_dir(GHashTable *dirs, const char *dir, const char *subdir)
{
	g_hash_table_add(dirs, g_strdup_printf("%s\n%s", dir, subdir));
}

/* fsync every directory in DIRS, so the renames in them are durable. */
static bool
folder_sync_dirs(GHashTable *dirs, GError **error)
{
	GHashTableIter it;
	gpointer key;

	g_hash_table_iter_init(&it, dirs);
	while (g_hash_table_iter_next(&it, &key, NULL)) {
		char *dir = g_strdup(key), *nl = strchr(dir, '\n');
		bool ok;

		*nl = '\0';
		ok = store_sync_dir(dir, nl + 1, error);
		g_free(dir);
		if (!ok)
			return false;
	}
	return true;
}

/* Close a write unit: keep the writes, else undo them. */
static bool
folder_end(struct index *idx, bool own, bool ok, GError **error)
{
	if (ok)
		return index_write_end(idx, own, error);
	index_write_undo(idx, own);
	return false;
}

bool
folder_set_flags(struct index *idx, const char *store, const GArray *ids, const char *add,
    const char *remove, int64_t undo, guint *done, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GError *failure = NULL;
	guint i, n = 0;
	bool own, ok = false;

	if (done != NULL)
		*done = 0;
	if (!folder_recover(idx, store, error) || !folder_rows(idx, ids, rows, error))
		goto out;
	if (!index_write_begin(idx, &own, error))
		goto out;
	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);
		char *flags, *dir;
		bool step;

		if (m->state != INDEX_STATE_STORED)
			continue;
		/* Another program may have renamed it meanwhile: its flags are the base. */
		if (!folder_locate(idx, store, m, &failure))
			break;
		flags = folder_flags(m->flags, add, remove);
		if (strcmp(flags, m->flags) == 0) {
			g_free(flags);
			continue;
		}
		/* The file name first: it is the truth the index is rebuilt from. */
		dir = folder_maildir(store, m->account, m->folder);
		step = store_set_flags(dir, m->subdir, m->base, m->flags, flags, &failure) &&
		    (undo <= 0 || index_undo_record(idx, undo, INDEX_UNDO_CHANGED, m, &failure)) &&
		    index_set_flags(idx, m->id, "cur", flags, &failure);
		g_free(dir);
		g_free(flags);
		if (!step)
			break;
		n++;
	}
	/* What was done before a failure stays done: its files are renamed. */
	ok = folder_end(idx, own, true, error) && failure == NULL;
	if (failure != NULL)
		g_propagate_error(error, failure);
out:
	if (done != NULL)
		*done = n;
	g_ptr_array_unref(rows);
	return ok;
}

/* One planned move: a row and where it goes. */
struct folder_step {
	struct index_message *row; /* borrowed from the rows array */
	struct index_move to;      /* strings owned */
	char *from_dir;
	char *to_dir;
	int tagged;                /* the tag to set with the move, or -1 */
	bool moved;
};

/* Free the strings of a planned move. */
static void
folder_step_clear(struct folder_step *s)
{
	g_free(s->to.account);
	g_free(s->to.folder);
	g_free(s->to.subdir);
	g_free(s->to.base);
	g_free(s->to.flags);
	g_free(s->to.uidl);
	g_free(s->from_dir);
	g_free(s->to_dir);
}

/*
 * Carry out the planned moves STEPS (GArray of struct folder_step): journal,
 * renames, rows (and tags, for steps that set one).  *DONE counts the moved
 * rows.
 */
static bool
folder_run_moves(struct index *idx, const char *store, GArray *steps, int64_t undo, guint *done,
    GError **error)
{
	GHashTable *dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GHashTable *journals = folder_journals_new();
	GError *failure = NULL;
	bool own, ok = false;
	guint i;

	*done = 0;
	if (steps->len == 0) {
		g_hash_table_unref(journals);
		g_hash_table_unref(dirs);
		return true;
	}
	/* 1. The journal, committed before any file moves. */
	if (!index_write_begin(idx, &own, error))
		goto out;
	for (i = 0; i < steps->len; i++) {
		struct folder_step *s = &g_array_index(steps, struct folder_step, i);

		if (!index_move_begin(idx, &s->to, error)) {
			folder_end(idx, own, false, NULL);
			goto out;
		}
	}
	if (!folder_end(idx, own, true, error))
		goto out;
	/*
	 * A message that leaves its account takes no UIDL along: its account's
	 * journal says it is gone, so a lost index does not fetch it again.
	 */
	for (i = 0; i < steps->len; i++) {
		const struct folder_step *s = &g_array_index(steps, struct folder_step, i);

		if (s->row->uidl != NULL && strcmp(s->row->account, s->to.account) != 0)
			uidls_add_gone(folder_journal_for(journals, s->row->account), s->row->uidl,
			    s->row->arrival, false);
	}
	if (!folder_journals_write(store, journals, error))
		goto out;
	/* 2. The files; then their folders synced, so the renames are durable. */
	for (i = 0; i < steps->len && failure == NULL; i++) {
		struct folder_step *s = &g_array_index(steps, struct folder_step, i);

		if (!store_move(s->from_dir, s->row->subdir, s->row->base, s->row->flags, s->to_dir,
			s->to.subdir, s->to.flags, &failure))
			break;
		s->moved = true;
		folder_dirty_dir(dirs, s->from_dir, s->row->subdir);
		folder_dirty_dir(dirs, s->to_dir, s->to.subdir);
	}
	/* Moved files must get their rows even when something failed on the way. */
	folder_sync_dirs(dirs, failure == NULL ? &failure : NULL);
	/* 3. The rows, and the journal entries dropped, in one transaction. */
	if (!index_write_begin(idx, &own, error))
		goto out;
	for (i = 0; i < steps->len; i++) {
		struct folder_step *s = &g_array_index(steps, struct folder_step, i);
		const struct index_message *m = s->row;
		bool step = true;

		if (s->moved) {
			step = (undo <= 0 ||
				   index_undo_record(idx, undo, INDEX_UNDO_CHANGED, m, error)) &&
			    (strcmp(m->account, s->to.account) == 0 || m->uidl == NULL ||
				index_gone_add(idx, m->account, m->uidl, m->arrival, false, error)) &&
			    index_set_location(idx, m->id, s->to.account, s->to.folder, s->to.subdir,
				s->to.base, s->to.flags, s->to.uidl, error) &&
			    (s->tagged < 0 || index_set_tagged(idx, m->id, s->tagged != 0, error));
			if (step)
				(*done)++;
		}
		if (!step || !index_move_end(idx, m->id, error)) {
			folder_end(idx, own, false, NULL);
			goto out;
		}
	}
	ok = index_threads_update(idx, error) && folder_end(idx, own, true, error);
	if (!ok)
		folder_end(idx, own, false, NULL);
out:
	g_hash_table_unref(journals);
	g_hash_table_unref(dirs);
	if (failure != NULL) {
		if (error != NULL && *error == NULL)
			g_propagate_error(error, failure);
		else
			g_error_free(failure);
		ok = false;
	}
	return ok;
}

/* Plan moving ROW to (ACCOUNT, FOLDER) with FLAGS, into STEPS. */
static void
folder_plan(GArray *steps, const char *store, struct index_message *row, const char *account,
    const char *folder, const char *flags, const char *subdir, const char *uidl)
{
	struct folder_step s = { 0 };

	s.row = row;
	s.tagged = -1;
	s.to.id = row->id;
	s.to.account = g_strdup(account);
	s.to.folder = g_strdup(folder != NULL ? folder : "");
	s.to.subdir = g_strdup(subdir);
	s.to.base = g_strdup(row->base);
	s.to.flags = g_strdup(flags);
	s.to.uidl = g_strdup(uidl);
	s.from_dir = folder_maildir(store, row->account, row->folder);
	s.to_dir = folder_maildir(store, account, folder);
	g_array_append_val(steps, s);
}

bool
folder_move(struct index *idx, const char *store, const GArray *ids, const char *account,
    const char *folder, const char *remove, int64_t undo, guint *done, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GArray *steps = g_array_new(FALSE, TRUE, sizeof(struct folder_step));
	GHashTable *made = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	guint i, n = 0;
	bool ok = false;

	if (folder == NULL)
		folder = "";
	if (!folder_recover(idx, store, error) || !folder_rows(idx, ids, rows, error))
		goto out;
	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);
		const char *to_account = account != NULL ? account : m->account;
		char *flags, *key;
		const char *subdir;

		if (m->state != INDEX_STATE_STORED ||
		    (strcmp(m->account, to_account) == 0 && strcmp(m->folder, folder) == 0))
			continue;
		if (!folder_locate(idx, store, m, error))
			goto out;
		key = g_strdup_printf("%s\n%s", to_account, folder);
		if (!g_hash_table_contains(made, key) &&
		    !folder_create(store, to_account, folder, error)) {
			g_free(key);
			goto out;
		}
		g_hash_table_add(made, key);
		flags = folder_flags(m->flags, NULL, remove);
		/* A message nobody has seen stays in new/; changed flags need cur/. */
		subdir = strcmp(flags, m->flags) == 0 ? m->subdir : "cur";
		folder_plan(steps, store, m, to_account, folder, flags, subdir,
		    strcmp(m->account, to_account) == 0 ? m->uidl : NULL);
		g_free(flags);
	}
	ok = folder_run_moves(idx, store, steps, undo, &n, error);
out:
	if (done != NULL)
		*done = n;
	for (i = 0; i < steps->len; i++)
		folder_step_clear(&g_array_index(steps, struct folder_step, i));
	g_array_free(steps, TRUE);
	g_hash_table_unref(made);
	g_ptr_array_unref(rows);
	return ok;
}

bool
folder_copy(struct index *idx, const char *store, const GArray *ids, const char *account,
    const char *folder, int64_t undo, GArray *new_ids, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GPtrArray *bases = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *copy_flags = g_ptr_array_new_with_free_func(g_free);
	GHashTable *dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GError *failure = NULL;
	bool own, ok = false;
	guint i;

	if (folder == NULL)
		folder = "";
	if (!folder_recover(idx, store, error) || !folder_rows(idx, ids, rows, error))
		goto out;
	/* 1. The files: linked or written and synced, then renamed into cur/. */
	for (i = 0; i < rows->len && failure == NULL; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);
		const char *to_account = account != NULL ? account : m->account;
		char *from, *dir, *base = NULL, *flags;

		if (m->state != INDEX_STATE_STORED) {
			g_ptr_array_add(bases, NULL);
			g_ptr_array_add(copy_flags, NULL);
			continue;
		}
		if (!folder_locate(idx, store, m, &failure) ||
		    !folder_create(store, to_account, folder, &failure))
			break;
		from = folder_message_path(store, m);
		dir = folder_maildir(store, to_account, folder);
		/* The copy is a message of its own: never marked deleted (mutt's too). */
		flags = folder_flags(m->flags, NULL, "T");
		if (store_copy(from, dir, flags, &base, &failure))
			folder_dirty_dir(dirs, dir, "cur");
		g_ptr_array_add(bases, base);
		g_ptr_array_add(copy_flags, flags);
		g_free(dir);
		g_free(from);
	}
	folder_sync_dirs(dirs, failure == NULL ? &failure : NULL);
	/* 2. The rows of the copies that were made. */
	if (!index_write_begin(idx, &own, error))
		goto out;
	for (i = 0; i < bases->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);
		const char *base = g_ptr_array_index(bases, i);
		struct index_message made = { 0 };

		if (base == NULL)
			continue;
		if (!index_copy_row(idx, m->id, account != NULL ? account : m->account, folder,
			"cur", base, g_ptr_array_index(copy_flags, i), &made.id, error) ||
		    (undo > 0 && !index_undo_record(idx, undo, INDEX_UNDO_CREATED, &made, error))) {
			folder_end(idx, own, false, NULL);
			goto out;
		}
		if (new_ids != NULL)
			g_array_append_val(new_ids, made.id);
	}
	ok = index_threads_update(idx, error) && folder_end(idx, own, true, error);
	if (!ok)
		folder_end(idx, own, false, NULL);
out:
	if (failure != NULL) {
		if (error != NULL && *error == NULL)
			g_propagate_error(error, failure);
		else
			g_error_free(failure);
		ok = false;
	}
	g_hash_table_unref(dirs);
	g_ptr_array_unref(copy_flags);
	g_ptr_array_unref(bases);
	g_ptr_array_unref(rows);
	return ok;
}

bool
folder_add(struct index *idx, const char *store, const char *account, const char *folder,
    const char *buf, size_t len, const char *flags, const char *const *fallbacks, int64_t *id,
    GError **error)
{
	struct store_tmpfile tmp = { .fd = -1 };
	struct deliver_summary summary = { 0 };
	char *dir = NULL, *norm = store_flags_normalize(flags);
	bool ok = false;

	*id = 0;
	/* inside the caller's transaction, the caller has recovered first */
	if ((!index_in_transaction(idx) && !folder_recover(idx, store, error)) ||
	    !folder_create(store, account, folder, error) || !mime_lib_load(error))
		goto out;
	/* 1. The file: written and synced in tmp/, renamed into cur/, cur/ synced. */
	dir = folder_maildir(store, account, folder);
	if (!store_tmp_open(dir, &tmp, error))
		goto out;
	if (!store_tmp_write(&tmp, buf, len, error) || !store_tmp_close(&tmp, true, error) ||
	    !store_tmp_commit_cur(dir, tmp.base, norm, error)) {
		store_tmp_discard(&tmp);
		goto out;
	}
	if (!store_sync_dir(dir, "cur", error))
		goto out;
	/* 2. Its row; a crash before it leaves a file reindex indexes. */
	deliver_summarize(buf, len, fallbacks, true, &summary);
	summary.msg.account = g_strdup(account);
	summary.msg.folder = g_strdup(folder != NULL ? folder : "");
	summary.msg.subdir = g_strdup("cur");
	summary.msg.base = g_strdup(tmp.base);
	summary.msg.flags = g_strdup(norm);
	summary.msg.size = (int64_t)len;
	summary.msg.arrival = (int64_t)time(NULL);
	{
		char *path = store_message_path(dir, "cur", tmp.base, norm);
		struct stat st;

		/* reindex skips a file by its size and mtime: the row must have the file's */
		summary.msg.mtime = stat(path, &st) == 0 ? (int64_t)st.st_mtime : summary.msg.arrival;
		g_free(path);
	}
	if (summary.msg.date == 0)
		summary.msg.date = summary.msg.arrival;
	summary.msg.state = INDEX_STATE_STORED;
	ok = index_put(idx, &summary.msg, summary.body_text, error) &&
	    index_threads_update(idx, error);
	*id = ok ? summary.msg.id : 0;
	/* a row that could not be written takes its file along: the caller was told it failed */
	if (!ok)
		(void)store_remove(dir, "cur", tmp.base, norm, NULL);
out:
	deliver_summary_clear(&summary);
	store_tmp_clear(&tmp);
	g_free(norm);
	g_free(dir);
	return ok;
}

/* True when CONFIG has ACCOUNT with delete_on_server_when_deleted. */
static bool
folder_dele_wanted(const struct surat_config *config, const char *account)
{
	const struct account_config *a = config != NULL ? config_account(config, account) : NULL;

	return a != NULL && a->delete_on_server_when_deleted;
}

/*
 * Unlink the files of the EXPUNGING rows ROWS, sync their folders, then
 * delete the rows.  *DONE counts them.
 */
static bool
folder_finish_expunge(struct index *idx, const char *store, GPtrArray *rows, guint *done,
    GError **error)
{
	GHashTable *dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	bool own, ok = false;
	guint i;

	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);
		char *dir = folder_maildir(store, m->account, m->folder);
		bool step = store_remove(dir, m->subdir, m->base, m->flags, error);

		folder_dirty_dir(dirs, dir, m->subdir);
		g_free(dir);
		if (!step)
			goto out;
	}
	if (!folder_sync_dirs(dirs, error) || !index_write_begin(idx, &own, error))
		goto out;
	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);

		if (!index_delete(idx, m->id, error)) {
			folder_end(idx, own, false, NULL);
			goto out;
		}
	}
	ok = index_threads_update(idx, error) && folder_end(idx, own, true, error);
	if (!ok)
		folder_end(idx, own, false, NULL);
	else if (done != NULL)
		*done = rows->len;
out:
	g_hash_table_unref(dirs);
	return ok;
}

bool
folder_expunge(struct index *idx, const char *store, const struct surat_config *config,
    const GArray *ids, guint *done, GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GHashTable *journals = folder_journals_new();
	bool own, ok = false;
	guint i;

	if (done != NULL)
		*done = 0;
	if (!folder_recover(idx, store, error) || !folder_rows(idx, ids, rows, error))
		goto out;
	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);
		GError *local = NULL;

		if (m->state != INDEX_STATE_STORED) {
			g_ptr_array_remove_index(rows, i--);
			continue;
		}
		/* Renamed by another program: remove it under its name now. */
		if (!folder_locate(idx, store, m, &local) &&
		    !g_error_matches(local, FOLDER_ERROR, FOLDER_ERROR_MISSING)) {
			g_propagate_error(error, local);
			goto out;
		}
		g_clear_error(&local);
	}
	if (rows->len == 0) {
		ok = true;
		goto out;
	}
	/* 1. The rows leave every view and their UIDLs are remembered, for good. */
	if (!index_write_begin(idx, &own, error))
		goto out;
	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);

		if ((m->uidl != NULL &&
			!index_gone_add(idx, m->account, m->uidl, m->arrival,
			    folder_dele_wanted(config, m->account), error)) ||
		    !index_set_state(idx, m->id, INDEX_STATE_EXPUNGING, error)) {
			folder_end(idx, own, false, NULL);
			goto out;
		}
	}
	if (!folder_end(idx, own, true, error))
		goto out;
	/* The journal too, before the files go: a lost index must not bring them back. */
	for (i = 0; i < rows->len; i++) {
		struct index_message *m = g_ptr_array_index(rows, i);

		if (m->uidl != NULL)
			uidls_add_gone(folder_journal_for(journals, m->account), m->uidl, m->arrival,
			    folder_dele_wanted(config, m->account));
	}
	if (!folder_journals_write(store, journals, error))
		goto out;
	/* 2. The files, then the rows. */
	ok = folder_finish_expunge(idx, store, rows, done, error);
out:
	g_hash_table_unref(journals);
	g_ptr_array_unref(rows);
	return ok;
}

/* True when ROW is where and as ENTRY recorded it, tag aside. */
static bool
folder_restored(const struct index_message *row, const struct index_undo_entry *e)
{
	return strcmp(row->account, e->account) == 0 && strcmp(row->folder, e->folder) == 0 &&
	    strcmp(row->subdir, e->subdir) == 0 && strcmp(row->flags, e->flags) == 0;
}

bool
folder_restore(struct index *idx, const char *store, const GPtrArray *entries, guint *done,
    GError **error)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GPtrArray *doomed = g_ptr_array_new();
	GArray *steps = g_array_new(FALSE, TRUE, sizeof(struct folder_step));
	GHashTable *journals = folder_journals_new();
	GError *failure = NULL;
	guint i, n = 0, moved = 0, removed = 0;
	bool own, ok = false;

	if (done != NULL)
		*done = 0;
	if (!folder_recover(idx, store, error))
		goto out;
	/* Rows that only change tag or flags, in one transaction; the rest planned. */
	if (!index_write_begin(idx, &own, error))
		goto out;
	for (i = 0; i < entries->len && failure == NULL; i++) {
		const struct index_undo_entry *e = g_ptr_array_index(entries, i);
		struct index_message *row = g_new0(struct index_message, 1);

		if (!index_get(idx, e->id, row, &failure) || row->state != INDEX_STATE_STORED) {
			index_message_free(row);
			continue;
		}
		if (!folder_locate(idx, store, row, &failure)) {
			index_message_free(row);
			break;
		}
		g_ptr_array_add(rows, row);
		if (e->kind == INDEX_UNDO_CREATED) {
			g_ptr_array_add(doomed, row);
		} else if (strcmp(row->account, e->account) != 0 ||
		    strcmp(row->folder, e->folder) != 0) {
			if (!folder_create(store, e->account, e->folder, &failure))
				break;
			folder_plan(steps, store, row, e->account, e->folder, e->flags, e->subdir,
			    e->uidl);
			g_array_index(steps, struct folder_step, steps->len - 1).tagged = e->tagged;
		} else {
			char *dir = folder_maildir(store, row->account, row->folder);
			bool step = folder_restored(row, e) ||
			    (store_move(dir, row->subdir, row->base, row->flags, dir, e->subdir,
				 e->flags, &failure) &&
				index_set_flags(idx, row->id, e->subdir, e->flags, &failure));

			g_free(dir);
			if (!step || !index_set_tagged(idx, row->id, e->tagged, &failure))
				break;
			n++;
		}
	}
	if (!folder_end(idx, own, true, failure == NULL ? &failure : NULL))
		goto out;
	/* Moves back: a row back in its account owns its UIDL again. */
	for (i = 0; i < steps->len && failure == NULL; i++) {
		struct folder_step *s = &g_array_index(steps, struct folder_step, i);

		if (strcmp(s->row->account, s->to.account) != 0 && s->to.uidl != NULL &&
		    index_gone_forget(idx, s->to.account, (const char *const *)&s->to.uidl, 1,
			&failure))
			uidls_add_back(folder_journal_for(journals, s->to.account), s->to.uidl);
	}
	if (failure == NULL)
		folder_journals_write(store, journals, &failure);
	if (failure == NULL && !folder_run_moves(idx, store, steps, 0, &moved, &failure))
		goto out;
	if (failure == NULL && doomed->len > 0) {
		bool own2;

		/* Undone copies: the rows leave first, then their files. */
		if (!index_write_begin(idx, &own2, &failure))
			goto out;
		for (i = 0; i < doomed->len; i++) {
			const struct index_message *m = g_ptr_array_index(doomed, i);

			if (!index_set_state(idx, m->id, INDEX_STATE_EXPUNGING, &failure))
				break;
		}
		if (!folder_end(idx, own2, failure == NULL, failure == NULL ? &failure : NULL) ||
		    !folder_finish_expunge(idx, store, doomed, &removed, &failure))
			goto out;
	}
	ok = failure == NULL;
out:
	if (failure != NULL) {
		if (error != NULL && *error == NULL)
			g_propagate_error(error, failure);
		else
			g_error_free(failure);
		ok = false;
	}
	if (done != NULL)
		*done = n + moved + removed;
	for (i = 0; i < steps->len; i++)
		folder_step_clear(&g_array_index(steps, struct folder_step, i));
	g_array_free(steps, TRUE);
	g_hash_table_unref(journals);
	g_ptr_array_free(doomed, TRUE);
	g_ptr_array_unref(rows);
	return ok;
}

/* Finish or forget the journal's interrupted moves. */
static bool
folder_recover_moves(struct index *idx, const char *store, GError **error)
{
	GPtrArray *moves = g_ptr_array_new_with_free_func((GDestroyNotify)index_move_free);
	bool own, ok = false;
	guint i;

	if (!index_moves(idx, moves, error))
		goto out;
	if (moves->len == 0) {
		ok = true;
		goto out;
	}
	if (!index_write_begin(idx, &own, error))
		goto out;
	for (i = 0; i < moves->len; i++) {
		struct index_move *mv = g_ptr_array_index(moves, i);
		struct index_message row = { 0 };
		char *dir = folder_maildir(store, mv->account, mv->folder);
		char *path = store_message_path(dir, mv->subdir, mv->base, mv->flags);
		GError *local = NULL;
		bool step = true;

		if (index_get(idx, mv->id, &row, &local) && access(path, F_OK) == 0) {
			/* The rename happened: the row follows the file. */
			step = (strcmp(row.account, mv->account) == 0 || row.uidl == NULL ||
				   index_gone_add(idx, row.account, row.uidl, row.arrival, false,
				       error)) &&
			    index_set_location(idx, mv->id, mv->account, mv->folder, mv->subdir,
				mv->base, mv->flags, mv->uidl, error);
		} else if (local != NULL) {
			g_propagate_error(error, local);
			step = false;
		}
		step = step && index_move_end(idx, mv->id, error);
		index_message_clear(&row);
		g_free(path);
		g_free(dir);
		if (!step) {
			folder_end(idx, own, false, NULL);
			goto out;
		}
	}
	ok = folder_end(idx, own, true, error);
out:
	g_ptr_array_unref(moves);
	return ok;
}

bool
folder_recover(struct index *idx, const char *store, GError **error)
{
	GPtrArray *rows;
	bool ok = false;

	if (index_in_transaction(idx)) {
		g_set_error(error, FOLDER_ERROR, FOLDER_ERROR_IO,
		    "moving messages cannot run inside a transaction (its journal must be "
		    "committed before files move)");
		return false;
	}
	rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	if (!folder_recover_moves(idx, store, error) || !index_expunging_rows(idx, rows, error))
		goto out;
	if (rows->len > 0 && !folder_finish_expunge(idx, store, rows, NULL, error))
		goto out;
	ok = true;
out:
	g_ptr_array_unref(rows);
	return ok;
}
