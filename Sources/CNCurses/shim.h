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
static inline int tw_is_term_resized_key(int k) { return k == KEY_RESIZE; }
static inline attr_t tw_a_blink(void) { return A_BLINK; }

/* wcwidth is declared by <wchar.h> only under _XOPEN_SOURCE; declare it for Swift. */
extern int wcwidth(wchar_t c);
static inline int tw_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

/* Termios save/restore for the crash handler: plain C, async-signal-safe. */
#include <termios.h>
#include <unistd.h>
#include <signal.h>
/* State lives in a function-local static: a module header cannot define globals Swift links. */
struct tw_crash_state { struct termios termios; int saved; struct sigaction previous[32]; };
static inline struct tw_crash_state *tw_crash(void) { static struct tw_crash_state s; return &s; }
static inline void tw_save_termios(void) {
    if (tcgetattr(STDIN_FILENO, &tw_crash()->termios) == 0) tw_crash()->saved = 1;
}
static inline void tw_restore_terminal_async(void) {
    static const char seq[] = "\033[0m\033[?25h\033[?1049l";
    if (tw_crash()->saved) tcsetattr(STDIN_FILENO, TCSANOW, &tw_crash()->termios);
    ssize_t r = write(STDOUT_FILENO, seq, sizeof seq - 1);
    (void)r;
}
/* Fatal-signal handlers: restore the terminal, re-install the previous action, return so the
   fault repeats under it (Swift's backtracer still prints). */
static inline void tw_fatal_handler(int sig) {
    tw_restore_terminal_async();
    if (sig > 0 && sig < 32) sigaction(sig, &tw_crash()->previous[sig], NULL);
    if (sig == SIGABRT || sig == SIGTRAP) raise(sig);
}
static inline void tw_install_crash_handlers(void) {
    int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = 0;
        sa.sa_handler = tw_fatal_handler;
        sigaction(sigs[i], &sa, &tw_crash()->previous[sigs[i]]);
    }
}
static inline void tw_uninstall_crash_handlers(void) {
    int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &tw_crash()->previous[sigs[i]], NULL);
}
/* newterm instead of initscr: returns NULL on an unknown TERM instead of exiting the process. */
static inline SCREEN *tw_newterm(void) { return newterm(NULL, stdout, stdin); }

/* Whether $TERM can move the cursor (terminfo `cup`): TERM=dumb, or a printing terminal, cannot,
   and curses would draw one broken line. 1 yes, 0 no, -1 TERM unknown to terminfo. setupterm is
   declared in <term.h>, whose macros (lines, columns, ...) must not reach Swift: declared here. */
extern int setupterm(const char *, int, int *);
static inline int tw_has_cursor_addressing(void) {
    int err = 0;
    if (setupterm(NULL, 1, &err) != OK) return -1;
    char *cup = tigetstr("cup");
    return (cup != NULL && cup != (char *)-1) ? 1 : 0;
}
static inline int tw_key_resize(void) { return KEY_RESIZE; }
static inline int tw_ok(void) { return OK; }
static inline int tw_key_code_yes(void) { return KEY_CODE_YES; }

static inline void tw_getmaxyx(WINDOW *w, int *y, int *x) { getmaxyx(w, *y, *x); }
#endif
