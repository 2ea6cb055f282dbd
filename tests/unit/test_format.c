/* kvsnprintf against the C standard's printf semantics for the formats Tandem uses. */
#include <format.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"

static char buf[128];

#define FMT(expect, ...)                                                                           \
	do {                                                                                       \
		size_t n_ = ksnprintf(buf, sizeof(buf), __VA_ARGS__);                              \
		CHECK_STR(buf, expect);                                                            \
		CHECK_EQ(n_, strlen(expect));                                                      \
	} while (0)

TEST(integers)
{
	FMT("0", "%d", 0);
	FMT("-42", "%d", -42);
	FMT("2147483647 -2147483648", "%d %d", INT32_MAX, INT32_MIN);
	FMT("4294967295", "%u", UINT32_MAX);
	FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	FMT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	FMT("18446744073709551615", "%zu", SIZE_MAX);
	FMT("-1", "%ld", -1L);
	FMT("+5", "%+d", 5);
	FMT(" 5", "% d", 5);
	FMT("255 377", "%hhu %o", 0x1ff, 255);
	FMT("65535", "%hu", 0x1ffff);
}

TEST(hex_and_pointers)
{
	FMT("ff FF", "%x %X", 255, 255);
	FMT("0xff", "%#x", 255);
	FMT("0", "%#x", 0);
	FMT("00000000deadbeef", "%016llx", 0xdeadbeefull);
	FMT("0x1000", "%p", (void *)0x1000);
	FMT("0x0000000000001000", "%#018lx", 0x1000ul);
}

TEST(width_precision)
{
	FMT("   42", "%5d", 42);
	FMT("42   |", "%-5d|", 42);
	FMT("00042", "%05d", 42);
	FMT("-0042", "%05d", -42);
	FMT("  007", "%5.3d", 7);
	FMT("   ab", "%5s", "ab");
	FMT("ab   |", "%-5s|", "ab");
	FMT("abc", "%.3s", "abcdef");
	FMT("   ab", "%*s", 5, "ab");
	FMT("ab   |", "%*s|", -5, "ab");
	FMT("abc", "%.*s", 3, "abcdef");
	FMT("", "%.0d", 0);
	FMT("x", "%c", 'x');
	FMT("  x", "%3c", 'x');
	FMT("100%", "%d%%", 100);
}

/* Formats the compiler must not see, to test what bad input prints. */
static const char *volatile fmt_s = "%s", *volatile fmt_q = "%q", *volatile fmt_tail = "a%";

TEST(strings_and_null)
{
	FMT("(null)", fmt_s, (char *)NULL);
	FMT("hello world", "%s %s", "hello", "world");
}

TEST(unknown_conversion_is_visible)
{
	FMT("%q", fmt_q);
	FMT("a%", fmt_tail);
}

TEST(truncation)
{
	char small[8];
	size_t n = ksnprintf(small, sizeof(small), "%s", "0123456789");

	CHECK_EQ(n, 10);
	CHECK_STR(small, "0123456");
	n = ksnprintf(small, 0, "%d", 12345);
	CHECK_EQ(n, 5);
	n = ksnprintf(small, 1, "%d", 12345);
	CHECK_EQ(n, 5);
	CHECK_EQ(small[0], 0);
}
