/*
 * bench/colour-rules STORE: what the index colour rules (`color`, object
 * index) cost on STORE/index.db (run `surat reindex` on the store first):
 * index_rules_match on a screen of 50 rows at the top, the middle and the
 * end of the date order, for the first 1, 2, 6 and 7 rules of a list as
 * one statement, and the same rules as one statement each, then each rule
 * alone on the first page.  Medians of RUNS runs, in milliseconds; the
 * page read itself (index_query_page) for comparison.  The store:
 * bench/gen-maildir.py STORE/bench 100000, then surat reindex.  Not a test.
 *
 * Build (from a build directory without sanitizers):
 *   cc -O2 -std=c11 -I$SRC/include $SRC/bench/colour-rules.c libsurat.a \
 *      $(pkg-config --cflags --libs glib-2.0 gmime-3.0 sqlite3 libxml-2.0 libconfig openssl)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "surat/index.h"
#include "surat/search.h"

#define RUNS   21
#define SCREEN 50

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

static double
bench_median(double *t)
{
	qsort(t, RUNS, sizeof *t, bench_cmp);
	return t[RUNS / 2];
}

static void
bench_die(const char *what, GError *error)
{
	fprintf(stderr, "colour-rules: %s: %s\n", what, error != NULL ? error->message : "?");
	exit(1);
}

int
main(int argc, char **argv)
{
	static const char *const texts[] = {
		"~f kowalski | is:flagged", "is:unread", "~s invoice", "has:attachment",
		"~b xylophonic", "subject:release", "~b the",
	};
	static const size_t sets[] = { 1, 2, 6, 7 };
	struct search_query *queries[G_N_ELEMENTS(texts)];
	struct index_filter filter = { 0 };
	struct index *idx;
	GError *error = NULL;
	char *path;
	int64_t total = 0, unread = 0;
	size_t i, s, p;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: colour-rules STORE\n");
		return 2;
	}
	path = g_build_filename(argv[1], "index.db", NULL);
	if ((idx = index_open(path, &error)) == NULL)
		bench_die(path, error);
	if (!index_query_count(idx, &filter, &total, &unread, &error))
		bench_die("count", error);
	printf("%" G_GINT64_FORMAT " messages; a screen of %d rows; medians of %d runs, ms\n",
	    total, SCREEN, RUNS);
	for (i = 0; i < G_N_ELEMENTS(texts); i++) {
		struct search_error e = { 0 };

		if ((queries[i] = search_parse(texts[i], 0, &e)) == NULL) {
			fprintf(stderr, "colour-rules: %s: %s\n", texts[i], e.message);
			return 1;
		}
	}
	for (p = 0; p < 3; p++) {
		int64_t offset = p == 0 ? 0 : p == 1 ? total / 2 : MAX(0, total - SCREEN);
		GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
		int64_t ids[SCREEN];
		int first[SCREEN];
		double t[RUNS];
		size_t n;

		for (r = 0; r < RUNS; r++) {
			double t0 = bench_ms();

			g_ptr_array_set_size(rows, 0);
			if (!index_query_page(idx, &filter, INDEX_SORT_DATE, false, offset, SCREEN,
			    total, rows, &error))
				bench_die("page", error);
			t[r] = bench_ms() - t0;
		}
		n = rows->len;
		for (i = 0; i < n; i++)
			ids[i] = ((const struct index_message *)g_ptr_array_index(rows, i))->id;
		printf("page at %" G_GINT64_FORMAT ": read %.2f", offset, bench_median(t));
		for (s = 0; s < G_N_ELEMENTS(sets); s++) {
			struct index_rules *one = index_rules_new(
			    (const struct search_query *const *)queries, sets[s]);
			struct index_rules *each[G_N_ELEMENTS(texts)];
			int hits = 0;

			for (i = 0; i < sets[s]; i++)
				each[i] = index_rules_new(
				    (const struct search_query *const *)&queries[i], 1);
			for (r = 0; r < RUNS; r++) {
				double t0 = bench_ms();

				if (!index_rules_match(idx, one, ids, n, first, &error))
					bench_die("match", error);
				t[r] = bench_ms() - t0;
			}
			for (i = 0; i < n; i++)
				hits += first[i] >= 0;
			printf("; %zu rule%s: %.2f (%d rows match)", sets[s], sets[s] > 1 ? "s" : "",
			    bench_median(t), hits);
			for (r = 0; r < RUNS; r++) {
				double t0 = bench_ms();

				for (i = 0; i < sets[s]; i++)
					if (!index_rules_match(idx, each[i], ids, n, first, &error))
						bench_die("match", error);
				t[r] = bench_ms() - t0;
			}
			printf(", one statement each %.2f", bench_median(t));
			for (i = 0; i < sets[s]; i++)
				index_rules_free(each[i]);
			index_rules_free(one);
		}
		printf("\n");
		/* Each rule alone, where the time goes. */
		for (i = 0; p == 0 && i < G_N_ELEMENTS(texts); i++) {
			struct index_rules *one = index_rules_new(
			    (const struct search_query *const *)&queries[i], 1);

			for (r = 0; r < RUNS; r++) {
				double t0 = bench_ms();

				if (!index_rules_match(idx, one, ids, n, first, &error))
					bench_die("match", error);
				t[r] = bench_ms() - t0;
			}
			printf("  %-26s %.2f\n", texts[i], bench_median(t));
			index_rules_free(one);
		}
		g_ptr_array_unref(rows);
	}
	for (i = 0; i < G_N_ELEMENTS(texts); i++)
		search_query_free(queries[i]);
	index_free(idx);
	g_free(path);
	return 0;
}
