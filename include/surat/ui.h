/*
 * ui: the ncurses mail reader.  The only module that draws; every other
 * module is called from here and never calls back into it.
 */
#ifndef SURAT_UI_H
#define SURAT_UI_H

#include "config.h"

/*
 * Run the interface on CONFIG until the user quits.  Returns the exit status;
 * the terminal is restored on every path out, fatal signals included.
 */
int ui_run(const struct surat_config *config);

#endif
