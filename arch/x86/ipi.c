/* Cross-CPU function calls over a fixed IPI vector. */
#include <arch.h>
#include <errcode.h>
#include <log.h>
#include <smp.h>
#include <spinlock.h>
#include <x86/cpu.h>
#include <x86/irq.h>
#include <x86/lapic.h>
#include <x86/percpu.h>

#define CALL_TIMEOUT_NS 1000000000ull /* a CPU that has not answered in 1 s is reported */

/* One outstanding call per target: the caller holds the target's lock until done. */
static spinlock_t call_lock[MAX_CPUS];

static void call_irq(struct irq_frame *f)
{
	struct percpu *p = this_cpu();
	uint64_t seq = p->call_seq;
	smp_fn_t fn = p->call_fn;
	void *arg = p->call_arg;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	p->ipis_received++;
	if (fn && p->call_done != seq)
		fn(arg);
	__atomic_store_n(&p->call_done, seq, __ATOMIC_RELEASE);
}

void ipi_init(void)
{
	irq_register(VEC_CALL, call_irq);
}

int smp_call(unsigned int cpu, smp_fn_t fn, void *arg)
{
	struct percpu *t;
	uint64_t seq, start;
	int err = 0;

	if (cpu >= MAX_CPUS || !percpu[cpu].online)
		return -ERR_NOENT;
	if (cpu == arch_cpu_id()) {
		fn(arg);
		return 0;
	}
	t = &percpu[cpu];
	spin_lock(&call_lock[cpu]);
	t->call_fn = fn;
	t->call_arg = arg;
	seq = t->call_seq + 1;
	__atomic_store_n(&t->call_seq, seq, __ATOMIC_RELEASE);
	lapic_send_ipi(t->apic_id, VEC_CALL | APIC_ICR_DM_FIXED | APIC_ICR_ASSERT);
	start = arch_time_ns();
	while (__atomic_load_n(&t->call_done, __ATOMIC_ACQUIRE) != seq) {
		if (arch_time_ns() - start > CALL_TIMEOUT_NS) {
			log_err("ipi: cpu %u (APIC ID %u) did not answer a call in 1 s", cpu,
			        t->apic_id);
			err = -ERR_TIMEOUT;
			break;
		}
		cpu_relax();
	}
	spin_unlock(&call_lock[cpu]);
	return err;
}

int smp_call_all(smp_fn_t fn, void *arg)
{
	int missed = 0;

	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (percpu[c].online && c != arch_cpu_id() && smp_call(c, fn, arg))
			missed++;
	fn(arg);
	return missed;
}

int smp_post(unsigned int cpu, smp_fn_t fn, void *arg)
{
	static spinlock_t post_lock = SPINLOCK_INIT;
	struct percpu *t;
	unsigned long f;

	if (cpu >= MAX_CPUS || !percpu[cpu].online)
		return -ERR_NOENT;
	t = &percpu[cpu];
	f = spin_lock_irqsave(&post_lock);
	if (t->work_fn) {
		spin_unlock_irqrestore(&post_lock, f);
		return -ERR_BUSY;
	}
	t->work_arg = arg; /* before fn: the idle loop reads fn first, then arg */
	__atomic_store_n(&t->work_fn, fn, __ATOMIC_SEQ_CST);
	spin_unlock_irqrestore(&post_lock, f);
	if (cpu != arch_cpu_id()) /* wake it from HLT; the call handler has nothing to run */
		lapic_send_ipi(t->apic_id, VEC_CALL | APIC_ICR_DM_FIXED | APIC_ICR_ASSERT);
	return 0;
}
