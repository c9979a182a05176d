/*
 * pipe: pipe-message (|) in the index and the pager.  The user types a
 * command line; it runs with /bin/sh -c as mutt runs it (the user wrote
 * it), with the message file's bytes as they are on its standard input and
 * the terminal for its output.  Then "Press any key" and the exit status on
 * the message line.  The message never goes into the command line.
 */
#include <curses.h>
#include <string.h>

#include "private.h"

void
ui_pipe_message(struct ui *ui)
{
	GError *error = NULL;
	GMappedFile *file = NULL;
	char *path = ui_view_message_path(ui, NULL, &error);
	char *command = NULL;
	int status = 0;

	if (path == NULL)
		goto fail;
	if (!ui_view_ask(ui, "Pipe message to: ", NULL, &command) || command[0] == '\0') {
		ui->dirty |= UI_DIRTY_STATUS;
		goto out;
	}
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
	g_free(command);
	g_free(path);
}
