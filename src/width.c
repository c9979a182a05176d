/*
 * width: terminal columns of UTF-8 text, from GLib's Unicode tables.
 */
#include "surat/width.h"

#include <string.h>

int
width_char(gunichar c)
{
	if (c == 0)
		return 0;
	/* Printable ASCII first: most text is, and the tables are slow (index_format per row). */
	if (c >= 0x20 && c < 0x7f)
		return 1;
	if (g_unichar_iszerowidth(c))
		return 0;
	if (g_unichar_iswide(c))
		return 2;
	return 1;
}

int
width_of(const char *s)
{
	int cols = 0;

	if (s == NULL)
		return 0;
	for (; *s != '\0'; s = g_utf8_next_char(s))
		cols += (unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f ? 1 :
		    width_char(g_utf8_get_char(s));
	return cols;
}

size_t
width_prefix(const char *s, int cols, int *used)
{
	const char *p = s;
	int taken = 0;

	if (s == NULL) {
		if (used != NULL)
			*used = 0;
		return 0;
	}
	while (*p != '\0') {
		int w = (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f ? 1 :
		    width_char(g_utf8_get_char(p));

		if (taken + w > cols)
			break;
		taken += w;
		p = g_utf8_next_char(p);
	}
	if (used != NULL)
		*used = taken;
	return (size_t)(p - s);
}

char *
width_fit(const char *s, int cols, int pad)
{
	GString *out;
	int used;
	size_t n;

	if (cols < 0)
		cols = 0;
	n = width_prefix(s, cols, &used);
	out = g_string_new_len(s != NULL ? s : "", (gssize)n);
	if (pad) {
		for (; used < cols; used++)
			g_string_append_c(out, ' ');
	}
	return g_string_free(out, FALSE);
}
