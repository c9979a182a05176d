/*
 * fuzz-maildir: libFuzzer target over Maildir file names (store.h), which
 * come from disk and so from any other program that writes the Maildir.
 *
 * Each line of the input is a file name.  store_parse_name must not crash;
 * what it accepts has a base that is a Maildir base (not empty, no '.'
 * first, no '/' or ':'), flags normalize to ASCII letters in order, once and
 * for all (normalizing again changes nothing), and the name
 * store_message_path builds from them, in cur/ and in new/, parses back to
 * the same base and flags.  Each line is also taken as a host name:
 * store_unique_name_host must give a base that parses as itself.
 *
 * No global setup; replay.c runs the corpus in every build.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "surat/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parse PATH's last component, expecting BASE and FLAGS. */
static void
fuzz_parse_again(const char *path, const char *base, const char *flags)
{
	const char *name = strrchr(path, '/') + 1;
	char *b2, *f2;

	if (!store_parse_name(name, &b2, &f2, NULL))
		abort();
	if (strcmp(b2, base) != 0 || strcmp(f2, flags) != 0)
		abort();
	g_free(b2);
	g_free(f2);
}

/* Abort unless FLAGS is normalized: ASCII letters, strictly increasing. */
static void
fuzz_check_flags(const char *flags)
{
	const char *p;

	for (p = flags; *p != '\0'; p++)
		if (!g_ascii_isalpha(*p) || (p > flags && (unsigned char)p[-1] >= (unsigned char)*p))
			abort();
}

/* One name from disk. */
static void
fuzz_name(const char *name)
{
	char *base, *flags, *norm, *again, *path;
	GError *error = NULL;
	const char *p;

	if (!store_parse_name(name, &base, &flags, &error)) {
		if (error == NULL || error->domain != STORE_ERROR || base != NULL || flags != NULL)
			abort();
		g_error_free(error);
		return;
	}
	if (error != NULL || base[0] == '\0' || base[0] == '.' || strchr(base, '/') != NULL ||
	    strchr(base, ':') != NULL || strchr(flags, '/') != NULL)
		abort();
	norm = store_flags_normalize(flags);
	fuzz_check_flags(norm);
	/* Every letter of FLAGS is kept, nothing else. */
	for (p = flags; *p != '\0'; p++)
		if (g_ascii_isalpha(*p) != (strchr(norm, *p) != NULL))
			abort();
	again = store_flags_normalize(norm);
	if (strcmp(again, norm) != 0)
		abort();
	g_free(again);
	path = store_message_path("/store/acct", "cur", base, norm);
	fuzz_parse_again(path, base, norm);
	g_free(path);
	path = store_message_path("/store/acct", "new", base, "");
	fuzz_parse_again(path, base, "");
	g_free(path);
	g_free(norm);
	g_free(base);
	g_free(flags);
}

/* HOST as this machine's name in a new unique name. */
static void
fuzz_host(const char *host)
{
	char *name = store_unique_name_host(host), *base, *flags;

	if (!store_parse_name(name, &base, &flags, NULL))
		abort();
	if (strcmp(base, name) != 0 || flags[0] != '\0' || strchr(name, '/') != NULL)
		abort();
	g_free(base);
	g_free(flags);
	g_free(name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	char *line;

	/* One name per line; a NUL ends a name, as it would on disk. */
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line = g_strndup(p, (size_t)((nl != NULL ? nl : end) - p));
		fuzz_name(line);
		fuzz_host(line);
		g_free(line);
		p = nl != NULL ? nl + 1 : end;
	}
	return 0;
}
