/*
 * size.c: byte counts for people (size.h).
 */
#include <glib.h>

#include "surat/size.h"

#define SIZE_KB ((uint64_t)1024)
#define SIZE_MB (SIZE_KB * 1024)
#define SIZE_GB (SIZE_MB * 1024)

char *
size_text(uint64_t bytes)
{
	if (bytes < SIZE_KB)
		return g_strdup_printf("%u B", (unsigned int)bytes);
	if (bytes < SIZE_MB)
		return g_strdup_printf("%u KB", (unsigned int)((bytes + SIZE_KB - 1) / SIZE_KB));
	if (bytes < SIZE_GB)
		return g_strdup_printf("%.1f MB", (double)bytes / (double)SIZE_MB);
	return g_strdup_printf("%.1f GB", (double)bytes / (double)SIZE_GB);
}

void
size_text_short(uint64_t bytes, char *buf, size_t len)
{
	/* One decimal while the number is a single digit, so the column stays narrow. */
	if (bytes < 1000)
		g_snprintf(buf, len, "%u", (unsigned int)bytes);
	else if (bytes < 10 * SIZE_KB)
		g_snprintf(buf, len, "%.1fK", (double)bytes / (double)SIZE_KB);
	else if (bytes < 1000 * SIZE_KB)
		g_snprintf(buf, len, "%uK", (unsigned int)(bytes / SIZE_KB));
	else if (bytes < 10 * SIZE_MB)
		g_snprintf(buf, len, "%.1fM", (double)bytes / (double)SIZE_MB);
	else if (bytes < 1000 * SIZE_MB)
		g_snprintf(buf, len, "%uM", (unsigned int)(bytes / SIZE_MB));
	else if (bytes < 10 * SIZE_GB)
		g_snprintf(buf, len, "%.1fG", (double)bytes / (double)SIZE_GB);
	else
		g_snprintf(buf, len, "%uG", (unsigned int)MIN(bytes / SIZE_GB, 9999));
}
