/*
 * keymap-private.h: what keymap.c reads from keymap-tables.c.  Only the
 * keymap files include it (tests/lint/layers.sh).
 */
#ifndef SURAT_KEYMAP_PRIVATE_H
#define SURAT_KEYMAP_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "surat/keymap.h"

struct keymap_action_info {
	const char *name;
	const char *help;
	unsigned int contexts; /* KEYMAP_IN() of each context it applies in */
};

/* A named key; the first name of a key is the one it is written with. */
struct keymap_key_name {
	const char *name;
	int32_t key;
};

/* A binding surat starts with. */
struct keymap_default {
	enum keymap_context context;
	const char *keys;
	enum keymap_action action;
};

extern const struct keymap_action_info keymap_actions[]; /* KEYMAP_ACTION_COUNT rows */
extern const char *const keymap_context_names[]; /* KEYMAP_CONTEXT_COUNT names */
extern const struct keymap_key_name keymap_key_names[];
extern const size_t keymap_key_names_count;
extern const struct keymap_default keymap_defaults[];
extern const size_t keymap_defaults_count;

#define KEYMAP_KEY_HINT "write one character, C-x, M-x, or a name: Enter, Tab, Space, " \
	"Backspace, Escape, Up, Down, Left, Right, PageUp, PageDown, Home, End, Insert, " \
	"Delete, F1..F24"

#endif
