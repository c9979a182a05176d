/*
 * pipe: pipe-message (|) in the index and the pager.  The user types a
 * command line; it runs with /bin/sh -c as mutt runs it (the user wrote
 * it), with the message file's bytes as they are on its standard input and
 * the terminal for its output.  Then "Press any key" and the exit status on
 * the message line.  The message never goes into the command line.
 *
 * After ; every tagged message goes, in the view's order, each followed by
 * a newline (mutt's $pipe_sep): concatenated into one run of the command,
 * or with pipe_split one run each (mutt's $pipe_split), "Press any key"
 * after the last.
 */
#include <curses.h>
#include <string.h>

#include "private.h"

/* Append the file of row ID and the separator to OUT. */
static bool
pipe_append(struct ui *ui, int64_t id, GByteArray *out, GError **error)
{
	char *path = ui_view_row_path(ui, id, NULL, error);
	GMappedFile *file;

	if (path == NULL)
		return false;
	file = g_mapped_file_new(path, FALSE, error);
	g_free(path);
	if (file == NULL)
		return false;
	if (g_mapped_file_get_length(file) > 0)
		g_byte_array_append(out, (const guint8 *)g_mapped_file_get_contents(file),
		    (guint)g_mapped_file_get_length(file));
	g_byte_array_append(out, (const guint8 *)"\n", 1);
	g_mapped_file_unref(file);
	return true;
}

/* ;| answered: every tagged message to COMMAND, in one run or (pipe_split) one run each. */
static void
pipe_tagged(struct ui *ui, const char *command)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GByteArray *data = g_byte_array_new();
	bool split = ui->config->pipe_split;
	GError *error = NULL;
	guint i = 0, runs = 0, failed = 0;
	int status = 0, last_bad = 0;

	if (!ui_action_ids(ui, ids, &error))
		goto fail;
	if (ids->len == 0) {
		ui_set_message(ui, true, "No tagged messages.");
		goto out;
	}
	for (i = 0; i < ids->len; i++) {
		if (!pipe_append(ui, g_array_index(ids, int64_t, i), data, &error))
			goto fail;
		if (!split && i + 1 < ids->len)
			continue;
		if (!ui_view_run_shell_wait(ui, command, data->data, data->len, i + 1 == ids->len,
		    &status, &error))
			goto fail;
		runs++;
		if (status != 0) {
			failed++;
			last_bad = status;
		}
		g_byte_array_set_size(data, 0);
	}
	if (!split)
		ui_set_message(ui, status != 0, "Piped %u message%s to %s: exit status %d.",
		    ids->len, ids->len == 1 ? "" : "s", command, status);
	else if (failed == 0)
		ui_set_message(ui, false, "Piped %u message%s to %s, one run each: all exited 0.",
		    ids->len, ids->len == 1 ? "" : "s", command);
	else
		ui_set_message(ui, true, "Piped %u message%s to %s, one run each: %u of %u exited "
		    "non-zero (status %d).", ids->len, ids->len == 1 ? "" : "s", command, failed,
		    runs, last_bad);
	goto out;
fail:
	ui_set_message(ui, true, "Cannot pipe message %u of %u: %s", i + 1, MAX(ids->len, 1),
	    error->message);
	g_clear_error(&error);
out:
	g_byte_array_unref(data);
	g_array_free(ids, TRUE);
}

/* The command typed: the message file's bytes go to its standard input. */
static void
pipe_done(struct ui *ui, const char *command)
{
	GError *error = NULL;
	GMappedFile *file = NULL;
	char *path;
	int status = 0;

	if (command[0] == '\0')
		return;
	if (ui_bulk_on_tagged(ui)) {
		pipe_tagged(ui, command);
		return;
	}
	path = ui_view_message_path(ui, NULL, &error);
	if (path == NULL)
		goto fail;
	file = g_mapped_file_new(path, FALSE, &error);
	if (file == NULL)
		goto fail;
	if (!ui_view_run_shell(ui, command, g_mapped_file_get_length(file) > 0 ?
	    g_mapped_file_get_contents(file) : "", g_mapped_file_get_length(file), &status,
	    &error))
		goto fail;
	ui_set_message(ui, status != 0, "%s exited with status %d.", command, status);
	goto out;
fail:
	ui_set_message(ui, true, "Cannot pipe the message: %s", error->message);
	g_clear_error(&error);
out:
	if (file != NULL)
		g_mapped_file_unref(file);
	g_free(path);
}

void
ui_pipe_message(struct ui *ui)
{
	GError *error = NULL;
	char *path;

	if (ui_bulk_on_tagged(ui)) {
		ui_prompt_open(ui, UI_PROMPT_PIPE, ui->config->pipe_split ?
		    "Pipe tagged messages, one run each, to: " : "Pipe tagged messages to: ", NULL,
		    NULL, pipe_done);
		return;
	}
	/* No message here: say so before asking for a command. */
	path = ui_view_message_path(ui, NULL, &error);
	if (path == NULL) {
		ui_set_message(ui, true, "Cannot pipe the message: %s", error->message);
		g_clear_error(&error);
		return;
	}
	g_free(path);
	ui_prompt_open(ui, UI_PROMPT_PIPE, "Pipe message to: ", NULL, NULL, pipe_done);
}
