/*
 * cli-store: `surat list [QUERY...]` (the query language of search.h),
 * `surat reindex` and `surat addresses TEXT` (the address book).
 *
 * Only the command functions print.  What they must never do: print a string
 * from a message or a file name that has not passed sanitize_text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "surat/cli.h"
#include "surat/config.h"
#include "surat/contacts.h"
#include "surat/folder.h"
#include "surat/index.h"
#include "surat/reindex.h"
#include "surat/search.h"
#include "surat/store.h"
#include "surat/sanitize.h"
#include "surat/width.h"

/* Columns of the FROM field in `surat list`. */
#define CLI_STORE_FROM_COLS 24

/* Print ERROR as surat's one-line message and free it. */
static void
cli_store_error(GError *error)
{
	cli_stderr("surat: %s", error != NULL ? error->message : "unknown error");
	g_clear_error(&error);
}

/* The index path of CONFIG's store (a new string). */
static char *
cli_store_index_path(const struct surat_config *config)
{
	return g_build_filename(config->store, "index.db", NULL);
}

/* The date column: "YYYY-MM-DD HH:MM" in local time. */
static void
cli_store_date(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M", &tm) == 0)
		g_strlcpy(buf, "0000-00-00 00:00", size);
}

/* Print one list line for MSG; DATA points at the account column width. */
static bool
cli_store_print_row(const struct index_message *msg, void *data)
{
	int account_cols = *(const int *)data;
	char date[32];
	char *account = sanitize_text(msg->account, -1, 0);
	char *from = sanitize_text(msg->from, -1, 0);
	char *subject = sanitize_text(msg->subject, -1, 0);
	char *account_col = width_fit(account, account_cols, 1);
	char *from_col = width_fit(from, CLI_STORE_FROM_COLS, 1);

	cli_store_date(msg->date, date, sizeof date);
	printf("%s  %s  %s  %s\n", date, account_col, from_col, subject);
	g_free(from_col);
	g_free(account_col);
	g_free(subject);
	g_free(from);
	g_free(account);
	/* Stop early when the reader went away (surat list | head). */
	return !ferror(stdout);
}

/* The widest account name with rows, in columns. */
static bool
cli_store_account_cols(struct index *idx, int *cols, GError **error)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	guint i;

	*cols = 0;
	if (!index_accounts(idx, names, error)) {
		g_ptr_array_unref(names);
		return false;
	}
	for (i = 0; i < names->len; i++) {
		char *safe = sanitize_text(g_ptr_array_index(names, i), -1, 0);

		*cols = MAX(*cols, width_of(safe));
		g_free(safe);
	}
	g_ptr_array_unref(names);
	return true;
}

int
cli_list(const char *cli_path, int argc, char **argv)
{
	struct surat_config *config = NULL;
	struct index_filter filter = { 0 };
	struct index *idx = NULL;
	GError *error = NULL;
	struct search_query *query = NULL;
	char *path = NULL, *text = NULL;
	int status, cols;

	if ((status = cli_load_config(cli_path, &config)) != 0)
		return status;
	status = 1;
	if (argc > 1) {
		struct search_error qerr = { 0 };

		/* The words are one query: `surat list from:alice is:unread`. */
		text = g_strjoinv(" ", argv + 1);
		if ((query = search_parse(text, 0, &qerr)) == NULL) {
			cli_stderr("surat: query: column %d: %s", qerr.column, qerr.message);
			search_error_clear(&qerr);
			status = 2;
			goto out;
		}
		filter.query = query;
	}
	if (!g_file_test(config->store, G_FILE_TEST_IS_DIR)) {
		cli_stderr("surat: store %s: no such folder; fetch mail or run surat reindex",
		    config->store);
		goto out;
	}
	path = cli_store_index_path(config);
	if (!store_make_private(config->store, &error) ||
	    (idx = index_open(path, &error)) == NULL ||
	    !cli_store_account_cols(idx, &cols, &error)) {
		cli_store_error(error);
		goto out;
	}
	folder_search_setup(idx, config->store, config);
	/*
	 * Words in bodies: the bodies fetches left for later are indexed first.
	 * If that fails (the index busy with another writer), list what is
	 * indexed, and say the list may miss some.
	 */
	if (query != NULL && search_node_reads_bodies(search_query_root(query)) &&
	    !reindex_bodies(idx, config->store, (const char *const *)config->charset_fallbacks, 0,
		NULL, NULL, &error)) {
		cli_stderr("surat: %s: the bodies of the newest mail are not all indexed (%s); "
		    "the list may miss some", path, error->message);
		g_clear_error(&error);
	}
	if (!index_query_foreach(idx, &filter, INDEX_SORT_DATE, false, cli_store_print_row, &cols,
		&error)) {
		cli_store_error(error);
		goto out;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_stderr("surat: cannot write the list: %s", g_strerror(errno));
		goto out;
	}
	status = 0;
out:
	index_free(idx);
	g_free(path);
	g_free(text);
	search_query_free(query);
	config_free(config);
	return status;
}

/* The reindex bar: when it was last drawn, and whether a line is on the screen. */
struct cli_reindex_bar {
	gint64 drawn;
	int cols; /* the terminal's width */
	bool shown;
};

/*
 * Draw "reindex: ACCOUNT/FOLDER [=====     ] 12,000/100,000" on stderr, at
 * most ten times a second and always for a mailbox's last file.
 */
static void
cli_reindex_progress(const char *account, const char *folder, int64_t done, int64_t total,
    void *data)
{
	struct cli_reindex_bar *bar = data;
	gint64 now = g_get_monotonic_time();
	char *name, *line, *safe, *fit;
	int filled;

	if (total == 0 || (done < total && now - bar->drawn < 100 * 1000))
		return;
	bar->drawn = now;
	name = folder[0] != '\0' ? g_strdup_printf("%s/%s", account, folder) : g_strdup(account);
	filled = (int)(done * 30 / total);
	line = g_strdup_printf("reindex: %s [%.*s%*s] %lld/%lld", name, filled,
	    "==============================", 30 - filled, "", (long long)done, (long long)total);
	/* The names are the store's folders: sanitized, and cut to stay on one line. */
	safe = sanitize_text(line, -1, 0);
	fit = width_fit(safe, MAX(bar->cols - 1, 10), 0);
	fprintf(stderr, "\r%s\033[K", fit);
	fflush(stderr);
	bar->shown = true;
	g_free(fit);
	g_free(safe);
	g_free(line);
	g_free(name);
}

int
cli_reindex(const char *cli_path, int argc, char **argv)
{
	struct surat_config *config = NULL;
	struct reindex_stats stats = { 0 };
	struct cli_reindex_bar bar = { 0 };
	struct index *idx = NULL;
	GError *error = NULL;
	char *path = NULL, *store = NULL;
	bool ok;
	int status;

	if (argc > 1) {
		fputs("usage: surat [-c FILE] reindex\n", stderr);
		return 2;
	}
	if ((status = cli_load_config(cli_path, &config)) != 0)
		return status;
	status = 1;
	store = sanitize_text(config->store, -1, 0);
	if (g_mkdir_with_parents(config->store, 0700) != 0) {
		cli_stderr("surat: cannot create the store %s: %s", store, g_strerror(errno));
		goto out;
	}
	path = cli_store_index_path(config);
	if (!store_make_private(config->store, &error)) {
		cli_store_error(error);
		goto out;
	}
	idx = index_open(path, &error);
	if (idx == NULL && index_error_is_unusable(error)) {
		/* Damaged or not ours: kept aside, and a new one built from the Maildirs. */
		char *aside = NULL, *why = sanitize_text(error->message, -1, 0), *safe;

		g_clear_error(&error);
		if (!index_move_aside(path, &aside, &error)) {
			g_free(why);
			cli_store_error(error);
			goto out;
		}
		safe = sanitize_text(aside, -1, 0);
		fprintf(stderr, "surat: %s\nsurat: moved it to %s; rebuilding it from the Maildirs "
				"(tags and the undo history are lost)\n", why, safe);
		g_free(safe);
		g_free(why);
		g_free(aside);
		idx = index_open(path, &error);
	}
	if (isatty(STDERR_FILENO)) {
		struct winsize ws;

		bar.cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
		stats.progress = cli_reindex_progress;
		stats.progress_data = &bar;
	}
	ok = idx != NULL && reindex_store(idx, config->store,
	    (const char *const *)config->charset_fallbacks, &stats, &error);
	if (bar.shown)
		fputs("\r\033[K", stderr);
	if (!ok) {
		cli_store_error(error);
		goto out;
	}
	printf("%s: %lld message%s in %lld account%s (%lld parsed, %lld updated, %lld removed)\n",
	    store, (long long)stats.scanned, stats.scanned == 1 ? "" : "s", (long long)stats.accounts,
	    stats.accounts == 1 ? "" : "s", (long long)stats.parsed,
	    (long long)stats.renamed, (long long)stats.removed);
	status = 0;
out:
	index_free(idx);
	g_free(path);
	g_free(store);
	config_free(config);
	return status;
}

/* An address book line (mutt's query format): ADDRESS<Tab>NAME<Tab>WHERE, made safe. */
static void
cli_addresses_print(const char *address, const char *name, const char *where)
{
	char *a = sanitize_text(address, -1, 0), *n = sanitize_text(name != NULL ? name : "", -1, 0);

	printf("%s\t%s\t%s\n", a, n, where);
	g_free(a);
	g_free(n);
}

int
cli_addresses(const char *cli_path, int argc, char **argv)
{
	struct surat_config *config = NULL;
	struct contacts_aliases *aliases = NULL;
	GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)index_contact_free);
	GPtrArray *named = g_ptr_array_new_with_free_func((GDestroyNotify)contact_entry_free);
	GHashTable *shown = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	struct index *idx = NULL;
	GError *error = NULL;
	char *path = NULL, *alias_file = NULL, **own = NULL, *end;
	const char *text = NULL;
	long limit = 50;
	int status, i;
	guint k;

	if ((status = cli_load_config(cli_path, &config)) != 0)
		goto done;
	status = 2;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
			limit = strtol(argv[++i], &end, 10);
			if (*end != '\0' || limit < 1 || limit > 100000) {
				cli_stderr("surat: addresses: --limit takes a number from 1 to 100000");
				goto out;
			}
		} else if (text == NULL && argv[i][0] != '-') {
			text = argv[i];
		} else {
			cli_stderr("surat: usage: surat addresses [--limit N] TEXT");
			goto out;
		}
	}
	if (text == NULL || *text == '\0') {
		cli_stderr("surat: usage: surat addresses [--limit N] TEXT");
		goto out;
	}
	status = 1;
	alias_file = config_alias_file(config);
	if ((aliases = contacts_aliases_load(alias_file, &error)) == NULL) {
		cli_store_error(error);
		goto out;
	}
	contacts_aliases_complete(aliases, text, named);
	if (g_file_test(config->store, G_FILE_TEST_IS_DIR)) {
		path = cli_store_index_path(config);
		own = config_own_addresses(config);
		if ((idx = index_open(path, &error)) == NULL) {
			cli_store_error(error);
			goto out;
		}
		/* A busy index still has the book as it was: answer from that. */
		if (!index_contacts_update(idx, config->record, config->postponed,
		    (const char *const *)own, &error)) {
			cli_stderr("surat: %s: the newest mail is not in the address book yet (%s)",
			    path, error->message);
			g_clear_error(&error);
		}
		if (!index_contacts_find(idx, text, (guint)limit, (int64_t)time(NULL), found,
		    &error)) {
			cli_store_error(error);
			goto out;
		}
	}
	/* mutt's query format: a line for people, then one per match. */
	printf("surat: %u matching addresses\n", named->len + found->len);
	for (k = 0; k < named->len && (long)k < limit; k++) {
		struct contact_entry *e = g_ptr_array_index(named, k);
		char *key = sanitize_text(e->key, -1, 0);
		char *where = g_strdup_printf("alias %s", key);

		cli_addresses_print(e->address, NULL, where);
		g_free(where);
		g_free(key);
	}
	for (k = 0; k < found->len && (long)(k + named->len) < limit; k++) {
		struct index_contact *c = g_ptr_array_index(found, k);
		char *key = g_ascii_strdown(c->address, -1);

		if (!g_hash_table_add(shown, key))
			continue;
		cli_addresses_print(c->address, c->name, c->written > 0 ? "written to" : "wrote");
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_stderr("surat: cannot write the addresses: %s", g_strerror(errno));
		goto out;
	}
	status = named->len + found->len > 0 ? 0 : 1;
out:
	index_free(idx);
	contacts_aliases_free(aliases);
	g_strfreev(own);
	g_free(alias_file);
	g_free(path);
	config_free(config);
done:
	g_hash_table_destroy(shown);
	g_ptr_array_unref(named);
	g_ptr_array_unref(found);
	return status;
}
