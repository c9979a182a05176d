/*
 * testpeer: the scripted server of the protocol tests (test-pop3.c,
 * test-smtp.c) and the case files it plays, as curl's test cases do.  A
 * peer thread on one end of a socketpair plays the script while the client
 * under test talks to the other end; afterwards the case's keys are checked
 * against what the client did.
 *
 * A case file: "key: value" lines, a line "---", then the script:
 *   S: text     send text and CRLF          S+ text   send text alone
 *   C: text     expect exactly text and CRLF from the client
 *   C~ text     expect a line starting with text
 *   tls         TLS handshake as the server (certificate for localhost)
 *   tls-fail    a handshake the client must refuse; the script ends
 *   scram SHA-1|SHA-256 PASSWORD [forge]
 *               play the server side of a SCRAM exchange, from the client's
 *               "AUTH SCRAM-..." line to the end; with forge, accept any
 *               proof, send a wrong server signature and go on with the script
 *   close       hang up now           stall   wait, silent, until the client hangs up
 *   cut         hang up now, in the middle of what the client is sending (what it
 *               sent past the script is not looked at)
 *   drain       read and ignore everything until the client hangs up
 * Text takes the escapes \r \n \t \0 \\ \xHH and \*N:c (c repeated N times).
 * After the script the peer reads to the end: anything more the client sent
 * is a failure ("nothing but EHLO was sent").
 *
 * The keys every test reads (testcase_finish checks them): error (CODE
 * fragment, one per failed call in order), error-lacks (in no error),
 * trace-has, trace-lacks, secret (never in an error or the trace); and for
 * the test's own use: do (the calls), keep-going (yes: go on after a failed
 * call), tls, pin (good|bad|none), timeout.
 */
#ifndef SURAT_TESTPEER_H
#define SURAT_TESTPEER_H

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>

/* What the protocols say differently in the SASL exchanges the peer plays. */
struct testpeer_dialect {
	const char *challenge; /* before a base64 challenge: "+ " (POP3), "334 " (SMTP) */
	const char *ok;        /* the line (no CRLF) after a verified exchange */
	const char *bad;       /* the line (no CRLF) after a wrong proof */
};

struct testpeer;

/* One case: its settings and script, and what the client did. */
struct testcase {
	GHashTable *keys;  /* key -> GPtrArray of values */
	gchar **script;    /* the lines after "---" */
	GString *trace;    /* "D: line\n" per line of the client's trace (testcase_trace) */
	GPtrArray *errors; /* GError * of each failed call, in order */
	volatile sig_atomic_t abort;
	struct testpeer *peer;
};

/* Decode the escapes of TEXT into a new GString. */
GString *testpeer_unescape(const char *text);

/* The fingerprint of that certificate, "SHA256:<hex>". */
const char *testpeer_fingerprint(void);

/* Load the case FILE of the folder DIR (ending in '/'). */
void testcase_load(struct testcase *c, const char *dir, const char *file);

/* The values of KEY (may be empty; owned by C). */
GPtrArray *testcase_values(struct testcase *c, const char *key);

/* The last value of KEY, or DEF. */
const char *testcase_value(struct testcase *c, const char *key, const char *def);

/* True when KEY is "yes" (DEF when it is not given). */
bool testcase_yes(struct testcase *c, const char *key, bool def);

/* The index of NAME among NAMES (N of them): the enum value a key names. */
int testcase_enum(const char *name, const char *const *names, size_t n);

/* The fingerprint to pin as the "pin" key says: good (the default), bad, none (NULL). */
const char *testcase_pin(struct testcase *c);

/* Start the peer on the script with DIALECT; returns the client's end of the socketpair. */
int testcase_peer_start(struct testcase *c, const struct testpeer_dialect *dialect);

/* A trace callback (DATA is the case): "D: line\n" per line. */
void testcase_trace(void *data, char direction, const char *line);

/* Keep ERROR (taken) as the error of a failed call; NULL is kept as no error at all. */
void testcase_failed(struct testcase *c, GError *error);

/* One call NAME of the "do" list; false with ERROR when it failed. */
typedef bool (*testcase_call_fn)(void *data, const char *name, GError **error);

/* Make the calls of the "do" list with CALL until one fails (all, with keep-going: yes). */
void testcase_run_calls(struct testcase *c, testcase_call_fn call, void *data);

/* Check that KEY, when given, is GOT (NULL shows as "(none)"). */
void testcase_expect(struct testcase *c, const char *key, const char *got);

/*
 * After the client is done with the connection: wait for the peer, check
 * what it saw and the errors, the trace and the secret against the case
 * (CODE_NAME names an error's code as the "error" key does), and free C.
 */
void testcase_finish(struct testcase *c, const char *(*code_name)(const GError *e));

/*
 * Run the FIXED tests, then RUN once for each NAME.txt file in DIR, named
 * after it and given a pointer to its name as the state; the peer's
 * certificate is made for the group.
 */
int testcase_main(const char *group, const char *dir, const struct CMUnitTest *fixed,
    size_t n_fixed, CMUnitTestFunction run);

#endif
