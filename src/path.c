/*
 * path.c: file names as people write them (path.h).
 */
#include <glib.h>

#include "surat/path.h"

char *
path_expand(const char *path)
{
	const char *home;

	if (path == NULL)
		return NULL;
	if (path[0] != '~' || (path[1] != '\0' && path[1] != '/'))
		return g_strdup(path);
	if ((home = g_getenv("HOME")) == NULL || *home == '\0')
		home = g_get_home_dir();
	return g_strconcat(home, path + 1, NULL);
}
