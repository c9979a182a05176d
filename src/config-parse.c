/*
 * config-parse: the walk that applies a key table (config-private.h) to one
 * libconfig group: each setting matched to its row or reported unknown, its
 * type, range or enum, length and characters checked, the value stored at
 * the row's offset and the row's check run; a row with no setting gets its
 * default.  Lists of groups (mailboxes, bind) are walked the same way, one
 * element each, and so is a lone group (an account's smtp).  Which keys
 * there are is config.c's and config-account.c's.
 */
#include "config-private.h"
#include "surat/path.h"
#include "surat/suggest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* What each libconfig type is called in an error. */
static const char *const config_type_names[] = {
	[CONFIG_TYPE_NONE] = "nothing",
	[CONFIG_TYPE_GROUP] = "a group",
	[CONFIG_TYPE_INT] = "an integer",
	[CONFIG_TYPE_INT64] = "an integer",
	[CONFIG_TYPE_FLOAT] = "a floating-point number",
	[CONFIG_TYPE_STRING] = "a string",
	[CONFIG_TYPE_BOOL] = "a boolean",
	[CONFIG_TYPE_ARRAY] = "an array",
	[CONFIG_TYPE_LIST] = "a list",
};

/* What setting S is, for an error. */
const char *
config_parse_type_name(const config_setting_t *s)
{
	unsigned int type = (unsigned int)config_setting_type(s);

	return type < G_N_ELEMENTS(config_type_names) ? config_type_names[type] : "nothing";
}

/* The libconfig types each kind of key takes, and what to call them in an error. */
static const struct {
	int type, alt;
	const char *expected;
} config_key_types[] = {
	[CONFIG_KEY_STRING] = { CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, "a string in double quotes" },
	[CONFIG_KEY_PATH] = { CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, "a string in double quotes" },
	[CONFIG_KEY_INT] = { CONFIG_TYPE_INT, CONFIG_TYPE_INT64, "an integer" },
	[CONFIG_KEY_INT64] = { CONFIG_TYPE_INT, CONFIG_TYPE_INT64, "an integer" },
	[CONFIG_KEY_BOOL] = { CONFIG_TYPE_BOOL, CONFIG_TYPE_BOOL, "true or false" },
	[CONFIG_KEY_ENUM] = { CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, "a string in double quotes" },
	[CONFIG_KEY_ACCOUNTS] = { CONFIG_TYPE_LIST, CONFIG_TYPE_LIST,
	    "a list of groups, accounts = ( { ... }, { ... } );" },
	[CONFIG_KEY_STRINGS] = { CONFIG_TYPE_ARRAY, CONFIG_TYPE_LIST,
	    "a list of strings, [ \"a\", \"b\" ]" },
	[CONFIG_KEY_LIST] = { CONFIG_TYPE_LIST, CONFIG_TYPE_LIST, NULL }, /* list->example */
	[CONFIG_KEY_PARSED] = { CONFIG_TYPE_STRING, CONFIG_TYPE_STRING, "a string in double quotes" },
	[CONFIG_KEY_GROUP] = { CONFIG_TYPE_GROUP, CONFIG_TYPE_GROUP, NULL }, /* list->example */
};

/*
 * NULL when libconfig read the integer literal of S whole, else the literal
 * as written: libconfig 1.5 silently truncates a literal beyond 32 bits that
 * lacks an L suffix, so compare with the text on its line.
 */
static char *
config_int_literal(struct config_parse *p, const config_setting_t *s)
{
	const char *file = config_setting_source_file(s), *name = config_setting_name(s);
	unsigned int line = config_setting_source_line(s);
	char *end, *found = NULL;
	const char *q, *r;
	long long v;

	if ((file != NULL && strcmp(file, p->path) != 0) || line < 1 ||
	    line > g_strv_length(p->lines))
		return NULL; /* an @include'd file: not checked */
	for (q = p->lines[line - 1]; (q = strstr(q, name)) != NULL; q++) {
		if (q > p->lines[line - 1] && (g_ascii_isalnum(q[-1]) || strchr("_-*", q[-1])))
			continue;
		for (r = q + strlen(name); *r == ' ' || *r == '\t'; r++)
			;
		if (*r != '=' && *r != ':')
			continue;
		for (r++; *r == ' ' || *r == '\t'; r++)
			;
		errno = 0;
		if (r[0] == '0' && (r[1] == 'x' || r[1] == 'X'))
			v = (long long)strtoull(r + 2, &end, 16);
		else
			v = strtoll(r, &end, 10);
		if (end == r || *end == 'L')
			continue;
		if (errno == 0 && v == config_setting_get_int64(s)) {
			g_free(found);
			return NULL;
		}
		if (found == NULL)
			found = g_strndup(r, (gsize)(end - r));
	}
	return found;
}

/* Parse integer setting S against K into FIELD; false on error. */
static bool
config_parse_int(struct config_parse *p, const struct config_key *k, const config_setting_t *s,
    const char *prefix, void *field)
{
	long long v = config_setting_get_int64(s);
	char *literal = NULL;

	if (config_setting_type(s) == CONFIG_TYPE_INT)
		literal = config_int_literal(p, s);
	if (literal != NULL && k->type == CONFIG_KEY_INT64)
		config_error(p, s, prefix, NULL, "%s needs an L suffix (%sL): libconfig reads "
		    "numbers beyond 32 bits only with it", literal, literal);
	else if (literal != NULL)
		config_error(p, s, prefix, NULL, "%s is out of range %lld..%lld", literal, k->min,
		    k->max);
	else if (v < k->min && k->max >= INT32_MAX)
		config_error(p, s, prefix, NULL, "%lld is out of range; use %lld or more", v,
		    k->min);
	else if (v < k->min || v > k->max)
		config_error(p, s, prefix, NULL, "%lld is out of range %lld..%lld", v, k->min,
		    k->max);
	else if (k->type == CONFIG_KEY_INT)
		*(int *)field = (int)v;
	else
		*(int64_t *)field = v;
	g_free(literal);
	return literal == NULL && v >= k->min && v <= k->max;
}

/* Parse string setting S against K (a string, path or enum) into FIELD; false on error. */
static bool
config_parse_string(struct config_parse *p, const struct config_key *k,
    const config_setting_t *s, const char *prefix, void *field)
{
	const char *str = config_setting_get_string(s), *c;
	char *quoted = config_quote(str), *value = NULL, *names;
	size_t i;

	for (c = str; *c != '\0' && (unsigned char)*c >= 0x20 && *c != 0x7f; c++)
		;
	if ((long long)strlen(str) < k->min) {
		config_error(p, s, prefix, NULL, "must not be empty");
	} else if ((long long)strlen(str) > k->max) {
		config_error(p, s, prefix, NULL, "longer than %lld bytes", k->max);
	} else if (*c != '\0' && k->type != CONFIG_KEY_PARSED) {
		/*
		 * A CR or LF in a user name or password would end a POP3 command.
		 * A parsed string's check says what it takes (a macro types Enter).
		 */
		config_error(p, s, prefix, NULL, "must not contain control characters");
	} else if (k->type == CONFIG_KEY_ENUM) {
		for (i = 0; k->values[i] != NULL; i++) {
			if (g_ascii_strcasecmp(str, k->values[i]) == 0)
				break;
		}
		if (k->values[i] != NULL) {
			*(int *)field = (int)i;
			g_free(quoted);
			return true;
		}
		names = g_strjoinv(", ", (char **)k->values);
		config_error(p, s, prefix, NULL, "\"%s\" is not one of %s", quoted, names);
		g_free(names);
	} else if (k->type == CONFIG_KEY_PARSED) {
		g_free(quoted);
		return true; /* the check reads it */
	} else if (k->type == CONFIG_KEY_PATH) {
		value = path_expand(str);
		if (!g_path_is_absolute(value)) {
			config_error(p, s, prefix, NULL, "\"%s\" is a relative path; write a full "
			    "path, /... or ~/...", quoted);
			g_clear_pointer(&value, g_free);
		}
	} else {
		value = g_strdup(str);
	}
	g_free(quoted);
	if (value == NULL)
		return false;
	*(char **)field = value;
	return true;
}

/* Parse the array or list S of strings against K into FIELD (a strv); false on error. */
static bool
config_parse_strings(struct config_parse *p, const struct config_key *k, const config_setting_t *s,
    const char *prefix, void *field)
{
	unsigned int n = (unsigned int)config_setting_length(s), i;
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	const char *name = config_setting_name(s), *str, *c;
	bool ok = n <= 64;

	if (!ok)
		config_error(p, s, prefix, NULL, "%u entries; at most 64 are allowed", n);
	for (i = 0; ok && i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		ok = false;
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			config_error(p, e, prefix, name, "entry %u: expected a string in double "
			    "quotes, got %s", i + 1, config_parse_type_name(e));
			continue;
		}
		str = config_setting_get_string(e);
		for (c = str; *c != '\0' && (unsigned char)*c >= 0x20 && *c != 0x7f; c++)
			;
		if ((long long)strlen(str) < k->min)
			config_error(p, e, prefix, name, "entry %u must not be empty", i + 1);
		else if ((long long)strlen(str) > k->max)
			config_error(p, e, prefix, name, "entry %u is longer than %lld bytes", i + 1,
			    k->max);
		else if (*c != '\0')
			config_error(p, e, prefix, name, "entry %u must not contain control "
			    "characters", i + 1);
		else
			ok = true;
		if (ok)
			g_ptr_array_add(out, g_strdup(str));
	}
	g_ptr_array_add(out, NULL);
	if (ok)
		*(char ***)field = (char **)g_ptr_array_free(out, FALSE);
	else
		g_ptr_array_free(out, TRUE);
	return ok;
}

/* Store K's default at FIELD. */
static void
config_set_default(const struct config_key *k, void *field)
{
	if (k->type == CONFIG_KEY_STRING)
		*(char **)field = g_strdup(k->def_str);
	else if (k->type == CONFIG_KEY_PATH)
		*(char **)field = path_expand(k->def_str);
	else if (k->type == CONFIG_KEY_INT || k->type == CONFIG_KEY_ENUM)
		*(int *)field = (int)k->def;
	else if (k->type == CONFIG_KEY_INT64)
		*(int64_t *)field = k->def;
	else if (k->type == CONFIG_KEY_BOOL)
		*(bool *)field = k->def != 0;
	else if (k->type == CONFIG_KEY_STRINGS)
		*(char ***)field = g_strsplit_set(k->def_str, " ", -1);
	if (k->type == CONFIG_KEY_STRINGS && k->check == config_check_paths)
		config_check_paths(NULL, NULL, NULL, field);
}

static void config_parse_list(struct config_parse *, const struct config_key *,
    const config_setting_t *, void *);
static void config_parse_subgroup(struct config_parse *, const struct config_key *,
    const config_setting_t *, const char *, void *);

/* Parse setting S for key K into FIELD, then run K's check. */
static void
config_parse_value(struct config_parse *p, const struct config_key *k, const config_setting_t *s,
    const char *prefix, void *field)
{
	int type = config_setting_type(s);
	bool ok = true;

	if (type != config_key_types[k->type].type && type != config_key_types[k->type].alt) {
		config_error(p, s, prefix, NULL, "expected %s, got %s", k->list != NULL ?
		    k->list->example : config_key_types[k->type].expected, config_parse_type_name(s));
		return;
	}
	if (k->type == CONFIG_KEY_ACCOUNTS)
		config_account_parse_list(p, s);
	else if (k->type == CONFIG_KEY_LIST)
		config_parse_list(p, k, s, field);
	else if (k->type == CONFIG_KEY_GROUP)
		config_parse_subgroup(p, k, s, prefix, field);
	else if (k->type == CONFIG_KEY_BOOL)
		*(bool *)field = config_setting_get_bool(s) != 0;
	else if (k->type == CONFIG_KEY_INT || k->type == CONFIG_KEY_INT64)
		ok = config_parse_int(p, k, s, prefix, field);
	else if (k->type == CONFIG_KEY_STRINGS)
		ok = config_parse_strings(p, k, s, prefix, field);
	else
		ok = config_parse_string(p, k, s, prefix, field);
	if (ok && k->check != NULL)
		k->check(p, s, prefix, field);
}

/* Apply the table KEYS to GROUP, filling BASE; PREFIX names the group in errors. */
void
config_parse_group(struct config_parse *p, const config_setting_t *group,
    const struct config_key *keys, size_t n_keys, const char *prefix, void *base)
{
	const config_setting_t *seen[CONFIG_MAX_KEYS] = { NULL };
	const char *name, *hint;
	size_t i, j;

	for (i = 0; i < (size_t)config_setting_length(group); i++) {
		name = config_setting_name(config_setting_get_elem(group, (unsigned int)i));
		for (j = 0; j < n_keys && strcmp(keys[j].name, name) != 0; j++)
			;
		if (j < n_keys) {
			seen[j] = config_setting_get_elem(group, (unsigned int)i);
			continue;
		}
		for (hint = NULL, j = 0; j < n_keys; j++) {
			if (suggest_distance(name, keys[j].name) <= 2)
				hint = keys[j].name;
		}
		config_error(p, config_setting_get_elem(group, (unsigned int)i), prefix, NULL,
		    "unknown key%s%s%s", hint ? "; did you mean " : "", hint ? hint : "",
		    hint ? "?" : "");
	}
	for (i = 0; i < n_keys; i++) {
		if (seen[i] != NULL)
			config_parse_value(p, &keys[i], seen[i], prefix, (char *)base + keys[i].offset);
		else if (keys[i].required)
			config_error(p, group, prefix, keys[i].name, "missing; every %s needs one",
			    p->noun != NULL ? p->noun : "account");
		else
			config_set_default(&keys[i], (char *)base + keys[i].offset);
	}
}

/* One group of L (an element of a list, or a lone group) into EL, then L's finish. */
static void
config_parse_element(struct config_parse *p, const struct config_list *l,
    const config_setting_t *group, const char *prefix, void *el)
{
	const char *noun = p->noun;

	p->noun = l->noun;
	config_parse_group(p, group, l->keys, l->n_keys, prefix, el);
	p->noun = noun;
	if (l->finish != NULL)
		l->finish(p, group, prefix, el);
}

/* A list of groups (K->list): one element of the array at FIELD per group. */
static void
config_parse_list(struct config_parse *p, const struct config_key *k,
    const config_setting_t *list, void *field)
{
	const struct config_list *l = k->list;
	unsigned int n = (unsigned int)config_setting_length(list), i;
	size_t *count = (size_t *)((char *)field - k->offset + l->count_offset);
	const config_setting_t *group;
	char *array, *prefix;

	if (n > l->max) {
		config_error(p, list, NULL, NULL, "%u groups; at most %u are allowed", n, l->max);
		return;
	}
	array = n > 0 ? g_malloc0(n * l->size) : NULL;
	*(char **)field = array;
	for (i = 0; i < n; i++) {
		group = config_setting_get_elem(list, i);
		prefix = g_strdup_printf("%s[%u]", k->name, i);
		if (config_setting_type(group) != CONFIG_TYPE_GROUP) {
			config_error(p, group, prefix, NULL, "expected a group { ... }, got %s",
			    config_parse_type_name(group));
		} else {
			config_parse_element(p, l, group, prefix, array + (*count)++ * l->size);
		}
		g_free(prefix);
	}
}

/* A lone group (K->list): one new struct at FIELD; errors name its keys PREFIX.NAME.KEY. */
static void
config_parse_subgroup(struct config_parse *p, const struct config_key *k,
    const config_setting_t *group, const char *prefix, void *field)
{
	char *sub = prefix != NULL ? g_strdup_printf("%s.%s", prefix, k->name) : g_strdup(k->name);

	*(void **)field = g_malloc0(k->list->size);
	config_parse_element(p, k->list, group, sub, *(void **)field);
	g_free(sub);
}
