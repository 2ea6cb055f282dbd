/*
 * irqwin: interrupt-window exiting and XSETBV.
 *
 * Part 1. With interrupts off, arm the one-shot timer (1 ms, vector 0x41),
 * spin past its deadline and make an exit (a VMCALL), so Tandem holds an
 * interrupt the guest cannot take (SDM Vol. 3C 26.3.1.4 needs RFLAGS.IF).
 * It must ask for an interrupt-window exit; STI then opens the window one
 * instruction later (STI blocking) and the interrupt arrives exactly once.
 *
 * Part 2 (when CPUID reports XSAVE): with CR4.OSXSAVE set, XSETBV of
 * XCR0 = x87|SSE succeeds and XGETBV reads it back; XCR0 without x87
 * (bit 0) and a write to XCR1 raise #GP.
 *
 * SYNC sequence (then DONE):
 *   1. SYNC(1, interrupts taken before STI = 0, after = 1, 0x41)
 *   2. SYNC(2, XCR0 read back (3), vector of XSETBV XCR0 = 2 (13), vector of
 *           XSETBV XCR1 (13)), or SYNC(2, 0, 0, 0) when CPUID lacks XSAVE
 */
#include "guest.h"

#define VECTOR       0x41
#define CPUID1_XSAVE (1u << 26)
#define CR4_OSXSAVE  (1ul << 18)

static volatile uint32_t hits;

static void handler(struct guest_frame *f)
{
	hits++;
}

static uint64_t hypercall(uint32_t nr, uint64_t a0, uint64_t a1)
{
	uint64_t ret;

	__asm__ __volatile__("vmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1) : "memory");
	return ret;
}

static void xsetbv(uint32_t idx, uint64_t v)
{
	__asm__ __volatile__("xsetbv" : : "c"(idx), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t xgetbv(uint32_t idx)
{
	uint32_t lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(idx));
	return ((uint64_t)hi << 32) | lo;
}

static void bad_xcr0(void *arg)
{
	xsetbv(0, 2);
}

static void bad_xcr1(void *arg)
{
	xsetbv(1, 1);
}

static void write_cr4(unsigned long v)
{
	__asm__ __volatile__("mov %0, %%cr4" : : "r"(v) : "memory");
}

/* Ticks per millisecond, from the TSC-frequency leaf Tandem fills with its calibrated rate. */
static uint64_t tsc_per_ms(void)
{
	uint32_t mhz = cpuid(0, 0).eax >= 0x16 ? cpuid(0x16, 0).eax & 0xffff : 0;

	return mhz ? (uint64_t)mhz * 1000 : 10000000ull; /* unknown: assume up to 10 GHz */
}

void guest_main(void)
{
	uint64_t before, t0, span = 3 * tsc_per_ms();
	int v0 = 0, v1 = 0;

	idt_set_handler(VECTOR, handler);
	cli();
	GUEST_ASSERT_EQ(hypercall(TANDEM_HC_TIMER_ONESHOT, 1000000, VECTOR), 0);
	/* Exits (VMCALLs) until 3 ms passed: after the first 1 ms Tandem holds the interrupt. */
	t0 = rdtsc();
	while (rdtsc() - t0 < span)
		hypercall(0x5444ffffu, 0, 0);
	before = hits;
	__asm__ __volatile__("sti; nop; nop; nop" ::: "memory");
	cli();
	ucall_sync(1, before, hits, VECTOR);

	if (!(cpuid(1, 0).ecx & CPUID1_XSAVE)) {
		ucall_sync(2, 0, 0, 0);
		return;
	}
	write_cr4(read_cr4() | CR4_OSXSAVE);
	xsetbv(0, 3);
	v0 = guest_try(bad_xcr0, NULL);
	v1 = guest_try(bad_xcr1, NULL);
	ucall_sync(2, xgetbv(0), (uint64_t)v0, (uint64_t)v1);
}
