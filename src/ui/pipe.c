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
	char *path = ui_view_message_path(ui, NULL, &error);

	/* No message here: say so before asking for a command. */
	if (path == NULL) {
		ui_set_message(ui, true, "Cannot pipe the message: %s", error->message);
		g_clear_error(&error);
		return;
	}
	g_free(path);
	ui_prompt_open(ui, UI_PROMPT_PIPE, "Pipe message to: ", NULL, NULL, pipe_done);
}
