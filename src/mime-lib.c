/*
 * mime-lib: load GMime at first use (see mime-lib.h for why).
 */
#define MIME_LIB_DEFINE
#include "surat/mime-lib.h"

#include <gmodule.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"

static struct mime_lib mime_lib_loaded;
static char *mime_lib_error; /* the loader's reason it could not be loaded, or NULL */

/* Resolve SYMBOL of MODULE into *FN; on failure say which one is missing. */
static bool
mime_lib_symbol(GModule *module, const char *symbol, gpointer *fn)
{
	if (g_module_symbol(module, symbol, fn) && *fn != NULL)
		return true;
	mime_lib_error = g_strdup_printf("it has no %s: %s", symbol, g_module_error());
	return false;
}

/*
 * Load GMime and start it once, before any thread parses: the pager,
 * reindex's threads and fetch's network thread all reach it through here.
 * The module stays loaded for the life of the process.
 */
static gpointer
mime_lib_open(gpointer unused)
{
	GModule *module;

	module = g_module_open(GMIME_SONAME, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
	if (module == NULL) {
		mime_lib_error = g_strdup(g_module_error());
		return NULL;
	}
	g_module_make_resident(module);
#define MIME_LIB_RESOLVE(name) \
	if (!mime_lib_symbol(module, #name, (gpointer *)&mime_lib_loaded.name)) \
		return NULL;
	MIME_LIB_FUNCTIONS(MIME_LIB_RESOLVE)
#undef MIME_LIB_RESOLVE
	mime_lib_loaded.g_mime_init();
	return &mime_lib_loaded;
}

bool
mime_lib_load(GError **error)
{
	static GOnce once = G_ONCE_INIT;

	if (g_once(&once, mime_lib_open, NULL) != NULL)
		return true;
	/* What to do comes first: a status line may cut the loader's reason. */
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
	    "messages cannot be read: %s cannot be loaded; reinstall the libgmime-3.0-0 "
	    "package (%s)", GMIME_SONAME, mime_lib_error);
	return false;
}

const struct mime_lib *
mime_lib(void)
{
	GError *error = NULL;

	if (!mime_lib_load(&error)) {
		/* Only a caller that skipped mime_lib_load gets here: as the loader would. */
		fprintf(stderr, "surat: %s\n", error->message);
		exit(127);
	}
	return &mime_lib_loaded;
}
