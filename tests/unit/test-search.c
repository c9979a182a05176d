/* Unit tests for search.c: the query language, its tree, its SQL and its errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>
#include <glib.h>
#include <string.h>

#include "testlib.h"
#include "surat/index.h"
#include "surat/search.h"

/* 2026-05-28 20:26:40 UTC: relative dates count from here. */
#define NOW 1780000000

/* The tree of TEXT, as search_query_describe writes it (a new string), or the test fails. */
static char *
describe(const char *text)
{
	struct search_error e = { 0 };
	struct search_query *q = search_parse(text, NOW, &e);
	char *d;

	if (q == NULL)
		fail_msg("'%s' was refused: column %d: %s", text, e.column, e.message);
	d = search_query_describe(q);
	search_query_free(q);
	return d;
}

/* Assert that TEXT parses to the tree WANT. */
static void
assert_tree(const char *text, const char *want)
{
	char *d = describe(text);

	if (strcmp(d, want) != 0)
		fail_msg("'%s' gave %s, wanted %s", text, d, want);
	g_free(d);
}

/* Assert that TEXT is refused at COLUMN with a message containing WANT. */
static void
assert_error(const char *text, int column, const char *want)
{
	struct search_error e = { 0 };
	struct search_query *q = search_parse(text, NOW, &e);

	if (q != NULL) {
		char *d = search_query_describe(q);

		fail_msg("'%s' was accepted as %s", text, d);
	}
	assert_non_null(e.message);
	if (e.column != column || strstr(e.message, want) == NULL)
		fail_msg("'%s': column %d: %s; wanted column %d and '%s'", text, e.column, e.message,
		    column, want);
	search_error_clear(&e);
	assert_null(e.message);
}

static void
test_fields(void **state)
{
	(void)state;
	assert_tree("from:alice", "(from \"alice\"*)");
	assert_tree("to:bob", "(to \"bob\"*)");
	assert_tree("cc:carol", "(cc \"carol\"*)");
	assert_tree("subject:meeting", "(subject \"meeting\"*)");
	assert_tree("body:\"exact phrase\"", "(body \"exact phrase\")");
	assert_tree("account:work", "(account \"work\")");
	assert_tree("folder:Archive", "(folder \"Archive\")");
	assert_tree("folder:inbox", "(folder \"\")");
	assert_tree("has:attachment", "(has attachment)");
	assert_tree("FROM:alice", "(from \"alice\"*)");
}

static void
test_status(void **state)
{
	(void)state;
	assert_tree("is:unread", "(is unread)");
	assert_tree("is:read", "(is read)");
	assert_tree("is:flagged", "(is flagged)");
	assert_tree("is:deleted", "(is deleted)");
	assert_tree("is:partial", "(is partial)");
	assert_tree("is:tagged", "(is tagged)");
}

static void
test_bare_words(void **state)
{
	(void)state;
	assert_tree("alice", "(text \"alice\"*)");
	assert_tree("alice bob", "(and (text \"alice\"*) (text \"bob\"*))");
	assert_tree("\"quarterly report\"", "(text \"quarterly report\")");
	/* A field takes one word; the next is a bare word again. */
	assert_tree("subject:hello world", "(and (subject \"hello\"*) (text \"world\"*))");
	/* Lower-case operators are words. */
	assert_tree("cats and dogs", "(and (text \"cats\"*) (text \"and\"*) (text \"dogs\"*))");
}

static void
test_operators(void **state)
{
	(void)state;
	assert_tree("from:alice OR to:bob", "(or (from \"alice\"*) (to \"bob\"*))");
	assert_tree("a AND b", "(and (text \"a\"*) (text \"b\"*))");
	assert_tree("NOT is:unread", "(not (is unread))");
	assert_tree("-is:unread", "(not (is unread))");
	/* NOT binds tightest, then AND, then OR. */
	assert_tree("a OR b c", "(or (text \"a\"*) (and (text \"b\"*) (text \"c\"*)))");
	assert_tree("(a OR b) c", "(and (or (text \"a\"*) (text \"b\"*)) (text \"c\"*))");
	assert_tree("NOT a b", "(and (not (text \"a\"*)) (text \"b\"*))");
	assert_tree("NOT (a OR b)", "(not (or (text \"a\"*) (text \"b\"*)))");
	assert_tree("((a))", "(text \"a\"*)");
}

static void
test_dates(void **state)
{
	(void)state;
	/* 2026-01-01 .. 2026-04-01 (the end month is whole). */
	assert_tree("date:2026-01..2026-03", "(date 1767225600 1775001600)");
	assert_tree("date:2026", "(date 1767225600 1798761600)");
	assert_tree("date:2026-01-15", "(date 1768435200 1768521600)");
	assert_tree("before:2026-01-15", "(date - 1768435200)");
	/* after: and before: leave the day itself out. */
	assert_tree("after:2026-01-15", "(date 1768521600 -)");
	assert_tree("date:2026-03..", "(date 1772323200 -)");
	assert_tree("date:..2026-02", "(date - 1772323200)");
	/* 7d: since seven days before NOW. */
	assert_tree("after:7d", "(date 1779395200 -)");
	assert_tree("date:7d", "(date 1779395200 -)");
}

static void
test_sizes(void **state)
{
	(void)state;
	assert_tree("size:>1M", "(size 1048577 -)");
	assert_tree("size:>=1M", "(size 1048576 -)");
	assert_tree("size:<10k", "(size - 10240)");
	assert_tree("size:1M..5M", "(size 1048576 5242881)");
}

static void
test_mutt_patterns(void **state)
{
	(void)state;
	/* mutt's meaning: regular expressions, any case unless one is upper case. */
	assert_tree("~f alice", "(from /alice/i)");
	assert_tree("~t bob", "(to /bob/i)");
	assert_tree("~c carol", "(cc /carol/i)");
	assert_tree("~s meet", "(subject /meet/i)");
	assert_tree("~s Re:.*plan", "(subject /Re:.*plan/)");
	assert_tree("~s \"(relay|debian)\"", "(subject /(relay|debian)/i)");
	assert_tree("~s '\\S+ x'", "(subject /\\S+ x/i)");
	assert_tree("~s 'it\\'s'", "(subject /it's/i)");
	assert_tree("(~s foo(bar)?)", "(subject /foo(bar)?/i)");
	assert_tree("~b word", "(body /word/i)");
	assert_tree("~B whole", "(text /whole/i)");
	assert_tree("~h ^X-Spam:", "(headers /^X-Spam:/)");
	assert_tree("~e list", "(sender /list/i)");
	assert_tree("~L bob", "(parties /bob/i)");
	assert_tree("~x abc@x", "(references /abc@x/i)");
	assert_tree("~i abc@x", "(id /abc@x/i)");
	assert_tree("=s a.b", "(subject =\"a.b\"i)");
	assert_tree("=f Alice", "(from =\"Alice\")");
	assert_tree("~l ~p ~P", "(and (list) (to-me) (from-me))");
	assert_tree("~m 3-5", "(number 3 6)");
	assert_tree("~m 7", "(number 7 8)");
	assert_tree("~m -4", "(number - 5)");
	assert_tree("~m 2-", "(number 2 -)");
	assert_tree("~(~f alice)", "(thread (from /alice/i))");
	assert_tree("~<(~F) ~>(~s x)", "(and (parent (is flagged)) (children (subject /x/i)))");
	/* A word that starts with '=' is a word. */
	assert_tree("=x1", "(text \"=x1\"*)");
	assert_tree("~N", "(is new)");
	assert_tree("~O", "(is old)");
	assert_tree("~F", "(is flagged)");
	assert_tree("~D", "(is deleted)");
	assert_tree("~T", "(is tagged)");
	assert_tree("~d 01/01/2026-31/01/2026", "(date 1767225600 1769904000)");
	assert_tree("~d <7d", "(date 1779395200 -)");
	assert_tree("~z >10K", "(size 10241 -)");
	/* ! and | mean NOT and OR; both syntaxes mix. */
	assert_tree("!~N | ~F", "(or (not (is new)) (is flagged))");
	assert_tree("~f alice is:unread", "(and (from /alice/i) (is unread))");
	assert_tree("~f alice ~s meet", "(and (from /alice/i) (subject /meet/i))");
	assert_tree("~s a|~s b", "(or (subject /a/i) (subject /b/i))");
}

static void
test_blank_matches_all(void **state)
{
	struct search_error e = { 0 };
	struct search_query *q = search_parse("   ", NOW, &e);

	(void)state;
	assert_non_null(q);
	/* No tree: the index reads it as every message (test_query_index's ""). */
	assert_null(search_query_root(q));
	search_query_free(q);
}

static void
test_errors(void **state)
{
	(void)state;
	assert_error("form:alice", 1, "did you mean from:?");
	assert_error("from:alice AND sujbect:x", 16, "did you mean subject:?");
	assert_error("(a", 1, "missing ')'");
	assert_error("a)", 2, "unexpected ')'");
	assert_error("date:bogus", 6, "bad date 'bogus'");
	assert_error("is:unread date:2026-13", 16, "bad date");
	assert_error("~X", 1, "unknown pattern '~X'");
	assert_error("alice ~X", 7, "unknown pattern");
	assert_error("is:foo", 4, "unknown is: value 'foo'");
	assert_error("\"unterminated", 1, "missing closing '\"'");
	assert_error("OR a", 1, "OR needs something before it");
	assert_error("a AND", 3, "AND needs something after it");
	assert_error("size:>x", 6, "bad size '>x'");
	assert_error("has:nothing", 5, "");
	assert_error("~s \"(relay\"", 4, "not a regular expression");
	assert_error("~s", 1, "~s needs a value");
	assert_error("~m x", 4, "~m takes message numbers");
	assert_error("~m 9-3", 4, "ends before it starts");
	assert_error("~< ~f a", 1, "~< needs a pattern in parentheses");
	assert_error("~lx", 1, "~l takes no value");
	assert_error("~s 'open", 4, "missing closing");
}

/* How a query was read, in words: what the interface says when nothing matched. */
static void
test_explain(void **state)
{
	struct search_error e = { 0 };
	struct search_query *q;
	char *got;

	(void)state;
	q = search_parse("~s Re:.*plan", NOW, &e);
	got = search_query_explain(q);
	assert_string_equal(got, "Subject matches the regular expression /Re:.*plan/ (case counts: "
	    "it has an upper-case letter)");
	g_free(got);
	search_query_free(q);
	q = search_parse("from:ali =s x.y !~F", NOW, &e);
	got = search_query_explain(q);
	assert_string_equal(got, "(From has words starting with \"ali\" and Subject contains "
	    "\"x.y\" (any case) and not is flagged)");
	g_free(got);
	search_query_free(q);
	assert_true(search_regex_caseless("\\S+ \\W"));
	assert_false(search_regex_caseless("\\S+ W"));
}

static void
test_error_column_in_characters(void **state)
{
	(void)state;
	/* "héllo " is 6 characters but 7 bytes: the column counts characters. */
	assert_error("héllo form:x", 7, "unknown field");
}

static void
test_caps(void **state)
{
	GString *s = g_string_new(NULL);
	struct search_error e = { 0 };
	int i;

	(void)state;
	for (i = 0; i < SEARCH_TERMS_MAX + 1; i++)
		g_string_append_printf(s, "w%d ", i);
	assert_null(search_parse(s->str, NOW, &e));
	assert_non_null(e.message);
	search_error_clear(&e);
	g_string_truncate(s, 0);
	for (i = 0; i < SEARCH_DEPTH_MAX + 1; i++)
		g_string_append_c(s, '(');
	g_string_append(s, "a");
	for (i = 0; i < SEARCH_DEPTH_MAX + 1; i++)
		g_string_append_c(s, ')');
	assert_null(search_parse(s->str, NOW, &e));
	assert_non_null(e.message);
	search_error_clear(&e);
	g_string_free(s, TRUE);
}

static void
test_words_for_highlight(void **state)
{
	struct search_error e = { 0 };
	struct search_query *q = search_parse("alice NOT bob subject:meet", NOW, &e);
	GPtrArray *words = g_ptr_array_new_with_free_func(g_free);

	(void)state;
	assert_non_null(q);
	search_query_words(q, words);
	assert_int_equal(words->len, 2);
	assert_string_equal(g_ptr_array_index(words, 0), "alice");
	assert_string_equal(g_ptr_array_index(words, 1), "meet");
	g_ptr_array_unref(words);
	search_query_free(q);
}

/* ---- queries over the index: search_query in struct index_filter, sorting, paging ---- */


struct fixture {
	char *dir;
	struct index *idx;
};

static int
setup(void **state)
{
	struct fixture *f = g_new0(struct fixture, 1);

	f->idx = testlib_index_new("surat-search-XXXXXX", &f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	index_free(f->idx);
	testlib_rmtree(f->dir);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* One message of the test set. */
struct sample {
	const char *base, *account, *from, *to, *cc, *subject, *body, *flags;
	int64_t date, arrival, size;
	bool attachment, partial;
};

/* Dates: 2026-01-10, 2026-02-10, 2026-03-10, 2026-05-27 (a day before NOW). */
static const struct sample samples[] = {
	{ "1.a", "work", "Alice Smith", "bob@x", "carol@x", "Budget meeting", "the quarterly numbers",
	    "S", 1768003200, 10, 2000, false, false },
	{ "2.b", "work", "Bob Jones", "alice@x", "", "Re: Budget meeting", "zanzibar is rare",
	    "", 1770681600, 30, 3 * 1024 * 1024, true, false },
	{ "3.c", "home", "Carol King", "dave@x", "alice@x", "holiday photos", "see attached",
	    "FS", 1773100800, 20, 500, true, false },
	{ "4.d", "home", "dave", "carol@x", "", "[list] Lunch", "sandwiches",
	    "T", 1779913600, 40, 100, false, true },
};

/* Store the samples. */
static void
load(struct fixture *f)
{
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(samples); i++) {
		const struct sample *s = &samples[i];
		struct index_message m = { 0 };

		m.account = g_strdup(s->account);
		m.subdir = g_strdup(s->flags[0] != '\0' ? "cur" : "new");
		m.base = g_strdup(s->base);
		m.flags = g_strdup(s->flags);
		m.from = g_strdup(s->from);
		m.from_addr = g_strdup("x@x");
		m.to = g_strdup(s->to);
		m.to_addr = g_strdup(s->to);
		m.cc = g_strdup(s->cc);
		m.cc_addr = g_strdup(s->cc);
		m.subject = g_strdup(s->subject);
		m.date = s->date;
		m.arrival = s->arrival;
		m.size = s->size;
		m.has_attachment = s->attachment;
		m.partial = s->partial;
		m.state = INDEX_STATE_STORED;
		assert_true(index_put(f->idx, &m, s->body, NULL));
		index_message_clear(&m);
	}
	assert_true(index_threads_update(f->idx, NULL));
}

/* The bases of the rows QUERY matches in SORT order, space-separated (a new string). */
static char *
matches(struct fixture *f, const char *query, enum index_sort sort, bool reverse)
{
	struct search_error e = { 0 };
	struct search_query *q = search_parse(query, NOW, &e);
	struct index_filter filter = { 0 };
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	GString *s = g_string_new(NULL);
	GError *error = NULL;
	guint i;

	if (q == NULL)
		fail_msg("'%s': %s", query, e.message);
	filter.query = q;
	if (!index_query_page(f->idx, &filter, sort, reverse, 0, 100, -1, rows, &error))
		fail_msg("'%s': %s", query, error->message);
	for (i = 0; i < rows->len; i++) {
		const struct index_message *m = g_ptr_array_index(rows, i);

		g_string_append_printf(s, "%s%s", i > 0 ? " " : "", m->base);
	}
	g_ptr_array_unref(rows);
	search_query_free(q);
	return g_string_free(s, FALSE);
}

/* Assert that QUERY matches exactly WANT (bases in date order). */
static void
assert_matches(struct fixture *f, const char *query, const char *want)
{
	char *got = matches(f, query, INDEX_SORT_DATE, false);

	if (strcmp(got, want) != 0)
		fail_msg("'%s' matched '%s', wanted '%s'", query, got, want);
	g_free(got);
}

static void
test_query_index(void **state)
{
	struct fixture *f = *state;

	load(f);
	assert_matches(f, "", "1.a 2.b 3.c 4.d");
	assert_matches(f, "from:alice", "1.a");
	assert_matches(f, "to:alice", "2.b");
	assert_matches(f, "cc:alice", "3.c");
	assert_matches(f, "subject:budget", "1.a 2.b");
	assert_matches(f, "body:quarterly", "1.a");
	assert_matches(f, "zanzibar", "2.b");
	assert_matches(f, "budg", "1.a 2.b");
	assert_matches(f, "\"budget meeting\"", "1.a 2.b");
	assert_matches(f, "is:unread", "2.b 4.d");
	assert_matches(f, "is:read", "1.a 3.c");
	assert_matches(f, "is:flagged", "3.c");
	assert_matches(f, "is:deleted", "4.d");
	assert_matches(f, "is:partial", "4.d");
	assert_matches(f, "has:attachment", "2.b 3.c");
	assert_matches(f, "account:home", "3.c 4.d");
	assert_matches(f, "folder:inbox", "1.a 2.b 3.c 4.d");
	assert_matches(f, "date:2026-02", "2.b");
	assert_matches(f, "date:2026-01..2026-02", "1.a 2.b");
	assert_matches(f, "before:2026-02-01", "1.a");
	assert_matches(f, "after:2026-03-01", "3.c 4.d");
	assert_matches(f, "after:7d", "4.d");
	assert_matches(f, "size:>1M", "2.b");
	assert_matches(f, "size:<1k", "3.c 4.d");
	assert_matches(f, "from:alice OR from:carol", "1.a 3.c");
	assert_matches(f, "budget NOT is:unread", "1.a");
	assert_matches(f, "(from:bob OR from:dave) is:unread", "2.b 4.d");
	assert_matches(f, "NOT (budget OR holiday)", "4.d");
	assert_matches(f, "~f alice | ~f carol", "1.a 3.c");
	assert_matches(f, "~s budget !~N", "1.a");
	/* 4.d is unread but in cur/: old, not new. */
	assert_matches(f, "~N", "2.b");
	assert_matches(f, "~O", "4.d");
	assert_matches(f, "~F", "3.c");
	assert_matches(f, "~D", "4.d");
	assert_matches(f, "~z >1M", "2.b");
	assert_matches(f, "~d 01/02/2026-28/02/2026", "2.b");
	assert_matches(f, "~b sandwiches", "4.d");
	assert_matches(f, "~B sandwiches ~t carol", "4.d");
	assert_matches(f, "~c alice", "3.c");
	/* FTS syntax in user text is only text. */
	assert_matches(f, "\"NEAR(a b)\" OR body:\"x*\"", "");
	/* Punctuation inside quotes is no syntax: it is dropped like any. */
	assert_matches(f, "subject:\"^budget\"", "1.a 2.b");
}

/* Header blocks of the pattern samples' files, by base name (index_headers_fn). */
static char *
fake_headers(const char *account, const char *folder, const char *subdir, const char *base,
    const char *flags, void *data)
{
	(void)account, (void)folder, (void)subdir, (void)flags, (void)data;
	if (strcmp(base, "p2") == 0)
		return g_strdup("From: a@x\nX-Spam: yes\nList-Id: <dev.lists.x>\nSender: dev-bounces@lists.x");
	if (strcmp(base, "p4") == 0)
		return NULL; /* a file that went away matches nothing */
	return g_strdup("From: a@x\nSubject: whatever");
}

/*
 * The mutt patterns against rows as mutt reads them: regular expressions
 * anywhere in the field, where the word index finds only words by prefix.
 */
static void
test_patterns_index(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *base, *from, *from_addr, *to_addr, *subject, *body, *id, *reply_to;
		int64_t arrival;
	} rows[] = {
		{ "p1", "Ann Relay", "ann@x", "me@home", "Re: the plan", "call the relay", "r1@x", NULL, 1 },
		{ "p2", "Debian Bot", "bot@lists.x", "dev@lists.x", "Reminder: upgrade",
		    "Version 12.2 is out", "r2@x", "r1@x", 2 },
		{ "p3", "me", "me@home", "ann@x", "Plan B", "no relay here", "r3@x", "r2@x", 3 },
		{ "p4", "Zed", "zed@x", "old@work.example", "misc", "x", "r4@x", NULL, 4 },
	};
	GRegex *alt = g_regex_new("^old@work\\.example$", G_REGEX_CASELESS, 0, NULL);
	const char *own[] = { "ME@home", NULL };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(rows); i++) {
		struct index_message m = { 0 };

		m.account = g_strdup("a");
		m.subdir = g_strdup("cur");
		m.base = g_strdup(rows[i].base);
		m.flags = g_strdup("S");
		m.from = g_strdup(rows[i].from);
		m.from_addr = g_strdup(rows[i].from_addr);
		m.to = g_strdup(rows[i].to_addr);
		m.to_addr = g_strdup(rows[i].to_addr);
		m.subject = g_strdup(rows[i].subject);
		m.message_id = g_strdup(rows[i].id);
		m.in_reply_to = g_strdup(rows[i].reply_to);
		m.references = g_strdup(rows[i].reply_to);
		m.date = 1768003200 + rows[i].arrival;
		m.arrival = rows[i].arrival;
		m.state = INDEX_STATE_STORED;
		/* p4's file is gone: what the index kept of it (schema 9) answers ~e and ~l. */
		if (strcmp(rows[i].base, "p4") == 0) {
			m.sender = g_strdup("Owner <owner@p4.example>");
			m.list = g_strdup("<p4.lists.example>");
		}
		assert_true(index_put(f->idx, &m, rows[i].body, NULL));
		index_message_clear(&m);
	}
	assert_true(index_threads_update(f->idx, NULL));
	index_set_headers_reader(f->idx, fake_headers, NULL, NULL);
	index_set_own_addresses(f->idx, own, alt);
	g_regex_unref(alt);

	/* Anywhere in the field: "lay" is in "Relay"; the word index needs a word's start. */
	assert_matches(f, "~f lay", "p1");
	assert_matches(f, "from:lay", "");
	/* Re: is the text "Re:", not the word "re" that starts "Reminder". */
	assert_matches(f, "~s Re:", "p1");
	assert_matches(f, "~s Re:.*plan", "p1");
	assert_matches(f, "~s \"(relay|debian)\"", "");
	assert_matches(f, "~f \"(relay|debian)\"", "p1 p2");
	/* Upper case makes case count, as in mutt. */
	assert_matches(f, "~s plan", "p1 p3");
	assert_matches(f, "~s Plan", "p3");
	/* = is a plain string: the dot is a dot. */
	assert_matches(f, "~b 12.2", "p2");
	assert_matches(f, "=b 1..2", "");
	assert_matches(f, "~b 1..2", "p2");
	assert_matches(f, "~B relay", "p1 p3");
	/* The LIKE the index tries first never loses a match: repeats, groups, classes. */
	assert_matches(f, "~s 'x{0,3}Plan'", "p3");
	assert_matches(f, "~f '(ann )?relay'", "p1");
	/* Over several columns: each column on its own, as mutt matches each address. */
	assert_matches(f, "~L 'relay$'", "p1");
	assert_matches(f, "~L '^ann@'", "p1 p3");
	assert_matches(f, "~L 'relay[^x]*ann'", "");
	assert_matches(f, "~L 'relay\\s*ann'", "");
	/* Alternatives: a LIKE for each, ORed. */
	assert_matches(f, "~f 'relay|bot@'", "p1 p2");
	assert_matches(f, "~f 'nothere|debian'", "p2");
	assert_matches(f, "~f 'a(x|n)n'", "p1");
	assert_matches(f, "~f '[^]x]nn R'", "p1");
	assert_matches(f, "~s 'Planz?'", "p3");
	assert_matches(f, "~s 'Re: t*he'", "p1");
	assert_matches(f, "=s 'e: the pl'", "p1");
	/* The word index's candidates for a body pattern never lose one either. */
	assert_matches(f, "~b 'e rel'", "p1");
	assert_matches(f, "~b '\\brel'", "p1 p3");
	assert_matches(f, "~b 'ay h'", "p3");
	assert_matches(f, "~b '^call the'", "p1");
	assert_matches(f, "~b 'is out'", "p2");
	assert_matches(f, "~b 'THE RELAY'", "");
	assert_matches(f, "=b 'o relay'", "p3");
	assert_matches(f, "~b ^no", "p3");
	assert_matches(f, "~i ^r[12]@", "p1 p2");
	assert_matches(f, "~x r1@x", "p2");
	assert_matches(f, "~L lists", "p2");
	assert_matches(f, "~C ann@", "p3");
	/* The file's headers: ~h any line, ~e Sender, ~l a list's headers. */
	assert_matches(f, "~h '^X-Spam: yes'", "p2");
	assert_matches(f, "~h ^subject:", "p1 p3");
	assert_matches(f, "~e bounces", "p2");
	assert_matches(f, "~l", "p2 p4");
	assert_matches(f, "~e '^owner <'", "p4");
	/* Mine: the account's address in any case, and alternates. */
	assert_matches(f, "~p", "p1 p4");
	assert_matches(f, "~P", "p3");
	/* Numbers count the folder's messages in the order they came. */
	assert_matches(f, "~m 2-3", "p2 p3");
	assert_matches(f, "~m -1", "p1");
	/* Threads: p1 <- p2 <- p3; p4 alone. */
	assert_matches(f, "~(~s Plan)", "p1 p2 p3");
	assert_matches(f, "~<(~f ann)", "p2");
	assert_matches(f, "~>(~f me)", "p2");
	assert_matches(f, "~(~f zed)", "p4");
	assert_matches(f, "!~(~b relay)", "p4");
}

/* The index compiles the tree with every value bound: the text is never SQL. */
static void
test_sql_binds_values(void **state)
{
	struct fixture *f = *state;

	load(f);
	assert_matches(f, "account:x';DROP TABLE messages", "");
	assert_matches(f, "account:\"home' OR '1'='1\"", "");
	assert_matches(f, "id:\"a' OR 1=1 --\"", "");
	/* The table is still there, whole. */
	assert_matches(f, "", "1.a 2.b 3.c 4.d");
	assert_matches(f, "account:home", "3.c 4.d");
}

/*
 * Colour rules: several queries, each with its own parameters, in one
 * statement over some rows: the first that matches each row, -1 for none
 * and for an id that is no row.
 */
static void
test_rules(void **state)
{
	static const char *const texts[] = { "is:flagged", "~f alice | ~f carol", "budget",
		"account:home" };
	static const char *const bases[] = { "1.a", "2.b", "3.c", "4.d" };
	static const int want[] = { 1, 2, 0, 3, -1 };
	struct fixture *f = *state;
	struct search_query *q[G_N_ELEMENTS(texts)];
	struct index_rules *rules;
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
	struct index_filter filter = { 0 };
	int64_t ids[5];
	int first[5];
	size_t i;

	load(f);
	assert_true(index_query_page(f->idx, &filter, INDEX_SORT_DATE, false, 0, 10, -1, rows,
	    NULL));
	assert_int_equal(rows->len, 4);
	for (i = 0; i < 4; i++) {
		const struct index_message *m = g_ptr_array_index(rows, i);

		assert_string_equal(m->base, bases[i]);
		ids[i] = m->id;
	}
	ids[4] = 999999;
	for (i = 0; i < G_N_ELEMENTS(texts); i++) {
		struct search_error e = { 0 };

		q[i] = search_parse(texts[i], NOW, &e);
		assert_non_null(q[i]);
	}
	rules = index_rules_new((const struct search_query *const *)q, G_N_ELEMENTS(texts));
	for (i = 0; i < G_N_ELEMENTS(texts); i++)
		search_query_free(q[i]);
	assert_int_equal(index_rules_count(rules), 4);
	assert_true(index_rules_match(f->idx, rules, ids, 5, first, NULL));
	for (i = 0; i < 5; i++)
		assert_int_equal(first[i], want[i]);
	/* Again, the statement cached: the same answer. */
	assert_true(index_rules_match(f->idx, rules, ids + 2, 2, first, NULL));
	assert_int_equal(first[0], 0);
	assert_int_equal(first[1], 3);
	index_rules_free(rules);
	/* No rules: nothing matches, and nothing is asked. */
	rules = index_rules_new(NULL, 0);
	assert_int_equal(index_rules_count(rules), 0);
	assert_true(index_rules_match(f->idx, rules, ids, 5, first, NULL));
	for (i = 0; i < 5; i++)
		assert_int_equal(first[i], -1);
	index_rules_free(rules);
	g_ptr_array_unref(rows);
}

static void
test_sorting(void **state)
{
	struct fixture *f = *state;
	char *s;

	load(f);
	s = matches(f, "", INDEX_SORT_DATE, true);
	assert_string_equal(s, "4.d 3.c 2.b 1.a");
	g_free(s);
	s = matches(f, "", INDEX_SORT_ARRIVAL, false);
	assert_string_equal(s, "1.a 3.c 2.b 4.d");
	g_free(s);
	s = matches(f, "", INDEX_SORT_FROM, false);
	assert_string_equal(s, "1.a 2.b 3.c 4.d");
	g_free(s);
	s = matches(f, "", INDEX_SORT_FROM, true);
	assert_string_equal(s, "4.d 3.c 2.b 1.a");
	g_free(s);
	/* Re: and [list] do not count: budget, budget, holiday, lunch. */
	s = matches(f, "", INDEX_SORT_SUBJECT, false);
	assert_string_equal(s, "1.a 2.b 3.c 4.d");
	g_free(s);
	s = matches(f, "", INDEX_SORT_SIZE, false);
	assert_string_equal(s, "4.d 3.c 1.a 2.b");
	g_free(s);
	s = matches(f, "", INDEX_SORT_SIZE, true);
	assert_string_equal(s, "2.b 1.a 3.c 4.d");
	g_free(s);
	/* 2.b joins 1.a by subject; threads by their latest date. */
	s = matches(f, "", INDEX_SORT_THREAD, false);
	assert_string_equal(s, "1.a 2.b 3.c 4.d");
	g_free(s);
	s = matches(f, "", INDEX_SORT_THREAD, true);
	assert_string_equal(s, "4.d 3.c 1.a 2.b");
	g_free(s);
}

static void
test_paging_exact(void **state)
{
	struct fixture *f = *state;
	struct index_filter all = { 0 };
	enum index_sort sort;
	int i;

	/* Many rows with equal keys: pages must still cover every row once. */
	for (i = 0; i < 57; i++) {
		struct index_message m = { 0 };

		m.account = g_strdup(i % 2 ? "a" : "b");
		m.subdir = g_strdup("new");
		m.base = g_strdup_printf("%02d.x", i);
		m.flags = g_strdup("");
		m.from = g_strdup(i % 3 ? "same" : "other");
		m.subject = g_strdup(i % 5 ? "Re: same" : "same");
		m.date = 1000 + i % 4;
		m.arrival = 2000 + i % 3;
		m.size = 10 + i % 2;
		m.state = INDEX_STATE_STORED;
		assert_true(index_put(f->idx, &m, NULL, NULL));
		index_message_clear(&m);
	}
	assert_true(index_threads_update(f->idx, NULL));
	for (sort = 0; sort < INDEX_SORT_COUNT; sort++) {
		int rev;

		for (rev = 0; rev < 2; rev++) {
			GPtrArray *whole = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
			GPtrArray *paged = g_ptr_array_new_with_free_func((GDestroyNotify)index_message_free);
			GHashTable *seen = g_hash_table_new(g_int64_hash, g_int64_equal);
			int64_t off, n;
			guint j;

			assert_true(index_query_count_rows(f->idx, &all, sort, &n, NULL));
			assert_int_equal(n, 57);
			assert_true(index_query_page(f->idx, &all, sort, rev, 0, 1000, -1, whole,
			    NULL));
			for (off = 0; off < 57; off += 10)
				assert_true(index_query_page(f->idx, &all, sort, rev, off, 10, -1,
				    paged, NULL));
			assert_int_equal(paged->len, 57);
			for (j = 0; j < 57; j++) {
				const struct index_message *w = g_ptr_array_index(whole, j);
				const struct index_message *p = g_ptr_array_index(paged, j);

				assert_int_equal(w->id, p->id);
				assert_false(g_hash_table_contains(seen, &w->id));
				g_hash_table_add(seen, (gpointer)&w->id);
				/* The position of each row is its place in the view. */
				assert_int_equal(index_query_position(f->idx, &all, sort, rev,
				    w->id, NULL), (int64_t)j);
			}
			g_hash_table_destroy(seen);
			g_ptr_array_unref(whole);
			g_ptr_array_unref(paged);
		}
	}
	/*
	 * Given the view's length, index_query_page reads the far half backward and
	 * walks the order's index for dense limits: the same rows either way,
	 * for whole views, dense and sparse limits, and one account's rows.
	 */
	for (i = 0; i < 4; i++) {
		static const char *const limits[] = { NULL, "from:same", "from:other", "subject:re" };
		struct search_error e = { 0 };
		struct index_filter filter = { 0 };

		filter.query = limits[i] != NULL ? search_parse(limits[i], NOW, &e) : NULL;
		filter.account = i == 3 ? "a" : NULL;
		for (sort = 0; sort < INDEX_SORT_COUNT; sort++) {
			int rev;

			for (rev = 0; rev < 2; rev++) {
				GPtrArray *whole = g_ptr_array_new_with_free_func(
				    (GDestroyNotify)index_message_free);
				GPtrArray *paged = g_ptr_array_new_with_free_func(
				    (GDestroyNotify)index_message_free);
				int64_t off, n, step;
				guint j;

				assert_true(index_query_count_rows(f->idx, &filter, sort, &n,
				    NULL));
				assert_true(n > 0 && n <= 57);
				assert_true(index_query_page(f->idx, &filter, sort, rev, 0, 1000,
				    -1, whole, NULL));
				assert_int_equal(whole->len, n);
				for (step = 1; step <= 11; step += 5) {
					g_ptr_array_set_size(paged, 0);
					for (off = 0; off < n; off += step)
						assert_true(index_query_page(f->idx, &filter, sort,
						    rev, off, step, n, paged, NULL));
					assert_int_equal(paged->len, n);
					for (j = 0; j < paged->len; j++)
						assert_int_equal(
						    ((const struct index_message *)g_ptr_array_index(whole, j))->id,
						    ((const struct index_message *)g_ptr_array_index(paged, j))->id);
				}
				/* Past the end: nothing. */
				assert_true(index_query_page(f->idx, &filter, sort, rev, n, 10, n,
				    paged, NULL));
				assert_int_equal(paged->len, n);
				g_ptr_array_unref(whole);
				g_ptr_array_unref(paged);
			}
		}
		search_query_free((struct search_query *)filter.query);
	}
}

static void
test_find(void **state)
{
	struct fixture *f = *state;
	struct search_error e = { 0 };
	struct search_query *q = search_parse("budget", NOW, &e);
	struct index_filter all = { 0 };
	int64_t found = 0, first, second;

	load(f);
	assert_true(index_query_find(f->idx, &all, INDEX_SORT_DATE, false, q, 0, false, true,
	    &found, NULL, NULL));
	first = found;
	assert_true(index_query_find(f->idx, &all, INDEX_SORT_DATE, false, q, first, false, true,
	    &found, NULL, NULL));
	second = found;
	assert_true(first != second);
	/* Wrapping round brings the first back. */
	assert_true(index_query_find(f->idx, &all, INDEX_SORT_DATE, false, q, second, false, true,
	    &found, NULL, NULL));
	assert_int_equal(found, first);
	/* Without wrapping, nothing after the last. */
	assert_false(index_query_find(f->idx, &all, INDEX_SORT_DATE, false, q, second, false, false,
	    &found, NULL, NULL));
	assert_int_equal(found, 0);
	/* Backward from the second finds the first. */
	assert_true(index_query_find(f->idx, &all, INDEX_SORT_DATE, false, q, second, true, false,
	    &found, NULL, NULL));
	assert_int_equal(found, first);
	search_query_free(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_bare_words),
		cmocka_unit_test(test_operators),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_mutt_patterns),
		cmocka_unit_test(test_blank_matches_all),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_explain),
		cmocka_unit_test_setup_teardown(test_patterns_index, setup, teardown),
		cmocka_unit_test(test_error_column_in_characters),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_words_for_highlight),
		cmocka_unit_test_setup_teardown(test_query_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sql_binds_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sorting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paging_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules, setup, teardown),
	};

	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests_name("search", tests, NULL, NULL);
}
