/*
 * bench/triage-index STORE: time the index operations behind the triage
 * screens on STORE/index.db (run `surat reindex` on the store first):
 * first screen, thread view, jump to the end, limit by a header query,
 * full-text search for a rare word, sidebar counts, a full thread rebuild.
 * Each is the median of RUNS runs, in milliseconds.  Not a test.
 *
 * Build (from a build directory without sanitizers):
 *   cc -O2 -std=c11 -I$SRC/include $SRC/bench/triage-index.c libsurat.a \
 *      $(pkg-config --cflags --libs glib-2.0 gmime-3.0 sqlite3 libxml-2.0 libconfig openssl)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "surat/index.h"
#include "surat/search.h"

#define RUNS   7
#define SCREEN 50

/* Now, in milliseconds. */
static double
bench_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One screen of FILTER in SORT order at OFFSET (-1: the last screen), with the count first. */
static void
bench_screen(struct index *idx, const struct index_filter *filter, enum index_sort sort,
    bool reverse, int64_t offset, int64_t *rows_out)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GError *error = NULL;
	int64_t n = 0;

	if (!index_query_count_rows(idx, filter, sort, &n, &error) ||
	    !index_query_page(idx, filter, sort, reverse, offset < 0 ? MAX(0, n - SCREEN) : offset,
		SCREEN, n, rows, &error)) {
		fprintf(stderr, "triage-index: %s\n", error->message);
		exit(1);
	}
	*rows_out = n;
	g_ptr_array_unref(rows);
}

/* Print the median time of RUNS screens. */
static void
bench_report(struct index *idx, const char *what, const char *query, enum index_sort sort,
    bool reverse, int64_t offset)
{
	struct index_filter filter = { 0 };
	struct search_error qerr = { 0 };
	struct search_query *q = NULL;
	double t[RUNS];
	int64_t n = 0;
	int i;

	if (query != NULL) {
		if ((q = search_parse(query, 0, &qerr)) == NULL) {
			fprintf(stderr, "triage-index: %s\n", qerr.message);
			exit(1);
		}
		filter.query = q;
	}
	for (i = 0; i < RUNS; i++) {
		double t0 = bench_ms();

		bench_screen(idx, &filter, sort, reverse, offset, &n);
		t[i] = bench_ms() - t0;
	}
	qsort(t, RUNS, sizeof t[0], bench_cmp);
	printf("%-44s %8.2f ms  (%lld rows)\n", what, t[RUNS / 2], (long long)n);
	search_query_free(q);
}

int
main(int argc, char **argv)
{
	struct index *idx;
	GError *error = NULL;
	char *path;
	double t0, t[RUNS];
	int i;

	if (argc != 2) {
		fputs("usage: triage-index STORE\n", stderr);
		return 2;
	}
	path = g_build_filename(argv[1], "index.db", NULL);
	t0 = bench_ms();
	if ((idx = index_open(path, &error)) == NULL) {
		fprintf(stderr, "triage-index: %s\n", error->message);
		return 1;
	}
	printf("%-44s %8.2f ms\n", "open the index", bench_ms() - t0);
	bench_report(idx, "first screen (date, newest first)", NULL, INDEX_SORT_DATE, true, 0);
	bench_report(idx, "jump to the end (date)", NULL, INDEX_SORT_DATE, true, -1);
	bench_report(idx, "first screen, thread view", NULL, INDEX_SORT_THREAD, true, 0);
	bench_report(idx, "jump to the end, thread view", NULL, INDEX_SORT_THREAD, true, -1);
	bench_report(idx, "first screen, by subject", NULL, INDEX_SORT_SUBJECT, false, 0);
	bench_report(idx, "first screen, by sender", NULL, INDEX_SORT_FROM, false, 0);
	bench_report(idx, "first screen, by size", NULL, INDEX_SORT_SIZE, true, 0);
	bench_report(idx, "limit from:alice (count + screen)", "from:alice", INDEX_SORT_DATE, true,
	    0);
	bench_report(idx, "limit ~f alice ~s report", "~f alice ~s report", INDEX_SORT_DATE, true,
	    0);
	bench_report(idx, "limit is:unread (count + screen)", "is:unread", INDEX_SORT_DATE, true, 0);
	bench_report(idx, "limit is:flagged after:30d", "is:flagged after:30d", INDEX_SORT_DATE,
	    true, 0);
	bench_report(idx, "full text, rare word (zymurgy)", "zymurgy", INDEX_SORT_DATE, true, 0);
	bench_report(idx, "full text, common word (meeting)", "meeting", INDEX_SORT_DATE, true, 0);
	bench_report(idx, "limit, thread view: is:unread", "is:unread", INDEX_SORT_THREAD, true, 0);
	for (i = 0; i < RUNS; i++) {
		GPtrArray *counts = g_ptr_array_new_with_free_func(
		    (GDestroyNotify)index_mailbox_count_free);

		t0 = bench_ms();
		if (!index_query_mailbox_counts(idx, counts, &error)) {
			fprintf(stderr, "triage-index: %s\n", error->message);
			return 1;
		}
		t[i] = bench_ms() - t0;
		g_ptr_array_unref(counts);
	}
	qsort(t, RUNS, sizeof t[0], bench_cmp);
	printf("%-44s %8.2f ms\n", "sidebar: counts of every mailbox", t[RUNS / 2]);
	{
		const char *texts[] = { "is:unread", "from:alice", "zymurgy", "is:flagged OR is:tagged" };
		struct search_query *qs[4];
		struct search_error qerr = { 0 };
		int64_t total[4], unread[4];
		int j;

		for (j = 0; j < 4; j++)
			qs[j] = search_parse(texts[j], 0, &qerr);
		for (i = 0; i < RUNS; i++) {
			t0 = bench_ms();
			if (!index_query_counts(idx, (const struct search_query *const *)qs, 4,
				total, unread, &error)) {
				fprintf(stderr, "triage-index: %s\n", error->message);
				return 1;
			}
			t[i] = bench_ms() - t0;
		}
		qsort(t, RUNS, sizeof t[0], bench_cmp);
		printf("%-44s %8.2f ms\n", "sidebar: counts of 4 saved searches", t[RUNS / 2]);
		for (j = 0; j < 4; j++)
			search_query_free(qs[j]);
	}
	t0 = bench_ms();
	if (!index_threads_rebuild(idx, &error)) {
		fprintf(stderr, "triage-index: %s\n", error->message);
		return 1;
	}
	printf("%-44s %8.2f ms\n", "rebuild every thread (once)", bench_ms() - t0);
	index_free(idx);
	g_free(path);
	return 0;
}
