/* Bounded string copy; separate from string.c so host tests can link it beside the C library. */
#include <string.h>

char *strncpy_safe(char *dst, const char *src, size_t size)
{
	size_t n = strnlen(src, size ? size - 1 : 0);

	memcpy(dst, src, n);
	if (size)
		dst[n] = '\0';
	return dst;
}
