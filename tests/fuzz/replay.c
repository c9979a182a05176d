/*
 * replay: run a libFuzzer target's LLVMFuzzerTestOneInput on every file of
 * a corpus directory (FUZZ_CORPUS, or the directories given), one TAP line
 * per file, so `make check` replays the corpus in the normal ASan build.
 */
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Order file names. */
static gint
replay_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

int
main(int argc, char **argv)
{
	GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
	const char *name;
	GError *error = NULL;
	gchar *data;
	gsize len;
	guint i;
	int a, failed = 0;

	for (a = 1; a <= argc; a++) {
		const char *dir = a < argc ? argv[a] : argc == 1 ? FUZZ_CORPUS : NULL;
		GDir *d;

		if (dir == NULL)
			break;
		d = g_dir_open(dir, 0, &error);
		if (d == NULL) {
			printf("Bail out! %s\n", error->message);
			return 1;
		}
		while ((name = g_dir_read_name(d)) != NULL)
			g_ptr_array_add(files, g_build_filename(dir, name, NULL));
		g_dir_close(d);
	}
	/* A GLib critical is a broken precondition: a bug, as libFuzzer runs see it (G_DEBUG). */
	g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
	g_ptr_array_sort(files, replay_cmp);
	printf("1..%u\n", files->len);
	for (i = 0; i < files->len; i++) {
		const char *path = g_ptr_array_index(files, i);

		if (!g_file_get_contents(path, &data, &len, &error)) {
			printf("not ok %u - %s: %s\n", i + 1, path, error->message);
			g_clear_error(&error);
			failed++;
			continue;
		}
		/* A crash, an abort or a sanitizer report ends the program: the harness sees it. */
		printf("# replaying %s\n", path);
		fflush(stdout);
		LLVMFuzzerTestOneInput((const uint8_t *)data, len);
		g_free(data);
		data = g_path_get_basename(path);
		printf("ok %u - replay %s\n", i + 1, data);
		g_free(data);
		fflush(stdout);
	}
	g_ptr_array_free(files, TRUE);
	return failed != 0;
}
