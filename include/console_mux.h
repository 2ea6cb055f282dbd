/*
 * The guest consoles on Tandem's one serial line. Output: each guest's
 * bytes are collected into lines and printed as "NAME| line", so guests
 * never interleave inside a line; a partial line (a shell prompt) is
 * printed once its guest has been idle with it for CONSOLE_IDLE_NS (a
 * guest that writes a line in pieces from several vCPUs is not split). Input: every byte typed goes to one
 * guest, the focus, which starts at the first guest. An escape key picks
 * another:
 *
 *   Ctrl-T 0..9   focus guest N (in the order they registered)
 *   Ctrl-T n      focus the next guest
 *   Ctrl-T ?      list the guests
 *   Ctrl-T Ctrl-T send one Ctrl-T to the focus
 *
 * Pure: printing leaves through the print op given to console_mux_init.
 *
 * Locking: mux->lock guards the sink table, the focus and the escape
 * state. A sink's line buffer belongs to its guest's device model, which
 * serialises console_mux_out/flush for that sink. A sink's input callback
 * runs outside mux->lock (it takes the device's own lock), in whatever
 * context console_mux_in runs (the console interrupt). Sinks are never
 * freed while the mux may still use them: console_mux_remove first.
 */
#ifndef TANDEM_CONSOLE_MUX_H
#define TANDEM_CONSOLE_MUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <spinlock.h>

#define CONSOLE_MUX_MAX  16
#define CONSOLE_LINE_MAX 200
#define CONSOLE_ESCAPE   0x14 /* Ctrl-T */
#define CONSOLE_IDLE_NS  50000000ull

struct console_sink {
	/* Set by the owner before console_mux_add. */
	const char *name;
	void (*input)(void *ctx, uint8_t byte); /* a byte typed for this guest */
	/* Each complete output line, before it is printed; may be NULL. */
	void (*on_line)(void *ctx, const char *text, size_t n);
	void *ctx;

	/* The output line being collected (see the locking note above). */
	char line[CONSOLE_LINE_MAX + 1];
	unsigned int len;
	unsigned int idle_len; /* len when the guest was first seen idle with it */
	uint64_t idle_since;
};

struct console_mux {
	spinlock_t lock;
	void (*print)(const char *s, size_t n);
	struct console_sink *sink[CONSOLE_MUX_MAX];
	unsigned int nsinks;
	int focus;   /* index into sink[], -1: nobody (input is dropped) */
	bool escape; /* the last byte was CONSOLE_ESCAPE */
	uint64_t dropped;
};

void console_mux_init(struct console_mux *m, void (*print)(const char *s, size_t n));

/* Registers s; the first sink gets the focus. -ERR_RANGE when the table is full. */
int console_mux_add(struct console_mux *m, struct console_sink *s);
void console_mux_remove(struct console_mux *m, struct console_sink *s);

/* A byte the guest wrote to its console. */
void console_mux_out(struct console_mux *m, struct console_sink *s, uint8_t byte);

/* Prints s's partial line, if any (its guest stopped). */
void console_mux_flush(struct console_mux *m, struct console_sink *s);

/* s's guest is idle (HLT) at now_ns: prints a partial line idle for CONSOLE_IDLE_NS. */
void console_mux_idle(struct console_mux *m, struct console_sink *s, uint64_t now_ns);

/* A byte typed on Tandem's console. */
void console_mux_in(struct console_mux *m, uint8_t byte);

#endif
