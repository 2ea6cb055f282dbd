/*
 * Exit round-trip costs, the baseline later optimizations are measured
 * against. The bench guest times each operation 1000 times with the TSC and
 * reports min and median; in Bochs the TSC counts emulated instructions
 * (ips), so the figures repeat from run to run. `make bench-exits` runs only
 * this case and prints the table.
 */
#include <log.h>
#include <testcase.h>
#include <x86/tsc.h>

#include "../guests/images.h"
#include "guest_run.h"

static const char *const op_names[] = {"(TSC read pair)", "CPUID", "VMCALL", "port I/O (OUT)",
                                       "MMIO read (unmapped)"};

TESTCASE(vmx_bench_exits)
{
	static struct guest_run g;

	g = (struct guest_run){.name = "bench",
	                       .image = guest_bench_image,
	                       .image_end = guest_bench_image_end,
	                       .mode = VCPU_MODE_LONG64,
	                       .cpu = 0};
	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	test_check(!g.error && g.stop == VM_STOP_DONE && g.nassert == 0 && g.nsync == 5);
	kprintf("bench-exits: round trip in TSC ticks (%lu MHz), %lu iterations each\n",
	        tsc_hz() / 1000000, g.sync[0][3]);
	kprintf("bench-exits: %-22s %10s %10s %10s\n", "operation", "min", "median", "net median");
	for (unsigned int i = 0; i < 5 && i < g.nsync; i++) {
		uint64_t min = g.sync[i][1], med = g.sync[i][2], base = g.sync[0][2];

		test_check(g.sync[i][0] == i && min > 0 && min <= med);
		kprintf("bench-exits: %-22s %10lu %10lu %10lu\n", op_names[i], min, med,
		        med > base ? med - base : 0);
	}
}
