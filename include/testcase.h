/*
 * On-target test cases (tests/target/). They are linked only into the test
 * build, build/tandem-test.elf; boot_main runs them after bring-up when any
 * are present. Each case reports through test_check(); the verdict line and
 * the exit code are produced by tests/target/runner.c.
 */
#ifndef TANDEM_TESTCASE_H
#define TANDEM_TESTCASE_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>

struct testcase {
	const char *name;
	void (*fn)(void);
};

#define TESTCASE(id)                                                                               \
	static void test_##id(void);                                                               \
	static const struct testcase testcase_##id __section(".testcases") __attribute__((used))   \
	__aligned(8) = {#id, test_##id};                                                           \
	static void test_##id(void)

/* Entries are forced to 8-byte alignment so the section is a gapless array. */
extern const struct testcase __testcases_start[], __testcases_end[];

static inline bool testcases_linked(void)
{
	return (uintptr_t)__testcases_start != (uintptr_t)__testcases_end;
}

/* Records one assertion of the running case; prints a line when it fails. */
void test_check_at(bool ok, const char *expr, const char *file, int line);
#define test_check(cond) test_check_at((cond), #cond, __FILE__, __LINE__)

/* Marks the running case skipped (it cannot run on this machine); prints why. */
void test_skip(const char *why);

/* Runs every linked case, prints "TEST name: PASS|FAIL" and a summary, exits the emulator. */
void __noreturn tests_run_all(void);

#endif
