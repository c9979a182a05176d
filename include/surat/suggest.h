/*
 * suggest: "did you mean" for a mistyped name — a config key, an action, a
 * query field — by edit distance.  One measure for every place that offers
 * a hint, so they agree on what counts as near.
 */
#ifndef SURAT_SUGGEST_H
#define SURAT_SUGGEST_H

#include <stddef.h>

/* Longest name measured; longer ones are SUGGEST_FAR from everything. */
#define SUGGEST_NAME_MAX 64
#define SUGGEST_FAR      9

/* The edit distance (Levenshtein, bytes, case counts) of A and B, capped at SUGGEST_FAR. */
int suggest_distance(const char *a, const char *b);

/*
 * The first of the N NAMES (NULL entries skipped) nearest WORD, when it is
 * at most 2 edits away; else NULL.  Borrowed from NAMES.
 */
const char *suggest_nearest(const char *word, const char *const *names, size_t n);

#endif
