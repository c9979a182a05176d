/*
 * fetch: the policy of fetching one account: what to fetch, keep and delete.
 * It takes the account's lock, speaks to the server through pop3.h, and
 * stores through deliver.h, in the order DESIGN promise 1 asks: a message is
 * durable and indexed before its DELE is sent, and DELEs commit only at QUIT.
 * Progress leaves through an observer (cli-fetch.c turns it into event lines);
 * this module never prints.
 */
#ifndef SURAT_FETCH_H
#define SURAT_FETCH_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "config.h"
#include "pop3.h"

#define FETCH_ERROR (fetch_error_quark())
GQuark fetch_error_quark(void);

enum fetch_error_code {
	FETCH_ERROR_LOCK,   /* another fetch of the account is running */
	FETCH_ERROR_SECRET, /* password_command failed */
	FETCH_ERROR_STORE,  /* the Maildir or the index failed */
};

/* Where progress goes; any callback may be NULL. */
struct fetch_observer {
	void *data;
	void (*start)(void *data, const char *account, unsigned int count, uint64_t bytes);
	void (*message)(void *data, const char *account, unsigned int n, uint64_t bytes);
	void (*stored)(void *data, const char *account, unsigned int n);
	void (*deleted)(void *data, const char *account, unsigned int n);
	void (*login_delay)(void *data, const char *account, int seconds);
	void (*warning)(void *data, const char *account, const char *text);
};

struct fetch_options {
	bool rest;                       /* fetch the rest of partial messages, not new ones */
	bool pipelining;                 /* use PIPELINING when offered (default true) */
	pop3_trace_fn trace;             /* -v dialogue, or NULL */
	void *trace_data;
	volatile sig_atomic_t *abort;    /* set by SIGINT/SIGTERM: stop, no QUIT */
	const struct fetch_observer *observer;
	unsigned int *fetched;           /* out (may be NULL): messages stored */
	unsigned int *deleted;           /* out (may be NULL): DELEs committed */
};

/*
 * Fetch ACCOUNT once.  Errors name what failed but not the account (the
 * caller adds it); POP3_ERROR codes come through unchanged so the caller can
 * tell an auth failure from a network one.
 */
bool fetch_account(const struct surat_config *config, const struct account_config *account,
    const struct fetch_options *options, GError **error);

/*
 * Connect and log in to ACCOUNT without fetching, and describe the server:
 * capabilities, implementation, LOGIN-DELAY, EXPIRE, mechanisms, TLS
 * protocol, cipher and certificate.  Appends lines to OUT.  When LOGIN is
 * false only the pre-login part is shown (no secret is needed).
 */
bool fetch_serverinfo(const struct account_config *account, bool login, pop3_trace_fn trace,
    void *trace_data, GString *out, GError **error);

/*
 * The secret for ACCOUNT: its password, or the first line printed by its
 * password_command (run with /bin/sh -c through command_run_secret, stopped
 * after the account's timeout).  Returns a new string to be freed with
 * fetch_secret_free (which zeroes it); FETCH_ERROR_SECRET with one line
 * ("password_command did not finish within 30 s and was stopped") on failure.
 */
char *fetch_secret(const struct account_config *account, GError **error);
void fetch_secret_free(char *secret);

/* One word naming an error's kind, as the events protocol writes it. */
const char *fetch_error_word(const GError *error);

#endif
