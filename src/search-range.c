/*
 * search-range: the query language's dates and sizes (search-private.h):
 * absolute dates (2024, 2024-03, 2024-03-05) and relative ones (3d, 2w),
 * mutt's ~d and ~z forms, and sizes with their units, each into a node's
 * range [lo, hi).  Dates are local days, as the index shows them.
 */
#include "search-private.h"

#include <string.h>
#include <time.h>

/* Seconds in one of the relative units; 0 for months and years (calendar). */
static int64_t
search_unit_seconds(char unit)
{
	switch (unit) {
	case 'S':
		return 1;
	case 'M':
		return 60;
	case 'h':
	case 'H':
		return 3600;
	case 'd':
		return 86400;
	case 'w':
		return 7 * 86400;
	default:
		return 0;
	}
}

/* NOW minus N UNITs (m months, y years by the calendar); INT64_MIN when out of range. */
static int64_t
search_ago(int64_t now, int64_t n, char unit)
{
	GDateTime *t, *r;
	int64_t v;

	if (n < 0 || n > 100000)
		return INT64_MIN;
	if (unit != 'm' && unit != 'y')
		return now - n * search_unit_seconds(unit);
	t = g_date_time_new_from_unix_local(now);
	if (t == NULL)
		return INT64_MIN;
	r = unit == 'm' ? g_date_time_add_months(t, -(gint)n) : g_date_time_add_years(t, -(gint)n);
	g_date_time_unref(t);
	if (r == NULL)
		return INT64_MIN;
	v = g_date_time_to_unix(r);
	g_date_time_unref(r);
	return v;
}

/*
 * The local time of Y-M-D 00:00 (M, D may overflow, as g_date_time_new
 * allows not); false when invalid.
 */
static bool
search_local(int y, int m, int d, int64_t *t)
{
	GDateTime *dt;

	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	dt = g_date_time_new_local(y, m, d, 0, 0, 0);
	if (dt == NULL)
		return false;
	*t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return true;
}

/* The start of the day, month or year after Y-M-D at that precision (PREC 3, 2, 1). */
static bool
search_next(int y, int m, int d, int prec, int64_t *t)
{
	GDateTime *dt, *n;

	if (!search_local(y, m, d, t))
		return false;
	dt = g_date_time_new_from_unix_local(*t);
	n = prec == 3 ? g_date_time_add_days(dt, 1)
	    : prec == 2 ? g_date_time_add_months(dt, 1)
			: g_date_time_add_years(dt, 1);
	g_date_time_unref(dt);
	if (n == NULL)
		return false;
	*t = g_date_time_to_unix(n);
	g_date_time_unref(n);
	return true;
}

/* A point in time: [*LO, *HI); RELATIVE when it is an instant "N units ago". */
struct search_when {
	int64_t lo, hi;
	bool relative;
};

/* The local midnight starting the day that holds T, and the next one. */
static bool
search_day_of(int64_t t, struct search_when *w)
{
	GDateTime *dt = g_date_time_new_from_unix_local(t);
	bool ok;

	if (dt == NULL)
		return false;
	ok = search_local(g_date_time_get_year(dt), g_date_time_get_month(dt),
		 g_date_time_get_day_of_month(dt), &w->lo) &&
	    search_next(g_date_time_get_year(dt), g_date_time_get_month(dt),
		g_date_time_get_day_of_month(dt), 3, &w->hi);
	g_date_time_unref(dt);
	return ok;
}

/* Read 1 to MAX digits at *P into *V, moving *P; false when there are none. */
static bool
search_digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && g_ascii_isdigit(**p)) {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n > 0;
}

/*
 * Parse the LEN bytes at S as one date: YYYY, YYYY-MM, YYYY-MM-DD, today,
 * yesterday, N[hdwmy]; with MUTT also DD/MM/YYYY, DD/MM/YY, DD/MM, DD and
 * N[ymwdHMS].
 */
static bool
search_parse_when(const char *s, size_t len, int64_t now, bool mutt, struct search_when *w)
{
	char buf[32];
	const char *p = buf, *q;
	int y = 0, m = 0, d = 0, n = 0, prec = 1;

	memset(w, 0, sizeof *w);
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (g_ascii_strcasecmp(buf, "today") == 0)
		return search_day_of(now, w);
	if (g_ascii_strcasecmp(buf, "yesterday") == 0)
		return search_day_of(now - 86400, w);
	/* N units ago. */
	q = p;
	if (search_digits(&q, 6, &n) && q[0] != '\0' && q[1] == '\0' &&
	    strchr(mutt ? "ymwdHMS" : "hdwmy", q[0]) != NULL) {
		w->lo = w->hi = search_ago(now, n, q[0]);
		w->relative = true;
		return w->lo != INT64_MIN;
	}
	/* YYYY[-MM[-DD]] */
	q = p;
	if (search_digits(&q, 4, &y) && q - p == 4 && (*q == '\0' || *q == '-')) {
		m = d = 1;
		if (*q == '-') {
			q++;
			if (!search_digits(&q, 2, &m) || (*q != '\0' && *q != '-'))
				return false;
			prec = 2;
			if (*q == '-') {
				q++;
				if (!search_digits(&q, 2, &d) || *q != '\0')
					return false;
				prec = 3;
			}
		}
		if (prec == 3 && !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
			return false;
		return search_local(y, m, d, &w->lo) && search_next(y, m, d, prec, &w->hi) &&
		    w->lo < w->hi;
	}
	/* mutt: DD[/MM[/YY[YY]]], the missing parts from today. */
	if (mutt) {
		GDateTime *t = g_date_time_new_from_unix_local(now);

		if (t == NULL)
			return false;
		y = g_date_time_get_year(t);
		m = g_date_time_get_month(t);
		g_date_time_unref(t);
		q = p;
		if (!search_digits(&q, 2, &d))
			return false;
		if (*q == '/') {
			q++;
			if (!search_digits(&q, 2, &m))
				return false;
			if (*q == '/') {
				const char *ys = ++q;

				if (!search_digits(&q, 4, &y) || (q - ys != 2 && q - ys != 4))
					return false;
				if (q - ys == 2)
					y += y < 70 ? 2000 : 1900;
			}
		}
		if (*q != '\0')
			return false;
		/* A real date: g_date_time would roll 31/02 over. */
		if (y < 1 || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
			return false;
		return search_local(y, m, d, &w->lo) && search_next(y, m, d, 3, &w->hi);
	}
	return false;
}

/* A date error at OFFSET for VALUE. */
static void
search_bad_date(struct search_parser *p, size_t offset, const char *value, bool mutt)
{
	if (mutt)
		search_fail(p, offset,
		    "bad date '%s'; ~d takes 15/01/2026, 01/01/2026-31/01/2026, <7d, >2w or =1d",
		    value);
	else
		search_fail(p, offset,
		    "bad date '%s'; use 2026-01-15, 2026-01, 2026, today, 7d, or a range like "
		    "2026-01..2026-03",
		    value);
}

/* Parse a date: field value (FIELD date, before or after) into NODE's lo and hi. */
bool
search_parse_date(struct search_parser *p, enum search_prefix field, const char *value,
    size_t offset, struct search_node *node)
{
	const char *dots = strstr(value, "..");
	struct search_when a, b;

	if (field != SEARCH_PREFIX_DATE || dots == NULL) {
		if (!search_parse_when(value, strlen(value), p->now, false, &a)) {
			search_bad_date(p, offset, value, false);
			return false;
		}
		if (field == SEARCH_PREFIX_BEFORE)
			node->hi = a.lo;
		else if (field == SEARCH_PREFIX_AFTER)
			node->lo = a.hi;
		else if (a.relative)
			node->lo = a.lo;
		else {
			node->lo = a.lo;
			node->hi = a.hi;
		}
		return true;
	}
	if (dots > value && !search_parse_when(value, (size_t)(dots - value), p->now, false, &a)) {
		search_bad_date(p, offset, value, false);
		return false;
	}
	if (dots[2] != '\0' && !search_parse_when(dots + 2, strlen(dots + 2), p->now, false, &b)) {
		search_bad_date(p, offset + (size_t)(dots + 2 - value), dots + 2, false);
		return false;
	}
	if (dots == value && dots[2] == '\0') {
		search_bad_date(p, offset, value, false);
		return false;
	}
	if (dots > value)
		node->lo = a.lo;
	if (dots[2] != '\0')
		node->hi = b.hi;
	if (node->lo != INT64_MIN && node->hi != INT64_MAX && node->lo >= node->hi) {
		search_fail(p, offset, "the range '%s' ends before it starts", value);
		return false;
	}
	return true;
}

/* Parse mutt's ~d VALUE into NODE. */
bool
search_parse_mutt_date(struct search_parser *p, const char *value, size_t offset,
    struct search_node *node)
{
	struct search_when a, b;
	const char *dash;

	if (value[0] == '<' || value[0] == '>' || value[0] == '=') {
		if (!search_parse_when(value + 1, strlen(value + 1), p->now, true, &a) ||
		    !a.relative) {
			search_bad_date(p, offset, value, true);
			return false;
		}
		if (value[0] == '<')
			node->lo = a.lo; /* newer than */
		else if (value[0] == '>')
			node->hi = a.lo; /* older than */
		else if (!search_day_of(a.lo, &b)) {
			search_bad_date(p, offset, value, true);
			return false;
		} else {
			node->lo = b.lo;
			node->hi = b.hi;
		}
		return true;
	}
	/* 2026-01-15 as well, though mutt has only its own forms. */
	if (search_parse_when(value, strlen(value), p->now, true, &a) && !a.relative) {
		node->lo = a.lo;
		node->hi = a.hi;
		return true;
	}
	dash = strchr(value, '-');
	if (dash == NULL || strchr(dash + 1, '-') != NULL || (dash == value && dash[1] == '\0')) {
		search_bad_date(p, offset, value, true);
		return false;
	}
	if (dash > value) {
		if (!search_parse_when(value, (size_t)(dash - value), p->now, true, &a) ||
		    a.relative) {
			search_bad_date(p, offset, value, true);
			return false;
		}
		node->lo = a.lo;
	}
	if (dash[1] != '\0') {
		if (!search_parse_when(dash + 1, strlen(dash + 1), p->now, true, &b) || b.relative) {
			search_bad_date(p, offset + (size_t)(dash + 1 - value), dash + 1, true);
			return false;
		}
		node->hi = b.hi;
	}
	if (node->lo != INT64_MIN && node->hi != INT64_MAX && node->lo >= node->hi) {
		search_fail(p, offset, "the range '%s' ends before it starts", value);
		return false;
	}
	return true;
}

/* Parse a size "12", "1.5M", "10k", "2GB" of LEN bytes at S into *V. */
static bool
search_parse_bytes(const char *s, size_t len, int64_t *v)
{
	char buf[32], *end;
	double x, mult = 1;

	if (len == 0 || len >= sizeof buf || !g_ascii_isdigit(s[0]))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	x = g_ascii_strtod(buf, &end);
	switch (g_ascii_tolower(*end)) {
	case 'k':
		mult = 1024.0;
		end++;
		break;
	case 'm':
		mult = 1024.0 * 1024;
		end++;
		break;
	case 'g':
		mult = 1024.0 * 1024 * 1024;
		end++;
		break;
	default:
		break;
	}
	if (g_ascii_tolower(*end) == 'b')
		end++;
	if (*end != '\0' || x < 0 || x * mult > 1e15)
		return false;
	*v = (int64_t)(x * mult);
	return true;
}

/* A size error at OFFSET. */
static void
search_bad_size(struct search_parser *p, size_t offset, const char *value, bool mutt)
{
	search_fail(p, offset, "bad size '%s'; %s", value,
	    mutt ? "~z takes <1M, >10K, 1K-10K, -10K or 10K-"
		 : "use size:>1M, size:<10k, size:>=N, size:<=N, size:N or size:1M..5M");
}

/* Parse a size: value (native, or mutt's ~z when MUTT) into NODE. */
bool
search_parse_size(struct search_parser *p, const char *value, size_t offset, bool mutt,
    struct search_node *node)
{
	const char *sep = mutt ? strchr(value, '-') : strstr(value, "..");
	size_t skip = mutt ? 1 : 2;
	int64_t a, b;

	if (value[0] == '<' || value[0] == '>') {
		bool eq = value[1] == '=';
		const char *num = value + 1 + (eq ? 1 : 0);

		if (!search_parse_bytes(num, strlen(num), &a)) {
			search_bad_size(p, offset, value, mutt);
			return false;
		}
		if (value[0] == '<')
			node->hi = eq ? a + 1 : a;
		else
			node->lo = eq ? a : a + 1;
		return true;
	}
	if (sep == NULL) {
		if (!search_parse_bytes(value, strlen(value), &a)) {
			search_bad_size(p, offset, value, mutt);
			return false;
		}
		/* mutt: exactly; ours: at least. */
		node->lo = a;
		if (mutt)
			node->hi = a + 1;
		return true;
	}
	if ((sep == value && sep[skip] == '\0') ||
	    (sep > value && !search_parse_bytes(value, (size_t)(sep - value), &a)) ||
	    (sep[skip] != '\0' && !search_parse_bytes(sep + skip, strlen(sep + skip), &b))) {
		search_bad_size(p, offset, value, mutt);
		return false;
	}
	if (sep > value)
		node->lo = a;
	if (sep[skip] != '\0')
		node->hi = b + 1;
	if (node->lo != INT64_MIN && node->hi != INT64_MAX && node->lo >= node->hi) {
		search_fail(p, offset, "the range '%s' ends before it starts", value);
		return false;
	}
	return true;
}
