/*
 * Reporting from a test guest to the host's test harness over Tandem's ucall
 * hypercall (include/hw/tandem_abi.h). A struct ucall lives on the guest's
 * stack; its address is a guest-physical address because guest memory is
 * identity mapped (or paging is off).
 *
 * A failed GUEST_ASSERT sends UCALL_ASSERT and then DONE: the guest ends
 * at once rather than halting forever, so a host that runs it on the
 * calling CPU is not stuck; the host fails any run with an ASSERT.
 */
#ifndef GUESTS_UCALL_H
#define GUESTS_UCALL_H

#include <compiler.h>
#include <stdint.h>
#include <hw/tandem_abi.h>

#ifndef __FILE_NAME__ /* GCC 12 and later: the basename of __FILE__ */
#define __FILE_NAME__ __FILE__
#endif

/*
 * Hypercall: number in RAX, arguments in RDI, RSI, RDX, RCX, result in RAX.
 * Tandem preserves every other register. In a 32-bit guest these are the
 * E-registers.
 */
static inline long tandem_hypercall(unsigned long nr, unsigned long a0, unsigned long a1,
                                    unsigned long a2, unsigned long a3)
{
	long ret;

	__asm__ __volatile__("vmcall"
	                     : "=a"(ret)
	                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "c"(a3)
	                     : "memory");
	return ret;
}

/* Sends *uc as it is. */
void ucall(struct ucall *uc);

/* A checkpoint with four values the host checks. */
void ucall_sync(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

/*
 * A log line (truncated to UCALL_TEXT_MAX - 1 characters), formatted by the
 * hypervisor's lib/format.c. 64-bit guests only (print.c): 32-bit format.c
 * would need libgcc's 64-bit division.
 */
void ucall_print(const char *fmt, ...) __printf(1, 2);

/* The end of the test; if the host resumes the guest anyway, DONE again. */
__noreturn void ucall_done(void);

/* Sends UCALL_ASSERT (file, line, text, args a and b), then ucall_done(). */
__noreturn void ucall_assert(const char *file, unsigned line, const char *text, uint64_t a,
                             uint64_t b);

#define GUEST_ASSERT(cond)                                                                         \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ucall_assert(__FILE_NAME__, __LINE__, #cond, 0, 0);                        \
	} while (0)

/*
 * Compares a and b as uint64_t (so a signed value is compared by its two's
 * complement bits; use it for equality of negative values, not for <).
 * The ASSERT ucall carries both values in args[0] and args[1].
 */
#define GUEST_ASSERT_OP(a, op, b)                                                                  \
	do {                                                                                       \
		uint64_t __ga = (uint64_t)(a), __gb = (uint64_t)(b);                               \
		if (!(__ga op __gb))                                                               \
			ucall_assert(__FILE_NAME__, __LINE__, #a " " #op " " #b, __ga, __gb);      \
	} while (0)

#define GUEST_ASSERT_EQ(a, b) GUEST_ASSERT_OP(a, ==, b)

#endif
