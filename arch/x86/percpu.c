#include <arch.h>
#include <x86/msr.h>
#include <x86/percpu.h>

struct percpu percpu[MAX_CPUS];
static unsigned int cpus_online;

void percpu_install(unsigned int id, uint32_t apic_id)
{
	struct percpu *p = &percpu[id];

	p->self = p;
	p->id = id;
	p->apic_id = apic_id;
	wrmsr(MSR_IA32_GS_BASE, (uint64_t)p);
}

int percpu_by_apic_id(uint32_t apic_id)
{
	for (unsigned int i = 0; i < MAX_CPUS; i++)
		if (percpu[i].self && percpu[i].apic_id == apic_id)
			return (int)i;
	return -1;
}

/* Called by each CPU when it is ready for IPIs. */
void percpu_mark_online(void)
{
	this_cpu()->online = true;
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST);
}

unsigned int arch_cpu_id(void)
{
	return this_cpu()->id;
}

unsigned int arch_cpu_count(void)
{
	return __atomic_load_n(&cpus_online, __ATOMIC_SEQ_CST);
}
