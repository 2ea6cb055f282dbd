/*
 * SMP bring-up: every enabled processor the MADT lists is started with
 * INIT-SIPI-SIPI (SDM Vol. 3A 8.4.4.1), one at a time. A CPU that does not
 * answer is reported by APIC ID and skipped; the others go on.
 */
#include <arch.h>
#include <log.h>
#include <string.h>
#include <boot/ap_start.h>
#include <boot/boot.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/desc.h>
#include <x86/lapic.h>
#include <x86/paging.h>
#include <x86/percpu.h>
#include <x86/stacks.h>
#include <x86/tsc.h>

#define INIT_DELAY_NS 10000000ull   /* 10 ms after INIT */
#define SIPI_DELAY_NS 200000ull     /* 200 us between the two SIPIs */
#define AP_TIMEOUT_NS 1000000000ull /* emulators schedule vCPU threads late: allow 1 s */

extern const char ap_trampoline[], ap_trampoline_end[];
struct ap_start ap_start;

void ap_main(uint32_t cpu);

static void delay_ns(uint64_t ns)
{
	uint64_t end = rdtsc() + ns_to_tsc(ns);

	while ((int64_t)(rdtsc() - end) < 0)
		cpu_relax();
}

static bool wait_online(unsigned int cpu, uint64_t ns)
{
	uint64_t end = rdtsc() + ns_to_tsc(ns);

	while ((int64_t)(rdtsc() - end) < 0) {
		if (READ_ONCE(percpu[cpu].online))
			return true;
		cpu_relax();
	}
	return READ_ONCE(percpu[cpu].online);
}

/* Prepares per-CPU state for an AP (stacks, IDs) on the BSP. */
int cpu_prepare(unsigned int cpu, uint32_t apic_id)
{
	struct cpu_stacks st;
	int err = stacks_alloc(cpu, &st);

	if (err)
		return err;
	percpu[cpu].apic_id = apic_id;
	percpu[cpu].stack_top = st.kstack_top;
	for (int i = 0; i < IST_COUNT; i++)
		percpu[cpu].ist_top[i] = st.ist_top[i];
	return 0;
}

static bool start_ap(unsigned int cpu, uint32_t apic_id)
{
	if (cpu_prepare(cpu, apic_id)) {
		log_err("smp: no memory for the stacks of APIC ID %u", apic_id);
		return false;
	}
	ap_start.stack_top = percpu[cpu].stack_top;
	ap_start.cpu = cpu;
	ap_start.cr3 = paging_root();
	ap_start.nxe = cpu_has(FEAT_NX);
	__atomic_store_n(&ap_start.claimed, 0, __ATOMIC_SEQ_CST);

	lapic_send_ipi(apic_id, APIC_ICR_DM_INIT | APIC_ICR_ASSERT | APIC_ICR_LEVEL);
	delay_ns(INIT_DELAY_NS);
	for (int sipi = 0; sipi < 2; sipi++) {
		lapic_send_ipi(apic_id, APIC_ICR_DM_STARTUP | (AP_TRAMPOLINE_BASE >> 12));
		delay_ns(SIPI_DELAY_NS);
		if (__atomic_load_n(&ap_start.claimed, __ATOMIC_SEQ_CST))
			break;
	}
	if (wait_online(cpu, AP_TIMEOUT_NS))
		return true;
	log_warn("smp: CPU with APIC ID %u did not answer INIT-SIPI-SIPI; skipped", apic_id);
	/* Keep the parameters claimed so a late AP parks itself instead of using them. */
	__atomic_store_n(&ap_start.claimed, 1, __ATOMIC_SEQ_CST);
	return false;
}

void ap_main(uint32_t cpu)
{
	percpu_install(cpu, percpu[cpu].apic_id);
	paging_load();
	desc_init_cpu();
	lapic_init_ap();
	if (lapic_id() != percpu[cpu].apic_id) {
		log_warn("smp: cpu %u expected APIC ID %u but is %u", cpu, percpu[cpu].apic_id,
		         lapic_id());
		percpu[cpu].apic_id = lapic_id();
	}
	percpu_mark_online();
	cpu_idle();
}

unsigned int smp_boot(const uint32_t *apic_ids, unsigned int n)
{
	uint32_t self = lapic_id();
	unsigned int next = 1;

	memcpy((void *)(uint64_t)AP_TRAMPOLINE_BASE, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	for (unsigned int i = 0; i < n; i++) {
		if (apic_ids[i] == self)
			continue;
		if (next >= MAX_CPUS) {
			log_warn("smp: more than %d CPUs; APIC ID %u and later not started",
			         MAX_CPUS, apic_ids[i]);
			break;
		}
		if (start_ap(next, apic_ids[i]))
			next++;
	}
	return arch_cpu_count();
}
