/*
 * The freestanding subset of <string.h> that Tandem implements in lib/string.c.
 * Host unit tests get the C library's header and functions instead.
 */
#ifndef TANDEM_STRING_H
#define TANDEM_STRING_H

#include <stddef.h>

#ifdef HOST_TEST
#include_next <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copies src into dst[size] with truncation; dst is always NUL-terminated (size > 0). Returns dst. */
char *strncpy_safe(char *dst, const char *src, size_t size);

#endif
