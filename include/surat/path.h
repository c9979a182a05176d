/*
 * path: file names as people write them in the config, a theme's search
 * path and mailcap (a leading "~").  Its own module so that config.c,
 * theme.c and mailcap.c share it without needing each other.
 */
#ifndef SURAT_PATH_H
#define SURAT_PATH_H

/*
 * Expand a leading "~" or "~/" in PATH to $HOME (or the password file's home
 * when HOME is unset or empty; "~user" is left alone).  Returns a new string
 * (g_free), or NULL when PATH is NULL.
 */
char *path_expand(const char *path);

#endif
