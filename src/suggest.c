/*
 * suggest: the edit distance behind every "did you mean" hint.
 */
#include <string.h>
#include <glib.h>

#include "surat/suggest.h"

int
suggest_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[SUGGEST_NAME_MAX + 1], prev, tmp, best;

	if (la > SUGGEST_NAME_MAX || lb > SUGGEST_NAME_MAX)
		return SUGGEST_FAR;
	/* One row of the matrix at a time: ROW[j] is the distance of A[..i] and B[..j]. */
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			best = MIN(best, row[j] + 1);
			row[j] = MIN(best, row[j - 1] + 1);
			prev = tmp;
		}
	}
	return MIN(row[lb], SUGGEST_FAR);
}

const char *
suggest_nearest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	int best_d = 3, d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			continue;
		if ((d = suggest_distance(word, names[i])) < best_d) {
			best_d = d;
			best = names[i];
		}
	}
	return best;
}
