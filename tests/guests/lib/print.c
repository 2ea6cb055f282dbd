/* ucall_print (ucall.h), apart from ucall.c because only 64-bit guests link lib/format.c. */
#include <format.h>
#include "ucall.h"

void ucall_print(const char *fmt, ...)
{
	struct ucall uc = {.type = UCALL_PRINT};
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(uc.text, sizeof(uc.text), fmt, ap);
	va_end(ap);
	ucall(&uc);
}
