/*
 * Unit tests for pop3.c: a scripted peer on a socketpair plays each case of
 * tests/data/pop3/NAME.txt (server lines in, the exact client transcript
 * expected, the result of each call checked), as curl's test cases do.
 *
 * A case file: "key: value" lines, a line "---", then the script:
 *   S: text     send text and CRLF          S+ text   send text alone
 *   C: text     expect exactly text and CRLF from the client
 *   C~ text     expect a line starting with text
 *   tls         TLS handshake as the server (certificate for localhost)
 *   tls-fail    a handshake the client must refuse; the script ends
 *   scram SHA-1|SHA-256 PASSWORD   play the server side of a SCRAM exchange
 *   close       hang up now           stall   wait, silent, until the client hangs up
 *   drain       read and ignore everything until the client hangs up
 * Text takes the escapes \r \n \t \0 \\ \xHH and \*N:c (c repeated N times).
 * After the script the peer reads to the end: anything more the client sent
 * is a failure ("nothing but CAPA was sent").
 *
 * Keys: do (calls in order: login stat uidl list retr:1,2 top:0:1,2
 * pieces:1,2 (RETR in pieces) dele:1,2 noop rset quit), pieces-at-least (N
 * pieces before the last, none much over POP3_PIECE), tls, auth, user, secret, cleartext, pipelining,
 * timeout, pin (good|bad|none), error (CODE fragment: the first failing
 * call, and every later one is skipped), message (N escaped-content),
 * size (N BYTES), stat (COUNT SIZE), uidl (N UIDL), list (N SIZE), caps,
 * auth-used, writes, trace-has, trace-lacks, fail-callback (N),
 * abort-after (N), greeting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "testcert.h"
#include "surat/pop3.h"

#define DATA SURAT_TEST_DATA "/pop3/"

static struct testcert test_cert;
static char test_fp[TLS_FINGERPRINT_LEN + 1];

/* Decode the escapes of TEXT into a new GString. */
static GString *
test_unescape(const char *text)
{
	GString *out = g_string_new(NULL);
	const char *p;
	char *end;
	unsigned long n;

	for (p = text; *p != '\0'; p++) {
		if (*p != '\\' || p[1] == '\0') {
			g_string_append_c(out, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 'r':
			g_string_append_c(out, '\r');
			break;
		case 'n':
			g_string_append_c(out, '\n');
			break;
		case 't':
			g_string_append_c(out, '\t');
			break;
		case '0':
			g_string_append_c(out, '\0');
			break;
		case 'x':
			g_string_append_c(out, (char)strtoul((char[]){ p[1], p[2], 0 }, NULL, 16));
			p += 2;
			break;
		case '*':
			n = strtoul(p + 1, &end, 10);
			assert_true(*end == ':' && end[1] != '\0');
			while (n-- > 0)
				g_string_append_c(out, end[1]);
			p = end + 1;
			break;
		default:
			g_string_append_c(out, *p);
			break;
		}
	}
	return out;
}

/* The scripted server. */
struct test_peer {
	int fd;
	gchar **script;    /* the lines after "---" */
	SSL_CTX *ctx;
	SSL *ssl;          /* after "tls" */
	GString *in;       /* bytes read, not yet matched */
	GString *problems; /* mismatches, for the failure message */
	GString *extra;    /* what the client sent after the script */
	bool eof;
};

/* Read more from the client into p->in, within 10 s; false at EOF or error. */
static bool
test_peer_fill(struct test_peer *p)
{
	struct pollfd pfd = { p->fd, POLLIN, 0 };
	char buf[65536];
	int n;

	if (p->eof)
		return false;
	if ((p->ssl == NULL || SSL_pending(p->ssl) == 0) && poll(&pfd, 1, 10000) <= 0) {
		g_string_append(p->problems, "the client sent nothing for 10 s\n");
		return false;
	}
	n = p->ssl != NULL ? SSL_read(p->ssl, buf, sizeof buf) : (int)read(p->fd, buf, sizeof buf);
	if (n <= 0) {
		p->eof = true;
		return false;
	}
	g_string_append_len(p->in, buf, n);
	return true;
}

/* The next line from the client, with its CRLF (g_string_free), or NULL at EOF. */
static GString *
test_peer_line(struct test_peer *p)
{
	const char *nl;
	GString *line;

	while ((nl = memchr(p->in->str, '\n', p->in->len)) == NULL)
		if (!test_peer_fill(p))
			return NULL;
	line = g_string_new_len(p->in->str, nl - p->in->str + 1);
	g_string_erase(p->in, 0, nl - p->in->str + 1);
	return line;
}

/* Send LEN bytes. */
static void
test_peer_send(struct test_peer *p, const char *data, size_t len)
{
	if (p->ssl != NULL)
		SSL_write(p->ssl, data, (int)len);
	else if (write(p->fd, data, len) < 0)
		return; /* the client hung up: the C: lines tell whether it should have */
}

/* Note a problem with what the client sent. */
static void
test_peer_mismatch(struct test_peer *p, const char *expected, const GString *got)
{
	char *e = g_strescape(expected, NULL);
	char *raw = got != NULL ? g_strndup(got->str, got->len) : NULL;
	char *g = raw != NULL ? g_strescape(raw, NULL) : g_strdup("(end of stream)");

	g_string_append_printf(p->problems, "expected \"%s\", the client sent \"%s\"\n", e, g);
	g_free(e);
	g_free(raw);
	g_free(g);
}

/* Base64 of LEN bytes (g_free). */
static char *
test_b64(const void *data, size_t len)
{
	return g_base64_encode(data, len);
}

/* Play the server side of SCRAM (RFC 5802) after "AUTH SCRAM-..."; false on a mismatch. */
static bool
test_peer_scram(struct test_peer *p, const char *hash, const char *password)
{
	const EVP_MD *md = strcmp(hash, "SHA-1") == 0 ? EVP_sha1() : EVP_sha256();
	int hlen = EVP_MD_size(md);
	unsigned char salted[EVP_MAX_MD_SIZE], ckey[EVP_MAX_MD_SIZE], skey[EVP_MAX_MD_SIZE];
	unsigned char stored[EVP_MAX_MD_SIZE], csig[EVP_MAX_MD_SIZE], ssig[EVP_MAX_MD_SIZE];
	unsigned char proof[EVP_MAX_MD_SIZE];
	unsigned int n;
	GString *line = test_peer_line(p), *reply;
	char *prefix = g_strdup_printf("AUTH SCRAM-%s ", hash), *first, *bare, *server_first;
	char *final = NULL, *without, *auth, *expect_proof = NULL, *b64;
	gsize len;
	bool ok = false;
	int i;

	if (line == NULL || !g_str_has_prefix(line->str, prefix)) {
		test_peer_mismatch(p, prefix, line);
		goto out;
	}
	g_strchomp(line->str);
	first = (char *)g_base64_decode(line->str + strlen(prefix), &len);
	first = g_realloc(first, len + 1);
	first[len] = '\0';
	bare = g_strdup(first + 3); /* after "n,," */
	server_first = g_strdup_printf("%s%s,s=QSXCR+Q6sek8bf92,i=4096", strstr(bare, "r=") ?
	    strstr(bare, "r=") : "r=", "SERVERNONCE");
	b64 = test_b64(server_first, strlen(server_first));
	reply = g_string_new("+ ");
	g_string_append_printf(reply, "%s\r\n", b64);
	test_peer_send(p, reply->str, reply->len);
	g_free(b64);
	g_string_free(reply, TRUE);
	g_string_free(line, TRUE);
	line = test_peer_line(p);
	if (line == NULL) {
		test_peer_mismatch(p, "client-final", NULL);
		goto out2;
	}
	g_strchomp(line->str);
	final = (char *)g_base64_decode(line->str, &len);
	final = g_realloc(final, len + 1);
	final[len] = '\0';
	{
		gsize salt_len;
		guchar *salt = g_base64_decode("QSXCR+Q6sek8bf92", &salt_len);

		PKCS5_PBKDF2_HMAC(password, (int)strlen(password), salt, (int)salt_len, 4096, md,
		    hlen, salted);
		g_free(salt);
	}
	HMAC(md, salted, hlen, (const unsigned char *)"Client Key", 10, ckey, &n);
	EVP_Digest(ckey, (size_t)hlen, stored, &n, md, NULL);
	without = g_strndup(final, strstr(final, ",p=") != NULL ? strstr(final, ",p=") - final :
								  (long)strlen(final));
	auth = g_strconcat(bare, ",", server_first, ",", without, NULL);
	HMAC(md, stored, hlen, (const unsigned char *)auth, strlen(auth), csig, &n);
	for (i = 0; i < hlen; i++)
		proof[i] = ckey[i] ^ csig[i];
	b64 = test_b64(proof, (size_t)hlen);
	expect_proof = g_strconcat(without, ",p=", b64, NULL);
	g_free(b64);
	if (strcmp(final, expect_proof) != 0) {
		/* a wrong password: the client learns it from the -ERR */
		test_peer_send(p, "-ERR [AUTH] bad proof\r\n", 23);
	} else {
		HMAC(md, salted, hlen, (const unsigned char *)"Server Key", 10, skey, &n);
		HMAC(md, skey, hlen, (const unsigned char *)auth, strlen(auth), ssig, &n);
		b64 = test_b64(ssig, (size_t)hlen);
		reply = g_string_new(NULL);
		g_string_printf(reply, "v=%s", b64);
		g_free(b64);
		b64 = test_b64(reply->str, reply->len);
		g_string_printf(reply, "+ %s\r\n", b64);
		g_free(b64);
		test_peer_send(p, reply->str, reply->len);
		g_string_free(reply, TRUE);
		g_string_free(line, TRUE);
		line = test_peer_line(p);
		if (line == NULL || strcmp(line->str, "\r\n") != 0) {
			test_peer_mismatch(p, "\r\n", line);
		} else {
			test_peer_send(p, "+OK Logged in.\r\n", 16);
			ok = true;
		}
	}
	g_free(without);
	g_free(auth);
out2:
	g_free(first);
	g_free(bare);
	g_free(server_first);
out:
	if (line != NULL)
		g_string_free(line, TRUE);
	g_free(final);
	g_free(expect_proof);
	g_free(prefix);
	return ok;
}

/* The peer thread: play the script, then collect what else the client sends. */
static gpointer
test_peer_run(gpointer data)
{
	struct test_peer *p = data;
	gchar **l;
	GString *text, *got;
	sigset_t set;
	bool stop = false;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (l = p->script; *l != NULL && !stop; l++) {
		const char *line = *l;

		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (g_str_has_prefix(line, "S:") || g_str_has_prefix(line, "S+")) {
			text = test_unescape(line[2] == ' ' ? line + 3 : line + 2);
			if (line[1] == ':')
				g_string_append(text, "\r\n");
			test_peer_send(p, text->str, text->len);
			g_string_free(text, TRUE);
		} else if (g_str_has_prefix(line, "C:") || g_str_has_prefix(line, "C~")) {
			text = test_unescape(line[2] == ' ' ? line + 3 : line + 2);
			if (line[1] == ':')
				g_string_append(text, "\r\n");
			got = test_peer_line(p);
			if (got == NULL || (line[1] == ':' && !g_string_equal(got, text)) ||
			    (line[1] == '~' && !g_str_has_prefix(got->str, text->str))) {
				test_peer_mismatch(p, text->str, got);
				stop = true;
			}
			if (got != NULL)
				g_string_free(got, TRUE);
			g_string_free(text, TRUE);
		} else if (strcmp(line, "tls") == 0 || strcmp(line, "tls-fail") == 0) {
			p->ctx = SSL_CTX_new(TLS_server_method());
			SSL_CTX_use_certificate(p->ctx, test_cert.cert);
			SSL_CTX_use_PrivateKey(p->ctx, test_cert.key);
			p->ssl = SSL_new(p->ctx);
			SSL_set_fd(p->ssl, p->fd);
			if (SSL_accept(p->ssl) != 1) {
				if (strcmp(line, "tls") == 0)
					g_string_append(p->problems, "TLS handshake failed\n");
				ERR_clear_error();
				SSL_free(p->ssl);
				p->ssl = NULL;
				stop = true;
			} else if (strcmp(line, "tls-fail") == 0) {
				g_string_append(p->problems, "the client accepted TLS\n");
				stop = true;
			}
		} else if (g_str_has_prefix(line, "scram ")) {
			gchar **w = g_strsplit(line, " ", 3);

			if (!test_peer_scram(p, w[1], w[2]))
				stop = true;
			g_strfreev(w);
		} else if (strcmp(line, "close") == 0) {
			shutdown(p->fd, SHUT_RDWR);
			stop = true;
		} else if (strcmp(line, "stall") == 0) {
			while (test_peer_fill(p))
				;
			stop = true;
		} else if (strcmp(line, "drain") == 0) {
			/* take whatever the client sends (a TLS hello) as expected */
			while (test_peer_fill(p))
				g_string_truncate(p->in, 0);
			stop = true;
		} else {
			g_string_append_printf(p->problems, "unknown script line \"%s\"\n", line);
			stop = true;
		}
	}
	/* whatever the client sends from now on was not in the script */
	if (p->ssl == NULL || !stop)
		while (test_peer_fill(p))
			;
	g_string_append_len(p->extra, p->in->str, p->in->len);
	if (p->ssl != NULL)
		SSL_free(p->ssl);
	SSL_CTX_free(p->ctx);
	ERR_clear_error();
	close(p->fd);
	return NULL;
}

/* One case: its settings and what it expects. */
struct test_case {
	GHashTable *keys;   /* key -> GPtrArray of values */
	gchar **script;
	GString *trace;
	GPtrArray *messages; /* GString * per message delivered, "N:" + content */
	int fail_callback;
	int abort_after;
	volatile sig_atomic_t abort;
	int delivered;
	GString *piece;      /* the message being received in pieces */
	int pieces;          /* pieces that were not the last */
	size_t piece_max;    /* the largest piece */
};

/* The values of KEY in C (may be empty). */
static GPtrArray *
test_values(struct test_case *c, const char *key)
{
	GPtrArray *v = g_hash_table_lookup(c->keys, key);

	if (v == NULL) {
		v = g_ptr_array_new_with_free_func(g_free);
		g_hash_table_insert(c->keys, g_strdup(key), v);
	}
	return v;
}

/* The single value of KEY, or DEF. */
static const char *
test_value(struct test_case *c, const char *key, const char *def)
{
	GPtrArray *v = test_values(c, key);

	return v->len > 0 ? g_ptr_array_index(v, v->len - 1) : def;
}

/* Free a GString (for a GPtrArray). */
static void
test_gstring_free(gpointer s)
{
	g_string_free(s, TRUE);
}

/* Load the case FILE. */
static void
test_load(struct test_case *c, const char *file)
{
	char *path = g_strconcat(DATA, file, NULL), *text = NULL, *sep;
	gchar **lines, **l;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		fail_msg("cannot read %s", path);
	memset(c, 0, sizeof *c);
	c->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    (GDestroyNotify)g_ptr_array_unref);
	sep = strstr(text, "\n---\n");
	assert_non_null(sep);
	*sep = '\0';
	c->script = g_strsplit(sep + 5, "\n", -1);
	lines = g_strsplit(text, "\n", -1);
	for (l = lines; *l != NULL; l++) {
		char *colon = strchr(*l, ':');

		if ((*l)[0] == '#' || (*l)[0] == '\0')
			continue;
		assert_non_null(colon);
		*colon = '\0';
		g_ptr_array_add(test_values(c, g_strstrip(*l)), g_strdup(g_strstrip(colon + 1)));
	}
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	c->trace = g_string_new(NULL);
	c->messages = g_ptr_array_new_with_free_func(test_gstring_free);
	c->fail_callback = atoi(test_value(c, "fail-callback", "0"));
	c->abort_after = atoi(test_value(c, "abort-after", "0"));
}

/* Free what test_load made. */
static void
test_unload(struct test_case *c)
{
	g_hash_table_destroy(c->keys);
	g_strfreev(c->script);
	g_string_free(c->trace, TRUE);
	g_ptr_array_free(c->messages, TRUE);
	if (c->piece != NULL)
		g_string_free(c->piece, TRUE);
}

/* The trace callback: "D: line" per line. */
static void
test_trace(void *data, char direction, const char *line)
{
	struct test_case *c = data;

	g_string_append_printf(c->trace, "%c: %s\n", direction, line);
}

/* The message callback: keep "N:" and the content; fail or abort when asked. */
static bool
test_message(void *data, unsigned int num, const char *buf, size_t len, GError **error)
{
	struct test_case *c = data;
	GString *m = g_string_new(NULL);

	g_string_printf(m, "%u:", num);
	g_string_append_len(m, buf, len);
	g_ptr_array_add(c->messages, m);
	c->delivered++;
	if (c->fail_callback > 0 && c->delivered == c->fail_callback) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "disk full (test)");
		return false;
	}
	if (c->abort_after > 0 && c->delivered == c->abort_after)
		c->abort = 1;
	return true;
}

/* The piece callback: gather the pieces, then deliver as test_message does. */
static bool
test_piece(void *data, unsigned int num, const char *buf, size_t len, bool last, GError **error)
{
	struct test_case *c = data;
	bool ok;

	if (c->piece == NULL)
		c->piece = g_string_new(NULL);
	g_string_append_len(c->piece, buf, len);
	c->piece_max = MAX(c->piece_max, len);
	if (!last) {
		c->pieces++;
		return true;
	}
	ok = test_message(c, num, c->piece->str, c->piece->len, error);
	g_string_truncate(c->piece, 0);
	return ok;
}

static const char *const test_code_names[] = {
	[POP3_ERROR_IO] = "IO",
	[POP3_ERROR_TIMEOUT] = "TIMEOUT",
	[POP3_ERROR_TLS] = "TLS",
	[POP3_ERROR_INSECURE] = "INSECURE",
	[POP3_ERROR_PROTOCOL] = "PROTOCOL",
	[POP3_ERROR_AUTH] = "AUTH",
	[POP3_ERROR_IN_USE] = "IN_USE",
	[POP3_ERROR_LOGIN_DELAY] = "LOGIN_DELAY",
	[POP3_ERROR_SYS_TEMP] = "SYS_TEMP",
	[POP3_ERROR_SYS_PERM] = "SYS_PERM",
	[POP3_ERROR_SERVER] = "SERVER",
	[POP3_ERROR_UNSUPPORTED] = "UNSUPPORTED",
	[POP3_ERROR_ABORT] = "ABORT",
};

/* Message numbers "1,2,3" into an array (g_free); *N gets the count. */
static unsigned int *
test_nums(const char *list, size_t *n)
{
	gchar **parts = g_strsplit(list, ",", -1);
	unsigned int *nums = g_new0(unsigned int, g_strv_length(parts) + 1);
	size_t i;

	for (i = 0; parts[i] != NULL; i++)
		nums[i] = (unsigned int)strtoul(parts[i], NULL, 10);
	*n = i;
	g_strfreev(parts);
	return nums;
}

/* The enum value named NAME in config.h's words. */
static int
test_enum(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	fail_msg("unknown value %s", name);
	return -1;
}

/* CAPS in one line, to compare with a case's "caps:". */
static char *
test_caps_line(const struct pop3_caps *caps)
{
	GString *s = g_string_new(caps->capa ? "capa" : "no-capa");
	char *sasl;

	if (caps->top)
		g_string_append(s, " top");
	if (caps->uidl)
		g_string_append(s, " uidl");
	if (caps->user)
		g_string_append(s, " user");
	if (caps->pipelining)
		g_string_append(s, " pipelining");
	if (caps->resp_codes)
		g_string_append(s, " resp-codes");
	if (caps->auth_resp_code)
		g_string_append(s, " auth-resp-code");
	if (caps->stls)
		g_string_append(s, " stls");
	if (caps->utf8)
		g_string_append(s, " utf8");
	if (caps->sasl != NULL) {
		sasl = g_strjoinv(",", caps->sasl);
		g_string_append_printf(s, " sasl=%s", sasl);
		g_free(sasl);
	}
	if (caps->login_delay >= 0)
		g_string_append_printf(s, " login-delay=%d", caps->login_delay);
	if (caps->expire != POP3_EXPIRE_NONE)
		g_string_append_printf(s, " expire=%d", caps->expire);
	if (caps->implementation != NULL)
		g_string_append_printf(s, " implementation=%s", caps->implementation);
	return g_string_free(s, FALSE);
}

/* Run one call OP of the "do" list; false with ERROR when it failed. */
static bool
test_op(struct test_case *c, struct pop3_session *s, const char *op, GArray *msgs,
    GError **error)
{
	static const char *const auths[] = { "auto", "user", "apop", "plain", "login",
		"cram-md5", "scram-sha-1", "scram-sha-256", "xoauth2", "oauthbearer" };
	unsigned int count, *nums;
	uint64_t size;
	size_t n;
	bool ok;

	if (strcmp(op, "login") == 0) {
		/* The secret takes the script's escapes: bytes the sanitizer would rewrite. */
		GString *secret = test_unescape(test_value(c, "secret", "hunter2"));

		ok = pop3_login(s,
		    test_enum(test_value(c, "auth", "auto"), auths, G_N_ELEMENTS(auths)),
		    test_value(c, "user", "alice"), secret->str,
		    strcmp(test_value(c, "cleartext", "yes"), "yes") == 0, error);
		g_string_free(secret, TRUE);
		return ok;
	}
	if (strcmp(op, "stat") == 0) {
		if (!pop3_stat(s, &count, &size, error))
			return false;
		g_ptr_array_add(test_values(c, "got-stat"),
		    g_strdup_printf("%u %" G_GUINT64_FORMAT, count, size));
		return true;
	}
	if (strcmp(op, "uidl") == 0)
		return pop3_uidl(s, msgs, error);
	if (strcmp(op, "list") == 0)
		return pop3_list(s, msgs, error);
	if (strcmp(op, "noop") == 0)
		return pop3_noop(s, error);
	if (strcmp(op, "rset") == 0)
		return pop3_rset(s, error);
	if (strcmp(op, "quit") == 0)
		return pop3_quit(s, error);
	if (g_str_has_prefix(op, "retr:")) {
		nums = test_nums(op + 5, &n);
		ok = pop3_retr_many(s, nums, n, test_message, c, error);
		g_free(nums);
		return ok;
	}
	if (g_str_has_prefix(op, "pieces:")) {
		nums = test_nums(op + 7, &n);
		ok = pop3_retr_pieces(s, nums, n, test_piece, c, error);
		g_free(nums);
		return ok;
	}
	if (g_str_has_prefix(op, "top:")) {
		char *colon = strchr(op + 4, ':');

		nums = test_nums(colon + 1, &n);
		ok = pop3_top_many(s, nums, n, (unsigned int)atoi(op + 4), test_message, c, error);
		g_free(nums);
		return ok;
	}
	if (g_str_has_prefix(op, "dele:")) {
		nums = test_nums(op + 5, &n);
		ok = pop3_dele_many(s, nums, n, error);
		g_free(nums);
		return ok;
	}
	fail_msg("unknown call %s", op);
	return false;
}

/* Check the messages, UIDLs, sizes and other results against the case. */
static void
test_check_results(struct test_case *c, GArray *msgs, struct pop3_session *s)
{
	GPtrArray *want = test_values(c, "message"), *sizes = test_values(c, "size");
	GPtrArray *v;
	guint i;

	if (sizes->len == 0) {
		if (want->len != c->messages->len)
			print_error("%u messages delivered, %u expected\n", c->messages->len,
			    want->len);
		assert_int_equal(want->len, c->messages->len);
		for (i = 0; i < want->len; i++) {
			const char *w = g_ptr_array_index(want, i), *sp = strchr(w, ' ');
			GString *e = test_unescape(sp != NULL ? sp + 1 : "");
			GString *got = g_ptr_array_index(c->messages, i);

			g_string_prepend_c(e, ':');
			g_string_prepend_len(e, w, sp != NULL ? sp - w : (gssize)strlen(w));
			if (!g_string_equal(e, got)) {
				char *raw = g_strndup(got->str, got->len);
				char *esc = g_strescape(raw, NULL);

				print_error("message %u: got \"%s\"\n", i, esc);
				g_free(raw);
				g_free(esc);
			}
			assert_true(g_string_equal(e, got));
			g_string_free(e, TRUE);
		}
	}
	for (i = 0; i < sizes->len; i++) {
		GString *got = g_ptr_array_index(c->messages, i);
		char *expect = g_strdup(g_ptr_array_index(sizes, i));
		char *sp = strchr(expect, ' ');
		char *colon = strchr(got->str, ':');

		*sp = '\0';
		assert_int_equal(strtoul(expect, NULL, 10), strtoul(got->str, NULL, 10));
		assert_int_equal(strtoull(sp + 1, NULL, 10), got->len - (colon + 1 - got->str));
		g_free(expect);
	}
	/* In pieces: at least so many before the last, none much over POP3_PIECE. */
	v = test_values(c, "pieces-at-least");
	if (v->len > 0) {
		assert_true(c->pieces >= atoi(g_ptr_array_index(v, 0)));
		assert_true(c->piece_max <= POP3_PIECE + 256 * 1024);
	}
	v = test_values(c, "stat");
	if (v->len > 0)
		assert_string_equal(g_ptr_array_index(v, 0),
		    test_value(c, "got-stat", "(no STAT)"));
	v = test_values(c, "uidl");
	for (i = 0; i < v->len; i++) {
		char *expect = g_ptr_array_index(v, i), *got;
		struct pop3_msg *m;

		assert_true(i < msgs->len);
		m = &g_array_index(msgs, struct pop3_msg, i);
		got = g_strdup_printf("%u %s", m->num, m->uidl != NULL ? m->uidl : "(none)");
		assert_string_equal(got, expect);
		g_free(got);
	}
	v = test_values(c, "list");
	for (i = 0; i < v->len; i++) {
		char *got;
		struct pop3_msg *m;

		assert_true(i < msgs->len);
		m = &g_array_index(msgs, struct pop3_msg, i);
		got = g_strdup_printf("%u %" G_GUINT64_FORMAT, m->num, m->size);
		assert_string_equal(got, g_ptr_array_index(v, i));
		g_free(got);
	}
	if ((v = test_values(c, "caps"))->len > 0 && s != NULL) {
		char *line = test_caps_line(pop3_caps(s));

		assert_string_equal(line, g_ptr_array_index(v, 0));
		g_free(line);
	}
	if ((v = test_values(c, "auth-used"))->len > 0 && s != NULL)
		assert_string_equal(pop3_auth_used(s) != NULL ? pop3_auth_used(s) : "(none)",
		    g_ptr_array_index(v, 0));
	if ((v = test_values(c, "greeting"))->len > 0 && s != NULL)
		assert_string_equal(pop3_greeting(s), g_ptr_array_index(v, 0));
	if ((v = test_values(c, "writes"))->len > 0 && s != NULL) {
		struct pop3_stats st;

		pop3_get_stats(s, &st);
		assert_int_equal(st.writes, atoi(g_ptr_array_index(v, 0)));
	}
	if (test_values(c, "tls-info")->len > 0 && s != NULL) {
		const struct pop3_tls_info *info = pop3_tls_info(s);

		assert_non_null(info);
		assert_string_equal(info->fingerprint, test_fp);
		assert_non_null(strstr(info->subject, "CN=localhost"));
	}
}

/* Run the case in STATE (its file name). */
static void
test_case_run(void **state)
{
	const char *file = *(const char *const *)*state;
	static const char *const tlss[] = { "implicit", "starttls", "none" };
	struct test_case c;
	struct test_peer p = { 0 };
	struct pop3_open_options o = { 0 };
	struct pop3_session *s;
	GArray *msgs = g_array_new(FALSE, TRUE, sizeof(struct pop3_msg));
	GError *error = NULL;
	GThread *t;
	gchar **ops, **op;
	const char *pin;
	GPtrArray *v, *errors;
	bool keep_going;
	int sv[2];
	guint i;

	g_array_set_clear_func(msgs, (GDestroyNotify)pop3_msg_clear);
	test_load(&c, file);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p.fd = sv[1];
	p.script = c.script;
	p.in = g_string_new(NULL);
	p.problems = g_string_new(NULL);
	p.extra = g_string_new(NULL);
	t = g_thread_new("peer", test_peer_run, &p);

	o.host = "localhost";
	o.port = 110;
	o.tls = test_enum(test_value(&c, "tls", "none"), tlss, G_N_ELEMENTS(tlss));
	pin = test_value(&c, "pin", "good");
	o.fingerprint = strcmp(pin, "good") == 0 ? test_fp :
	    strcmp(pin, "bad") == 0 ? "SHA256:0000000000000000000000000000000000000000000000000000"
				      "000000000000" :
				      NULL;
	o.timeout = atoi(test_value(&c, "timeout", "5"));
	o.pipelining = strcmp(test_value(&c, "pipelining", "yes"), "yes") == 0;
	o.trace = test_trace;
	o.trace_data = &c;
	o.abort = &c.abort;

	errors = g_ptr_array_new_with_free_func((GDestroyNotify)g_error_free);
	s = pop3_open_fd(sv[0], &o, &error);
	if (s == NULL)
		g_ptr_array_add(errors, error);
	error = NULL;
	keep_going = strcmp(test_value(&c, "keep-going", "no"), "yes") == 0;
	ops = g_strsplit(test_value(&c, "do", ""), " ", -1);
	for (op = ops; s != NULL && *op != NULL && (keep_going || errors->len == 0); op++) {
		if (**op == '\0' || test_op(&c, s, *op, msgs, &error))
			continue;
		assert_non_null(error);
		g_ptr_array_add(errors, error);
		error = NULL;
	}
	g_strfreev(ops);
	test_check_results(&c, msgs, s);
	pop3_session_free(s);
	g_thread_join(t);

	if (p.problems->len > 0 || p.extra->len > 0 || g_getenv("TEST_VERBOSE") != NULL) {
		char *raw = g_strndup(p.extra->str, p.extra->len), *extra = g_strescape(raw, NULL);

		g_free(raw);
		print_message("trace:\n%s", c.trace->str);
		print_message("peer: %s", p.problems->str);
		if (p.extra->len > 0)
			print_message("the client also sent: \"%s\"\n", extra);
		for (i = 0; i < errors->len; i++)
			print_message("error: %s\n", ((GError *)errors->pdata[i])->message);
		g_free(extra);
	}
	assert_int_equal(p.problems->len, 0);
	assert_int_equal(p.extra->len, 0);
	v = test_values(&c, "error");
	for (i = 0; i < errors->len; i++) {
		GError *e = errors->pdata[i];
		const char *want = i < v->len ? g_ptr_array_index(v, i) : NULL, *sp;
		char *code;
		const char *got_code = e->domain == POP3_ERROR ? test_code_names[e->code] :
		    e->domain == G_FILE_ERROR			? "CALLBACK" :
								  "?";

		if (want == NULL)
			fail_msg("unexpected error: %s", e->message);
		sp = strchr(want, ' ');
		code = g_strndup(want, sp != NULL ? sp - want : (long)strlen(want));
		if (strcmp(got_code, code) != 0 || (sp != NULL && strstr(e->message, sp + 1) == NULL))
			print_error("got %s: %s\n", got_code, e->message);
		assert_string_equal(got_code, code);
		if (sp != NULL)
			assert_non_null(strstr(e->message, sp + 1));
		/* the secret never appears in an error */
		assert_null(strstr(e->message, test_value(&c, "secret", "hunter2")));
		g_free(code);
	}
	if (errors->len < v->len)
		fail_msg("expected %s, but it did not happen", (char *)g_ptr_array_index(v, errors->len));
	v = test_values(&c, "trace-has");
	for (i = 0; i < v->len; i++) {
		if (strstr(c.trace->str, g_ptr_array_index(v, i)) == NULL)
			print_error("trace lacks \"%s\":\n%s", (char *)g_ptr_array_index(v, i),
			    c.trace->str);
		assert_non_null(strstr(c.trace->str, g_ptr_array_index(v, i)));
	}
	v = test_values(&c, "trace-lacks");
	for (i = 0; i < v->len; i++)
		assert_null(strstr(c.trace->str, g_ptr_array_index(v, i)));
	assert_null(strstr(c.trace->str, test_value(&c, "secret", "hunter2")));
	g_ptr_array_free(errors, TRUE);
	g_array_free(msgs, TRUE);
	g_string_free(p.in, TRUE);
	g_string_free(p.problems, TRUE);
	g_string_free(p.extra, TRUE);
	test_unload(&c);
}

/* The certificate the peer's TLS uses, pinned by fingerprint. */
static int
test_setup(void **state)
{
	testcert_make(&test_cert, "localhost", "DNS:localhost", -1, 30, NULL, false);
	testcert_fingerprint(test_cert.cert, test_fp);
	return 0;
}

/* Free the certificate. */
static int
test_teardown(void **state)
{
	testcert_free(&test_cert);
	return 0;
}

/* pop3_msg_clear and NULL-safety. */
static void
test_null(void **state)
{
	struct pop3_msg m = { 1, 2, g_strdup("x") };

	pop3_msg_clear(&m);
	assert_null(m.uidl);
	pop3_msg_clear(&m);
	pop3_session_free(NULL);
}

/* A connect that is refused names the host. */
static void
test_open_refused(void **state)
{
	struct pop3_open_options o = { .host = "127.0.0.1", .port = 1, .tls = POP3_TLS_NONE,
		.timeout = 2 };
	GError *error = NULL;

	assert_null(pop3_open(&o, &error));
	assert_int_equal(error->domain, POP3_ERROR);
	assert_int_equal(error->code, POP3_ERROR_IO);
	assert_non_null(strstr(error->message, "127.0.0.1:1"));
	g_error_free(error);
}

/* Order file names (g_ptr_array_sort passes pointers to the elements). */
static gint
test_name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
main(void)
{
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_open_refused),
	};
	GDir *dir = g_dir_open(DATA, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GArray *tests = g_array_new(FALSE, TRUE, sizeof(struct CMUnitTest));
	const char *name;
	struct CMUnitTest t = { 0 };
	const char **states;
	guint i;
	int failed;

	if (dir == NULL)
		return 1;
	while ((name = g_dir_read_name(dir)) != NULL)
		if (g_str_has_suffix(name, ".txt"))
			g_ptr_array_add(names, g_strdup(name));
	g_dir_close(dir);
	g_ptr_array_sort(names, test_name_cmp);
	states = g_new0(const char *, names->len);
	g_array_append_vals(tests, fixed, G_N_ELEMENTS(fixed));
	for (i = 0; i < names->len; i++) {
		states[i] = g_ptr_array_index(names, i);
		t.name = states[i];
		t.test_func = test_case_run;
		t.initial_state = (void *)&states[i];
		g_array_append_val(tests, t);
	}
	failed = _cmocka_run_group_tests("pop3", (struct CMUnitTest *)tests->data, tests->len,
	    test_setup, test_teardown);
	g_array_free(tests, TRUE);
	g_free(states);
	g_ptr_array_free(names, TRUE);
	return failed;
}
