#include <arch.h>
#include <cmdline.h>
#include <log.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/irq.h>
#include <x86/lapic.h>
#include <x86/percpu.h>
#include <x86/timer.h>
#include <x86/tsc.h>

#define LAPIC_CAL_NS 10000000ull

static bool use_deadline;
static uint64_t lapic_hz; /* count-down ticks per second at divide-by-16 */

static bool opt_timer_deadline = true;
BOOT_OPTION_BOOL("tsc_deadline", opt_timer_deadline,
                 "use the TSC-deadline timer when the CPU has it (0: one-shot count-down)");

static void arm_countdown(uint64_t delay_ns)
{
	uint64_t ticks =
	    delay_ns / 1000000000u * lapic_hz + delay_ns % 1000000000u * lapic_hz / 1000000000u;

	lapic_timer_oneshot(VEC_TIMER,
	                    ticks ? (ticks > 0xffffffffu ? 0xffffffffu : (uint32_t)ticks) : 1);
}

/* Programs the hardware for the earliest queued deadline (or stops it). Interrupts off. */
static void program(struct percpu *p)
{
	uint64_t next = timerq_next(&p->timers), now;

	if (use_deadline) {
		lapic_timer_deadline(VEC_TIMER, next);
		return;
	}
	if (!next) {
		lapic_timer_oneshot(VEC_TIMER, 0);
		return;
	}
	now = rdtsc();
	arm_countdown(next > now ? tsc_to_ns(next - now) + 1 : 1);
}

/*
 * Runs every timer that is due, then re-arms for the next. The count-down
 * rate is a measurement, so a count can end a little early: a timer not yet
 * due just waits for the next interrupt ("not before the deadline"). The
 * queue lock is dropped around each callback, which may re-add its entry.
 */
static void timer_irq(struct irq_frame *f)
{
	struct percpu *p = this_cpu();
	struct timerq_entry *e;

	spin_lock(&p->timer_lock);
	while ((e = timerq_pop_expired(&p->timers, rdtsc()))) {
		p->timer_fired++;
		p->timer_running = e;
		spin_unlock(&p->timer_lock);
		e->fn(e->arg);
		spin_lock(&p->timer_lock);
		p->timer_running = NULL;
	}
	program(p);
	spin_unlock(&p->timer_lock);
}
void timer_init_bsp(void)
{
	irq_register(VEC_TIMER, timer_irq);
	use_deadline = cpu_has(FEAT_TSC_DEADLINE) && opt_timer_deadline;
	if (use_deadline) {
		log_info("timer: LAPIC TSC-deadline mode");
		return;
	}
	/* Count down from the maximum for a known number of TSC ticks. */
	lapic_write(APIC_TIMER_DCR, APIC_TDCR_DIV16);
	lapic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | VEC_TIMER);
	uint64_t t0 = rdtsc(), span = ns_to_tsc(LAPIC_CAL_NS);
	lapic_write(APIC_TIMER_ICR, 0xffffffffu);
	while (rdtsc() - t0 < span)
		cpu_relax();
	uint32_t left = lapic_read(APIC_TIMER_CCR);
	uint64_t elapsed_ns = tsc_to_ns(rdtsc() - t0);
	lapic_write(APIC_TIMER_ICR, 0);
	lapic_hz = (0xffffffffull - left) * 1000000000ull / elapsed_ns;
	log_info("timer: LAPIC one-shot mode, %lu kHz after divide-by-16%s", lapic_hz / 1000,
	         cpu_has(FEAT_TSC_DEADLINE) ? " (TSC-deadline disabled by option)" : "");
}

/* Takes t off whichever CPU's queue holds it; returns with that CPU's lock dropped. */
static void del_anywhere(struct timerq_entry *t)
{
	struct percpu *p = &percpu[t->owner];

	spin_lock(&p->timer_lock);
	if (t->queued) {
		bool was_first = p->timers.head == t;

		timerq_del(&p->timers, t);
		/* A remote CPU keeps its hardware armed: its interrupt then finds nothing due. */
		if (was_first && p == this_cpu())
			program(p);
	}
	spin_unlock(&p->timer_lock);
}

void timer_add(struct timerq_entry *t, uint64_t deadline_tsc)
{
	struct percpu *p = this_cpu();
	unsigned long f = arch_irq_save();

	if (t->queued && t->owner != p->id)
		del_anywhere(t);
	spin_lock(&p->timer_lock);
	t->owner = p->id;
	timerq_add(&p->timers, t, deadline_tsc ? deadline_tsc : 1);
	if (p->timers.head == t)
		program(p);
	spin_unlock(&p->timer_lock);
	arch_irq_restore(f);
}

void timer_del(struct timerq_entry *t)
{
	unsigned long f = arch_irq_save();

	del_anywhere(t);
	arch_irq_restore(f);
}

void timer_del_sync(struct timerq_entry *t)
{
	timer_del(t);
	/* Its callback may have been popped just before: wait until it has returned. */
	for (unsigned int c = 0; c < arch_cpu_count(); c++)
		if (c != arch_cpu_id())
			while (percpu[c].timer_running == t)
				cpu_relax();
}

void timer_arm_ns(uint64_t delay_ns, timer_fn_t fn, void *arg)
{
	struct timerq_entry *t = &this_cpu()->oneshot;
	unsigned long f = arch_irq_save();

	t->fn = fn;
	t->arg = arg;
	timer_add(t, rdtsc() + ns_to_tsc(delay_ns));
	arch_irq_restore(f);
}

void timer_cancel(void)
{
	timer_del(&this_cpu()->oneshot);
}

bool timer_uses_deadline(void)
{
	return use_deadline;
}

uint64_t timer_lapic_hz(void)
{
	return lapic_hz;
}
