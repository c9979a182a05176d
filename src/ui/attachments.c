/*
 * attachments: the attachment view (view-attachments, v).  Lists the parts
 * of the message as attach.h numbers them: number, type, size, inline or
 * attachment, and the safe file name, indented inside forwarded messages.
 *
 * s asks for the file, download_dir and the part's safe name filled in
 * (Tab completes paths), and asks before touching a file that exists;
 * Enter opens it with its mailcap entry on a temporary file surat named
 * (removed afterwards); | pipes the decoded part to a command typed by the
 * user.  DESIGN promise 3: no string from the
 * message reaches a command line or a path outside download_dir.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "surat/attach.h"
#include "surat/command.h"
#include "surat/keymap.h"
#include "surat/mailcap.h"
#include "surat/sanitize.h"
#include "surat/size.h"
#include "surat/width.h"

#define ATTACHMENTS_VIEWER_TIMEOUT_MS (30 * 1000)
#define ATTACHMENTS_VIEWER_MAX_OUTPUT (16 * 1024 * 1024)

struct attachments_view {
	struct attach *a;
	int asked; /* the part the open question is about */
	char *target; /* the file "exists: (o)verwrite..." is about */
};

static const struct ui_list_class attachments_list;

/* The list, when it is the top mode (a question's answer finds it there). */
static struct attachments_view *
attachments_top(struct ui *ui)
{
	return ui_list_top(ui, &attachments_list);
}

/* Part NUMBER's line: number, type, size, inline or attachment, safe name. */
static char *
attachments_row(struct ui *ui, void *data, int number)
{
	struct attachments_view *v = data;
	const struct attach_part *p = attach_get(v->a, number);
	int indent = MIN(p->depth, 6) * 2;
	char *size = size_text((uint64_t)MAX(p->size, 0));
	char *text;

	(void)ui;
	text = g_strdup_printf("%3d  %*s%-*s %9s  %-10s  %s", p->number, indent, "",
	    MAX(1, 28 - indent), p->type, size, p->attachment ? "attachment" : "inline",
	    p->name[0] != '\0' ? p->name : "(no name)");
	g_free(size);
	return text;
}

static char *
attachments_status(struct ui *ui, void *data, int cursor, int count)
{
	struct keymap *km = ui_views_keymap(ui);
	char *save = keymap_keys_for(km, KEYMAP_CONTEXT_ATTACHMENTS, KEYMAP_ACTION_SAVE_ATTACHMENT);
	char *open = keymap_keys_for(km, KEYMAP_CONTEXT_ATTACHMENTS, KEYMAP_ACTION_OPEN_ATTACHMENT);
	char *pipe = keymap_keys_for(km, KEYMAP_CONTEXT_ATTACHMENTS, KEYMAP_ACTION_PIPE_ATTACHMENT);
	char *status;

	(void)data;
	status = g_strdup_printf("-- surat: attachments -- %d/%d -- %s:save %s:open %s:pipe q:back "
	    "?:help ", cursor, count, save != NULL ? save : "-", open != NULL ? open : "-",
	    pipe != NULL ? pipe : "-");
	g_free(save);
	g_free(open);
	g_free(pipe);
	return status;
}

/* Replace TARGET with part NUMBER: written beside it, then renamed over it (a link is replaced, not followed). */
static bool
attachments_overwrite(struct attach *a, int number, const char *dir, const char *target,
    GError **error)
{
	char *tmp = g_build_filename(dir, ".surat-save-XXXXXX", NULL);
	int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0644);
	bool ok = false;

	if (fd < 0) {
		g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s: %s", dir,
		    g_strerror(errno));
		goto out;
	}
	if (!attach_write_fd(a, number, fd, error)) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0 || rename(tmp, target) != 0) {
		g_set_error(error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s: %s", target,
		    g_strerror(errno));
		unlink(tmp);
		goto out;
	}
	ok = true;
out:
	g_free(tmp);
	return ok;
}

/* Say that part NUMBER went to SAVED (NULL: it did not, ERROR says why). */
static void
attachments_saved(struct ui *ui, struct attachments_view *v, int number, char *saved,
    GError *error)
{
	const struct attach_part *p = attach_get(v->a, number);
	char *size;

	if (saved == NULL) {
		ui_set_message(ui, true, "Not saved: %s", error->message);
		return;
	}
	size = size_text((uint64_t)MAX(p->size, 0));
	ui_set_message(ui, false, "Saved part %d to %s (%s).", number, saved, size);
	g_free(size);
}

/* The target of part NUMBER in download_dir (g_free), or NULL with the reason shown. */
static char *
attachments_target(struct ui *ui, struct attachments_view *v, int number)
{
	const struct attach_part *p = attach_get(v->a, number);
	const char *dir = ui->config->download_dir;
	char *name, *target;

	if (dir == NULL || dir[0] == '\0') {
		ui_set_message(ui, true, "download_dir is not set; set it in the configuration.");
		return NULL;
	}
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		ui_set_message(ui, true, "%s: cannot create the download_dir: %s", dir,
		    g_strerror(errno));
		return NULL;
	}
	name = attach_safe_name(p->name, p->number, p->type);
	target = g_build_filename(dir, name, NULL);
	g_free(name);
	return target;
}

static void attachments_save_to(struct ui *ui, struct attachments_view *v, int number,
    const char *target);

/* The answer to "exists: (o)verwrite, (r)ename, (c)ancel?"; another key asks again. */
static void
attachments_exists_done(struct ui *ui, const char *answer)
{
	struct attachments_view *v = attachments_top(ui);
	char *dir, *base, *saved = NULL;
	GError *error = NULL;
	struct stat st;

	if (v == NULL || v->target == NULL)
		return;
	if (answer[0] != '\0' && answer[1] == '\0' && strchr("orcORC", answer[0]) == NULL) {
		attachments_save_to(ui, v, v->asked, v->target);
		return;
	}
	if (answer[0] != 'o' && answer[0] != 'O' && answer[0] != 'r' && answer[0] != 'R') {
		ui_set_message(ui, false, "Not saved.");
		return;
	}
	dir = g_path_get_dirname(v->target);
	base = g_path_get_basename(v->target);
	if (answer[0] == 'r' || answer[0] == 'R') {
		/* attach_save adds " (1)", " (2)"... and never replaces a file. */
		saved = attach_save(v->a, v->asked, dir, base, &error);
	} else if (lstat(v->target, &st) == 0 && S_ISDIR(st.st_mode)) {
		g_set_error(&error, ATTACH_ERROR, ATTACH_ERROR_WRITE, "%s is a folder; not replaced",
		    v->target);
	} else if (attachments_overwrite(v->a, v->asked, dir, v->target, &error)) {
		saved = g_strdup(v->target);
	}
	attachments_saved(ui, v, v->asked, saved, error);
	g_clear_error(&error);
	g_free(saved);
	g_free(dir);
	g_free(base);
}

/*
 * Save part NUMBER as TARGET (a path: its folder and a name, which
 * attach_safe_name makes safe); ask before touching a file that is there.
 */
static void
attachments_save_to(struct ui *ui, struct attachments_view *v, int number, const char *target)
{
	char *dir = g_path_get_dirname(target), *base = g_path_get_basename(target);
	char *saved, *question, *safe;
	GError *error = NULL;
	struct stat st;

	if (lstat(target, &st) == 0) {
		if (v->target != target) {
			g_free(v->target);
			v->target = g_strdup(target);
		}
		safe = sanitize_text(target, -1, 0);
		question = g_strdup_printf("%s exists: (o)verwrite, (r)ename, (c)ancel? ", safe);
		v->asked = number;
		ui_prompt_open(ui, UI_PROMPT_KEY, question, NULL, NULL, attachments_exists_done);
		g_free(question);
		g_free(safe);
	} else {
		saved = attach_save(v->a, number, dir, base, &error);
		attachments_saved(ui, v, number, saved, error);
		g_clear_error(&error);
		g_free(saved);
	}
	g_free(dir);
	g_free(base);
}

/* Save part NUMBER in download_dir under its safe name (asked before: no prompt). */
static void
attachments_save(struct ui *ui, struct attachments_view *v, int number)
{
	char *target = attachments_target(ui, v, number);

	if (target != NULL)
		attachments_save_to(ui, v, number, target);
	g_free(target);
}

/* The file name typed for s: a folder gets the part's safe name in it. */
static void
attachments_save_typed(struct ui *ui, const char *typed)
{
	struct attachments_view *v = attachments_top(ui);
	char *path, *target;

	if (v == NULL)
		return;
	if (typed[0] == '\0') {
		ui_set_message(ui, false, "Not saved.");
		return;
	}
	path = ui_view_expand_path(typed);
	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		const struct attach_part *p = attach_get(v->a, v->asked);
		char *name = attach_safe_name(p->name, p->number, p->type);

		target = g_build_filename(path, name, NULL);
		g_free(name);
	} else {
		target = g_strdup(path);
	}
	attachments_save_to(ui, v, v->asked, target);
	g_free(target);
	g_free(path);
}

/* s: ask for the file, download_dir and the part's safe name filled in, Tab over paths. */
static void
attachments_save_prompt(struct ui *ui, struct attachments_view *v, int number)
{
	char *target = attachments_target(ui, v, number), *shown;
	const char *home = g_get_home_dir();
	size_t n = strlen(home);

	if (target == NULL)
		return;
	/* ~/ for the home folder, as it is typed. */
	if (n > 1 && strncmp(target, home, n) == 0 && target[n] == '/')
		shown = g_strconcat("~", target + n, NULL);
	else
		shown = g_strdup(target);
	v->asked = number;
	ui_prompt_open(ui, UI_PROMPT_FILE, "Save to file: ", shown, ui_view_complete_path,
	    attachments_save_typed);
	g_free(shown);
	g_free(target);
}

/* Show the text of part NUMBER (written to TMP as UTF-8) in the text view. */
static void
attachments_show_text(struct ui *ui, int number, const char *type, const char *tmp)
{
	char *data = NULL, *title;
	gsize len = 0;
	GError *error = NULL;

	if (!g_file_get_contents(tmp, &data, &len, &error)) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		return;
	}
	title = g_strdup_printf("part %d (%s)", number, type);
	ui_text_show(ui, title, data, len);
	g_free(title);
	g_free(data);
}

/* Run ENTRY's viewer on TMP, the file of part NUMBER. */
static void
attachments_view_with(struct ui *ui, const struct mailcap_entry *entry, int number,
    const char *type, const char *tmp)
{
	char **argv, *input = NULL, *title;
	gsize len = 0;
	bool pipe_file = false;
	GError *error = NULL;
	int status = 0;

	argv = mailcap_command(entry, type, tmp, &pipe_file, &error);
	if (argv == NULL)
		goto fail;
	/* RFC 1524: a command without %s reads the file on its standard input. */
	if (pipe_file && !g_file_get_contents(tmp, &input, &len, &error))
		goto fail;
	if (entry->copiousoutput) {
		bool cut = false;
		GBytes *out = command_run(argv, pipe_file ? input : NULL, pipe_file ? len : 0,
		    ATTACHMENTS_VIEWER_TIMEOUT_MS, ATTACHMENTS_VIEWER_MAX_OUTPUT, &cut, &error);
		gsize n = 0;
		const char *data;

		if (out == NULL)
			goto fail;
		data = g_bytes_get_data(out, &n);
		title = g_strdup_printf("part %d (%s) through %s:%d", number, type, entry->file,
		    entry->line);
		if (cut)
			ui_set_message(ui, false, "The viewer's output was cut at %d MB.",
			    ATTACHMENTS_VIEWER_MAX_OUTPUT / (1024 * 1024));
		ui_text_show(ui, title, data != NULL ? data : "", n);
		g_free(title);
		g_bytes_unref(out);
	} else {
		if (!ui_view_run_terminal(ui, argv, pipe_file ? (input != NULL ? input : "") : NULL,
		    len, false, &status, &error))
			goto fail;
		if (status != 0)
			ui_set_message(ui, true, "The viewer (%s:%d) exited with status %d.",
			    entry->file, entry->line, status);
		else
			ui_set_message(ui, false, "Viewed part %d with %s:%d.", number, entry->file,
			    entry->line);
	}
	goto out;
fail:
	ui_set_message(ui, true, "Cannot view part %d: %s", number, error->message);
	g_clear_error(&error);
out:
	g_free(input);
	g_strfreev(argv);
}

static void attachments_ask_save(struct ui *ui, struct attachments_view *v, int number);

/* Open part NUMBER with its mailcap entry; without one, text is shown here, else saving is offered. */
static void
attachments_open(struct ui *ui, struct attachments_view *v, int number)
{
	const struct attach_part *p = attach_get(v->a, number);
	const struct mailcap_entry *entry;
	GError *error = NULL;
	char *tmp;

	tmp = attach_write_temp(v->a, number, &error);
	if (tmp == NULL) {
		ui_set_message(ui, true, "Cannot view part %d: %s", number, error->message);
		g_clear_error(&error);
		return;
	}
	/* test= commands get the file too: it is surat's own name. */
	entry = mailcap_find(ui_views_mailcap(ui), p->type, 0, tmp);
	if (entry != NULL) {
		attachments_view_with(ui, entry, number, p->type, tmp);
	} else if (strcmp(p->type, "text/plain") == 0) {
		attachments_show_text(ui, number, p->type, tmp);
	} else {
		attach_remove_temp(tmp);
		g_clear_pointer(&tmp, g_free);
		attachments_ask_save(ui, v, number);
	}
	if (tmp != NULL)
		attach_remove_temp(tmp);
	g_free(tmp);
}

/* The answer to "No mailcap entry... Save it?"; another key asks again. */
static void
attachments_save_done(struct ui *ui, const char *answer)
{
	struct attachments_view *v = attachments_top(ui);

	if (v == NULL)
		return;
	if (answer[0] == 'y' || answer[0] == 'Y')
		attachments_save(ui, v, v->asked);
	else if (answer[0] != '\0' && answer[1] == '\0' && answer[0] != 'n' && answer[0] != 'N')
		attachments_ask_save(ui, v, v->asked);
	else
		ui_set_message(ui, false, "No mailcap entry for %s; not opened.",
		    attach_get(v->a, v->asked)->type);
}

/* Offer to save part NUMBER, which nothing here can show. */
static void
attachments_ask_save(struct ui *ui, struct attachments_view *v, int number)
{
	char *question = g_strdup_printf("No mailcap entry for %s. Save it to %s? (y/n) ",
	    attach_get(v->a, number)->type, ui->config->download_dir);

	v->asked = number;
	ui_prompt_open(ui, UI_PROMPT_KEY, question, NULL, NULL, attachments_save_done);
	g_free(question);
}

/* The command typed for |: the decoded part goes to its standard input. */
static void
attachments_pipe_done(struct ui *ui, const char *command)
{
	struct attachments_view *v = attachments_top(ui);
	GError *error = NULL;
	GBytes *bytes;
	int status = 0;

	if (v == NULL || command[0] == '\0')
		return;
	bytes = attach_bytes(v->a, v->asked, &error);
	if (bytes != NULL) {
		gsize len = 0;
		const char *data = g_bytes_get_data(bytes, &len);

		if (ui_view_run_shell(ui, command, data != NULL ? data : "", len, &status, &error))
			ui_set_message(ui, status != 0, "%s exited with status %d.", command,
			    status);
		g_bytes_unref(bytes);
	}
	if (error != NULL) {
		ui_set_message(ui, true, "Cannot pipe part %d: %s", v->asked, error->message);
		g_clear_error(&error);
	}
}

/* Pipe the decoded part NUMBER to a command the user types. */
static void
attachments_pipe(struct ui *ui, struct attachments_view *v, int number)
{
	char *question = g_strdup_printf("Pipe part %d to: ", number);

	v->asked = number;
	ui_prompt_open(ui, UI_PROMPT_PIPE, question, NULL, NULL, attachments_pipe_done);
	g_free(question);
}

static void
attachments_action(struct ui *ui, void *data, enum keymap_action action, int cursor)
{
	struct attachments_view *v = data;

	switch (action) {
	case KEYMAP_ACTION_OPEN_ATTACHMENT:
		attachments_open(ui, v, cursor);
		break;
	case KEYMAP_ACTION_SAVE_ATTACHMENT:
		attachments_save_prompt(ui, v, cursor);
		break;
	case KEYMAP_ACTION_PIPE_ATTACHMENT:
		attachments_pipe(ui, v, cursor);
		break;
	default:
		break;
	}
}

static void
attachments_free(void *data)
{
	struct attachments_view *v = data;

	attach_free(v->a);
	g_free(v->target);
	g_free(v);
}

static const struct ui_list_class attachments_list = {
	.context = KEYMAP_CONTEXT_ATTACHMENTS,
	.header = "  #  Type                              Size  Shown       Name",
	.element = THEME_ATTACHMENT,
	.selected = THEME_ATTACHMENT_SELECTED,
	.row = attachments_row,
	.status = attachments_status,
	.action = attachments_action,
	.free = attachments_free,
};

void
ui_attachments_push(struct ui *ui)
{
	struct attachments_view *v;
	GError *error = NULL;
	char *path = ui_view_message_path(ui, NULL, &error);
	struct attach *a;

	if (path == NULL) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		return;
	}
	a = attach_new(path, &error);
	g_free(path);
	if (a == NULL) {
		ui_set_message(ui, true, "%s", error->message);
		g_clear_error(&error);
		return;
	}
	if (attach_count(a) == 0) {
		ui_set_message(ui, true, "This message has no parts that can be read.");
		attach_free(a);
		return;
	}
	v = g_new0(struct attachments_view, 1);
	v->a = a;
	ui_list_push(ui, &attachments_list, v, attach_count(a));
}
