/* vCPUs on the credit scheduler: see x86/vcpu_sched.h. */
#include <arch.h>
#include <cmdline.h>
#include <errcode.h>
#include <hw/apic.h>
#include <kalloc.h>
#include <log.h>
#include <sched_trace.h>
#include <spinlock.h>
#include <vm.h>
#include <x86/cpu.h>
#include <x86/irq.h>
#include <x86/lapic.h>
#include <x86/percpu.h>
#include <x86/timer.h>
#include <x86/tsc.h>
#include <x86/vcpu_sched.h>
#include <x86/vmcs_setup.h>
#include <x86/vmx_vm.h>

/* A pending bit that makes a blocked vCPU runnable. */
#define PEND_WAKE (PEND_STOP | PEND_TIMER | PEND_IRQ | PEND_INJECT)

static unsigned int opt_tslice_ms = 30;
BOOT_OPTION_UINT("sched_tslice", opt_tslice_ms, 1, 1000,
                 "credit scheduler time slice and accounting period, ms (Xen's tslice_ms)");
static unsigned int opt_ratelimit_us = 1000;
BOOT_OPTION_UINT("sched_ratelimit", opt_ratelimit_us, 0, 500000,
                 "credit scheduler rate limit, us: a vCPU keeps its pCPU at least this long "
                 "unless it blocks or yields (0: off; Xen's ratelimit_us)");
static unsigned int opt_trace;
BOOT_OPTION_UINT("sched_trace", opt_trace, 0, 65536,
                 "scheduler trace records kept per pCPU, dumped over serial when the guests "
                 "end (0: no trace)");

struct pcpu_sched {
	struct timerq_entry tick; /* sched_tick() at the decision's deadline */
	volatile bool resched;    /* kicked: pick again before the next VM entry */
	struct vcpu *loaded;      /* whose VMCS and context this pCPU holds */
	uint64_t idle_ns;
	/* TSC cycles in sched_pick() (lock held) and in vCPU switches (put + get). */
	uint64_t picks, pick_cycles, switches, switch_cycles;
};

static bool opt_trace_marks;
BOOT_OPTION_BOOL("sched_trace_marks", opt_trace_marks,
                 "record the scheduler trace only from a guest's TANDEM-MARK 1 to the next "
                 "TANDEM-MARK 2 (a benchmark window) instead of from boot");

static struct sched sched;
static spinlock_t sched_lock;
static struct pcpu_sched ps[MAX_CPUS];
static struct sched_trace trace;
static bool initialised;

uint64_t vcpu_sched_now(void)
{
	return arch_time_ns();
}

static unsigned long lock(void)
{
	return spin_lock_irqsave(&sched_lock);
}

static void unlock(unsigned long f)
{
	spin_unlock_irqrestore(&sched_lock, f);
}

static struct vcpu *vcpu_of(struct sched_vcpu *sv)
{
	return sv ? (struct vcpu *)((char *)sv - __builtin_offsetof(struct vcpu, sv)) : NULL;
}

static void send_kick(unsigned int pcpu)
{
	/* Any interrupt makes a guest exit or a halted pCPU wake; VEC_CALL's handler is cheap. */
	lapic_send_ipi(percpu[pcpu].apic_id, VEC_CALL | APIC_ICR_DM_FIXED | APIC_ICR_ASSERT);
}

static void op_kick(void *ctx, unsigned int pcpu)
{
	__atomic_store_n(&ps[pcpu].resched, true, __ATOMIC_SEQ_CST);
	if (pcpu != arch_cpu_id())
		send_kick(pcpu);
}

static const struct sched_ops ops = {.kick = op_kick};

int vcpu_sched_init(void)
{
	struct sched_params p = SCHED_PARAMS_DEFAULT;
	int err;

	if (initialised)
		return 0;
	p.tslice_ns = SCHED_MS(opt_tslice_ms);
	p.ratelimit_ns = SCHED_US(opt_ratelimit_us);
	err = sched_init(&sched, arch_cpu_count(), &p, &ops, NULL);
	if (err)
		return err;
	if (opt_trace) {
		struct sched_trace_rec *buf = kzalloc(sizeof(*buf) * opt_trace * arch_cpu_count());

		if (!buf) {
			log_warn("sched: no memory for %u trace records per pCPU: no trace",
			         opt_trace);
		} else {
			sched_trace_init(&trace, buf, opt_trace, arch_cpu_count());
			if (!opt_trace_marks)
				sched_trace_attach(&sched, &trace);
		}
	}
	initialised = true;
	log_info("sched: credit scheduler on %u pCPU(s), slice %u ms, ratelimit %u us",
	         arch_cpu_count(), opt_tslice_ms, opt_ratelimit_us);
	return 0;
}

unsigned int vcpu_sched_npcpus(void)
{
	return arch_cpu_count();
}

int vcpu_sched_dom_init(struct sched_dom *d, unsigned int id, unsigned int weight, unsigned int cap)
{
	unsigned long f = lock();
	int err = sched_dom_init(&sched, d, id, weight, cap);

	unlock(f);
	return err;
}

/* The n-th (mod popcount) pCPU of mask. */
static unsigned int nth_pcpu(uint64_t mask, unsigned int n)
{
	unsigned int count = 0;

	for (uint64_t m = mask; m; m &= m - 1)
		count++;
	n %= count;
	for (unsigned int c = 0; c < 64; c++)
		if ((mask & (1ull << c)) && n-- == 0)
			return c;
	return 0;
}

int vcpu_sched_add(struct vcpu *v, struct sched_dom *d, uint64_t hard, uint64_t soft)
{
	unsigned long f;
	int err;

	hard &= sched.online;
	if (!hard)
		return -ERR_RANGE;
	vmcs_setup_ple(); /* a spinning vCPU yields to the others (a test guest alone would not) */
	vmx_vcpu_put(v);
	f = lock();
	err = sched_vcpu_add(&sched, &v->sv, d, v->id, hard, soft & hard,
	                     nth_pcpu((soft & hard) ? soft & hard : hard, v->id));
	if (!err) {
		v->scheduled = true;
		v->blocked = true;
	}
	unlock(f);
	return err;
}

void vcpu_sched_remove(struct vcpu *v)
{
	unsigned long f = lock();

	sched_vcpu_remove(&sched, &v->sv);
	v->scheduled = false;
	unlock(f);
}

/* Under the lock: v leaves BLOCKED; a vCPU not resumed on the spot waits from now (steal). */
static void wake_locked(struct vcpu *v, uint64_t now)
{
	v->blocked = false;
	sched_vcpu_wake(&sched, &v->sv, now);
	vcpu_time_woken(&v->time, now, sched_vcpu_state(&sched, &v->sv) == SCHED_RUNNING);
}

void vcpu_kick(struct vcpu *v, uint32_t bits)
{
	__atomic_fetch_or(&v->pending, bits, __ATOMIC_SEQ_CST);
	if ((bits & PEND_WAKE) && v->scheduled && __atomic_load_n(&v->blocked, __ATOMIC_SEQ_CST)) {
		unsigned long f = lock();

		if (v->blocked && !v->retiring && v->scheduled)
			wake_locked(v, vcpu_sched_now());
		unlock(f);
		return;
	}
	/*
	 * It may be in the guest on its pCPU: interrupt that. A scheduled vCPU
	 * that no pCPU holds is queued and looks at pending once switched in
	 * (`held` is set before it does, and read here after pending was set).
	 */
	if (v->pcpu != arch_cpu_id() &&
	    (!v->scheduled || __atomic_load_n(&v->held, __ATOMIC_SEQ_CST)))
		send_kick(v->pcpu);
}

bool vcpu_sched_block(struct vcpu *v)
{
	unsigned long f = lock();

	__atomic_store_n(&v->blocked, true, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&v->pending, __ATOMIC_SEQ_CST) & PEND_WAKE) {
		v->blocked = false;
		unlock(f);
		return false;
	}
	sched_vcpu_block(&sched, &v->sv, vcpu_sched_now());
	unlock(f);
	return true;
}

void vcpu_sched_yield(struct vcpu *v)
{
	unsigned long f;

	if (!v->scheduled)
		return;
	f = lock();
	sched_vcpu_yield(&sched, &v->sv, vcpu_sched_now());
	unlock(f);
}

bool vcpu_sched_resched(void)
{
	return __atomic_load_n(&ps[arch_cpu_id()].resched, __ATOMIC_SEQ_CST);
}

void vcpu_sched_times(const struct vcpu *v, uint64_t *run, uint64_t *steal)
{
	vcpu_time_read(&v->time, vcpu_sched_now(), run, steal);
}

/* ---- the per-pCPU loop ---- */

static void tick_fired(void *arg);

/* The tick timer for an absolute scheduler time (SCHED_NEVER: none). */
static void arm_tick(struct pcpu_sched *p, uint64_t deadline)
{
	uint64_t now;

	if (deadline == SCHED_NEVER) {
		timer_del(&p->tick);
		return;
	}
	now = vcpu_sched_now();
	p->tick.fn = tick_fired;
	p->tick.arg = p;
	timer_add(&p->tick, rdtsc() + (deadline > now ? ns_to_tsc(deadline - now) : 0));
}

/*
 * The tick. When sched_tick() says a pick is due now it has kicked this
 * pCPU, and the pick re-arms the tick; re-arming for a time already past
 * would only interrupt the way to that pick again and again. A backstop
 * 1 ms on covers a pick that is slow to come.
 */
static void tick_fired(void *arg)
{
	struct pcpu_sched *p = arg;
	unsigned long f = lock();
	uint64_t now = vcpu_sched_now(), next = sched_tick(&sched, arch_cpu_id(), now);

	unlock(f);
	arm_tick(p, next > now ? next : now + SCHED_MS(1));
}

/* Stolen right after its last pCPU picked another: wait until that one has put it. */
static void wait_put(struct vcpu *v)
{
	while (__atomic_load_n(&v->held, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void switch_in(struct vcpu *v, uint64_t now)
{
	if (vmx_vcpu_get(v) != 0) {
		log_err("%s: vCPU %u: VMPTRLD failed on pCPU %u: stopping the VM", v->vm->name,
		        v->id, arch_cpu_id());
		vm_stop(v->vm, VM_STOP_ENTRY_FAILED);
		return;
	}
	vcpu_time_in(&v->time, now);
	steal_time_publish(&v->steal, &v->vm->mem, v->time.steal_ns);
	__atomic_store_n(&v->held, true, __ATOMIC_SEQ_CST);
}

/* still: v stays runnable (preempted, or parked by its cap); its wait is steal from now. */
static void switch_out(struct vcpu *v, uint64_t now, bool still)
{
	vcpu_time_out(&v->time, now, still);
	if (still)
		steal_time_set_preempted(&v->steal, &v->vm->mem);
	vmx_vcpu_put(v);
	__atomic_store_n(&v->held, false, __ATOMIC_RELEASE);
}

static bool stopping(const struct vcpu *v)
{
	return v->vm->state != VM_RUNNING || (v->pending & PEND_STOP);
}

/* v's VM is stopping: v blocks for good; it is retired after the next pick here. */
static void block_for_good(struct vcpu *v)
{
	unsigned long f = lock();

	v->retiring = true;
	v->blocked = true;
	vcpu_time_stop(&v->time);
	sched_vcpu_block(&sched, &v->sv, vcpu_sched_now());
	unlock(f);
}

/*
 * v is off every pCPU for good (blocked, not current, VMCS cleared). The
 * last vCPU of its VM to get here calls the VM's on_stopped, which tears the
 * VM down (and may boot it again) on this pCPU.
 */
static void retire(struct vcpu *v)
{
	struct vm *vm = v->vm;

	if (__atomic_sub_fetch(&vm->live_vcpus, 1, __ATOMIC_SEQ_CST) == 0 && vm->on_stopped) {
		irq_enable();
		vm->on_stopped(vm);
		irq_disable();
	}
}

static void idle(struct pcpu_sched *p)
{
	uint64_t t0 = vcpu_sched_now();

	/* sti takes effect after hlt has begun, so a kick in between still wakes it. */
	if (!__atomic_load_n(&p->resched, __ATOMIC_SEQ_CST))
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
	p->idle_ns += vcpu_sched_now() - t0;
}

void vcpu_sched_loop(void)
{
	unsigned int me = arch_cpu_id();
	struct pcpu_sched *p = &ps[me];
	struct vcpu *dying = NULL;

	log_info("sched: pCPU %u runs vCPUs", me);
	for (;;) {
		struct sched_decision d;
		struct vcpu *next, *prev = p->loaded;
		enum sched_vstate prev_state = SCHED_BLOCKED;
		uint64_t now, t0;
		unsigned long f;

		__atomic_store_n(&p->resched, false, __ATOMIC_SEQ_CST);
		f = lock();
		now = vcpu_sched_now();
		t0 = rdtsc();
		d = sched_pick(&sched, me, now);
		p->pick_cycles += rdtsc() - t0;
		p->picks++;
		if (prev)
			prev_state = sched_vcpu_state(&sched, &prev->sv);
		unlock(f);
		arm_tick(p, d.deadline);
		next = vcpu_of(d.next);

		t0 = rdtsc();
		if (prev && prev != next) {
			switch_out(prev, now,
			           prev_state == SCHED_RUNNABLE || prev_state == SCHED_PARKED);
			p->loaded = NULL;
		}
		if (dying) {
			/*
			 * Its VM's teardown may take long and create VMCSs here: the
			 * vCPU just picked goes back to the queues (an idle pCPU may
			 * take it) and nothing stays loaded.
			 */
			f = lock();
			sched_pcpu_release(&sched, me, vcpu_sched_now());
			unlock(f);
			if (p->loaded) {
				switch_out(p->loaded, now, next != NULL);
				p->loaded = NULL;
			}
			retire(dying);
			dying = NULL;
			continue; /* the VM's teardown took time: decide again */
		}
		if (!next) {
			idle(p);
			continue;
		}
		if (p->loaded != next)
			wait_put(next); /* before anything touches it, retiring included */
		if (stopping(next)) {
			if (p->loaded == next) {
				switch_out(next, now, false);
				p->loaded = NULL;
			}
			block_for_good(next);
			dying = next;
			continue;
		}
		if (p->loaded != next) {
			switch_in(next, now);
			p->loaded = next;
		}
		if (next != prev) {
			p->switch_cycles += rdtsc() - t0;
			p->switches++;
		}
		vcpu_run(next);
		if (stopping(next)) {
			block_for_good(next);
			dying = next;
		}
	}
}

/* ---- trace and dump ---- */

void vcpu_sched_trace_mark(unsigned int mark)
{
	static bool started, stopped;
	unsigned long f;

	if (!opt_trace || !trace.npcpus || !opt_trace_marks)
		return;
	f = lock();
	if (mark == 1 && !started) {
		started = true;
		sched_trace_attach(&sched, &trace);
		log_info("sched: trace recording from mark 1");
	} else if (mark == 2 && started && !stopped) {
		stopped = true;
		sched_trace_attach(&sched, NULL);
		log_info("sched: trace recording stopped at mark 2");
	}
	unlock(f);
}

static void emit(void *ctx, const char *line)
{
	kprintf("%s\n", line);
}

void vcpu_sched_trace_dump(void)
{
	unsigned long f;
	unsigned int n;

	if (!opt_trace || !trace.npcpus)
		return;
	f = lock();
	sched_trace_attach(&sched, NULL);
	unlock(f);
	log_info("sched: trace dump (sched_trace=%u per pCPU):", opt_trace);
	n = sched_trace_dump(&trace, emit, NULL);
	log_info("sched: trace dump end, %u records", n);
}

void vcpu_sched_dump(void)
{
	unsigned long f = lock();
	struct sched_stats st = sched.stats;

	sched_dump(&sched);
	unlock(f);
	log_info("sched: %lu picks, %lu switches, %lu migrations, %lu kicks, %lu ratelimited, "
	         "%lu accountings",
	         st.picks, st.switches, st.migrations, st.kicks, st.ratelimited, st.acct_runs);
	for (unsigned int c = 0; c < arch_cpu_count(); c++) {
		const struct pcpu_sched *p = &ps[c];

		log_info("sched: pCPU %u: idle %lu ms; %lu picks, %lu TSC cycles each; %lu vCPU "
		         "switches (put + get), %lu cycles each",
		         c, p->idle_ns / 1000000, p->picks,
		         p->picks ? p->pick_cycles / p->picks : 0, p->switches,
		         p->switches ? p->switch_cycles / p->switches : 0);
	}
}
