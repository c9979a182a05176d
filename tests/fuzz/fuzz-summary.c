/*
 * fuzz-summary: libFuzzer target over what the index and search learn from a
 * message (summary.h): bytes in, index fields out.  The oracle is DESIGN
 * promise 2 for the index: every string field is valid UTF-8 and passes
 * sanitize_is_clean (no ESC, no C0 but tab and newline, no C1, bidi
 * controls made visible); header fields are one line (no tab or newline);
 * ids carry no space or angle bracket; every field is capped (the body at
 * SUMMARY_BODY_MAX); fields the caller set for the file are left alone; and
 * asking for the body text changes none of the header fields; the same
 * bytes read from a file (summary_from_file, which never holds a message
 * whole) give the same fields and body text.  Time is
 * bounded by libFuzzer's -timeout (fuzz-summary.options).
 *
 * No global setup; replay.c runs the corpus in every build.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>

#include "surat/index.h"
#include "surat/sanitize.h"
#include "surat/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Longest header field summary.c keeps (its SUMMARY_FIELD_MAX), and ids in References. */
#define FUZZ_FIELD_MAX 2048
#define FUZZ_REFERENCES_MAX 64

/* Abort unless S is a clean field: one line (unless MULTILINE), at most MAX bytes. */
static void
fuzz_field(const char *s, bool multiline, size_t max)
{
	if (s == NULL)
		return;
	if (!g_utf8_validate(s, -1, NULL) || strlen(s) > max)
		abort();
	if (!sanitize_is_clean(s, multiline ? SANITIZE_MULTILINE : 0))
		abort();
	if (!multiline && (strchr(s, '\n') != NULL || strchr(s, '\t') != NULL))
		abort();
}

/* Abort unless ID is a message id as the index keeps it (NULL is fine). */
static void
fuzz_id(const char *id)
{
	if (id == NULL)
		return;
	fuzz_field(id, false, FUZZ_FIELD_MAX);
	if (id[0] == '\0' || strpbrk(id, " <>") != NULL)
		abort();
}

/* Abort unless A and B have the same header fields. */
static void
fuzz_same(const struct index_message *a, const struct index_message *b)
{
	if (g_strcmp0(a->message_id, b->message_id) != 0 ||
	    g_strcmp0(a->in_reply_to, b->in_reply_to) != 0 ||
	    g_strcmp0(a->references, b->references) != 0 || g_strcmp0(a->from, b->from) != 0 ||
	    g_strcmp0(a->from_addr, b->from_addr) != 0 || g_strcmp0(a->to, b->to) != 0 ||
	    g_strcmp0(a->to_addr, b->to_addr) != 0 || g_strcmp0(a->cc, b->cc) != 0 ||
	    g_strcmp0(a->cc_addr, b->cc_addr) != 0 || g_strcmp0(a->subject, b->subject) != 0 ||
	    a->date != b->date || a->has_attachment != b->has_attachment)
		abort();
}

/* A message as reindex starts it: the fields the file gives. */
static void
fuzz_message_init(struct index_message *msg)
{
	memset(msg, 0, sizeof *msg);
	msg->account = g_strdup("work");
	msg->subdir = g_strdup("cur");
	msg->base = g_strdup("1767225600.M1P2Q3.host");
	msg->flags = g_strdup("S");
	msg->uidl = g_strdup("uidl-1");
	msg->arrival = 1767225600;
	msg->size = 4096;
	msg->mtime = 1767225601;
}

/* Abort unless the file holding DATA summarizes as MSG and BODY did from the bytes. */
static void
fuzz_file_same(const uint8_t *data, size_t size, const struct index_message *msg,
    const char *body)
{
	struct index_message from_file;
	char *path = NULL, *file_body = NULL;
	int fd = g_file_open_tmp("fuzz-summary-XXXXXX", &path, NULL);

	if (fd < 0)
		abort();
	close(fd);
	if (!g_file_set_contents(path, (const char *)data, (gssize)size, NULL))
		abort();
	fuzz_message_init(&from_file);
	if (!summary_from_file(path, NULL, &from_file, &file_body, NULL))
		abort();
	fuzz_same(msg, &from_file);
	if (g_strcmp0(body, file_body) != 0)
		abort();
	unlink(path);
	g_free(path);
	g_free(file_body);
	index_message_clear(&from_file);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct index_message msg, plain;
	char *body = NULL, **refs;
	guint i;

	fuzz_message_init(&msg);
	summary_from_bytes((const char *)data, size, NULL, &msg, &body);
	if (body == NULL)
		abort();
	fuzz_field(body, true, SUMMARY_BODY_MAX);
	fuzz_id(msg.message_id);
	fuzz_id(msg.in_reply_to);
	if (msg.references != NULL) {
		fuzz_field(msg.references, false, FUZZ_REFERENCES_MAX * (FUZZ_FIELD_MAX + 1));
		refs = g_strsplit(msg.references, " ", -1);
		if (g_strv_length(refs) > FUZZ_REFERENCES_MAX)
			abort();
		for (i = 0; refs[i] != NULL; i++)
			fuzz_id(refs[i]);
		g_strfreev(refs);
	}
	/* The display fields are never NULL: the index pane draws them. */
	if (msg.from == NULL || msg.from_addr == NULL || msg.to == NULL || msg.to_addr == NULL ||
	    msg.cc == NULL || msg.cc_addr == NULL || msg.subject == NULL)
		abort();
	fuzz_field(msg.from, false, FUZZ_FIELD_MAX);
	fuzz_field(msg.from_addr, false, FUZZ_FIELD_MAX);
	fuzz_field(msg.to, false, FUZZ_FIELD_MAX);
	fuzz_field(msg.to_addr, false, FUZZ_FIELD_MAX);
	fuzz_field(msg.cc, false, FUZZ_FIELD_MAX);
	fuzz_field(msg.cc_addr, false, FUZZ_FIELD_MAX);
	fuzz_field(msg.subject, false, FUZZ_FIELD_MAX);
	if (msg.date <= 0)
		abort();
	/* What the file gave is left alone. */
	if (strcmp(msg.account, "work") != 0 || strcmp(msg.subdir, "cur") != 0 ||
	    strcmp(msg.flags, "S") != 0 || strcmp(msg.uidl, "uidl-1") != 0 ||
	    msg.arrival != 1767225600 || msg.size != 4096 || msg.mtime != 1767225601)
		abort();
	/* Without the body text, the same header fields. */
	fuzz_message_init(&plain);
	summary_from_bytes((const char *)data, size, NULL, &plain, NULL);
	fuzz_same(&msg, &plain);
	index_message_clear(&plain);
	/* Read from a file, piece by piece: the same fields and text. */
	fuzz_file_same(data, size, &msg, body);
	index_message_clear(&msg);
	g_free(body);
	return 0;
}
