/*
 * expunge-helper CONFIG QUERY: mark the messages QUERY matches deleted and
 * expunge them for good with change.c, as the interface's expunge does
 * without a trash folder.  Prints "expunged N".  For the integration tests
 * of delete_on_server_when_deleted; not installed.
 */
#include <stdio.h>

#include "surat/change.h"
#include "surat/config.h"
#include "surat/index.h"
#include "surat/search.h"

int
main(int argc, char **argv)
{
	GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
	struct search_error qerr = { 0 };
	struct index_filter filter = { 0 };
	struct surat_config *config;
	struct search_query *query;
	struct change *act;
	struct index *idx;
	GError *error = NULL;
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	char *path;
	guint removed = 0;
	int status = 1;

	if (argc != 3) {
		fputs("usage: expunge-helper CONFIG QUERY\n", stderr);
		return 2;
	}
	if ((config = config_load(argv[1], errors, NULL)) == NULL) {
		fprintf(stderr, "expunge-helper: %s\n",
		    errors->len > 0 ? (char *)g_ptr_array_index(errors, 0) : "bad config");
		return 2;
	}
	if ((query = search_parse(argv[2], 0, &qerr)) == NULL) {
		fprintf(stderr, "expunge-helper: column %d: %s\n", qerr.column, qerr.message);
		return 2;
	}
	path = g_build_filename(config->store, "index.db", NULL);
	filter.query = query;
	if ((idx = index_open(path, &error)) == NULL ||
	    !index_query_ids(idx, &filter, INDEX_SORT_DATE, false, ids, &error))
		goto out;
	act = change_new(idx, config, NULL);
	if (change_flags(act, ids, "T", NULL, false, NULL, &error) &&
	    change_expunge(act, ids, NULL, &removed, &error)) {
		printf("expunged %u\n", removed);
		status = 0;
	}
	change_free(act);
out:
	if (error != NULL)
		fprintf(stderr, "expunge-helper: %s\n", error->message);
	g_clear_error(&error);
	index_free(idx);
	search_query_free(query);
	config_free(config);
	g_array_free(ids, TRUE);
	g_ptr_array_unref(errors);
	g_free(path);
	return status;
}
