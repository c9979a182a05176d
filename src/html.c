/*
 * html: HTML to text by walking the tree libxml2's HTML parser builds.
 * Only layout is decided here; the caller sanitizes the result.
 *
 * libxml2 is loaded (GModule) the first time a document is converted, not
 * linked: with ICU and the C++ runtime behind it, it was 4 ms of the 10 that
 * every start of surat took, and most runs (a fetch with nothing new, a
 * plain-text message, the index) never convert HTML.  Only the headers are
 * used at build time; every call goes through html_xml.
 */
#include "config.h"

#include "surat/html.h"

#include <gmodule.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xmlmemory.h>
#include <stdbool.h>
#include <limits.h>
#include <string.h>

#define HTML_MAX_DEPTH 64 /* deeper nesting is flattened, not followed */

/* The libxml2 functions html.c calls, resolved once by html_load. */
struct html_xml {
	__typeof__(htmlReadMemory) *read_memory;
	__typeof__(xmlDocGetRootElement) *root;
	__typeof__(xmlFreeDoc) *free_doc;
	__typeof__(xmlGetProp) *get_prop;
	__typeof__(xmlNodeGetContent) *node_content;
	xmlFreeFunc free; /* what releases get_prop's and node_content's strings */
	char *error;      /* why libxml2 could not be loaded, or NULL */
};

static struct html_xml html_xml;

struct html_list {
	bool ordered;
	int next; /* the number of the next <li> */
};

struct html_out {
	GString *text;
	GPtrArray *links;
	int link_count;
	int breaks;          /* newlines owed before the next text */
	bool line_empty;     /* nothing but the prefix on the current line */
	bool space;          /* a space owed before the next word */
	int pre;             /* inside <pre> */
	int quote;           /* <blockquote> depth */
	int indent;          /* list indentation, in levels */
	struct html_list lists[16];
	int list_depth;
	unsigned int flags;  /* HTML_MARK_ANCHORS */
};

/* Ask for at least N line ends (1: new line, 2: blank line) before more text. */
static void
html_break(struct html_out *o, int n)
{
	if (o->text->len == 0)
		return;
	if (o->breaks < n)
		o->breaks = n;
	o->space = false;
}

/* Pay the owed line ends and write the prefix of the new line. */
static void
html_start_text(struct html_out *o)
{
	int i;

	if (o->breaks > 0) {
		/* A line that holds only its prefix counts as already broken. */
		if (o->line_empty && o->breaks > 1)
			o->breaks--;
		for (i = 0; i < o->breaks; i++)
			g_string_append_c(o->text, '\n');
		o->breaks = 0;
		o->line_empty = true;
	}
	if (o->line_empty) {
		for (i = 0; i < o->quote; i++)
			g_string_append(o->text, "> ");
		for (i = 0; i < o->indent; i++)
			g_string_append(o->text, "  ");
		o->line_empty = false;
		o->space = false;
	}
}

/* Append S, the private-use anchor marks replaced by U+FFFD so only ours remain. */
static void
html_append(struct html_out *o, const char *s, size_t n)
{
	const char *p = s, *end = s + n, *hit;

	while ((hit = memchr(p, 0xee, (size_t)(end - p))) != NULL) {
		if (end - hit >= 3 && hit[1] == '\x80' && (hit[2] == '\x80' || hit[2] == '\x81')) {
			g_string_append_len(o->text, p, hit - p);
			g_string_append(o->text, "\xef\xbf\xbd");
			p = hit + 3;
		} else {
			g_string_append_len(o->text, p, hit + 1 - p);
			p = hit + 1;
		}
	}
	g_string_append_len(o->text, p, end - p);
}

/* Append text, folding white space outside <pre>. */
static void
html_text(struct html_out *o, const char *s)
{
	const char *p;
	size_t n;

	if (o->pre) {
		for (p = s; *p != '\0'; p++) {
			if (*p == '\n') {
				o->breaks++;
				continue;
			}
			html_start_text(o);
			n = strcspn(p, "\n");
			html_append(o, p, n);
			p += n - 1;
		}
		return;
	}
	for (p = s; *p != '\0';) {
		if (g_ascii_isspace(*p)) {
			if (!o->line_empty || o->breaks == 0)
				o->space = true;
			p++;
			continue;
		}
		if (o->space && !o->line_empty && o->breaks == 0)
			g_string_append_c(o->text, ' ');
		o->space = false;
		html_start_text(o);
		for (n = 0; p[n] != '\0' && !g_ascii_isspace(p[n]); n++)
			;
		html_append(o, p, n);
		p += n;
	}
}

/* Release a string libxml2 allocated (NULL is allowed, as for xmlFree). */
static void
html_xml_free(xmlChar *p)
{
	if (p != NULL)
		html_xml.free(p);
}

static bool
html_is(const xmlNode *n, const char *name)
{
	return g_ascii_strcasecmp((const char *)n->name, name) == 0;
}

/* Elements that start and end a paragraph (a blank line around them). */
static bool
html_is_paragraph(const xmlNode *n)
{
	static const char *const names[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6",
		"ul", "ol", "dl", "blockquote", "pre", "table", "figure", NULL };
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (html_is(n, names[i]))
			return true;
	return false;
}

/* Elements that start and end a line. */
static bool
html_is_block(const xmlNode *n)
{
	static const char *const names[] = { "div", "li", "tr", "dt", "dd", "section",
		"article", "header", "footer", "nav", "aside", "main", "address", "form",
		"fieldset", "caption", "center", "hr", "tbody", "thead", "tfoot", NULL };
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (html_is(n, names[i]))
			return true;
	return html_is_paragraph(n);
}

/* Elements whose content is never shown. */
static bool
html_is_hidden(const xmlNode *n)
{
	return html_is(n, "script") || html_is(n, "style") || html_is(n, "head") ||
	    html_is(n, "template") || html_is(n, "noscript") || html_is(n, "title");
}

static void html_walk(struct html_out *o, xmlNode *n, int depth);

/* Render an <li>: its marker, then its content. */
static void
html_list_item(struct html_out *o, xmlNode *n, int depth)
{
	/* Lists nested deeper than the array take the innermost one kept. */
	struct html_list *list = o->list_depth > 0 ?
	    &o->lists[MIN(o->list_depth, (int)G_N_ELEMENTS(o->lists)) - 1] : NULL;

	html_break(o, 1);
	html_start_text(o);
	if (list != NULL && list->ordered) {
		g_string_append_printf(o->text, "%d. ", list->next++);
	} else {
		g_string_append(o->text, "* ");
	}
	o->indent++;
	html_walk(o, n->children, depth + 1);
	o->indent--;
	html_break(o, 1);
}

/* Render an element with a link target: content, then " [N]". */
static void
html_link(struct html_out *o, xmlNode *n, int depth)
{
	xmlChar *href = html_xml.get_prop(n, (const xmlChar *)"href");
	bool target = href != NULL && href[0] != '\0' && href[0] != '#';

	if (target && (o->flags & HTML_MARK_ANCHORS)) {
		/* The owed space goes before the mark, so the anchor starts at its text. */
		if (o->space && !o->line_empty && o->breaks == 0)
			g_string_append_c(o->text, ' ');
		o->space = false;
		html_start_text(o);
		g_string_append(o->text, HTML_ANCHOR_OPEN);
		html_walk(o, n->children, depth + 1);
		g_string_append(o->text, HTML_ANCHOR_CLOSE);
		if (o->links != NULL)
			g_ptr_array_add(o->links, g_strdup((const char *)href));
		html_xml_free(href);
		return;
	}
	html_walk(o, n->children, depth + 1);
	if (target) {
		o->link_count++;
		if (o->links != NULL)
			g_ptr_array_add(o->links, g_strdup((const char *)href));
		html_start_text(o);
		g_string_append_printf(o->text, "[%d]", o->link_count);
	}
	html_xml_free(href);
}

static void
html_element(struct html_out *o, xmlNode *n, int depth)
{
	if (html_is_hidden(n))
		return;
	if (html_is(n, "br")) {
		if (o->line_empty && o->breaks == 0)
			html_start_text(o);
		o->breaks++;
		o->space = false;
		return;
	}
	if (html_is(n, "img")) {
		xmlChar *alt = html_xml.get_prop(n, (const xmlChar *)"alt");

		if (alt != NULL && alt[0] != '\0') {
			char *s = g_strdup_printf("[%s]", (const char *)alt);
			html_text(o, s);
			g_free(s);
		}
		html_xml_free(alt);
		return;
	}
	if (html_is(n, "hr")) {
		html_break(o, 1);
		html_start_text(o);
		g_string_append(o->text, "----------------------------------------");
		html_break(o, 1);
		return;
	}
	if (html_is(n, "li")) {
		html_list_item(o, n, depth);
		return;
	}
	if (html_is(n, "a")) {
		html_link(o, n, depth);
		return;
	}
	if (html_is(n, "td") || html_is(n, "th")) {
		/* Cells of a row stay on one line, set apart. */
		if (!o->line_empty && o->breaks == 0)
			g_string_append(o->text, "  ");
		o->space = false;
		html_walk(o, n->children, depth + 1);
		return;
	}
	if (html_is_block(n))
		html_break(o, html_is_paragraph(n) ? 2 : 1);
	if (html_is(n, "ul") || html_is(n, "ol")) {
		if (o->list_depth < (int)G_N_ELEMENTS(o->lists)) {
			o->lists[o->list_depth].ordered = html_is(n, "ol");
			o->lists[o->list_depth].next = 1;
		}
		o->list_depth++;
		html_walk(o, n->children, depth + 1);
		o->list_depth--;
	} else if (html_is(n, "blockquote")) {
		o->quote++;
		html_walk(o, n->children, depth + 1);
		o->quote--;
	} else if (html_is(n, "pre")) {
		o->pre++;
		html_walk(o, n->children, depth + 1);
		o->pre--;
	} else {
		html_walk(o, n->children, depth + 1);
	}
	if (html_is_block(n))
		html_break(o, html_is_paragraph(n) ? 2 : 1);
}

static void
html_walk(struct html_out *o, xmlNode *n, int depth)
{
	for (; n != NULL; n = n->next) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				html_text(o, (const char *)n->content);
			break;
		case XML_ELEMENT_NODE:
			if (depth >= HTML_MAX_DEPTH) {
				/* Too deep to follow: keep the text, drop the layout. */
				xmlChar *s = html_xml.node_content(n);

				if (s != NULL)
					html_text(o, (const char *)s);
				html_xml_free(s);
			} else {
				html_element(o, n, depth);
			}
			break;
		default:
			break;
		}
	}
}

/* Resolve SYMBOL of MODULE into *FN; on failure say which one is missing. */
static bool
html_symbol(GModule *module, const char *symbol, gpointer *fn)
{
	if (g_module_symbol(module, symbol, fn) && *fn != NULL)
		return true;
	html_xml.error = g_strdup_printf("%s has no %s (%s)", LIBXML_SONAME, symbol,
	    g_module_error());
	return false;
}

/*
 * Load libxml2 and set it up once, before any thread parses: the pager,
 * reindex's threads and fetch's network thread all reach it through here.
 * The module stays loaded for the life of the process.
 */
static gpointer
html_load(gpointer unused)
{
	__typeof__(xmlInitParser) *init = NULL;
	__typeof__(xmlMemGet) *mem_get = NULL;
	GModule *module;

	module = g_module_open(LIBXML_SONAME, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
	if (module == NULL) {
		html_xml.error = g_strdup_printf("cannot load %s (%s)", LIBXML_SONAME,
		    g_module_error());
		return NULL;
	}
	g_module_make_resident(module);
	if (!html_symbol(module, "xmlInitParser", (gpointer *)&init) ||
	    !html_symbol(module, "xmlMemGet", (gpointer *)&mem_get) ||
	    !html_symbol(module, "htmlReadMemory", (gpointer *)&html_xml.read_memory) ||
	    !html_symbol(module, "xmlDocGetRootElement", (gpointer *)&html_xml.root) ||
	    !html_symbol(module, "xmlFreeDoc", (gpointer *)&html_xml.free_doc) ||
	    !html_symbol(module, "xmlGetProp", (gpointer *)&html_xml.get_prop) ||
	    !html_symbol(module, "xmlNodeGetContent", (gpointer *)&html_xml.node_content))
		return NULL;
	init();
	/* xmlFree is a macro over a per-thread global; ask for the function itself. */
	if (mem_get(&html_xml.free, NULL, NULL, NULL) != 0 || html_xml.free == NULL)
		html_xml.error = g_strdup_printf("%s gave no free function", LIBXML_SONAME);
	return NULL;
}

/* Whether libxml2 is there to use; if not, ERROR says why. */
static bool
html_ready(GError **error)
{
	static GOnce once = G_ONCE_INIT;

	g_once(&once, html_load, NULL);
	if (html_xml.error == NULL)
		return true;
	g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
	    "HTML cannot be converted: %s; reinstall the libxml2 package", html_xml.error);
	return false;
}

char *
html_to_text(const char *html, size_t len, const char *charset, GPtrArray *links,
    GError **error)
{
	return html_render(html, len, charset, links, 0, error);
}

char *
html_render(const char *html, size_t len, const char *charset, GPtrArray *links,
    unsigned int flags, GError **error)
{
	struct html_out o;
	htmlDocPtr doc;
	int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET | HTML_PARSE_COMPACT;

	if (html == NULL || len == 0 || len > INT_MAX)
		return g_strdup("");
	if (!html_ready(error))
		return NULL;
	memset(&o, 0, sizeof o);
	o.text = g_string_new(NULL);
	o.links = links;
	o.line_empty = true;
	o.flags = flags;
	doc = html_xml.read_memory(html, (int)len, NULL, charset, opts);
	if (doc != NULL) {
		html_walk(&o, html_xml.root(doc), 0);
		html_xml.free_doc(doc);
	}
	while (o.text->len > 0 && o.text->str[o.text->len - 1] == ' ')
		g_string_truncate(o.text, o.text->len - 1);
	return g_string_free(o.text, FALSE);
}
