/*
 * The index view's state: the rows on screen, the cursor, and what the view
 * shows (mailbox, query, order, threads).  It is shared by the view's own
 * two files only: index-view.c (rows, cursor, drawing) and browse.c (order,
 * limit, search, threads).  The rest of ui/ goes through the functions
 * private.h declares for them, as it does for the sidebar (layers.sh checks
 * that nothing else includes this).
 */
#ifndef SURAT_UI_INDEX_VIEW_H
#define SURAT_UI_INDEX_VIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "surat/index.h"

struct ui_index {
	struct index_filter filter; /* mailbox (the sidebar's), query and threads (browse.c's) */
	enum index_sort sort;
	bool reverse;
	int64_t total;   /* rows of the view: a collapsed thread is one */
	int64_t unread;
	int64_t cursor;  /* position of the selected row, 0-based */
	int64_t top;     /* position of the first row on screen */
	GPtrArray *rows; /* struct index_message *, positions top.. */
	GArray *colour;  /* int per row: its index colour rule (colour.c), -1 for none */
	int height;      /* rows the pane shows */
};

#endif
