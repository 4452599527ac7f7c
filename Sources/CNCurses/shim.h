#ifndef TENANTWATCH_CNCURSES_SHIM_H
#define TENANTWATCH_CNCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>

/* C globals and macros Swift cannot import (or Swift 6 refuses as not concurrency-safe). */
static inline WINDOW *tw_stdscr(void) { return stdscr; }
static inline int tw_lines(void) { return LINES; }
static inline int tw_cols(void) { return COLS; }
static inline int tw_colors(void) { return COLORS; }
static inline int tw_color_pairs(void) { return COLOR_PAIRS; }
static inline attr_t tw_a_normal(void) { return A_NORMAL; }
static inline attr_t tw_a_bold(void) { return A_BOLD; }
static inline attr_t tw_a_underline(void) { return A_UNDERLINE; }
static inline attr_t tw_a_reverse(void) { return A_REVERSE; }
static inline attr_t tw_a_dim(void) { return A_DIM; }
static inline int tw_key_f(int n) { return KEY_F(n); }
static inline void tw_getmaxyx(WINDOW *w, int *y, int *x) { getmaxyx(w, *y, *x); }
#endif
