/*
 * term: the terminal under the interface: curses setup and teardown, theme
 * colours mapped to what the terminal has, and signals.  The terminal is
 * restored on every path out: a normal quit, SIGINT/SIGTERM/SIGHUP (through a
 * self-pipe, so the loop quits cleanly) and fatal signals (restored from the
 * handler with async-signal-safe calls only, then the signal is re-raised).
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "private.h"
#include "surat/sanitize.h"
#include "surat/width.h"

/* Last: term.h defines macros such as "lines" that clash with names above. */
#include <term.h>

static int term_pipe[2] = { -1, -1 };
static struct termios term_saved;
static bool term_saved_ok;
static volatile sig_atomic_t term_active;
static char term_reset[256]; /* what puts the terminal back, precomputed */
static size_t term_reset_len;
static int term_element_attrs[THEME_ELEMENT_COUNT];
static bool term_colors;          /* colours in use (not NO_COLOR, not mono) */
static GHashTable *term_pairs;     /* (fg, bg) of a style -> its pair, past the elements' */
static int term_next_pair = THEME_ELEMENT_COUNT + 1;

static const int term_fatal_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
static const int term_quit_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Put the terminal back from a signal handler: write() and tcsetattr() only. */
static void
term_emergency_restore(void)
{
	ssize_t n;

	if (!term_active)
		return;
	term_active = 0;
	if (term_reset_len > 0)
		n = write(STDOUT_FILENO, term_reset, term_reset_len);
	(void)n;
	if (term_saved_ok)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &term_saved);
}

/* A fatal signal: restore the terminal, then die of the same signal. */
static void
term_fatal_handler(int sig)
{
	term_emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A request to quit: wake the loop through the self-pipe. */
static void
term_quit_handler(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;
	ssize_t n = write(term_pipe[1], &b, 1);

	(void)n;
	errno = saved;
}

/* Append the terminfo capability CAP to the reset string, if the terminal has it. */
static void
term_reset_add(const char *cap)
{
	char *s = tigetstr(cap);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (term_reset_len + n >= sizeof term_reset)
		return;
	memcpy(term_reset + term_reset_len, s, n);
	term_reset_len += n;
}

/* RGB of colour N of the xterm 256-colour palette. */
static void
term_palette_rgb(int n, int *r, int *g, int *b)
{
	static const int basic[16][3] = {
		{ 0, 0, 0 }, { 205, 0, 0 }, { 0, 205, 0 }, { 205, 205, 0 },
		{ 0, 0, 238 }, { 205, 0, 205 }, { 0, 205, 205 }, { 229, 229, 229 },
		{ 127, 127, 127 }, { 255, 0, 0 }, { 0, 255, 0 }, { 255, 255, 0 },
		{ 92, 92, 255 }, { 255, 0, 255 }, { 0, 255, 255 }, { 255, 255, 255 },
	};
	static const int level[6] = { 0, 95, 135, 175, 215, 255 };

	if (n < 16) {
		*r = basic[n][0];
		*g = basic[n][1];
		*b = basic[n][2];
	} else if (n < 232) {
		n -= 16;
		*r = level[n / 36];
		*g = level[(n / 6) % 6];
		*b = level[n % 6];
	} else {
		*r = *g = *b = 8 + (n - 232) * 10;
	}
}

/* The colour below LIMIT nearest to R, G, B. */
static int
term_nearest(int r, int g, int b, int limit)
{
	int best = 0, best_dist = -1, n;

	for (n = 0; n < limit && n < 256; n++) {
		int pr, pg, pb, d;

		term_palette_rgb(n, &pr, &pg, &pb);
		d = (pr - r) * (pr - r) + (pg - g) * (pg - g) + (pb - b) * (pb - b);
		if (best_dist < 0 || d < best_dist) {
			best = n;
			best_dist = d;
		}
	}
	return best;
}

/* A theme colour as a curses colour this terminal has. */
static int
term_map_color(int color)
{
	int r, g, b;

	if (color == THEME_COLOR_DEFAULT)
		return -1;
	if (color & THEME_COLOR_RGB) {
		r = (color >> 16) & 0xff;
		g = (color >> 8) & 0xff;
		b = color & 0xff;
		return term_nearest(r, g, b, COLORS);
	}
	if (color < COLORS)
		return color;
	term_palette_rgb(color, &r, &g, &b);
	return term_nearest(r, g, b, COLORS);
}

/* curses attributes for THEME_ATTR_* bits. */
static int
term_map_attrs(unsigned int attrs)
{
	int a = A_NORMAL;

	if (attrs & THEME_ATTR_BOLD)
		a |= A_BOLD;
	if (attrs & THEME_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (attrs & THEME_ATTR_REVERSE)
		a |= A_REVERSE;
	if (attrs & THEME_ATTR_DIM)
		a |= A_DIM;
#ifdef A_ITALIC
	if (attrs & THEME_ATTR_ITALIC)
		a |= A_ITALIC;
#endif
	if (attrs & THEME_ATTR_BLINK)
		a |= A_BLINK;
	return a;
}

/* True for the elements that mark something by their background (a cursor line, a bar). */
static bool
term_is_highlight(int element)
{
	switch (element) {
	case THEME_INDEX_SELECTED:
	case THEME_SIDEBAR_SELECTED:
	case THEME_LINK_SELECTED:
	case THEME_ATTACHMENT_SELECTED:
	case THEME_STATUS:
	case THEME_SEARCH:
	case THEME_MARKER:
		return true;
	default:
		return false;
	}
}

/* A colour that shows on BG: black on light colours, white on dark ones. */
static int
term_contrast(int bg)
{
	int r, g, b;

	if (bg < 0)
		return -1;
	term_palette_rgb(bg, &r, &g, &b);
	return r * 299 + g * 587 + b * 114 > 128000 ? COLOR_BLACK : COLOR_WHITE;
}

void
ui_term_apply_theme(const struct theme *theme)
{
	const char *no_color = getenv("NO_COLOR");
	bool colors = has_colors() && (no_color == NULL || no_color[0] == '\0');
	static bool started;
	int normal_bg = -1, i;

	if (colors && !started) {
		start_color();
		use_default_colors();
		started = true;
	}
	term_colors = colors;
	if (colors)
		normal_bg = term_map_color(theme->styles[THEME_NORMAL].bg);
	for (i = 0; i < THEME_ELEMENT_COUNT; i++) {
		const struct theme_style *s = &theme->styles[i];
		int fg, bg;

		term_element_attrs[i] = term_map_attrs(s->attrs);
		if (!colors || i + 1 >= COLOR_PAIRS)
			continue;
		fg = term_map_color(s->fg);
		bg = term_map_color(s->bg);
		/*
		 * Fewer colours than the theme asks: two colours the theme tells apart
		 * may become one.  Text must stay readable, and a cursor line or a bar
		 * must stay visible, so fall back on contrast and reverse video.
		 */
		if (fg == bg && fg >= 0 && s->fg != s->bg)
			fg = term_contrast(bg);
		if (term_is_highlight(i) && s->bg != theme->styles[THEME_NORMAL].bg && bg == normal_bg &&
		    !(s->attrs & THEME_ATTR_REVERSE))
			term_element_attrs[i] |= A_REVERSE;
		init_pair((short)(i + 1), (short)fg, (short)bg);
		term_element_attrs[i] |= COLOR_PAIR(i + 1);
	}
}

void
ui_term_mouse(bool on)
{
	if (on) {
		/* Presses only, with no wait for a release: clicks are told apart in mouse.c. */
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		    | BUTTON5_PRESSED
#endif
		    , NULL);
	} else {
		mousemask(0, NULL);
	}
}

int
ui_term_attr(enum theme_element element)
{
	return term_element_attrs[element];
}

int
ui_term_style_attr(const struct theme_style *style)
{
	int attrs = term_map_attrs(style->attrs), fg, bg;
	/* Both colours fit in 25 bits (THEME_COLOR_RGB | 0xRRGGBB), -1 made 0x1ffffff. */
	gint64 key = ((gint64)(style->fg & 0x1ffffff) << 25) | (style->bg & 0x1ffffff);
	gpointer pair;

	if (!term_colors)
		return attrs;
	if (term_pairs == NULL)
		term_pairs = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
	if ((pair = g_hash_table_lookup(term_pairs, &key)) == NULL) {
		/* Out of pairs (8-colour terminals have 64): the attributes alone. */
		if (term_next_pair >= COLOR_PAIRS || term_next_pair > 0x7fff)
			return attrs;
		fg = term_map_color(style->fg);
		bg = term_map_color(style->bg);
		if (fg == bg && fg >= 0 && style->fg != style->bg)
			fg = term_contrast(bg);
		init_pair((short)term_next_pair, (short)fg, (short)bg);
		pair = GINT_TO_POINTER(term_next_pair++);
		g_hash_table_insert(term_pairs, g_memdup2(&key, sizeof key), pair);
	}
	return attrs | COLOR_PAIR(GPOINTER_TO_INT(pair));
}

char *
ui_term_fit(const char *text, int cols, int pad)
{
	char *safe = sanitize_text(text, -1, 0);
	char *fit = width_fit(safe, MAX(cols, 0), pad);

	g_free(safe);
	return fit;
}

bool
ui_term_start(const struct theme *theme, GError **error)
{
	struct sigaction sa;
	size_t i;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NXIO,
		    "the mail reader needs a terminal; for scripts use surat list or surat show");
		return false;
	}
	if (pipe(term_pipe) != 0 || fcntl(term_pipe[0], F_SETFL, O_NONBLOCK) != 0 ||
	    fcntl(term_pipe[1], F_SETFL, O_NONBLOCK) != 0) {
		g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
		    "cannot create a pipe: %s", g_strerror(errno));
		return false;
	}
	fcntl(term_pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(term_pipe[1], F_SETFD, FD_CLOEXEC);
	term_saved_ok = tcgetattr(STDIN_FILENO, &term_saved) == 0;

	/* Our handlers go in first; curses leaves handlers it finds alone. */
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = term_quit_handler;
	for (i = 0; i < G_N_ELEMENTS(term_quit_signals); i++)
		sigaction(term_quit_signals[i], &sa, NULL);
	sa.sa_handler = term_fatal_handler;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < G_N_ELEMENTS(term_fatal_signals); i++)
		sigaction(term_fatal_signals[i], &sa, NULL);

	if (initscr() == NULL) {
		g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NXIO,
		    "cannot start the terminal (TERM=%s)", getenv("TERM") ? getenv("TERM") : "");
		return false;
	}
	term_active = 1;
	term_reset_len = 0;
	term_reset_add("sgr0");
	term_reset_add("cnorm");
	term_reset_add("rmkx");
	term_reset_add("rmcup");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	ui_term_apply_theme(theme);
	return true;
}

void
ui_term_stop(void)
{
	size_t i;

	if (term_active) {
		term_active = 0;
		endwin();
	}
	for (i = 0; i < G_N_ELEMENTS(term_quit_signals); i++)
		signal(term_quit_signals[i], SIG_DFL);
	for (i = 0; i < G_N_ELEMENTS(term_fatal_signals); i++)
		signal(term_fatal_signals[i], SIG_DFL);
	if (term_pipe[0] >= 0) {
		close(term_pipe[0]);
		close(term_pipe[1]);
		term_pipe[0] = term_pipe[1] = -1;
	}
}

int
ui_term_signal_fd(void)
{
	return term_pipe[0];
}

int
ui_term_take_signal(void)
{
	unsigned char b;

	if (read(term_pipe[0], &b, 1) == 1)
		return b;
	return 0;
}
