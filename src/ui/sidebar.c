/*
 * sidebar: the mailboxes at the left of the screen, each with its new and
 * total counts: the unified inbox (every account's inbox), each account
 * (its inbox) with its local folders under it (Maildir++ subfolders,
 * folder.h), and the saved searches of the config's `mailboxes`.
 *
 * Opening an entry sets the index's filter (account and folder, or the
 * saved search's query); nothing else is read, so switching costs one
 * screen of rows.  The counts are read again only when the index changed
 * (index_change_stamp): after a move, an expunge, a flag, or mail landing
 * from the background fetch.
 *
 * What it must never do: draw a name from a file or the config without
 * sanitize_text, or wider than its column.
 */
#include <curses.h>
#include <string.h>

#include "private.h"
#include "surat/folder.h"
#include "surat/sanitize.h"
#include "surat/search.h"
#include "surat/width.h"

#define SIDEBAR_INDENT   2    /* columns a folder is indented under its account */
#define SIDEBAR_WATCH_MS 2000 /* how often the index is looked at for others' changes */

enum sidebar_kind {
	SIDEBAR_UNIFIED, /* every account's inbox */
	SIDEBAR_INBOX,   /* one account's inbox */
	SIDEBAR_FOLDER,  /* a local folder of an account */
	SIDEBAR_SEARCH,  /* a saved search */
};

/* One line of the sidebar. */
struct sidebar_entry {
	enum sidebar_kind kind;
	char *account; /* INBOX, FOLDER */
	char *folder;  /* FOLDER; "" for INBOX */
	size_t search; /* SEARCH: its place in config->mailboxes */
	char *label;   /* sanitized, as drawn */
	int64_t total, unread;
	bool bad;      /* SEARCH: the query does not parse */
};

struct ui_sidebar {
	GPtrArray *entries;            /* struct sidebar_entry *, in drawing order */
	struct search_query **queries; /* one per config mailbox; NULL when it did not parse */
	char **query_errors;           /* why not, with the column; NULL when it parsed */
	guint cursor;                  /* the highlighted entry */
	guint top;                     /* the first entry drawn */
	struct sidebar_entry open;     /* what the index shows (label unused) */
	char *view_account, *view_folder; /* the filter's strings (it borrows them) */
	uint64_t stamp;                /* index_change_stamp when last counted */
	bool counted;
};

/* Free ENTRY's strings. */
static void
sidebar_entry_free(struct sidebar_entry *entry)
{
	if (entry == NULL)
		return;
	g_free(entry->account);
	g_free(entry->folder);
	g_free(entry->label);
	g_free(entry);
}

/* A new entry; ACCOUNT, FOLDER and LABEL are copied (LABEL sanitized). */
static struct sidebar_entry *
sidebar_entry_new(enum sidebar_kind kind, const char *account, const char *folder,
    const char *label)
{
	struct sidebar_entry *e = g_new0(struct sidebar_entry, 1);

	e->kind = kind;
	e->account = g_strdup(account);
	e->folder = g_strdup(folder);
	e->label = sanitize_text(label, -1, 0);
	return e;
}

/* True when A and B stand for the same mailbox. */
static bool
sidebar_entry_same(const struct sidebar_entry *a, const struct sidebar_entry *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case SIDEBAR_UNIFIED:
		return true;
	case SIDEBAR_SEARCH:
		return a->search == b->search;
	case SIDEBAR_INBOX:
	case SIDEBAR_FOLDER:
		return g_strcmp0(a->account, b->account) == 0 && g_strcmp0(a->folder, b->folder) == 0;
	}
	return false;
}

/* Where an entry like KEY is now, or -1. */
static int
sidebar_find(const struct ui_sidebar *sb, const struct sidebar_entry *key)
{
	guint i;

	for (i = 0; i < sb->entries->len; i++)
		if (sidebar_entry_same(g_ptr_array_index(sb->entries, i), key))
			return (int)i;
	return -1;
}

/* Order names by their bytes. */
static gint
sidebar_compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Add NAME to NAMES unless it is there (a few dozen names: a scan is fine). */
static void
sidebar_add_name(GPtrArray *names, const char *name)
{
	guint i;

	for (i = 0; i < names->len; i++)
		if (strcmp(g_ptr_array_index(names, i), name) == 0)
			return;
	g_ptr_array_add(names, g_strdup(name));
}

/*
 * The account names to list: the config's, in its order, then those that
 * have rows in the index (any Maildir under the store is an account).
 */
static GPtrArray *
sidebar_accounts(struct ui *ui, const GPtrArray *counts)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *extra = g_ptr_array_new_with_free_func(g_free);
	size_t i;

	for (i = 0; i < ui->config->n_accounts; i++)
		sidebar_add_name(names, ui->config->accounts[i].name);
	for (i = 0; i < counts->len; i++) {
		const struct index_mailbox_count *c = g_ptr_array_index(counts, (guint)i);

		if (config_account(ui->config, c->account) == NULL)
			sidebar_add_name(extra, c->account);
	}
	g_ptr_array_sort(extra, sidebar_compare_names);
	for (i = 0; i < extra->len; i++)
		g_ptr_array_add(names, g_strdup(g_ptr_array_index(extra, (guint)i)));
	g_ptr_array_free(extra, TRUE);
	/* The Maildirs opened read-only (c PATH), also while they have no rows. */
	if (ui_mailbox_readonly_any(ui))
		sidebar_add_name(names, UI_READONLY_ACCOUNT);
	return names;
}

/* The counts of (ACCOUNT, FOLDER) in COUNTS into E (0 when it has no rows). */
static void
sidebar_take_counts(struct sidebar_entry *e, const GPtrArray *counts, const char *account,
    const char *folder)
{
	guint i;

	for (i = 0; i < counts->len; i++) {
		const struct index_mailbox_count *c = g_ptr_array_index(counts, i);

		if (strcmp(c->account, account) == 0 && strcmp(c->folder, folder) == 0) {
			e->total = c->total;
			e->unread = c->unread;
			return;
		}
	}
}

/* Parse the config's saved searches once. */
static void
sidebar_parse_queries(struct ui *ui, struct ui_sidebar *sb)
{
	size_t i, n = ui->config->n_mailboxes;

	sb->queries = g_new0(struct search_query *, n + 1);
	sb->query_errors = g_new0(char *, n + 1);
	for (i = 0; i < n; i++) {
		const struct config_mailbox *m = &ui->config->mailboxes[i];
		struct search_error err = { 0 };

		sb->queries[i] = search_parse(m->query, 0, &err);
		if (sb->queries[i] == NULL) {
			char *safe = sanitize_text(m->name, -1, 0);

			sb->query_errors[i] = g_strdup_printf("%s:%d: mailboxes \"%s\": column %d: %s",
			    ui->config->path, m->line, safe, err.column,
			    err.message != NULL ? err.message : "not a query");
			g_free(safe);
		}
		search_error_clear(&err);
	}
}

/* Fill the saved searches' counts, in one pass over the index. */
static void
sidebar_count_searches(struct ui *ui, struct ui_sidebar *sb, GPtrArray *entries)
{
	size_t n = ui->config->n_mailboxes, k = 0, i;
	const struct search_query **valid = g_new0(const struct search_query *, n + 1);
	int64_t *total = g_new0(int64_t, n + 1), *unread = g_new0(int64_t, n + 1);
	GError *error = NULL;
	guint j;

	for (i = 0; i < n; i++)
		if (sb->queries[i] != NULL)
			valid[k++] = sb->queries[i];
	if (k > 0 && !index_query_counts(ui->idx, valid, k, total, unread, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	}
	for (j = 0, k = 0; j < entries->len; j++) {
		struct sidebar_entry *e = g_ptr_array_index(entries, j);

		if (e->kind != SIDEBAR_SEARCH || e->bad)
			continue;
		e->total = total[k];
		e->unread = unread[k];
		k++;
	}
	g_free(valid);
	g_free(total);
	g_free(unread);
}

/* Build the entries from the folders on disk and the index's counts. */
static GPtrArray *
sidebar_build(struct ui *ui, struct ui_sidebar *sb)
{
	GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)sidebar_entry_free);
	GPtrArray *counts = g_ptr_array_new_with_free_func((GDestroyNotify)index_mailbox_count_free);
	struct sidebar_entry *unified;
	GPtrArray *accounts;
	GError *error = NULL;
	guint i, j;

	if (!index_query_mailbox_counts(ui->idx, counts, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	}
	accounts = sidebar_accounts(ui, counts);
	unified = sidebar_entry_new(SIDEBAR_UNIFIED, NULL, NULL, "All inboxes");
	g_ptr_array_add(entries, unified);
	for (i = 0; i < accounts->len; i++) {
		const char *account = g_ptr_array_index(accounts, i);
		GPtrArray *folders = g_ptr_array_new_with_free_func(g_free);
		struct sidebar_entry *e = sidebar_entry_new(SIDEBAR_INBOX, account, "",
		    ui_mailbox_readonly(account) ? "read-only" : account);

		sidebar_take_counts(e, counts, account, "");
		unified->total += e->total;
		unified->unread += e->unread;
		g_ptr_array_add(entries, e);
		if (!folder_list(ui->config->store, account, folders, &error)) {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
		}
		/* Folders with rows but no directory (removed behind our back) still show. */
		for (j = 0; j < counts->len; j++) {
			const struct index_mailbox_count *c = g_ptr_array_index(counts, j);

			if (strcmp(c->account, account) == 0 && c->folder[0] != '\0')
				sidebar_add_name(folders, c->folder);
		}
		g_ptr_array_sort(folders, sidebar_compare_names);
		for (j = 0; j < folders->len; j++) {
			const char *folder = g_ptr_array_index(folders, j);

			e = sidebar_entry_new(SIDEBAR_FOLDER, account, folder, folder);
			sidebar_take_counts(e, counts, account, folder);
			g_ptr_array_add(entries, e);
		}
		g_ptr_array_free(folders, TRUE);
	}
	for (i = 0; i < ui->config->n_mailboxes; i++) {
		struct sidebar_entry *e = sidebar_entry_new(SIDEBAR_SEARCH, NULL, NULL,
		    ui->config->mailboxes[i].name);

		e->search = i;
		e->bad = sb->queries[i] == NULL;
		g_ptr_array_add(entries, e);
	}
	sidebar_count_searches(ui, sb, entries);
	g_ptr_array_free(accounts, TRUE);
	g_ptr_array_free(counts, TRUE);
	return entries;
}

void
ui_sidebar_refresh(struct ui *ui)
{
	struct ui_sidebar *sb = ui->sb;
	struct sidebar_entry *old = NULL;
	uint64_t stamp = index_change_stamp(ui->idx);
	int at;

	if (sb->counted && stamp == sb->stamp)
		return;
	if (sb->cursor < sb->entries->len)
		old = g_ptr_array_steal_index(sb->entries, sb->cursor);
	g_ptr_array_free(sb->entries, TRUE);
	sb->entries = sidebar_build(ui, sb);
	/* The highlight stays on its mailbox when others come and go. */
	at = old != NULL ? sidebar_find(sb, old) : -1;
	if (at < 0)
		at = sidebar_find(sb, &sb->open);
	sb->cursor = at >= 0 ? (guint)at : 0;
	sidebar_entry_free(old);
	/* Counting may have written nothing, but the stamp is read after it. */
	sb->stamp = index_change_stamp(ui->idx);
	sb->counted = true;
	ui->dirty |= UI_DIRTY_INDEX;
}

int
ui_sidebar_watch_ms(const struct ui *ui)
{
	(void)ui;
	return SIDEBAR_WATCH_MS;
}

void
ui_sidebar_watch(struct ui *ui)
{
	struct ui_sidebar *sb = ui->sb;

	if (!ui->sidebar) {
		/* Without the sidebar the rows still follow a fetch from cron. */
		uint64_t stamp = index_change_stamp(ui->idx);

		if (ui->watch_stamp != 0 && stamp != ui->watch_stamp)
			ui_reload_keep_cursor(ui);
		ui->watch_stamp = stamp;
		return;
	}
	if (!sb->counted || index_change_stamp(ui->idx) == sb->stamp)
		return;
	/* The rows under the index may have changed too: read them with the counts. */
	ui_reload_keep_cursor(ui);
}

/*
 * The one account the sidebar lists, or NULL when there are several (or
 * none).  All inboxes of a single account is that account's inbox, and
 * saying so lets the index use its per-account indexes: a folder alone
 * makes SQLite read every row (a second at 100,000 messages).
 */
static const char *
sidebar_only_account(const struct ui_sidebar *sb)
{
	const char *only = NULL;
	guint i;

	for (i = 0; i < sb->entries->len; i++) {
		const struct sidebar_entry *e = g_ptr_array_index(sb->entries, i);

		/* The read-only Maildirs are folders: never in All inboxes. */
		if (e->kind != SIDEBAR_INBOX || ui_mailbox_readonly(e->account))
			continue;
		if (only != NULL)
			return NULL;
		only = e->account;
	}
	return only;
}

/* Show entry E in the index: its filter, the cursor on its first unread. */
static void
sidebar_open(struct ui *ui, const struct sidebar_entry *e)
{
	struct ui_sidebar *sb = ui->sb;

	if (e->kind == SIDEBAR_SEARCH && e->bad) {
		ui_set_message(ui, true, "%s", sb->query_errors[e->search]);
		return;
	}
	g_free(sb->open.account);
	g_free(sb->open.folder);
	sb->open.kind = e->kind;
	sb->open.account = g_strdup(e->account);
	sb->open.folder = g_strdup(e->folder);
	sb->open.search = e->search;
	g_free(sb->view_account);
	g_free(sb->view_folder);
	sb->view_account = g_strdup(e->kind == SIDEBAR_UNIFIED ? sidebar_only_account(sb) :
	    e->account);
	sb->view_folder = e->kind == SIDEBAR_SEARCH ? NULL :
	    g_strdup(e->kind == SIDEBAR_FOLDER ? e->folder : "");
	ui_index_set_mailbox(ui, sb->view_account, sb->view_folder);
	ui_browse_mailbox_opened(ui, e->kind == SIDEBAR_SEARCH ? sb->queries[e->search] : NULL);
	if (ui->pager != NULL) {
		ui_pager_free(ui->pager);
		ui->pager = NULL;
		ui->zoom = false;
	}
	ui_index_reload(ui);
	ui_index_initial_cursor(ui);
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
}

void
ui_sidebar_init(struct ui *ui)
{
	struct ui_sidebar *sb = g_new0(struct ui_sidebar, 1);
	int at;

	ui->sb = sb;
	sb->entries = g_ptr_array_new_with_free_func((GDestroyNotify)sidebar_entry_free);
	sidebar_parse_queries(ui, sb);
	/* One account: its inbox; several: all of their inboxes. */
	if (ui->config->n_accounts == 1) {
		sb->open.kind = SIDEBAR_INBOX;
		sb->open.account = g_strdup(ui->config->accounts[0].name);
		sb->open.folder = g_strdup("");
	} else {
		sb->open.kind = SIDEBAR_UNIFIED;
	}
	ui_sidebar_refresh(ui);
	sb->view_account = g_strdup(sb->open.account != NULL ? sb->open.account :
	    sidebar_only_account(sb));
	sb->view_folder = g_strdup("");
	ui_index_set_mailbox(ui, sb->view_account, sb->view_folder);
	at = sidebar_find(sb, &sb->open);
	sb->cursor = at >= 0 ? (guint)at : 0;
}

void
ui_sidebar_clear(struct ui *ui)
{
	struct ui_sidebar *sb = ui->sb;
	size_t i;

	if (sb == NULL)
		return;
	g_ptr_array_free(sb->entries, TRUE);
	for (i = 0; i < ui->config->n_mailboxes; i++) {
		search_query_free(sb->queries[i]);
		g_free(sb->query_errors[i]);
	}
	g_free(sb->queries);
	g_free(sb->query_errors);
	g_free(sb->open.account);
	g_free(sb->open.folder);
	g_free(sb->view_account);
	g_free(sb->view_folder);
	g_free(sb);
	ui->sb = NULL;
}

char *
ui_sidebar_scope(const struct ui *ui)
{
	const struct sidebar_entry *open = &ui->sb->open;
	char *name, *scope;

	switch (open->kind) {
	case SIDEBAR_UNIFIED:
		return g_strdup("all inboxes");
	case SIDEBAR_INBOX:
		return sanitize_text(open->account, -1, 0);
	case SIDEBAR_FOLDER:
		scope = ui_mailbox_readonly(open->account) ?
		    g_strdup_printf("%s (read-only)", open->folder) :
		    g_strdup_printf("%s/%s", open->account, open->folder);
		name = sanitize_text(scope, -1, 0);
		g_free(scope);
		return name;
	case SIDEBAR_SEARCH:
		name = sanitize_text(ui->config->mailboxes[open->search].name, -1, 0);
		scope = g_strdup_printf("search %s", name);
		g_free(name);
		return scope;
	}
	return g_strdup("?");
}

/* "3/12": new and total; "bad query" for a saved search that does not parse. */
static char *
sidebar_counts_text(const struct sidebar_entry *e)
{
	if (e->bad)
		return g_strdup("error");
	return g_strdup_printf("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, e->unread, e->total);
}

/*
 * One sidebar line of E, exactly COLS columns: marker, name (indented),
 * counts at the right.  *COUNTS_AT gets the byte offset where the counts
 * start (the line's length when they did not fit).
 */
static char *
sidebar_line(const struct sidebar_entry *e, bool open, int cols, size_t *counts_at)
{
	GString *s = g_string_new(NULL);
	char *counts = sidebar_counts_text(e), *name, *line;
	int indent = e->kind == SIDEBAR_FOLDER ? SIDEBAR_INDENT : 0;
	int count_cols = width_of(counts);
	int name_cols = cols - 1 - indent - 1 - count_cols;

	g_string_append_c(s, open ? '>' : ' ');
	g_string_append_printf(s, "%*s", indent, "");
	if (name_cols < 1) {
		/* Too narrow for the counts: the name alone. */
		name = width_fit(e->label, MAX(cols - 1 - indent, 0), 1);
		g_string_append(s, name);
		*counts_at = s->len;
	} else {
		name = width_fit(e->label, name_cols, 1);
		g_string_append(s, name);
		g_string_append_c(s, ' ');
		*counts_at = s->len;
		g_string_append(s, counts);
	}
	g_free(name);
	g_free(counts);
	line = ui_term_fit(s->str, cols, 1);
	g_string_free(s, TRUE);
	*counts_at = MIN(*counts_at, strlen(line));
	return line;
}

void
ui_sidebar_draw(struct ui *ui, int y, int height, int width)
{
	struct ui_sidebar *sb = ui->sb;
	int i, cols = width - 1;

	if (width < 2 || height < 1)
		return;
	ui_sidebar_refresh(ui);
	/* Keep the highlight in sight. */
	if (sb->cursor < sb->top)
		sb->top = sb->cursor;
	if (sb->cursor >= sb->top + (guint)height)
		sb->top = sb->cursor - (guint)height + 1;
	for (i = 0; i < height; i++) {
		guint k = sb->top + (guint)i;
		const struct sidebar_entry *e;
		enum theme_element element;
		size_t counts_at;
		char *line;

		move(y + i, 0);
		if (k >= sb->entries->len) {
			attrset(ui_term_attr(THEME_SIDEBAR));
			line = width_fit("", cols, 1);
			addstr(line);
			g_free(line);
			continue;
		}
		e = g_ptr_array_index(sb->entries, k);
		element = k == sb->cursor ? THEME_SIDEBAR_SELECTED :
		    e->unread > 0 ? THEME_SIDEBAR_NEW : THEME_SIDEBAR;
		line = sidebar_line(e, sidebar_entry_same(e, &sb->open), cols, &counts_at);
		attrset(ui_term_attr(element));
		addnstr(line, (int)counts_at);
		/* The counts in their own colour, except on the cursor line. */
		if (element != THEME_SIDEBAR_SELECTED)
			attrset(ui_term_attr(THEME_SIDEBAR_COUNT));
		addstr(line + counts_at);
		g_free(line);
	}
	/* The rule between the sidebar and the panes; bright when it has the keys. */
	attrset(ui_term_attr(ui->sidebar_focus ? THEME_SIDEBAR_SELECTED : THEME_SEPARATOR));
	mvvline(y, cols, ACS_VLINE, height);
	attrset(A_NORMAL);
}

/* Move the highlight by STEP entries. */
static void
sidebar_step(struct ui *ui, int step)
{
	struct ui_sidebar *sb = ui->sb;
	int64_t target = (int64_t)sb->cursor + step;

	ui_sidebar_refresh(ui);
	if (target < 0 || target >= (int64_t)sb->entries->len) {
		ui_set_message(ui, false, target < 0 ? "You are on the first mailbox." :
		    "You are on the last mailbox.");
		return;
	}
	sb->cursor = (guint)target;
	ui->dirty |= UI_DIRTY_INDEX;
}

/* Open the next (STEP 1) or previous (-1) of the unified inbox and the accounts' inboxes. */
static void
sidebar_account_step(struct ui *ui, int step)
{
	struct ui_sidebar *sb = ui->sb;
	GArray *cycle = g_array_new(FALSE, FALSE, sizeof(guint));
	guint i, here = 0;

	ui_sidebar_refresh(ui);
	for (i = 0; i < sb->entries->len; i++) {
		const struct sidebar_entry *e = g_ptr_array_index(sb->entries, i);

		/* The read-only Maildirs' heading has no inbox of its own to show. */
		if ((e->kind != SIDEBAR_UNIFIED && e->kind != SIDEBAR_INBOX) ||
		    ui_mailbox_readonly(e->account))
			continue;
		/* A folder counts as its account; a saved search as the unified inbox. */
		if ((e->kind == SIDEBAR_UNIFIED && sb->open.kind == SIDEBAR_SEARCH) ||
		    (e->kind == SIDEBAR_INBOX && g_strcmp0(e->account, sb->open.account) == 0) ||
		    sidebar_entry_same(e, &sb->open))
			here = cycle->len;
		g_array_append_val(cycle, i);
	}
	if (cycle->len > 0) {
		guint next = (here + cycle->len + (guint)(step > 0 ? 1 : cycle->len - 1)) % cycle->len;

		sb->cursor = g_array_index(cycle, guint, next);
		sidebar_open(ui, g_ptr_array_index(sb->entries, sb->cursor));
	}
	g_array_free(cycle, TRUE);
}

void
ui_sidebar_action(struct ui *ui, enum keymap_action action)
{
	struct ui_sidebar *sb = ui->sb;

	switch (action) {
	case KEYMAP_ACTION_SIDEBAR_TOGGLE:
		ui->sidebar = !ui->sidebar;
		if (!ui->sidebar)
			ui->sidebar_focus = false;
		break;
	case KEYMAP_ACTION_SIDEBAR_FOCUS:
		/* Focusing a hidden sidebar shows it. */
		ui->sidebar_focus = !ui->sidebar_focus || !ui->sidebar;
		ui->sidebar = ui->sidebar || ui->sidebar_focus;
		break;
	case KEYMAP_ACTION_QUIT:
		/* q in the sidebar hands the keys back to the index. */
		ui->sidebar_focus = false;
		break;
	case KEYMAP_ACTION_SIDEBAR_NEXT:
	case KEYMAP_ACTION_SIDEBAR_PREVIOUS:
		if (!ui->sidebar) {
			ui_set_message(ui, true, "The sidebar is hidden; %s shows it.", "B");
			return;
		}
		sidebar_step(ui, action == KEYMAP_ACTION_SIDEBAR_NEXT ? 1 : -1);
		return;
	case KEYMAP_ACTION_SIDEBAR_OPEN:
		if (!ui->sidebar) {
			ui_set_message(ui, true, "The sidebar is hidden; %s shows it.", "B");
			return;
		}
		ui_sidebar_refresh(ui);
		if (sb->cursor < sb->entries->len)
			sidebar_open(ui, g_ptr_array_index(sb->entries, sb->cursor));
		return;
	case KEYMAP_ACTION_NEXT_ACCOUNT:
	case KEYMAP_ACTION_PREVIOUS_ACCOUNT:
		sidebar_account_step(ui, action == KEYMAP_ACTION_NEXT_ACCOUNT ? 1 : -1);
		return;
	default:
		return;
	}
	ui->dirty |= UI_DIRTY_ALL | UI_RELOAD_ROWS;
}

void
ui_sidebar_click(struct ui *ui, int y)
{
	struct ui_sidebar *sb = ui->sb;
	guint k;

	if (y < 0)
		return;
	ui_sidebar_refresh(ui);
	k = sb->top + (guint)y;
	if (k >= sb->entries->len)
		return;
	sb->cursor = k;
	sidebar_open(ui, g_ptr_array_index(sb->entries, k));
}

int
ui_sidebar_width(const struct ui *ui, int cols)
{
	/* Room for the panes first: no sidebar on a terminal too narrow for both. */
	if (!ui->sidebar || ui_mode_cover(ui) != NULL || cols < ui->sidebar_width + 20)
		return 0;
	return ui->sidebar_width;
}

void
ui_sidebar_folders(struct ui *ui, const char *account, GPtrArray *names)
{
	struct ui_sidebar *sb = ui->sb;
	guint i;

	ui_sidebar_refresh(ui);
	for (i = 0; i < sb->entries->len; i++) {
		const struct sidebar_entry *e = g_ptr_array_index(sb->entries, i);

		if (e->kind == SIDEBAR_FOLDER && strcmp(e->account, account) == 0)
			g_ptr_array_add(names, g_strdup(e->folder));
	}
}

void
ui_sidebar_accounts(struct ui *ui, GPtrArray *names)
{
	struct ui_sidebar *sb = ui->sb;
	guint i;

	ui_sidebar_refresh(ui);
	for (i = 0; i < sb->entries->len; i++) {
		const struct sidebar_entry *e = g_ptr_array_index(sb->entries, i);

		if (e->kind == SIDEBAR_INBOX)
			g_ptr_array_add(names, g_strdup(e->account));
	}
}

bool
ui_sidebar_open_mailbox(struct ui *ui, const char *account, const char *folder, int search)
{
	struct ui_sidebar *sb = ui->sb;
	struct sidebar_entry key = { 0 };
	int at;

	key.kind = search >= 0 ? SIDEBAR_SEARCH : account == NULL ? SIDEBAR_UNIFIED :
	    folder[0] == '\0' ? SIDEBAR_INBOX : SIDEBAR_FOLDER;
	key.account = (char *)account;
	key.folder = (char *)folder;
	key.search = search >= 0 ? (size_t)search : 0;
	ui_sidebar_refresh(ui);
	at = sidebar_find(sb, &key);
	if (at < 0)
		return false;
	sb->cursor = (guint)at;
	sidebar_open(ui, g_ptr_array_index(sb->entries, (guint)at));
	return true;
}

const char *
ui_sidebar_open_account(const struct ui *ui)
{
	return ui->sb->open.kind == SIDEBAR_INBOX || ui->sb->open.kind == SIDEBAR_FOLDER ?
	    ui->sb->open.account : NULL;
}
