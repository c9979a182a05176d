/*
 * ui: the ncurses mail reader.  The only module that draws; every other
 * module is called from here and never calls back into it.
 */
#ifndef SURAT_UI_H
#define SURAT_UI_H

#include "config.h"

/* How the reader starts; NULL (or all fields NULL) is the index as usual. */
struct ui_start {
	/*
	 * A mailto: URL (RFC 6068, compose_from_mailto) to write to, from the
	 * first account that can send: its editor first, then the compose
	 * screen over the index, as m opens them.  Checked before the terminal
	 * is taken, so a wrong URL is an error line on stderr (status 2).
	 */
	const char *mailto;
};

/*
 * Run the interface on CONFIG, started as START says (may be NULL), until
 * the user quits.  Returns the exit status; the terminal is restored on
 * every path out, fatal signals included.
 */
int ui_run(const struct surat_config *config, const struct ui_start *start);

#endif
