/*
 * command: every child surat starts, through one runner (command_start):
 * configured commands run with a timeout and an output cap (html_command,
 * mailcap copiousoutput viewers, mailcap test=, password_command), commands
 * given the terminal (mailcap viewers, url_command, |), new_mail_command,
 * and the interface's `surat fetch`.  The runner sets each child's process
 * group or session, its signals and descriptors (only 0, 1, 2 and the
 * events descriptor 3 stay open) in one place.  It also builds the argv of
 * url_command for one link.
 *
 * DESIGN promise 3: a command string from the configuration is split into
 * an argv with g_shell_parse_argv (quotes as in sh, no expansion) and run
 * without a shell; a string from a message is only ever one whole argument.
 * (mailcap.h's commands are shell commands by definition: they are run as
 * { "/bin/sh", "-c", ... } argvs that hold no message text.)
 *
 * What it never does: touch the terminal.  Standard error of the command
 * goes to /dev/null; the child is its own process group, killed whole on
 * timeout.
 */
#ifndef SURAT_COMMAND_H
#define SURAT_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#define COMMAND_ERROR (command_error_quark())
GQuark command_error_quark(void);

enum command_error_code {
	COMMAND_ERROR_PARSE,   /* the command string cannot be split (unbalanced quotes, empty) */
	COMMAND_ERROR_SPAWN,   /* the program could not be started */
	COMMAND_ERROR_TIMEOUT, /* still running after the timeout: killed */
	COMMAND_ERROR_FAILED,  /* exited with a status other than 0, or by a signal */
	COMMAND_ERROR_UNSAFE,  /* a URL that is not a link target (render.h) */
};

/* Where a child runs, and whose signals reach it. */
enum command_group {
	COMMAND_GROUP_OWN,      /* a process group of its own: a timeout kills it all */
	COMMAND_GROUP_SESSION,  /* a session of its own: no terminal, ^C and ^Z never reach it */
	COMMAND_GROUP_TERMINAL, /* surat's group: the terminal and ^C are its while it runs */
};

/* What command_start starts. */
struct command_child {
	char *const *argv;        /* argv[0] searched in PATH unless it holds a '/' */
	enum command_group group;
	bool stdin_pipe;          /* a pipe to its input; else the terminal (TERMINAL) or /dev/null */
	bool stdout_pipe;         /* a pipe from its output; else OUTPUT_FD, the terminal or /dev/null */
	int output_fd;            /* >= 0: its standard output and error (a log file) */
	int events_fd;            /* >= 0: given to it as descriptor 3 */
	bool detach;              /* nobody waits for it: reaped at once, no *PID */
};

/*
 * Start CHILD.  *PID (unless detached) is the caller's to command_wait or
 * kill; *STDIN_PIPE and *STDOUT_PIPE (may be NULL when not asked for) get
 * the caller's ends of the pipes.  Fails with COMMAND_ERROR_SPAWN.
 */
bool command_start(const struct command_child *child, GPid *pid, int *stdin_pipe,
    int *stdout_pipe, GError **error);

/* Wait for PID (interrupted waits resumed): its exit status, or 128 + the killing signal. */
int command_wait(GPid pid);

/*
 * Stop PID, started in a group or session of its own, and all it started:
 * SIGTERM to its group, up to WAIT_MS for PID to exit, then SIGKILL.
 * Returns what command_wait would.
 */
int command_stop(GPid pid, int wait_ms);

/*
 * Split COMMAND into an argv (g_strfreev) as sh would split words, without
 * expanding anything.  Fails with COMMAND_ERROR_PARSE, "COMMAND: why".
 */
char **command_split(const char *command, GError **error);

/*
 * COMMAND split as command_split does, with every argument that is exactly
 * MARK ("%u", "%s") replaced by ARG; when there is none, ARG is appended.
 * ARG stays one argument, never split or expanded.  Fails as command_split.
 */
char **command_argv_with(const char *command, const char *mark, const char *arg,
    GError **error);

/*
 * The argv of URL_COMMAND for URL (a render_link target: printable ASCII,
 * 0x21..0x7e): every argument that is exactly "%u" becomes URL; when there is
 * none, URL is appended.  URL is one argument, never split or expanded.
 * Fails with COMMAND_ERROR_PARSE, or COMMAND_ERROR_UNSAFE for an empty URL,
 * a URL with other bytes, or one starting with '-'.
 */
char **command_url_argv(const char *url_command, const char *url, GError **error);

/*
 * Run ARGV (argv[0] searched in PATH), write LEN bytes of INPUT to its
 * standard input (then close it), and return what it printed on standard
 * output, at most MAX_OUTPUT bytes: past that the command is killed and
 * *CUT (may be NULL) set.  It is killed after TIMEOUT_MS milliseconds
 * (COMMAND_ERROR_TIMEOUT).  A command that exits non-zero fails with
 * COMMAND_ERROR_FAILED ("PROGRAM exited with status N").  SIGPIPE is never
 * raised in the caller.  The result is the caller's (g_bytes_unref).
 */
GBytes *command_run(char *const *argv, const void *input, size_t len, int timeout_ms,
    size_t max_output, bool *cut, GError **error);

/*
 * command_run for a program whose exit status means something (a
 * sendmail_command: 75 is "try again later"): a status other than 0 is no
 * failure but *STATUS (128 + the signal for one killed); its standard error
 * goes to ERR_FD (a file the caller reads after; -1: /dev/null).  Fails
 * only as command_run does for a program that cannot start or a timeout.
 */
GBytes *command_run_status(char *const *argv, const void *input, size_t len, int timeout_ms,
    size_t max_output, int err_fd, int *status, GError **error);

/*
 * Run ARGV as command_run does, with no input, for a secret (a
 * password_command): its output as a string (the caller zeroes it with
 * OPENSSL_cleanse and frees it), every buffer that held it zeroed.  Killed
 * (with its process group) after TIMEOUT_MS: COMMAND_ERROR_TIMEOUT, "NAME
 * did not finish within N s and was stopped".  Exiting non-zero, or
 * printing more than MAX_OUTPUT bytes, is COMMAND_ERROR_FAILED.  Errors call
 * the command NAME.
 */
char *command_run_secret(char *const *argv, const char *name, int timeout_ms, size_t max_output,
    GError **error);

#define COMMAND_PASSWORD_MAX 8192 /* bytes a password_command may print */

/*
 * An account's secret: PASSWORD (copied) unless PASSWORD_COMMAND is set,
 * else that command's first line, run with /bin/sh -c through
 * command_run_secret and stopped after TIMEOUT seconds.  A new string for
 * command_password_free (which zeroes it); NULL with one line in ERROR
 * ("password_command printed no password", "... exited with status 1").
 */
char *command_password(const char *password, const char *password_command, int timeout,
    GError **error);

void command_password_free(char *secret);

/*
 * Run ARGV as command_run does with no input and no output kept; true when it
 * exits with status 0 within TIMEOUT_MS.  For mailcap test= commands.
 */
bool command_test(char *const *argv, int timeout_ms);

#endif
