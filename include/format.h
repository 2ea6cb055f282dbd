/*
 * printf-style formatting, freestanding. Supports the flags "-0+ #", field
 * width and precision (numbers or '*'), the length modifiers hh h l ll z t j,
 * and the conversions d i u o x X p s c %. Anything else is printed verbatim
 * so a bad format string shows up in the log instead of crashing.
 */
#ifndef TANDEM_FORMAT_H
#define TANDEM_FORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <compiler.h>

/* Receives each output character; ctx is the caller's. */
typedef void (*format_sink_t)(void *ctx, char c);

/* Formats into sink; returns the number of characters produced. */
size_t kvformat(format_sink_t sink, void *ctx, const char *fmt, va_list ap);

/*
 * Bounded formatting into buf, always NUL-terminated when size > 0. Returns
 * the length the full output would have had, as C's snprintf does.
 */
size_t kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
