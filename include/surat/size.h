/*
 * size: byte counts as people read them, the same everywhere surat shows
 * one (the pager's attachment lines, the attachment list, `surat fetch`'s
 * progress, the index's size column).  Units of 1,024 bytes, written KB,
 * MB and GB as the other mail programs write them.
 */
#ifndef SURAT_SIZE_H
#define SURAT_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* A new string (g_free): "512 B", "12 KB" (rounded up), "1.3 MB", "2.1 GB". */
char *size_text(uint64_t bytes);

/*
 * The same in at most five columns, for a table: "512", "4.2K", "12K",
 * "1.3M", "12M", "1.3G"; written into BUF of LEN bytes.
 */
void size_text_short(uint64_t bytes, char *buf, size_t len);

#endif
