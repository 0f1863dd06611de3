/* Keys as curses reads them, turned into the key table's requests, and
 * footer hints drawn from the table: shared by the frame and the forms. */
#ifndef MAINTOP_KEYS_H
#define MAINTOP_KEYS_H

#include <curses.h>

#include "keymap.h"

struct hint;

/* A key as curses reads it (wgetch) as the key table's code, or -1. */
int keys_code(int key);
/* The dashboard's request key means, or REQ_NONE. */
enum request keys_request(const struct keymap *, int key);
/* The form request (KS_FORM) key means in a form, or REQ_NONE. */
enum request keys_form_request(const struct keymap *, int key);
/*
 * Draws hints as "KEY label  KEY label" at (y, x) within width columns,
 * each key the first bound to its request in km.  Returns the columns
 * used.
 */
int keys_draw_hints(const struct keymap *km, WINDOW *, int y, int x,
    int width, const struct hint *);

#endif
