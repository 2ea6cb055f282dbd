/*
 * A minimal host unit-test harness. Each TEST() registers itself; unit.c's
 * main runs them all and prints "PASS name" / "FAIL name" lines and a
 * "N passed, N failed" summary. CHECK* record a failure and go on;
 * REQUIRE* stop the current test.
 *
 * Pure code under test logs through kprintf(); the harness captures those
 * lines so a test can assert that bad input produced a message:
 * unit_log_contains("unknown option").
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool unit_log_contains(const char *needle);
void unit_log_clear(void);
/* The captured log, all lines concatenated. */
const char *unit_log(void);

extern bool unit_abort_current;

/*
 * Runs fn in a child process and returns true when it panicked (abort()
 * after panic_at's "panic at" line) with needle in its output. For
 * invariant checks that must stop the system.
 */
bool unit_panics(void (*fn)(void), const char *needle);

#define TEST(id)                                                                                   \
	static void unit_fn_##id(void);                                                            \
	static struct unit_test unit_t_##id = {#id, unit_fn_##id, NULL};                           \
	__attribute__((constructor)) static void unit_reg_##id(void)                               \
	{                                                                                          \
		unit_register(&unit_t_##id);                                                       \
	}                                                                                          \
	static void unit_fn_##id(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			unit_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);                         \
	} while (0)

#define CHECK_EQ(a, b)                                                                             \
	do {                                                                                       \
		unsigned long long va_ = (unsigned long long)(a), vb_ = (unsigned long long)(b);   \
		if (va_ != vb_)                                                                    \
			unit_fail(__FILE__, __LINE__, "CHECK_EQ(%s, %s): %#llx != %#llx", #a, #b,  \
			          va_, vb_);                                                       \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *sa_ = (a), *sb_ = (b);                                                 \
		if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0)                                         \
			unit_fail(__FILE__, __LINE__, "CHECK_STR(%s, %s): \"%s\" != \"%s\"", #a,   \
			          #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                 \
	} while (0)

#define REQUIRE(cond)                                                                              \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			unit_fail(__FILE__, __LINE__, "REQUIRE(%s)", #cond);                       \
			return;                                                                    \
		}                                                                                  \
	} while (0)

#endif
