/*
 * keys: what the terminal sends, as keys of the key map (keymap.h).  curses
 * gives characters and KEY_* codes; a character becomes a key through
 * keymap_key_from_char(), a KEY_* code through the table below.  Escape is
 * passed on as its own key: keymap_lookup() joins it to the next key as
 * Meta.  A resize and a mouse event are not keys: they come back as
 * UI_KEY_RESIZE and UI_KEY_MOUSE.
 */
#include <curses.h>

#include "private.h"

/* curses KEY_* codes and the keys they are. */
static const struct {
	int code;
	int32_t key;
} keys_codes[] = {
	{ KEY_DOWN, KEYMAP_KEY_DOWN },
	{ KEY_UP, KEYMAP_KEY_UP },
	{ KEY_LEFT, KEYMAP_KEY_LEFT },
	{ KEY_RIGHT, KEYMAP_KEY_RIGHT },
	{ KEY_NPAGE, KEYMAP_KEY_PAGE_DOWN },
	{ KEY_PPAGE, KEYMAP_KEY_PAGE_UP },
	{ KEY_HOME, KEYMAP_KEY_HOME },
	{ KEY_END, KEYMAP_KEY_END },
	{ KEY_IC, KEYMAP_KEY_INSERT },
	{ KEY_DC, KEYMAP_KEY_DELETE },
	{ KEY_BACKSPACE, KEYMAP_KEY_BACKSPACE },
	{ KEY_ENTER, KEYMAP_KEY_ENTER },
	{ KEY_BTAB, KEYMAP_KEY_BACKTAB },
	{ KEY_A1, KEYMAP_KEY_HOME },   /* keypad corners */
	{ KEY_C1, KEYMAP_KEY_END },
	{ KEY_A3, KEYMAP_KEY_PAGE_UP },
	{ KEY_C3, KEYMAP_KEY_PAGE_DOWN },
};

/* The key for the curses KEY_* code CODE, or KEYMAP_KEY_NONE. */
static int32_t
keys_from_code(int code)
{
	size_t i;

	if (code >= KEY_F(1) && code <= KEY_F(24))
		return KEYMAP_KEY_F(code - KEY_F(0));
	for (i = 0; i < G_N_ELEMENTS(keys_codes); i++)
		if (keys_codes[i].code == code)
			return keys_codes[i].key;
	return KEYMAP_KEY_NONE;
}

int32_t
ui_keys_read(void)
{
	wint_t ch;
	int r;

	for (;;) {
		int32_t key;

		r = get_wch(&ch);
		if (r == ERR)
			return UI_KEY_NONE;
		if (r == KEY_CODE_YES) {
			if (ch == KEY_RESIZE)
				return UI_KEY_RESIZE;
			if (ch == KEY_MOUSE)
				return UI_KEY_MOUSE;
			key = keys_from_code((int)ch);
		} else {
			key = keymap_key_from_char((uint32_t)ch);
		}
		/* What is no key (a C1 control, an unknown code) is dropped here. */
		if (key != KEYMAP_KEY_NONE)
			return key;
	}
}
