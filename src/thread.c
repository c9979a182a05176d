/*
 * thread: Jamie Zawinski's threading algorithm (thread.h), with the
 * differences thread.h lists.  Pure: arrays in, arrays out.
 *
 * The steps, as https://www.jwz.org/doc/threading.html numbers them:
 *   1. a container per Message-ID; links from each References chain,
 *      never overwriting one and never making a loop; the message's own
 *      parent from the last reference;
 *   2. the root set: containers without a parent;
 *   4. empty containers pruned (children promoted, but not into the root
 *      set unless there is only one);
 *   5. roots grouped by subject;
 *   6. siblings sorted by date.
 * Everything walks with explicit stacks: a reply chain thousands deep must
 * not exhaust the C stack.
 *
 * What it must never do: trust the input to be a tree (References can say
 * anything), or let a hostile header cost more than linear work per message.
 */
#include "surat/thread.h"

#include <string.h>

/* Longest walk up the tree when checking for a loop; past it, no link. */
#define THREAD_WALK_MAX 100000
/* Longest [list] tag stripped from a subject. */
#define THREAD_TAG_MAX 64

struct thread_box {
	const struct thread_msg *msg; /* NULL: an empty container */
	struct thread_box *parent;
	struct thread_box *child;     /* first child */
	struct thread_box *next;      /* next sibling */
	char *key;                    /* subject key (messages) */
	bool reply;                   /* the subject had a reply prefix */
	int64_t date;                 /* the message's, or for an empty one its earliest child's */
	int64_t id;                   /* the message's, or its earliest child's, for ordering */
	bool dead;                    /* removed by pruning or grouping */
};

/* The state of one thread_compute call. */
struct thread_run {
	GPtrArray *boxes;       /* struct thread_box *, owned */
	GHashTable *by_id;      /* Message-ID -> struct thread_box * (borrowed keys) */
	GStringChunk *strings;  /* the ids split out of References */
	GPtrArray **refs;       /* per input message: its reference ids (borrowed strings) */
};

/* True when ID can name a container: not empty, not absurdly long. */
static bool
thread_id_ok(const char *id)
{
	return id != NULL && id[0] != '\0' && strlen(id) <= THREAD_ID_MAX;
}

/* A new box for MSG (may be NULL), owned by RUN. */
static struct thread_box *
thread_box_new(struct thread_run *run, const struct thread_msg *msg)
{
	struct thread_box *b = g_new0(struct thread_box, 1);

	b->msg = msg;
	if (msg != NULL) {
		b->key = thread_subject_key(msg->subject, &b->reply);
		b->date = msg->date;
		b->id = msg->id;
	}
	g_ptr_array_add(run->boxes, b);
	return b;
}

/* Free a box (the boxes array's destructor). */
static void
thread_box_free(gpointer data)
{
	struct thread_box *b = data;

	g_free(b->key);
	g_free(b);
}

/* The box for ID, made empty when it is new. */
static struct thread_box *
thread_box_for(struct thread_run *run, const char *id)
{
	struct thread_box *b = g_hash_table_lookup(run->by_id, id);

	if (b == NULL) {
		b = thread_box_new(run, NULL);
		g_hash_table_insert(run->by_id, (gpointer)id, b);
	}
	return b;
}

/* True when A is B or one of B's ancestors (a link B -> A would loop); also past the walk limit. */
static bool
thread_is_ancestor(const struct thread_box *a, const struct thread_box *b)
{
	int steps = 0;

	for (; b != NULL; b = b->parent) {
		if (b == a || ++steps > THREAD_WALK_MAX)
			return true;
	}
	return false;
}

/* Take CHILD out of its parent's list. */
static void
thread_unlink(struct thread_box *child)
{
	struct thread_box **p;

	if (child->parent == NULL)
		return;
	for (p = &child->parent->child; *p != NULL; p = &(*p)->next) {
		if (*p == child) {
			*p = child->next;
			break;
		}
	}
	child->parent = NULL;
	child->next = NULL;
}

/* Make CHILD (which has no parent) the first child of PARENT. */
static void
thread_link(struct thread_box *parent, struct thread_box *child)
{
	child->parent = parent;
	child->next = parent->child;
	parent->child = child;
}

/*
 * The reference ids of MSG, in order: References, then In-Reply-To when it
 * is not already last (or the only one when there are no References).  Its
 * own id and ids that cannot be containers are left out.
 */
static GPtrArray *
thread_refs(struct thread_run *run, const struct thread_msg *msg)
{
	GPtrArray *refs = g_ptr_array_new();
	const char *p = msg->references;

	while (p != NULL && *p != '\0' && refs->len < THREAD_REFS_MAX) {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t");
		if (n > 0) {
			char *id = g_string_chunk_insert_len(run->strings, p, (gssize)n);

			if (thread_id_ok(id) &&
			    (msg->message_id == NULL || strcmp(id, msg->message_id) != 0))
				g_ptr_array_add(refs, id);
		}
		p += n;
	}
	if (thread_id_ok(msg->in_reply_to) &&
	    (msg->message_id == NULL || strcmp(msg->in_reply_to, msg->message_id) != 0) &&
	    (refs->len == 0 ||
		strcmp(g_ptr_array_index(refs, refs->len - 1), msg->in_reply_to) != 0))
		g_ptr_array_add(refs, g_string_chunk_insert(run->strings, msg->in_reply_to));
	return refs;
}

/* Step 1 for the message MSG (at index I of the input). */
static void
thread_add(struct thread_run *run, const struct thread_msg *msg, size_t i)
{
	struct thread_box *box = NULL, *prev = NULL, *last = NULL;
	GPtrArray *refs;
	guint j;

	if (thread_id_ok(msg->message_id)) {
		box = g_hash_table_lookup(run->by_id, msg->message_id);
		if (box != NULL && box->msg == NULL) {
			box->msg = msg;
			box->key = thread_subject_key(msg->subject, &box->reply);
			box->date = msg->date;
			box->id = msg->id;
		} else if (box != NULL) {
			/* A duplicate Message-ID: a container of its own. */
			box = NULL;
		} else {
			box = thread_box_new(run, msg);
			g_hash_table_insert(run->by_id, (gpointer)msg->message_id, box);
		}
	}
	if (box == NULL)
		box = thread_box_new(run, msg);

	refs = thread_refs(run, msg);
	run->refs[i] = refs;
	for (j = 0; j < refs->len; j++) {
		struct thread_box *b = thread_box_for(run, g_ptr_array_index(refs, j));

		/* Link each to the one before it, unless already linked or a loop. */
		if (prev != NULL && b != prev && b->parent == NULL && !thread_is_ancestor(b, prev))
			thread_link(prev, b);
		prev = b;
	}
	/* The message's own headers are the best word on its parent. */
	if (refs->len > 0)
		last = g_hash_table_lookup(run->by_id, g_ptr_array_index(refs, refs->len - 1));
	if (last != NULL && last != box && last != box->parent && !thread_is_ancestor(box, last)) {
		thread_unlink(box);
		thread_link(last, box);
	}
}

/* Compare boxes by (date, id), for sorting siblings and roots. */
static gint
thread_box_cmp(gconstpointer a, gconstpointer b)
{
	const struct thread_box *x = *(struct thread_box *const *)a;
	const struct thread_box *y = *(struct thread_box *const *)b;

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

/* Every box of the trees under ROOTS, parents before children (preorder), into OUT. */
static void
thread_preorder(GPtrArray *roots, GPtrArray *out)
{
	GPtrArray *stack = g_ptr_array_new();
	guint i;

	for (i = roots->len; i > 0; i--)
		g_ptr_array_add(stack, g_ptr_array_index(roots, i - 1));
	while (stack->len > 0) {
		struct thread_box *b = g_ptr_array_steal_index(stack, stack->len - 1);
		GPtrArray *kids = g_ptr_array_new();
		struct thread_box *c;

		g_ptr_array_add(out, b);
		for (c = b->child; c != NULL; c = c->next)
			g_ptr_array_add(kids, c);
		for (i = kids->len; i > 0; i--)
			g_ptr_array_add(stack, g_ptr_array_index(kids, i - 1));
		g_ptr_array_free(kids, TRUE);
	}
	g_ptr_array_free(stack, TRUE);
}

/*
 * Step 4 below BOX's level: each child that is empty goes, its children
 * taking its place.  Children are pruned before their parent (ORDER holds
 * every box in preorder and is walked backwards).
 */
static void
thread_prune_children(struct thread_box *box)
{
	struct thread_box *c = box->child, *kept = NULL, **tail = &kept;

	while (c != NULL) {
		struct thread_box *next = c->next;

		if (c->msg == NULL) {
			struct thread_box *g = c->child;

			/* Its children, already pruned, move up in its place. */
			while (g != NULL) {
				struct thread_box *gn = g->next;

				g->parent = box;
				g->next = NULL;
				*tail = g;
				tail = &g->next;
				g = gn;
			}
			c->child = NULL;
			c->parent = NULL;
			c->dead = true;
		} else {
			c->next = NULL;
			*tail = c;
			tail = &c->next;
		}
		c = next;
	}
	box->child = kept;
}

/* Step 4 for the root set ROOTS (rewritten in place). */
static void
thread_prune(GPtrArray *roots)
{
	GPtrArray *order = g_ptr_array_new();
	GPtrArray *kept = g_ptr_array_new();
	guint i;

	thread_preorder(roots, order);
	for (i = order->len; i > 0; i--)
		thread_prune_children(g_ptr_array_index(order, i - 1));
	for (i = 0; i < roots->len; i++) {
		struct thread_box *r = g_ptr_array_index(roots, i);

		if (r->msg != NULL) {
			g_ptr_array_add(kept, r);
		} else if (r->child == NULL) {
			r->dead = true;
		} else if (r->child->next == NULL) {
			/* Only one child: it becomes a root itself. */
			r->child->parent = NULL;
			g_ptr_array_add(kept, r->child);
			r->child = NULL;
			r->dead = true;
		} else {
			g_ptr_array_add(kept, r);
		}
	}
	g_ptr_array_set_size(roots, 0);
	g_ptr_array_extend_and_steal(roots, kept);
	g_ptr_array_free(order, TRUE);
}

/* Set each empty box's date and id from its earliest child (they are messages). */
static void
thread_date_empty(GPtrArray *roots)
{
	guint i;

	for (i = 0; i < roots->len; i++) {
		struct thread_box *r = g_ptr_array_index(roots, i), *c;

		if (r->msg != NULL || r->child == NULL)
			continue;
		r->date = r->child->date;
		r->id = r->child->id;
		for (c = r->child; c != NULL; c = c->next) {
			if (c->date < r->date || (c->date == r->date && c->id < r->id)) {
				r->date = c->date;
				r->id = c->id;
			}
		}
	}
}

/* The subject key a root is grouped by: its message's, or its earliest child's. */
static const char *
thread_root_key(const struct thread_box *r)
{
	const struct thread_box *c, *best = NULL;

	if (r->msg != NULL)
		return r->key;
	for (c = r->child; c != NULL; c = c->next) {
		if (c->msg != NULL && (best == NULL || thread_box_cmp(&c, &best) < 0))
			best = c;
	}
	return best != NULL ? best->key : "";
}

/* Move every child of the empty box FROM under TO; FROM dies. */
static void
thread_adopt(struct thread_box *to, struct thread_box *from)
{
	while (from->child != NULL) {
		struct thread_box *c = from->child;

		from->child = c->next;
		c->parent = NULL;
		c->next = NULL;
		thread_link(to, c);
	}
	from->dead = true;
}

/*
 * Group the roots GROUP (one subject key, sorted by date) as thread.h says;
 * an empty root made to hold replies is added to MADE.
 */
static void
thread_group(struct thread_run *run, GPtrArray *group, GPtrArray *made)
{
	GPtrArray *originals = g_ptr_array_new();
	struct thread_box *dummy = NULL;
	guint i, j;

	for (i = 0; i < group->len; i++) {
		struct thread_box *r = g_ptr_array_index(group, i);

		if (r->msg != NULL && !r->reply)
			g_ptr_array_add(originals, r);
		else if (r->msg == NULL && dummy == NULL)
			dummy = r;
	}
	if (originals->len == 0 && dummy == NULL) {
		/* Replies only, none with a parent: one missing root for them all. */
		struct thread_box *first = g_ptr_array_index(group, 0);

		dummy = thread_box_new(run, NULL);
		dummy->date = first->date;
		dummy->id = first->id;
		g_ptr_array_add(made, dummy);
	}
	for (i = 0; i < group->len; i++) {
		struct thread_box *r = g_ptr_array_index(group, i), *to;

		if ((r->msg != NULL && !r->reply) || (originals->len == 0 && r == dummy))
			continue;
		to = dummy;
		if (originals->len > 0) {
			/* The latest original at or before it, else the first one. */
			to = g_ptr_array_index(originals, 0);
			for (j = 0; j < originals->len; j++) {
				struct thread_box *o = g_ptr_array_index(originals, j);

				if (o->date <= r->date)
					to = o;
			}
		}
		if (r->msg == NULL) {
			thread_adopt(to, r);
		} else {
			thread_link(to, r);
			r->dead = true; /* no longer a root */
		}
	}
	g_ptr_array_free(originals, TRUE);
}

/* Step 5: group ROOTS by subject (rewritten in place). */
static void
thread_by_subject(struct thread_run *run, GPtrArray *roots)
{
	GHashTable *groups = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    (GDestroyNotify)g_ptr_array_unref);
	GPtrArray *kept = g_ptr_array_new(), *made = g_ptr_array_new(), *order = g_ptr_array_new();
	guint i;

	g_ptr_array_sort(roots, thread_box_cmp);
	for (i = 0; i < roots->len; i++) {
		struct thread_box *r = g_ptr_array_index(roots, i);
		const char *key = thread_root_key(r);
		GPtrArray *g;

		if (key[0] == '\0')
			continue;
		g = g_hash_table_lookup(groups, key);
		if (g == NULL) {
			g = g_ptr_array_new();
			g_hash_table_insert(groups, (gpointer)key, g);
			g_ptr_array_add(order, g);
		}
		g_ptr_array_add(g, r);
	}
	/* Groups in the order of their first root, so the result never depends on hashing. */
	for (i = 0; i < order->len; i++) {
		GPtrArray *g = g_ptr_array_index(order, i);

		if (g->len > 1)
			thread_group(run, g, made);
	}
	for (i = 0; i < roots->len; i++) {
		struct thread_box *r = g_ptr_array_index(roots, i);

		if (!r->dead)
			g_ptr_array_add(kept, r);
	}
	g_ptr_array_extend_and_steal(kept, made);
	g_ptr_array_set_size(roots, 0);
	g_ptr_array_extend_and_steal(roots, kept);
	g_ptr_array_free(order, TRUE);
	g_hash_table_unref(groups);
}

/* Step 6: sort the children of every box by (date, id). */
static void
thread_sort(GPtrArray *roots)
{
	GPtrArray *order = g_ptr_array_new(), *kids = g_ptr_array_new();
	guint i, j;

	thread_date_empty(roots);
	thread_preorder(roots, order);
	for (i = 0; i < order->len; i++) {
		struct thread_box *b = g_ptr_array_index(order, i), *c;

		if (b->child == NULL || b->child->next == NULL)
			continue;
		g_ptr_array_set_size(kids, 0);
		for (c = b->child; c != NULL; c = c->next)
			g_ptr_array_add(kids, c);
		g_ptr_array_sort(kids, thread_box_cmp);
		for (j = 0; j < kids->len; j++) {
			c = g_ptr_array_index(kids, j);
			c->next = j + 1 < kids->len ? g_ptr_array_index(kids, j + 1) : NULL;
		}
		b->child = g_ptr_array_index(kids, 0);
	}
	g_ptr_array_free(kids, TRUE);
	g_ptr_array_free(order, TRUE);
}

/* One box on the flattening stack. */
struct thread_frame {
	struct thread_box *box;
	int depth;
};

/* Flatten the tree under ROOT (a thread) into SET's rows, in preorder. */
static void
thread_flatten(struct thread_box *root, struct thread_set *set)
{
	GArray *stack = g_array_new(FALSE, FALSE, sizeof(struct thread_frame));
	char cont[THREAD_DEPTH_MAX + 1];
	guint first = set->rows->len, i;
	int64_t thread_id = INT64_MAX, thread_date = INT64_MIN;
	const char *prev_key = NULL;
	struct thread_frame f = { root, 0 };
	int pos = 0;

	memset(cont, THREAD_TREE_BLANK, sizeof cont);
	g_array_append_val(stack, f);
	while (stack->len > 0) {
		struct thread_box *b, *c;
		GPtrArray *kids;
		int depth;

		f = g_array_index(stack, struct thread_frame, stack->len - 1);
		g_array_set_size(stack, stack->len - 1);
		b = f.box;
		depth = f.depth;
		if (depth > 0 && depth <= THREAD_DEPTH_MAX)
			cont[depth] = b->next != NULL ? THREAD_TREE_LINE : THREAD_TREE_BLANK;
		if (b->msg != NULL) {
			struct thread_row row = { 0 };
			int shown = MIN(depth, THREAD_DEPTH_MAX), k;

			row.id = b->msg->id;
			row.parent = b->parent != NULL && b->parent->msg != NULL ? b->parent->msg->id : 0;
			row.pos = pos++;
			row.depth = shown;
			for (k = 0; k + 1 < shown; k++)
				row.tree[k] = cont[k + 1];
			if (shown > 0)
				row.tree[shown - 1] = b->next != NULL ? THREAD_TREE_TEE : THREAD_TREE_CORNER;
			row.tree[shown] = '\0';
			row.subject_repeat = prev_key != NULL && strcmp(prev_key, b->key) == 0;
			prev_key = b->key;
			thread_id = MIN(thread_id, b->msg->id);
			thread_date = MAX(thread_date, b->msg->date);
			g_array_append_val(set->rows, row);
		}
		kids = g_ptr_array_new();
		for (c = b->child; c != NULL; c = c->next)
			g_ptr_array_add(kids, c);
		for (i = kids->len; i > 0; i--) {
			struct thread_frame k = { g_ptr_array_index(kids, i - 1), depth + 1 };

			g_array_append_val(stack, k);
		}
		g_ptr_array_free(kids, TRUE);
	}
	for (i = first; i < set->rows->len; i++) {
		struct thread_row *r = &g_array_index(set->rows, struct thread_row, i);

		r->thread_id = thread_id;
		r->thread_date = thread_date;
	}
	g_array_free(stack, TRUE);
}

/* Compare row ranges of two threads by their thread_id (qsort of thread starts). */
static gint
thread_first_cmp(gconstpointer a, gconstpointer b)
{
	int64_t x = ((const struct thread_row *)a)->thread_id;
	int64_t y = ((const struct thread_row *)b)->thread_id;

	if (x != y)
		return x < y ? -1 : 1;
	return ((const struct thread_row *)a)->pos - ((const struct thread_row *)b)->pos;
}

/* Compare missing entries by thread, then id. */
static gint
thread_missing_cmp(gconstpointer a, gconstpointer b)
{
	const struct thread_missing *x = *(struct thread_missing *const *)a;
	const struct thread_missing *y = *(struct thread_missing *const *)b;

	if (x->thread_id != y->thread_id)
		return x->thread_id < y->thread_id ? -1 : 1;
	return strcmp(x->message_id, y->message_id);
}

/* Free a missing entry. */
static void
thread_missing_free(gpointer data)
{
	struct thread_missing *m = data;

	g_free(m->message_id);
	g_free(m);
}

/* Compare the input messages I and J (indexes) by (date, id). */
static gint
thread_input_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
	const struct thread_msg *msgs = data;
	const struct thread_msg *x = &msgs[*(const size_t *)a];
	const struct thread_msg *y = &msgs[*(const size_t *)b];

	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

/* The missing ids each thread refers to, into SET (sorted, without duplicates). */
static void
thread_collect_missing(struct thread_run *run, const struct thread_msg *msgs, size_t n,
    struct thread_set *set)
{
	GHashTable *thread_of = g_hash_table_new(g_int64_hash, g_int64_equal);
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	size_t i;
	guint j;

	for (j = 0; j < set->rows->len; j++) {
		struct thread_row *r = &g_array_index(set->rows, struct thread_row, j);

		g_hash_table_insert(thread_of, &r->id, &r->thread_id);
	}
	for (i = 0; i < n; i++) {
		const int64_t *t = g_hash_table_lookup(thread_of, &msgs[i].id);
		GPtrArray *refs = run->refs[i];

		for (j = 0; t != NULL && refs != NULL && j < refs->len; j++) {
			const char *id = g_ptr_array_index(refs, j);
			struct thread_box *b = g_hash_table_lookup(run->by_id, id);
			char *k;

			if (b == NULL || b->msg != NULL)
				continue;
			k = g_strdup_printf("%" G_GINT64_FORMAT " %s", (gint64)*t, id);
			if (!g_hash_table_contains(seen, k)) {
				struct thread_missing *m = g_new0(struct thread_missing, 1);

				m->thread_id = *t;
				m->message_id = g_strdup(id);
				g_ptr_array_add(set->missing, m);
				g_hash_table_add(seen, k);
			} else {
				g_free(k);
			}
		}
	}
	g_ptr_array_sort(set->missing, thread_missing_cmp);
	g_hash_table_unref(seen);
	g_hash_table_unref(thread_of);
}

struct thread_set *
thread_compute(const struct thread_msg *msgs, size_t n)
{
	struct thread_set *set = g_new0(struct thread_set, 1);
	struct thread_run run;
	GPtrArray *roots = g_ptr_array_new();
	size_t *order = g_new(size_t, n + 1), i;

	set->rows = g_array_sized_new(FALSE, TRUE, sizeof(struct thread_row), (guint)n);
	set->missing = g_ptr_array_new_with_free_func(thread_missing_free);
	run.boxes = g_ptr_array_new_with_free_func(thread_box_free);
	run.by_id = g_hash_table_new(g_str_hash, g_str_equal);
	run.strings = g_string_chunk_new(4096);
	run.refs = g_new0(GPtrArray *, n + 1);

	/* The input order must not matter: messages go in by (date, id). */
	for (i = 0; i < n; i++)
		order[i] = i;
	g_qsort_with_data(order, (gint)n, sizeof *order, thread_input_cmp, (gpointer)msgs);
	for (i = 0; i < n; i++)
		thread_add(&run, &msgs[order[i]], order[i]);

	for (i = 0; i < run.boxes->len; i++) {
		struct thread_box *b = g_ptr_array_index(run.boxes, i);

		if (b->parent == NULL)
			g_ptr_array_add(roots, b);
	}
	thread_prune(roots);
	thread_date_empty(roots);
	thread_by_subject(&run, roots);
	thread_sort(roots);
	for (i = 0; i < roots->len; i++)
		thread_flatten(g_ptr_array_index(roots, i), set);
	/* Threads by id, each in tree order (a stable order for callers and tests). */
	g_array_sort(set->rows, thread_first_cmp);
	thread_collect_missing(&run, msgs, n, set);

	for (i = 0; i < n; i++) {
		if (run.refs[i] != NULL)
			g_ptr_array_free(run.refs[i], TRUE);
	}
	g_free(run.refs);
	g_free(order);
	g_ptr_array_free(roots, TRUE);
	g_hash_table_unref(run.by_id);
	g_string_chunk_free(run.strings);
	g_ptr_array_unref(run.boxes);
	return set;
}

void
thread_set_free(struct thread_set *set)
{
	if (set == NULL)
		return;
	g_array_free(set->rows, TRUE);
	g_ptr_array_unref(set->missing);
	g_free(set);
}

/* Reply prefixes, lower case, without the colon (mutt's reply_regex and more languages). */
static const char *const thread_reply_words[] = {
	"re", "aw", "sv", "antw", "vs", "ref", "r\xc3\xa9" "f", "rif", "odp", "ynt",
	"\xe5\x9b\x9e\xe5\xa4\x8d", /* 回复 */
	"\xe7\xad\x94\xe5\xa4\x8d", /* 答复 */
	"\xe5\x9b\x9e\xe8\xa6\x86", /* 回覆 */
};

/* The length of a reply prefix at P ("Re:", "RE[2]:", "Aw: "), or 0. */
static size_t
thread_reply_prefix(const char *p)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(thread_reply_words); i++) {
		const char *w = thread_reply_words[i];
		size_t n = strlen(w);
		const char *q;

		if (g_ascii_strncasecmp(p, w, n) != 0)
			continue;
		q = p + n;
		/* An optional count: [2] or (2). */
		if (*q == '[' || *q == '(') {
			char close = *q == '[' ? ']' : ')';
			const char *d = q + 1;

			while (g_ascii_isdigit(*d))
				d++;
			if (d > q + 1 && *d == close)
				q = d + 1;
		}
		if (*q == ':')
			q++;
		else if (strncmp(q, "\xef\xbc\x9a", 3) == 0) /* fullwidth colon */
			q += 3;
		else
			continue;
		return (size_t)(q - p);
	}
	return 0;
}

char *
thread_subject_key(const char *subject, bool *reply)
{
	const char *p = subject != NULL ? subject : "";
	GString *s;
	char *norm, *fold;
	bool is_reply = false, space = false;

	if (!g_utf8_validate(p, -1, NULL))
		p = "";
	for (;;) {
		size_t n;

		while (*p == ' ' || *p == '\t')
			p++;
		if ((n = thread_reply_prefix(p)) > 0) {
			is_reply = true;
			p += n;
			continue;
		}
		if (*p == '[') {
			const char *end = strchr(p, ']');

			if (end != NULL && end - p <= THREAD_TAG_MAX && end[1] != '\0') {
				p = end + 1;
				continue;
			}
		}
		break;
	}
	s = g_string_new(NULL);
	for (; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			space = true;
			continue;
		}
		if (space && s->len > 0)
			g_string_append_c(s, ' ');
		space = false;
		g_string_append_c(s, *p);
	}
	norm = g_utf8_normalize(s->str, -1, G_NORMALIZE_DEFAULT);
	fold = g_utf8_casefold(norm != NULL ? norm : "", -1);
	g_free(norm);
	g_string_free(s, TRUE);
	if (reply != NULL)
		*reply = is_reply;
	return fold;
}

char *
thread_prefix(const char *tree, bool ascii)
{
	GString *s = g_string_new(NULL);

	for (; tree != NULL && *tree != '\0'; tree++) {
		switch (*tree) {
		case THREAD_TREE_LINE:
			g_string_append(s, ascii ? "|  " : "\xe2\x94\x82  ");
			break;
		case THREAD_TREE_TEE:
			g_string_append(s, ascii ? "|->" : "\xe2\x94\x9c\xe2\x94\x80>");
			break;
		case THREAD_TREE_CORNER:
			g_string_append(s, ascii ? "`->" : "\xe2\x94\x94\xe2\x94\x80>");
			break;
		default:
			g_string_append(s, "   ");
			break;
		}
	}
	return g_string_free(s, FALSE);
}
