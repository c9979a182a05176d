/*
 * config-send: an account's keys for sending mail (issue 12): the from
 * address, read here without GMime (which is loaded lazily, when a message
 * is rendered or written, never for the configuration), the signature file,
 * and what the keys for sending decide together: the address and name to
 * write as when from does not give them, what the smtp group takes from the
 * account, and smtp or sendmail_command.  The key tables are
 * config-account.c's.
 */
#include "config-private.h"

#include <string.h>

#define CONFIG_FROM_HINT "; write Name <local@domain> or local@domain"

/*
 * Why ADDRESS cannot be an address to send as (local@domain), or NULL.
 * ADDRESS may be any bytes (a user name): from's check rules out invalid
 * UTF-8 and control characters before, with errors of their own.
 */
static const char *
config_address_problem(const char *address)
{
	const char *at = strchr(address, '@'), *c;
	gunichar u;

	if (*address == '\0')
		return "no address" CONFIG_FROM_HINT;
	if (!g_utf8_validate(address, -1, NULL))
		return "not UTF-8";
	for (c = address; *c != '\0'; c = g_utf8_next_char(c)) {
		if (g_unichar_iscntrl(u = g_utf8_get_char(c)))
			return "a control character";
		if (g_unichar_isspace(u))
			return "a space in the address" CONFIG_FROM_HINT;
	}
	if (strpbrk(address, "<>") != NULL)
		return "< or > inside the address" CONFIG_FROM_HINT;
	if (at == NULL)
		return "no @domain" CONFIG_FROM_HINT;
	if (strchr(at + 1, '@') != NULL)
		return "more than one @" CONFIG_FROM_HINT;
	if (at == address)
		return "nothing before the @" CONFIG_FROM_HINT;
	if (at[1] == '\0')
		return "nothing after the @" CONFIG_FROM_HINT;
	return NULL;
}

/*
 * The display name of FROM that ends before LT, the '<' of its address:
 * "Jane Doe " or "\"Doe, Jane\" " (quotes and backslash escapes removed).
 * Sets *NAME (NULL when there is none; g_free) and returns NULL, or
 * returns why it cannot be a name.
 */
static const char *
config_from_name(const char *from, const char *lt, char **name)
{
	GString *unquoted;
	const char *c;

	*name = g_strstrip(g_strndup(from, (gsize)(lt - from)));
	if ((*name)[0] == '"') {
		/* The caller saw every quote close: an escape is never the last byte. */
		unquoted = g_string_new(NULL);
		for (c = *name + 1; *c != '"'; c++) {
			c += *c == '\\';
			g_string_append_c(unquoted, *c);
		}
		if (c[1] != '\0') {
			g_string_free(unquoted, TRUE);
			g_clear_pointer(name, g_free);
			return "the name is partly in double quotes; put all of it in them, "
			    "\"Jane Doe\" <local@domain>";
		}
		g_free(*name);
		*name = g_string_free(unquoted, FALSE);
	} else if (strpbrk(*name, "()<>[]:;@\\\"") != NULL) {
		g_clear_pointer(name, g_free);
		return "a name with ( ) < > [ ] : ; @ \\ or \" goes in double quotes, "
		    "\"Jane Doe (work)\" <local@domain>";
	}
	if ((*name)[0] == '\0')
		g_clear_pointer(name, g_free);
	return NULL;
}

/*
 * Read FROM, which is UTF-8 without control characters: "Name
 * <local@domain>", "\"Doe, Jane\" <local@domain>", "<local@domain>" or a
 * bare local@domain, into *NAME (NULL when it has none) and *ADDRESS
 * (g_free).  Returns NULL, or why it is not one address (and sets neither).
 * Only as much of RFC 5322 as a person writes of themselves: no comments,
 * groups or quoted local parts.
 */
static const char *
config_from_parse(const char *from, char **name, char **address)
{
	const char *c, *lt, *gt, *why;
	bool quoted = false;

	*name = *address = NULL;
	/* A comma outside quotes parts two addresses; every quote must close. */
	for (c = from; *c != '\0'; c++) {
		if (quoted && *c == '\\' && c[1] != '\0')
			c++;
		else if (*c == '"')
			quoted = !quoted;
		else if (*c == ',' && !quoted)
			return "more than one address; write one, and a name with a comma in "
			    "double quotes, \"Doe, Jane\" <local@domain>";
	}
	if (quoted)
		return "a double quote is not closed" CONFIG_FROM_HINT;
	/* The address's '<' is the first after a quoted name, else the first. */
	for (c = from; *c == ' '; c++)
		;
	if (*c == '"') {
		for (c++; *c != '"'; c++)
			c += *c == '\\';
		if ((lt = strchr(c, '<')) == NULL)
			return "a name but no <local@domain>" CONFIG_FROM_HINT;
	} else if ((lt = strchr(from, '<')) == NULL) {
		*address = g_strstrip(g_strdup(from));
		if ((why = config_address_problem(*address)) != NULL)
			g_clear_pointer(address, g_free);
		return why;
	}
	if ((gt = strchr(lt, '>')) == NULL)
		return "a < without its >" CONFIG_FROM_HINT;
	for (c = gt + 1; *c == ' '; c++)
		;
	if (*c != '\0')
		return "text after the >" CONFIG_FROM_HINT;
	*address = g_strndup(lt + 1, (gsize)(gt - lt - 1));
	if ((why = config_address_problem(*address)) == NULL &&
	    (why = config_from_name(from, lt, name)) == NULL)
		return NULL;
	g_clear_pointer(address, g_free);
	return why;
}

/* from: one address, its parts stored in the account being parsed. */
bool
config_check_from(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	struct account_config *a = p->account;
	const char *why;
	char *quoted;

	if (!config_check_text(p, s, prefix, field))
		return false;
	why = config_from_parse(*(char **)field, &a->from_name, &a->from_address);
	if (why == NULL)
		return true;
	quoted = config_quote(*(char **)field);
	config_error(p, s, prefix, NULL, "\"%s\": %s", quoted, why);
	g_free(quoted);
	return false;
}

/* signature_file: read when a message is written, so a missing one only gets a warning. */
bool
config_check_signature(struct config_parse *p, const config_setting_t *s, const char *prefix,
    void *field)
{
	char *why = config_file_unusable(*(char **)field);

	if (why != NULL)
		config_warning(p, s, prefix, NULL, "%s; it is read each time you write a message",
		    why);
	g_free(why);
	return true;
}

/* Checks across an account's keys for sending, and what is derived from them. */
void
config_finish_send(struct config_parse *p, const config_setting_t *group, const char *prefix,
    struct account_config *a)
{
	const char *realname = a->realname != NULL ? a->realname : p->config->realname;
	const config_setting_t *sender = config_setting_get_member(group,
	    a->smtp != NULL ? "smtp" : "sendmail_command");
	struct smtp_config *smtp = a->smtp;
	char **argv;

	if (a->realname != NULL && a->from_name != NULL)
		config_warning(p, config_setting_get_member(group, "realname"), prefix, NULL,
		    "does nothing: from has a name of its own");
	/* A login that is an address is the one to write as, unless from says otherwise. */
	if (a->from == NULL && a->user != NULL && config_address_problem(a->user) == NULL)
		a->from_address = g_strdup(a->user);
	if (a->from_name == NULL && realname != NULL)
		a->from_name = g_strdup(realname);
	if (a->from == NULL && a->from_address == NULL && sender != NULL)
		config_warning(p, sender, prefix, NULL, "no address to send as (user is not one); "
		    "set from = \"Name <local@domain>\"");
	if (smtp != NULL && a->sendmail_command != NULL)
		config_error(p, config_setting_get_member(group, "sendmail_command"), prefix, NULL,
		    "set either smtp or sendmail_command, not both");
	/* config_check_command said why when it does not split. */
	if (a->sendmail_command != NULL &&
	    g_shell_parse_argv(a->sendmail_command, NULL, &argv, NULL))
		a->sendmail_argv = argv;
	if (smtp == NULL)
		return;
	if (smtp->user == NULL)
		smtp->user = g_strdup(a->user);
	/* The secrets go as a pair: one set in the group means the account's are not its. */
	if (smtp->password == NULL && smtp->password_command == NULL) {
		smtp->password = g_strdup(a->password);
		smtp->password_command = g_strdup(a->password_command);
	}
	if (smtp->ca_file == NULL)
		smtp->ca_file = g_strdup(a->ca_file);
	if (smtp->timeout == 0)
		smtp->timeout = a->timeout;
}
