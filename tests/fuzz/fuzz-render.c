/*
 * fuzz-render: libFuzzer target over the whole display path, GMime parse ->
 * render -> sanitize, with the oracle of DESIGN promise 2: every line of the
 * output (and every link, attachment name and the joined text) holds no ESC,
 * no C0 control but tab and newline, no DEL, no C1 control, and is valid
 * UTF-8.  The part list (attach.c) is read too and must agree with the
 * renderer's numbers.  No global setup; replay.c runs the corpus in every
 * build.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "surat/attach.h"
#include "surat/render.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort unless S is valid UTF-8 with no ESC, C0 but tab/newline, DEL or C1 (and no newline unless MULTILINE). */
static void
fuzz_check(const char *s, bool multiline)
{
	const char *p;

	if (s == NULL)
		return;
	if (!g_utf8_validate(s, -1, NULL))
		abort();
	for (p = s; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == '\n' && multiline)
			continue;
		if (c == '\t' || (c >= 0x20 && c < 0x7f) || c >= 0xa0)
			continue;
		abort();
	}
}

/* Render DATA with OPTIONS and check everything that comes out. */
static void
fuzz_render(const uint8_t *data, size_t size, const struct render_options *options)
{
	struct rendering *r = render_bytes((const char *)data, size, options);
	char *text;
	guint i;

	for (i = 0; i < r->lines->len; i++) {
		const struct render_line *l = g_ptr_array_index(r->lines, i);

		fuzz_check(l->text, false);
		if (l->span_count > 0 && l->span_first + l->span_count > r->spans->len)
			abort();
	}
	for (i = 0; i < r->spans->len; i++) {
		const struct render_span *s = &g_array_index(r->spans, struct render_span, i);
		const struct render_line *l;

		if (s->line >= r->lines->len || s->link < 1 || (guint)s->link > r->links->len)
			abort();
		l = g_ptr_array_index(r->lines, s->line);
		if (s->start >= s->end || s->end > strlen(l->text))
			abort();
	}
	for (i = 0; i < r->links->len; i++) {
		const struct render_link *link = g_ptr_array_index(r->links, i);
		const char *c;

		fuzz_check(link->url, false);
		for (c = link->target; c != NULL && *c != '\0'; c++)
			if (*c <= 0x20 || *c >= 0x7f)
				abort();
	}
	for (i = 0; i < r->attachments->len; i++) {
		const struct render_attachment *a = g_ptr_array_index(r->attachments, i);

		fuzz_check(a->name, false);
		fuzz_check(a->type, false);
		if (strchr(a->name, '/') != NULL || a->name[0] == '.')
			abort();
	}
	text = render_to_text(r);
	fuzz_check(text, true);
	g_free(text);
	render_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct render_options options = { 0 };
	struct attach *a;
	int n;

	fuzz_render(data, size, NULL);
	/* Narrow reflow and full headers exercise the wrapping and the header walk. */
	options.width = 1 + (size > 0 ? data[0] % 60 : 0);
	options.full_headers = true;
	fuzz_render(data, size, &options);
	a = attach_new_bytes((const char *)data, size);
	for (n = 1; n <= attach_count(a); n++) {
		const struct attach_part *p = attach_get(a, n);

		if (p->number != n)
			abort();
		fuzz_check(p->name, false);
		fuzz_check(p->type, false);
		if (strchr(p->name, '/') != NULL || p->name[0] == '.')
			abort();
	}
	attach_free(a);
	return 0;
}
