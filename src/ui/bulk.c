/*
 * bulk: what the index does to messages through change.h, on the current
 * message or, after ; (tag-prefix), on every tagged one: tag (t, T, C-t),
 * flag, read/unread, delete/undelete, and undo (U); expunge ($) is in
 * folders.c, beside the trash.  Each is one undoable action in the index's
 * undo log, so U puts back exactly what the last one changed, even after a
 * restart.
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
};

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

bool
ui_action_ids(struct ui *ui, GArray *ids, GError **error)
{
	const struct index_message *cur;

	if (ui->bulk->tagged)
		return index_tagged(ui->idx, ids, error);
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

bool
ui_bulk_flags(struct ui *ui, enum keymap_action action)
{
	const struct index_message *cur = ui_index_current(ui);
	const char *add = NULL, *remove = NULL;
	int64_t id = cur != NULL ? cur->id : 0;
	GArray *ids = bulk_ids(ui);
	GError *error = NULL;
	guint done = 0;
	bool ok;

	if (ids == NULL)
		return false;
	switch (action) {
	case KEYMAP_ACTION_FLAG_MESSAGE:
		/* A toggle: the current message says which way, for all the tagged too. */
		if (cur != NULL && index_message_has_flag(cur, STORE_FLAG_FLAGGED))
			remove = "F";
		else
			add = "F";
		break;
	case KEYMAP_ACTION_TOGGLE_NEW:
		if (cur != NULL && index_message_has_flag(cur, STORE_FLAG_SEEN))
			remove = "S";
		else
			add = "S";
		break;
	case KEYMAP_ACTION_DELETE_MESSAGE:
		add = "T";
		break;
	default:
		remove = "T";
		break;
	}
	ok = change_flags(ui->bulk->change, ids, add, remove, true, &done, &error);
	if (ok && ui->bulk->tagged)
		ui_set_message(ui, false, "%s: %u of %u tagged message%s changed.",
		    keymap_action_name(action), done, ids->len, ids->len == 1 ? "" : "s");
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
	query = ui_bulk_query(ui, text);
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
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GError *error = NULL;

	if (!index_tagged(ui->idx, ids, &error)) {
		bulk_report(ui, error);
	} else if (ids->len == 0) {
		ui_set_message(ui, true, "No tagged messages.");
	} else {
		ui->bulk->tag_prefix = true;
		ui_set_message(ui, false, "tag-prefix: the next action applies to %u tagged message%s.",
		    ids->len, ids->len == 1 ? "" : "s");
	}
	g_array_free(ids, TRUE);
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
