/*
 * On-target test runner (test build only). Each TESTCASE runs on the BSP
 * after bring-up; every failed check prints its expression and location.
 * The run ends with "tandem-test: N passed, N failed" and the emulator exit.
 */
#include <arch.h>
#include <log.h>
#include <testcase.h>
#include <cmdline.h>
#include <string.h>

static char opt_only[64];
BOOT_OPTION_STRING("test_only", opt_only,
                   "test build: run only the cases whose name starts with this");

static unsigned int case_failures;
static const char *case_skipped;

void test_skip(const char *why)
{
	case_skipped = why;
}

void test_check_at(bool ok, const char *expr, const char *file, int line)
{
	if (ok)
		return;
	case_failures++;
	kprintf("  check failed: %s (%s:%d)\n", expr, file, line);
}

void tests_run_all(void)
{
	unsigned int passed = 0, failed = 0, skipped = 0;

	for (const struct testcase *t = __testcases_start; t < __testcases_end; t++) {
		if (opt_only[0] && strncmp(t->name, opt_only, strlen(opt_only)) != 0)
			continue;
		case_failures = 0;
		case_skipped = NULL;
		kprintf("TEST %s: running\n", t->name);
		t->fn();
		if (case_skipped && !case_failures) {
			kprintf("TEST %s: SKIP (%s)\n", t->name, case_skipped);
			skipped++;
			continue;
		}
		kprintf("TEST %s: %s\n", t->name, case_failures ? "FAIL" : "PASS");
		if (case_failures)
			failed++;
		else
			passed++;
	}
	kprintf("tandem-test: %u passed, %u failed, %u skipped\n", passed, failed, skipped);
	arch_test_exit(failed == 0);
}
