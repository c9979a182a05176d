/*
 * addresses: where the interface finds addresses to write to.  Tab in an
 * address prompt completes from the aliases (alias_file), the index's
 * address book (index_contacts_*, ranked by how often and how lately the
 * person wrote to each) and query_command, in that order; aliases typed in
 * a prompt or in the editor's header are expanded (composer.c); `a` adds
 * the current message's sender to the alias file; and the alternates
 * config key becomes the regular expression compose.h matches the
 * person's own addresses with.
 */
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "private.h"
#include "surat/compose.h"
#include "surat/contacts.h"
#include "surat/index.h"
#include "surat/mime-lib.h"

#define ADDRESSES_SHOWN       30   /* candidates offered for one Tab */
#define ADDRESSES_QUERY_MS    5000 /* query_command's time before it is stopped */

struct ui_addresses {
	char *alias_file;
	struct contacts_aliases *aliases;
	struct timespec alias_mtime; /* of the file read; re-read when it changes */
	bool alias_read;
	GRegex *alternates;
	bool alternates_made;
	char **own;                  /* the accounts' from addresses (config_own_addresses) */
	char *new_key;               /* `a`: the alias typed, while its addresses are asked */
};

static struct ui_addresses *
addresses_of(struct ui *ui)
{
	if (ui->addresses == NULL) {
		ui->addresses = g_new0(struct ui_addresses, 1);
		ui->addresses->alias_file = config_alias_file(ui->config);
		ui->addresses->own = config_own_addresses(ui->config);
	}
	return ui->addresses;
}

void
ui_addresses_free(struct ui *ui)
{
	struct ui_addresses *a = ui->addresses;

	if (a == NULL)
		return;
	contacts_aliases_free(a->aliases);
	if (a->alternates != NULL)
		g_regex_unref(a->alternates);
	g_free(a->alias_file);
	g_strfreev(a->own);
	g_free(a->new_key);
	g_free(a);
	ui->addresses = NULL;
}

const GRegex *
ui_addresses_alternates(struct ui *ui)
{
	struct ui_addresses *a = addresses_of(ui);

	if (!a->alternates_made) {
		a->alternates = config_alternates(ui->config);
		a->alternates_made = true;
	}
	return a->alternates;
}

const char *const *
ui_addresses_own(struct ui *ui)
{
	return (const char *const *)addresses_of(ui)->own;
}

/* The aliases as the file is now: read again when it changed (another editor, `a`). */
static const struct contacts_aliases *
addresses_aliases(struct ui *ui)
{
	struct ui_addresses *a = addresses_of(ui);
	struct timespec mtime = { 0, 0 };
	struct contacts_aliases *fresh;
	struct stat st;
	GError *error = NULL;

	if (stat(a->alias_file, &st) == 0)
		mtime = st.st_mtim;
	if (a->alias_read && mtime.tv_sec == a->alias_mtime.tv_sec &&
	    mtime.tv_nsec == a->alias_mtime.tv_nsec)
		return a->aliases;
	if ((fresh = contacts_aliases_load(a->alias_file, &error)) == NULL) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		return a->aliases;
	}
	contacts_aliases_free(a->aliases);
	a->aliases = fresh;
	a->alias_mtime = mtime;
	a->alias_read = true;
	return a->aliases;
}

const char *
ui_addresses_alias(const char *word, void *data)
{
	return contacts_alias_lookup(addresses_aliases(data), word);
}

/* Offer "Name <address>" unless its address was offered already. */
static void
addresses_offer(GPtrArray *out, GHashTable *offered, const char *name, const char *address)
{
	char *key = g_ascii_strdown(address, -1);
	char *text;

	if (!g_hash_table_add(offered, key) || (text = compose_mailbox_text(name, address)) == NULL)
		return;
	g_ptr_array_add(out, text);
}

/* The index's book, counted up to now first (a moment the first time, then the new rows). */
static void
addresses_from_index(struct ui *ui, const char *word, GPtrArray *out, GHashTable *offered)
{
	GPtrArray *found = g_ptr_array_new_with_free_func((GDestroyNotify)index_contact_free);
	GError *error = NULL;
	guint i;

	if (!index_contacts_update(ui->idx, ui->config->record, ui->config->postponed,
	    ui_addresses_own(ui), &error))
		g_clear_error(&error); /* busy: the book as it was */
	if (index_contacts_find(ui->idx, word, ADDRESSES_SHOWN, (int64_t)time(NULL), found,
	    &error)) {
		for (i = 0; i < found->len && out->len < ADDRESSES_SHOWN; i++) {
			struct index_contact *c = g_ptr_array_index(found, i);

			addresses_offer(out, offered, c->name, c->address);
		}
	} else {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	}
	g_ptr_array_unref(found);
}

size_t
ui_addresses_complete(struct ui *ui, const char *line, size_t cursor, GPtrArray *out)
{
	GPtrArray *named = g_ptr_array_new_with_free_func((GDestroyNotify)contact_entry_free);
	GHashTable *offered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	size_t start = cursor;
	char *word;
	guint i;

	/* The address being typed: from the last comma (or the start) to the cursor. */
	while (start > 0 && line[start - 1] != ',')
		start--;
	while (start < cursor && line[start] == ' ')
		start++;
	word = g_strndup(line + start, cursor - start);
	if (*word == '\0' || !mime_lib_load(NULL)) {
		g_free(word);
		g_ptr_array_unref(named);
		g_hash_table_destroy(offered);
		return cursor;
	}
	/* An alias goes in as its name; accepting the line expands it. */
	contacts_aliases_complete(addresses_aliases(ui), word, named);
	for (i = 0; i < named->len && out->len < ADDRESSES_SHOWN; i++)
		g_ptr_array_add(out, g_strdup(((struct contact_entry *)named->pdata[i])->key));
	g_ptr_array_set_size(named, 0);
	addresses_from_index(ui, word, out, offered);
	if (ui->config->query_command != NULL && out->len < ADDRESSES_SHOWN) {
		GError *error = NULL;

		if (contacts_query(ui->config->query_command, word, ADDRESSES_QUERY_MS, named,
		    &error)) {
			for (i = 0; i < named->len && out->len < ADDRESSES_SHOWN; i++) {
				struct contact_entry *e = g_ptr_array_index(named, i);

				addresses_offer(out, offered, e->name, e->address);
			}
		} else {
			ui_set_message(ui, true, "%s", error->message);
			g_clear_error(&error);
		}
	}
	g_free(word);
	g_ptr_array_unref(named);
	g_hash_table_destroy(offered);
	return start;
}

/* `a`, second answer: the addresses of the alias typed first. */
static void
addresses_alias_done(struct ui *ui, const char *text)
{
	struct ui_addresses *a = addresses_of(ui);
	char *key = g_steal_pointer(&a->new_key);
	char *value = g_strstrip(g_strdup(text));
	GError *error = NULL;

	if (key == NULL || *value == '\0') {
		ui_set_message(ui, false, "No alias added.");
	} else if (!mime_lib_load(&error) || !compose_check_addresses("Address", value, &error) ||
	    !contacts_alias_add(a->alias_file, key, value, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
	} else {
		ui_set_message(ui, false, "Alias %s added to %s.", key, a->alias_file);
	}
	g_free(key);
	g_free(value);
}

/* `a`, first answer: the alias; then its addresses, the sender's offered. */
static void
addresses_key_done(struct ui *ui, const char *text)
{
	struct ui_addresses *a = addresses_of(ui);
	const struct index_message *cur = ui_index_current(ui);
	char *key = g_strstrip(g_strdup(text)), *mailbox = NULL;
	GError *error = NULL;

	if (*key == '\0') {
		g_free(key);
		return;
	}
	if (!contacts_alias_key_ok(key, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		g_free(key);
		return;
	}
	if (contacts_alias_lookup(addresses_aliases(ui), key) != NULL) {
		ui_set_message(ui, true, "The alias %s is in %s already; type another name or edit "
		    "the file.", key, a->alias_file);
		g_free(key);
		return;
	}
	/* The row's from is the name when there is one, else the address again. */
	if (cur != NULL && mime_lib_load(NULL))
		mailbox = compose_mailbox_text(cur->from != NULL &&
		    g_strcmp0(cur->from, cur->from_addr) != 0 ? cur->from : NULL, cur->from_addr);
	g_free(a->new_key);
	a->new_key = key;
	ui_prompt_open(ui, UI_PROMPT_ADDRESS, "Address: ", mailbox, ui_addresses_complete,
	    addresses_alias_done);
	g_free(mailbox);
}

void
ui_addresses_create_alias(struct ui *ui)
{
	const struct index_message *cur = ui_index_current(ui);
	char *suggested = NULL;

	/* mutt suggests the mailbox part of the address. */
	if (cur != NULL && cur->from_addr != NULL && strchr(cur->from_addr, '@') != NULL) {
		suggested = g_ascii_strdown(cur->from_addr, (gssize)(strchr(cur->from_addr, '@') -
		    cur->from_addr));
		if (!contacts_alias_key_ok(suggested, NULL))
			g_clear_pointer(&suggested, g_free);
	}
	ui_prompt_open(ui, UI_PROMPT_ADDRESS, "Alias as: ", suggested, NULL, addresses_key_done);
	g_free(suggested);
}
