/*
 * Deliberate faults, for the runner to check the diagnostics Tandem prints
 * (vector, error code, registers, backtrace) instead of a triple fault. Off
 * unless the test build is booted with test_crash=...; the run then ends
 * with a failure verdict, which the runner expects.
 */
#include <cmdline.h>
#include <log.h>
#include <smp.h>
#include <testcase.h>

enum crash {
	CRASH_NONE,
	CRASH_UD,
	CRASH_AP_PF,
	CRASH_OVERFLOW
};
static const char *const crash_names[] = {"none", "ud", "ap_pf", "overflow"};
static unsigned int opt_crash = CRASH_NONE;
BOOT_OPTION_ENUM("test_crash", opt_crash, crash_names,
                 "test build: fault on purpose (runner checks the dump)");

static volatile int depth_limit = 1 << 30;
static volatile uint64_t null_page_addr = 0x10; /* page 0 is never mapped */

/* Each frame takes 1 KiB, so the 32 KiB kernel stack runs into its guard page. */
static int __attribute__((noinline)) recurse(int n)
{
	volatile char frame[1024];

	frame[0] = (char)n;
	if (n >= depth_limit)
		return frame[0];
	return recurse(n + 1) + frame[0];
}

static void page_fault(void *arg)
{
	(void)*(volatile uint64_t *)null_page_addr;
}

TESTCASE(crash_on_request)
{
	switch (opt_crash) {
	case CRASH_UD:
		kprintf("  executing ud2\n");
		__asm__ __volatile__("ud2");
		break;
	case CRASH_AP_PF:
		kprintf("  NULL page read on cpu 1\n");
		smp_call(1, page_fault, NULL);
		break;
	case CRASH_OVERFLOW:
		kprintf("  overflowing the kernel stack\n");
		recurse(0);
		break;
	}
	test_check(true);
}
