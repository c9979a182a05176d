/*
 * bulk: what the index does to messages through change.h, on the current
 * message or, after ; (tag-prefix), on every tagged one: tag (t, T, C-t),
 * flag, read/unread, delete/undelete, and undo (U); expunge ($) is in
 * folders.c, beside the trash.  Each is one undoable action in the index's
 * undo log, so U puts back exactly what the last one changed, even after a
 * restart.
 *
 * Tags are a column of the index, but they belong to the view they were
 * made in, as in mutt: ; acts on the tagged rows the view shows (its
 * mailbox and query with is:tagged), and the status line counts those;
 * tags_across_views makes it every tagged row.  F and N after ; follow
 * mutt's rule for many: set on all when any lacks it, else clear from all.
 */
#include <string.h>

#include "private.h"
#include "surat/change.h"
#include "surat/search.h"
#include "surat/store.h"

/* What acts on the index's messages: opaque to the rest of ui/. */
struct ui_bulk {
	struct change *change; /* undoable actions (change.h) */
	bool tag_prefix;       /* ; was typed: the next action is on the tagged */
	bool tagged;           /* the action running now (and its prompt) is on the tagged */
	/* ui_bulk_tagged_count's last answer: for the index at COUNT_STAMP, the view COUNT_KEY. */
	int64_t count;
	uint64_t count_stamp;
	char *count_key;
};

/* The domain of bulk.c's own errors (a query that cannot be made). */
static GQuark
bulk_error_quark(void)
{
	return g_quark_from_static_string("surat-ui-bulk-error-quark");
}

void
ui_bulk_init(struct ui *ui)
{
	ui->bulk = g_new0(struct ui_bulk, 1);
	ui->bulk->change = change_new(ui->idx, ui->config, ui->config->trash);
}

void
ui_bulk_clear(struct ui *ui)
{
	if (ui->bulk == NULL)
		return;
	change_free(ui->bulk->change);
	g_free(ui->bulk->count_key);
	g_clear_pointer(&ui->bulk, g_free);
}

void
ui_bulk_action_starts(struct ui *ui)
{
	ui->bulk->tagged = ui->bulk->tag_prefix;
	ui->bulk->tag_prefix = false;
	ui->dirty |= UI_DIRTY_STATUS;
}

bool
ui_bulk_on_tagged(const struct ui *ui)
{
	return ui->bulk->tagged;
}

bool
ui_bulk_prefixed(const struct ui *ui)
{
	return ui->bulk->tag_prefix;
}

/*
 * The tagged messages ; acts on, as a filter: the view's mailbox and query
 * with is:tagged (tags belong to the view they were made in, as in mutt),
 * or every tagged message with tags_across_views.  Rows in collapsed
 * threads are the view's too.  *QUERY is the caller's to free.
 */
static bool
bulk_tagged_filter(struct ui *ui, struct index_filter *filter, struct search_query **query,
    GError **error)
{
	struct search_error e = { 0 };
	const char *view = NULL;
	char *text;

	memset(filter, 0, sizeof *filter);
	if (!ui->config->tags_across_views) {
		const struct index_filter *shown = ui_index_filter(ui);

		filter->account = shown->account;
		filter->folder = shown->folder;
		filter->text = shown->text;
		filter->unread_only = shown->unread_only;
		view = ui_browse_view_text(ui);
	}
	text = view != NULL ? g_strdup_printf("(%s) is:tagged", view) : g_strdup("is:tagged");
	*query = search_parse(text, 0, &e);
	g_free(text);
	if (*query == NULL) {
		g_set_error(error, bulk_error_quark(), 0,
		    "the view's query and is:tagged together: %s",
		    e.message != NULL ? e.message : "not a query");
		search_error_clear(&e);
		return false;
	}
	filter->query = *query;
	return true;
}

int64_t
ui_bulk_tagged_count(struct ui *ui)
{
	struct ui_bulk *b = ui->bulk;
	const struct index_filter *shown = ui_index_filter(ui);
	uint64_t stamp = index_change_stamp(ui->idx);
	struct search_query *query = NULL;
	struct index_filter filter;
	GArray *all;
	char *key;

	/* Drawn at every key: counted only when the index or the view changed. */
	key = g_strdup_printf("%d\n%s\n%s\n%s", ui->config->tags_across_views ? 1 : 0,
	    shown->account != NULL ? shown->account : "\001",
	    shown->folder != NULL ? shown->folder : "\001",
	    ui_browse_view_text(ui) != NULL ? ui_browse_view_text(ui) : "\001");
	if (b->count_key != NULL && strcmp(key, b->count_key) == 0 && stamp == b->count_stamp) {
		g_free(key);
		return b->count;
	}
	g_free(b->count_key);
	b->count_key = key;
	b->count_stamp = stamp;
	/*
	 * Every tagged row first, from its own small index: mostly none, and
	 * then the view's query is not run.  The view's count reads the rows of
	 * its mailbox (20 ms at 100,000 messages), so only while tags exist.
	 */
	all = g_array_new(FALSE, FALSE, sizeof(int64_t));
	if (!index_tagged(ui->idx, all, NULL))
		b->count = -1;
	else if (all->len == 0 || ui->config->tags_across_views)
		b->count = all->len;
	else if (!bulk_tagged_filter(ui, &filter, &query, NULL) ||
	    !index_query_count(ui->idx, &filter, &b->count, NULL, NULL))
		b->count = -1;
	g_array_free(all, TRUE);
	search_query_free(query);
	return b->count;
}

/* The tagged messages ; acts on (bulk_tagged_filter), in the view's order. */
static bool
bulk_tagged_ids(struct ui *ui, GArray *ids, GError **error)
{
	struct search_query *query = NULL;
	struct index_filter filter;
	bool ok;

	ok = bulk_tagged_filter(ui, &filter, &query, error) &&
	    ui_index_ids(ui, &filter, ids, error);
	search_query_free(query);
	return ok;
}

bool
ui_action_ids(struct ui *ui, GArray *ids, GError **error)
{
	const struct index_message *cur;

	if (ui->bulk->tagged)
		return bulk_tagged_ids(ui, ids, error);
	cur = ui_index_current(ui);
	if (cur != NULL)
		g_array_append_val(ids, cur->id);
	return true;
}

/* The ids of this action (ui_action_ids), or NULL with a message when there are none. */
static GArray *
bulk_ids(struct ui *ui)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GError *error = NULL;

	if (!ui_action_ids(ui, ids, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	} else if (ids->len == 0) {
		ui_set_message(ui, true, ui_bulk_on_tagged(ui) ? "No tagged messages." :
		    "No message here.");
	} else {
		return ids;
	}
	g_array_free(ids, TRUE);
	return NULL;
}

/* Show ERROR (consumed) on the message line, or SUCCESS when there is none. */
static void
bulk_report(struct ui *ui, GError *error)
{
	if (error != NULL) {
		ui_set_message(ui, true, "%s", error->message);
		g_error_free(error);
	}
}

/* After an action: the rows changed; keep the cursor on its message. */
static void
bulk_changed(struct ui *ui, int64_t id)
{
	ui_browse_keep(ui, id, ui_index_cursor(ui) - ui_index_top(ui));
}

/* Say what ; did to the N tagged messages: SET the flag (or cleared it). */
static void
bulk_say(struct ui *ui, enum keymap_action action, bool set, guint n)
{
	const char *s = n == 1 ? "" : "s";

	switch (action) {
	case KEYMAP_ACTION_FLAG_MESSAGE:
		ui_set_message(ui, false, "%s %u message%s.", set ? "Flagged" : "Unflagged", n, s);
		break;
	case KEYMAP_ACTION_TOGGLE_NEW:
		ui_set_message(ui, false, "%u message%s marked %s.", n, s, set ? "unread" : "read");
		break;
	case KEYMAP_ACTION_DELETE_MESSAGE:
		ui_set_message(ui, false, "%u message%s marked deleted.", n, s);
		break;
	default:
		ui_set_message(ui, false, "%u message%s no longer marked deleted.", n, s);
		break;
	}
}

/*
 * A toggle over IDS (mutt's rule for many): set the flag on every one when
 * any lacks it, else clear it from all.  ADD and REMOVE say what setting
 * is (for new: S removed).  *SET says which way it went.
 */
static bool
bulk_toggle(struct ui *ui, GArray *ids, const char *add, const char *remove, bool *set,
    GError **error)
{
	guint done = 0;

	*set = true;
	if (!change_flags(ui->bulk->change, ids, add, remove, true, &done, error))
		return false;
	if (done > 0)
		return true;
	/* Every one had it already (an empty step is dropped from the undo log). */
	*set = false;
	return change_flags(ui->bulk->change, ids, remove, add, true, NULL, error);
}

bool
ui_bulk_flags(struct ui *ui, enum keymap_action action)
{
	const struct index_message *cur = ui_index_current(ui);
	int64_t id = cur != NULL ? cur->id : 0;
	GArray *ids = bulk_ids(ui);
	GError *error = NULL;
	bool ok, set = true;

	if (ids == NULL)
		return false;
	switch (action) {
	case KEYMAP_ACTION_FLAG_MESSAGE:
		ok = bulk_toggle(ui, ids, "F", NULL, &set, &error);
		break;
	case KEYMAP_ACTION_TOGGLE_NEW:
		/* New is S missing: one read message among them makes them all unread. */
		ok = bulk_toggle(ui, ids, NULL, "S", &set, &error);
		break;
	case KEYMAP_ACTION_DELETE_MESSAGE:
		ok = change_flags(ui->bulk->change, ids, "T", NULL, true, NULL, &error);
		break;
	default:
		ok = change_flags(ui->bulk->change, ids, NULL, "T", true, NULL, &error);
		break;
	}
	if (ok && ui->bulk->tagged)
		bulk_say(ui, action, set, ids->len);
	bulk_report(ui, error);
	g_array_free(ids, TRUE);
	bulk_changed(ui, id);
	return ok;
}

bool
ui_bulk_mark_read(struct ui *ui, int64_t id, GError **error)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	bool ok;

	g_array_append_val(ids, id);
	/* Opening a message is no action to undo. */
	ok = change_flags(ui->bulk->change, ids, "S", NULL, false, NULL, error);
	g_array_free(ids, TRUE);
	ui->dirty |= UI_RELOAD_ROWS;
	return ok;
}

void
ui_bulk_tag(struct ui *ui)
{
	const struct index_message *cur = ui_index_current(ui);
	GArray *ids;
	GError *error = NULL;
	int64_t id;
	bool tag;

	if (cur == NULL) {
		ui_set_message(ui, true, "No message here.");
		return;
	}
	id = cur->id;
	tag = !cur->tagged;
	ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	g_array_append_val(ids, id);
	if (!change_tag(ui->bulk->change, ids, tag, NULL, &error))
		bulk_report(ui, error);
	g_array_free(ids, TRUE);
	bulk_changed(ui, id);
	/* As in mutt: on to the next message. */
	if (ui_index_cursor(ui) + 1 < ui_index_total(ui))
		ui_index_move(ui, ui_index_cursor(ui) + 1);
}

struct search_query *
ui_bulk_query(struct ui *ui, const char *text)
{
	struct search_error error = { 0 };
	struct search_query *query = search_parse(text, 0, &error);
	const char *limit = ui_browse_view_text(ui);
	char *both;

	if (query == NULL) {
		ui_set_message(ui, true, "query: column %d: %s", error.column,
		    error.message != NULL ? error.message : "not a query");
		search_error_clear(&error);
		return NULL;
	}
	if (limit == NULL)
		return query;
	/* Only what the view shows: the query and the view's (saved search, limit). */
	search_query_free(query);
	both = g_strdup_printf("(%s) (%s)", limit, text);
	query = search_parse(both, 0, &error);
	g_free(both);
	if (query == NULL) {
		ui_set_message(ui, true, "query and limit together: %s",
		    error.message != NULL ? error.message : "too long");
		search_error_clear(&error);
	}
	return query;
}

/* Tag (TAG) or untag every message of the view that the query TEXT matches. */
static void
bulk_tag_query(struct ui *ui, const char *text, bool tag)
{
	struct index_filter filter = *ui_index_filter(ui);
	struct search_query *query;
	GError *error = NULL;
	int64_t id = ui_browse_current_id(ui), done = 0;

	if (text[0] == '\0')
		return;
	/* "all" alone means every message, as at l (and in mutt). */
	query = ui_bulk_query(ui, ui_browse_means_all(text) ? "~A" : text);
	if (query == NULL)
		return;
	filter.query = query;
	filter.threads = NULL;
	filter.collapse_all = false;
	if (change_tag_filter(ui->bulk->change, &filter, tag, &done, &error))
		ui_set_message(ui, false, "%" G_GINT64_FORMAT " message%s %s.", done,
		    done == 1 ? "" : "s", tag ? "tagged" : "untagged");
	bulk_report(ui, error);
	search_query_free(query);
	bulk_changed(ui, id);
}

/* The answer to T. */
static void
bulk_tag_done(struct ui *ui, const char *text)
{
	bulk_tag_query(ui, text, true);
}

/* The answer to C-t. */
static void
bulk_untag_done(struct ui *ui, const char *text)
{
	bulk_tag_query(ui, text, false);
}

void
ui_bulk_tag_prompt(struct ui *ui, bool tag)
{
	ui_prompt_open(ui, UI_PROMPT_PATTERN, tag ? "Tag messages matching: " :
	    "Untag messages matching: ", NULL, NULL, tag ? bulk_tag_done : bulk_untag_done);
}

void
ui_bulk_prefix(struct ui *ui)
{
	int64_t n = ui_bulk_tagged_count(ui);
	GArray *all;

	if (n < 0) {
		GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
		GError *error = NULL;

		/* Say why: the same filter again, with its error. */
		if (!bulk_tagged_ids(ui, ids, &error))
			bulk_report(ui, error);
		else
			ui_set_message(ui, true, "Cannot count the tagged messages.");
		g_array_free(ids, TRUE);
		return;
	}
	if (n > 0) {
		ui->bulk->tag_prefix = true;
		ui_set_message(ui, false, "tag-prefix: the next action applies to %" G_GINT64_FORMAT
		    " tagged message%s.", n, n == 1 ? "" : "s");
		return;
	}
	all = g_array_new(FALSE, FALSE, sizeof(int64_t));
	if (!ui->config->tags_across_views && index_tagged(ui->idx, all, NULL) && all->len > 0)
		ui_set_message(ui, true, "No tagged messages in this view (%u in others; "
		    "tags_across_views = true acts on them).", all->len);
	else
		ui_set_message(ui, true, "No tagged messages.");
	g_array_free(all, TRUE);
}

void
ui_bulk_undo(struct ui *ui)
{
	int64_t id = ui_browse_current_id(ui);
	GError *error = NULL;
	char *label = NULL;
	guint done = 0;

	if (!change_undo(ui->bulk->change, &label, &done, &error)) {
		if (error != NULL)
			bulk_report(ui, error);
		else
			ui_set_message(ui, false, "Nothing to undo.");
		return;
	}
	ui_set_message(ui, false, "Undone: %s.", label != NULL ? label : "the last action");
	g_free(label);
	bulk_changed(ui, id);
}
