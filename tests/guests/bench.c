/*
 * bench: the cost of the guest's round trips through Tandem, in TSC ticks.
 * Each operation runs BENCH_ITERS times between two ordered TSC reads
 * (LFENCE; RDTSC; LFENCE before, RDTSCP; LFENCE after, or LFENCE; RDTSC;
 * LFENCE when CPUID lacks RDTSCP); the guest reports the minimum and the
 * median. Op 0 times nothing: the measurement's own cost, to subtract.
 *
 * Checks: 0 < min <= median for every op; the VMCALL returns -TANDEM_ENOSYS
 * and the MMIO read all ones.
 *
 * SYNC sequence (then DONE), each SYNC(op, min, median, 1000):
 *   1. op 0: nothing
 *   2. op 1: CPUID leaf 0
 *   3. op 2: VMCALL 0x5444ffff (an unknown number: Tandem's cheapest path)
 *   4. op 3: OUT (8-bit) to TESTDEV_PORT
 *   5. op 4: 32-bit MMIO read at UNMAPPED_GPA
 */
#include "guest.h"

#define BENCH_ITERS 1000
#define UNKNOWN_HC  0x5444ffffu

enum bench_op {
	OP_NOTHING,
	OP_CPUID,
	OP_VMCALL,
	OP_OUT,
	OP_MMIO,
	OP_COUNT,
};

static uint64_t samples[BENCH_ITERS];
static bool has_rdtscp;

static inline uint64_t tsc_end(void)
{
	return has_rdtscp ? rdtscp_ordered(NULL) : rdtsc_ordered();
}

/* One timed run of op; *check gets a value the caller asserts on. */
static uint64_t time_once(enum bench_op op, uint64_t *check)
{
	uint64_t t0 = rdtsc_ordered(), t1;

	switch (op) {
	case OP_NOTHING:
		break;
	case OP_CPUID:
		*check = cpuid(0, 0).eax;
		break;
	case OP_VMCALL:
		*check = (uint64_t)tandem_hypercall(UNKNOWN_HC, 0, 0, 0, 0);
		break;
	case OP_OUT:
		outb(TESTDEV_PORT, 0x5a);
		break;
	case OP_MMIO:
		*check = *(volatile uint32_t *)(uintptr_t)UNMAPPED_GPA;
		break;
	default:
		break;
	}
	t1 = tsc_end();
	return t1 - t0;
}

static void sort(uint64_t *a, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t v = a[i];
		unsigned j = i;

		for (; j > 0 && a[j - 1] > v; j--)
			a[j] = a[j - 1];
		a[j] = v;
	}
}

static void bench(enum bench_op op)
{
	uint64_t check = 0, min, median;

	for (unsigned i = 0; i < BENCH_ITERS; i++)
		samples[i] = time_once(op, &check);
	if (op == OP_VMCALL)
		GUEST_ASSERT_EQ(check, (uint64_t)-TANDEM_ENOSYS);
	if (op == OP_MMIO)
		GUEST_ASSERT_EQ(check, 0xffffffff);
	sort(samples, BENCH_ITERS);
	min = samples[0];
	median = samples[BENCH_ITERS / 2];
	GUEST_ASSERT_OP(min, >, 0);
	GUEST_ASSERT_OP(min, <=, median);
	ucall_sync(op, min, median, BENCH_ITERS);
}

void guest_main(void)
{
	if (cpuid(0x80000000, 0).eax >= 0x80000001)
		has_rdtscp = cpuid(0x80000001, 0).edx & (1u << 27);
	paging_map_gib(UNMAPPED_GPA);
	for (int op = 0; op < OP_COUNT; op++)
		bench((enum bench_op)op);
}
