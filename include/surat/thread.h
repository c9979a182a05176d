/*
 * thread: conversations from References and In-Reply-To, with a subject
 * fallback, after Jamie Zawinski's algorithm
 * (https://www.jwz.org/doc/threading.html): containers by Message-ID, links
 * from each References chain that never overwrite a link or make a loop,
 * empty containers pruned, roots grouped by subject, siblings by date.
 *
 * This file is the pure algorithm: messages in, tree order out; no SQLite.
 * The index keeps the result in every row (index.h: thread_id, thread_pos,
 * thread_depth, thread_tree...) and recomputes only the threads a new or
 * changed row can touch (index_threads_update), so a threaded view pages
 * with LIMIT/OFFSET like any other.
 *
 * Where we differ from JWZ (doc/internals/store.md, Threads):
 *   - A duplicate Message-ID gets a container of its own, threaded by its
 *     own References (so both copies show, usually side by side).
 *   - Subject grouping never joins two messages that are both originals (no
 *     "Re:"): two "Weekly report" mails stay two threads, as with mutt's
 *     sort_re.  A reply whose parent is missing joins the latest original
 *     with its subject dated at or before it (else the earliest one); replies
 *     with no original at all are gathered under one missing root.
 *   - The input order never matters: messages are taken by (date, id).
 *
 * The tree prefix of a row is THREAD_TREE characters, one per column of
 * depth, so a row can be drawn alone:
 *   column c < depth-1: THREAD_TREE_LINE ('|') when the ancestor at depth
 *                       c+1 has a later sibling ("│  "), else
 *                       THREAD_TREE_BLANK (' ') ("   ");
 *   column depth-1:     THREAD_TREE_TEE ('+') when this row has a later
 *                       sibling ("├─>"), else THREAD_TREE_CORNER ('`')
 *                       ("└─>").
 * The top message has depth 0 and an empty prefix.  Replies to a message
 * that is missing hang from an invisible root: they have depth 1 and no
 * row above them at depth 0.  Depth is capped at THREAD_DEPTH_MAX (deeper
 * rows are drawn at that depth, still in order).
 */
#ifndef SURAT_THREAD_H
#define SURAT_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#define THREAD_DEPTH_MAX   64
#define THREAD_TREE_LINE   '|'
#define THREAD_TREE_BLANK  ' '
#define THREAD_TREE_TEE    '+'
#define THREAD_TREE_CORNER '`'
/* Most References ids used per message (the root and the latest ones). */
#define THREAD_REFS_MAX    64
/* Longest Message-ID kept; a longer one counts as missing. */
#define THREAD_ID_MAX      998

/* One message to thread.  Strings are borrowed for the call. */
struct thread_msg {
	int64_t id;              /* the row id; unique in one call */
	const char *message_id;  /* without <>, or NULL / "" when it has none */
	const char *in_reply_to; /* without <>, or NULL */
	const char *references;  /* space-separated ids without <>, or NULL */
	const char *subject;     /* as shown; NULL is "" */
	int64_t date;
};

/* Where one message goes. */
struct thread_row {
	int64_t id;          /* the message (thread_msg.id) */
	int64_t thread_id;   /* the smallest id in its thread */
	int64_t parent;      /* the parent message's id, 0 at the top or under a missing one */
	int pos;             /* 0.. in tree order within the thread */
	int depth;           /* 0..THREAD_DEPTH_MAX */
	char tree[THREAD_DEPTH_MAX + 1]; /* depth characters, NUL-terminated */
	int64_t thread_date; /* the latest date in the thread: threads sort by it */
	bool subject_repeat; /* same subject key as the row before it in the thread */
};

/* A Message-ID some message of thread THREAD_ID refers to but no message has. */
struct thread_missing {
	int64_t thread_id;
	char *message_id;
};

/* The result of thread_compute. */
struct thread_set {
	GArray *rows;       /* struct thread_row: each thread's rows in tree order, threads by id */
	GPtrArray *missing; /* struct thread_missing *, sorted by thread_id then id, no duplicates */
};

/*
 * Thread the N messages at MSGS.  Always succeeds; returns a new set (free
 * with thread_set_free) with one row per message.  Costs O(n log n) time and
 * a few hundred bytes per message.
 */
struct thread_set *thread_compute(const struct thread_msg *msgs, size_t n);
void thread_set_free(struct thread_set *set);

/*
 * The key messages are grouped and sorted by subject with: SUBJECT without
 * leading reply prefixes (Re:, RE[2]:, Aw:, Sv:, Antw:, Réf:, 回复:...) and
 * [list] tags, white space collapsed, case-folded.  *REPLY (may be NULL) is
 * set when a reply prefix was removed.  A new string ("" for none).
 */
char *thread_subject_key(const char *subject, bool *reply);

/*
 * The prefix a row is drawn with, from its TREE (see above): "├─>" style box
 * drawing, or with ASCII "|->" / "`->".  Three columns per tree column.  A
 * new string; "" for a top row.
 */
char *thread_prefix(const char *tree, bool ascii);

#endif
