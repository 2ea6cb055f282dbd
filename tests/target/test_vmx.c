/*
 * VMX core, exercised by the test guests of tests/guests/ (their SYNC
 * protocols are documented at the top of each guest). They need VT-x, so
 * they run in the Bochs tier and are skipped under QEMU's TCG.
 */
#include <arch.h>
#include <frame.h>
#include <log.h>
#include <smp.h>
#include <testcase.h>
#include <x86/tsc.h>
#include <x86/vcpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>
#include <x86/percpu.h>
#include <x86/vmx.h>

#include "../guests/images.h"
#include "guest_run.h"

#define GUEST_TIMEOUT_MS 20000
#define TIMER_SLACK_NS   20000000ull
#define MINUS(x)         ((uint64_t)(int64_t)(x))

#define GUEST(var, img, m, c)                                                                      \
	static struct guest_run var;                                                               \
	var = (struct guest_run)                                                                   \
	{                                                                                          \
		.name = #img, .image = guest_##img##_image, .image_end = guest_##img##_image_end,  \
		.mode = (m), .cpu = (c)                                                            \
	}

/* A guest that reported everything it was asked to, asserted nothing and said DONE. */
static bool clean_finish(const struct guest_run *g, unsigned int syncs)
{
	bool ok = !g->error && g->stop == VM_STOP_DONE && g->nassert == 0 && g->nsync == syncs;

	if (!ok)
		kprintf("  %s: error %d, stop '%s', %u syncs (want %u), %u assertions\n", g->name,
		        g->error, vm_stop_name(g->stop), g->nsync, syncs, g->nassert);
	return ok;
}

TESTCASE(vmx_cpuid_and_msr_on_two_cpus)
{
	GUEST(a, cpuid, VCPU_MODE_LONG64, 1);
	GUEST(b, msr, VCPU_MODE_LONG64, 0);

	if (!guest_run_possible())
		return;
	guest_run_start(&a); /* on CPU 1, asynchronously */
	guest_run_start(&b); /* here, while a runs */
	test_check(guest_run_wait(&a, GUEST_TIMEOUT_MS));
	test_check(a.cpu != b.cpu);

	test_check(clean_finish(&a, 1));
	test_check(!(a.sync[0][0] & (1u << 5))); /* VMX hidden */
	test_check(a.sync[0][0] & (1u << 31));   /* hypervisor present */
	test_check(a.sync[0][2] >= TANDEM_CPUID_BASE + 1);
	test_check(a.exits[VMX_EXIT_CPUID] >= 4);

	test_check(clean_finish(&b, 4));
	test_check(b.sync[0][1] <= b.sync[0][2] && b.sync[0][2] <= b.sync[0][3]);
	test_check(b.sync[2][1] == 13 && b.sync[2][2] == 13 && b.sync[2][3] == 13);
	test_check(b.exits[VMX_EXIT_RDMSR] >= 3 && b.exits[VMX_EXIT_WRMSR] >= 1);
	test_check(b.sync[3][1] == ~0ull && (b.sync[3][2] & 0x1800) == 0x1800);
}

TESTCASE(vmx_port_io_and_string_io)
{
	GUEST(g, pio, VCPU_MODE_LONG64, 1);

	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(clean_finish(&g, 4));
	test_check(g.sync[0][1] == 0xa5 && g.sync[0][2] == 0xedcb && g.sync[0][3] == 0x21524110);
	test_check(g.sync[1][1] == 0xff && g.sync[1][2] == 0xffff && g.sync[1][3] == 0xffffffff);
	test_check(g.sync[2][1] == 0xd0 && g.sync[2][2] == 0xc3c3c3c3c3c3c3c3ull &&
	           g.sync[2][3] == 0xbbbb);
	test_check(g.sync[3][1] == 0xbf && g.sync[3][2] == 0xf00ff00ff00ff00full);
	test_check(g.exits[VMX_EXIT_IO] >= 10);
}

TESTCASE(vmx_mmio_to_unmapped_gpa)
{
	GUEST(g, mmio, VCPU_MODE_LONG64, 0);

	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	test_check(clean_finish(&g, 7));
	test_check(g.sync[0][1] == 0xff && g.sync[0][2] == 0xffff && g.sync[0][3] == 0xffffffff);
	test_check(g.sync[1][1] == ~0ull && g.sync[1][2] == 0xff && g.sync[1][3] == 0xffff);
	test_check(g.sync[2][1] == 0x11223344556677ffull && g.sync[2][2] == 0x112233445566ff88ull &&
	           g.sync[2][3] == 0x112233445566ffffull);
	test_check(g.sync[3][1] == 0x11223344556677ffull && g.sync[3][2] == 0xffffffff &&
	           g.sync[3][3] == 0xffffffff);
	test_check(g.sync[4][1] == ~0ull && g.sync[4][2] == ~0ull && g.sync[4][3] == 0xffffffff);
	test_check(g.sync[5][1] == 8 && g.sync[5][2] == 0xffffffff);
	test_check(g.exits[VMX_EXIT_EPT_VIOLATION] >= 20);
}

TESTCASE(vmx_hlt_woken_by_timer)
{
	static const uint64_t delays[] = {1000000, 5000000, 10000000};
	GUEST(g, hlt_timer, VCPU_MODE_LONG64, 1);

	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(clean_finish(&g, 4));
	test_check(g.sync[0][1] == MINUS(-1002) && g.sync[0][2] == MINUS(-1002) &&
	           g.sync[0][3] == MINUS(-1000));
	for (unsigned int i = 0; i < 3; i++) {
		uint64_t ticks = g.sync[i + 1][1];

		kprintf("  %lu us timer: the guest slept %lu us\n", delays[i] / 1000,
		        tsc_to_ns(ticks) / 1000);
		test_check(g.sync[i + 1][0] == delays[i]);
		test_check(ticks >= ns_to_tsc(delays[i]) &&
		           ticks <= ns_to_tsc(delays[i] + TIMER_SLACK_NS));
		test_check(g.sync[i + 1][2] == 1 && g.sync[i + 1][3] == 0x40);
	}
	test_check(g.exits[VMX_EXIT_HLT] >= 3);
}

TESTCASE(vmx_triple_fault_stops_only_that_guest)
{
	GUEST(g, triple_fault, VCPU_MODE_LONG64, 1);
	GUEST(h, cpuid, VCPU_MODE_LONG64, 0);

	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	guest_run_start(&h);
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(g.stop == VM_STOP_TRIPLE_FAULT && g.nsync == 1 && g.nassert == 0);
	test_check(g.exits[VMX_EXIT_TRIPLE_FAULT] == 1);
	test_check(clean_finish(&h, 1)); /* its neighbour ran on */
}

static int invalid_state_violations;

/* Clears RFLAGS bit 1, which must be 1 (SDM 26.3.1.4): the entry must fail, cleanly. */
static void break_rflags(struct vcpu *v)
{
	vmcs_writenat(VMCS_GUEST_RFLAGS, 0);
	invalid_state_violations = vcpu_check_entry(v);
}

TESTCASE(vmx_invalid_guest_state_fails_entry_cleanly)
{
	GUEST(g, cpuid, VCPU_MODE_LONG64, 1);

	if (!guest_run_possible())
		return;
	g.prepare = break_rflags;
	guest_run_start(&g);
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(g.stop == VM_STOP_ENTRY_FAILED && g.nsync == 0);
	test_check(invalid_state_violations >= 1); /* the software checks saw it too */
}

TESTCASE(vmx_real_mode_to_long_mode)
{
	GUEST(g, realmode, VCPU_MODE_REAL, 1);

	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(clean_finish(&g, 1));
	test_check(g.sync[0][0] == 0x64 && (g.sync[0][1] & 0x80000001u) == 0x80000001u);
	test_check((g.sync[0][3] & 0x500) == 0x500); /* EFER.LME and LMA */
	test_check(g.exits[VMX_EXIT_CR_ACCESS] >= 2);
}

TESTCASE(vmx_protected_mode_start)
{
	GUEST(g, prot32, VCPU_MODE_PROT32, 0);

	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	test_check(clean_finish(&g, 1));
	test_check(g.sync[0][0] == 0x32 && (g.sync[0][1] & 1) && !(g.sync[0][1] & 0x80000000u));
}

TESTCASE(vmx_hostile_instructions)
{
	GUEST(g, badinsn, VCPU_MODE_LONG64, 1);

	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(g.stop == VM_STOP_DONE && g.nassert == 0 && g.nsync >= 1);
	test_check(g.sync[0][1] == 12 && g.sync[0][2] == 0xfff && g.sync[0][3] == 1);
	for (unsigned int i = 1; i < g.nsync && i < GUEST_RUN_MAX_SYNC; i++)
		kprintf("  sync %u: %#lx %#lx %#lx %#lx\n", i, g.sync[i][0], g.sync[i][1],
		        g.sync[i][2], g.sync[i][3]);
}

/* A guest's memory, EPT tables and VMCS go back to the frame allocator when it dies. */
TESTCASE(vmx_guest_memory_returned)
{
	struct frame_stats before, after;
	GUEST(g, cpuid, VCPU_MODE_LONG64, 0);

	if (!guest_run_possible())
		return;
	frame_stats(&frames, &before);
	guest_run_start(&g);
	frame_stats(&frames, &after);
	kprintf("  frames free before %zu, after %zu\n", before.free, after.free);
	test_check(clean_finish(&g, 1));
	/* kalloc may keep one cached page per size class it touched; nothing else may stay. */
	test_check(after.free + 4 >= before.free);
}

static void vmx_off(void *arg)
{
	vmx_cpu_off();
}

/* VMXOFF on every CPU, then VMXON again, and a guest still runs. */
TESTCASE(vmx_off_and_on_again)
{
	GUEST(g, cpuid, VCPU_MODE_LONG64, 1);

	if (!guest_run_possible())
		return;
	test_check(smp_call_all(vmx_off, NULL) == 0);
	for (unsigned int c = 0; c < arch_cpu_count(); c++)
		test_check(!percpu[c].vmx_on);
	guest_run_start(&g); /* vmx_vcpu_create turns VMX back on, on CPU 1 */
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(clean_finish(&g, 1));
	test_check(percpu[1].vmx_on);
}

TESTCASE(vmx_interrupt_window_and_xsetbv)
{
	GUEST(g, irqwin, VCPU_MODE_LONG64, 1);

	if (!guest_run_possible())
		return;
	guest_run_start(&g);
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(clean_finish(&g, 2));
	test_check(g.sync[0][1] == 0 && g.sync[0][2] == 1 && g.sync[0][3] == 0x41);
	test_check(g.exits[VMX_EXIT_INTR_WINDOW] >= 1);
	/* Bochs's skylake_x has XSAVE: XCR0 = x87|SSE sticks, bad values #GP. */
	test_check(g.sync[1][1] == 3 && g.sync[1][2] == 13 && g.sync[1][3] == 13);
	test_check(g.exits[VMX_EXIT_XSETBV] >= 3);
}

/*
 * A vCPU moves between CPUs mid-run, as the scheduler will move them: its
 * VMCS is cleared on one CPU and made current, with that CPU's host state,
 * on the other (vmx_vcpu_put/get). The cpuid guest yields after its PRINT
 * (to CPU 1) and after its SYNC (back to CPU 0), where it finishes.
 */
TESTCASE(vmx_vcpu_migrates_between_cpus)
{
	GUEST(g, cpuid, VCPU_MODE_LONG64, 0);

	if (!guest_run_possible() || arch_cpu_count() < 2)
		return;
	g.migrate_cpu = 1;
	guest_run_start(&g);
	test_check(guest_run_wait(&g, GUEST_TIMEOUT_MS));
	test_check(clean_finish(&g, 1));
	kprintf("  migrations: %u, to CPU %u then CPU %u\n", g.migrations, g.pcpu_trail[0],
	        g.pcpu_trail[1]);
	test_check(g.migrations == 2);
	test_check(g.pcpu_trail[0] == 1 && g.pcpu_trail[1] == 0);
	test_check(!(g.sync[0][0] & (1u << 5))); /* the guest's checks ran on both CPUs */
}
