/* Every CPU the firmware lists is online, and answers an IPI. */
#include <arch.h>
#include <log.h>
#include <smp.h>
#include <testcase.h>
#include <boot/boot.h>
#include <x86/cpu.h>
#include <x86/lapic.h>
#include <x86/percpu.h>
#include <x86/tsc.h>

TESTCASE(all_listed_cpus_online)
{
	unsigned int listed = boot_cpus_listed();

	kprintf("  firmware lists %u CPUs, %u online\n", listed, arch_cpu_count());
	test_check(arch_cpu_count() == listed);
	for (unsigned int c = 0; c < arch_cpu_count(); c++)
		test_check(percpu[c].online && percpu[c].self == &percpu[c]);
}

struct ping {
	unsigned int cpu;
	uint32_t apic_id;
	uint64_t stack;
};

static void whoami(void *arg)
{
	struct ping *p = arg;
	uint64_t sp;

	__asm__ __volatile__("movq %%rsp, %0" : "=r"(sp));
	p->cpu = arch_cpu_id();
	p->apic_id = lapic_id();
	p->stack = sp;
}

TESTCASE(ipi_round_trip_each_cpu)
{
	for (unsigned int c = 0; c < arch_cpu_count(); c++) {
		struct ping p = {~0u, ~0u, 0};
		uint64_t t0 = rdtsc();
		int err = smp_call(c, whoami, &p);
		uint64_t ns = tsc_to_ns(rdtsc() - t0);

		kprintf("  cpu %u (APIC ID %u): round trip %lu ns\n", c, percpu[c].apic_id, ns);
		test_check(err == 0);
		test_check(p.cpu == c);
		test_check(p.apic_id == percpu[c].apic_id);
		/* It ran on its own stack, not the caller's. */
		test_check(p.stack < percpu[c].stack_top && p.stack > percpu[c].stack_top - 65536);
	}
}

static void count_me(void *arg)
{
	__atomic_fetch_add((unsigned int *)arg, 1, __ATOMIC_SEQ_CST);
}

TESTCASE(call_all_reaches_every_cpu)
{
	unsigned int n = 0;

	test_check(smp_call_all(count_me, &n) == 0);
	test_check(n == arch_cpu_count());
	test_check(smp_call(MAX_CPUS, count_me, &n) < 0);
}
