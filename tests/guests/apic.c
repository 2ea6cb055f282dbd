/*
 * apic: the local APIC of one vCPU, in xAPIC and then in x2APIC mode.
 *
 * guest_entry_arg selects the parts (APIC_PART_*, apic_parts.h); each part
 * runs in xAPIC mode (MMIO page), then again in x2APIC mode (MSRs), but
 * CR8, which runs once in x2APIC mode. All interrupts are self-generated,
 * taken with a handler that records vector, TSC and (where a check needs
 * it) ISR and PPR, then EOIs. Clocks come from CPUID 0x15 (apic.h): a timer
 * count lasts apic_timer_ticks(1, divide) TSC ticks.
 *
 * Timer accuracy. An interrupt must never come before its deadline, and
 * at most TOL TSC ticks after it. The deadline is exact in TSC-deadline
 * mode; a one-shot or periodic count starts at some TSC between the two
 * reads around the ICR write (t0, t1), so "not early" is checked against
 * t0 and "not late" against t1. A periodic timer must keep its phase: the
 * k-th interrupt is checked against k periods from the start, so drift
 * cannot hide in per-period slack; the spacing of neighbours is within
 * TOL of the period too.
 *
 * TOL is derived, per mode, from C, the dearest exit round trip the guest
 * makes while it waits (an APIC register read or write, a VMCALL; measured
 * by calibrate()). Tandem notices an expired deadline before a VM entry:
 * if it passes while Tandem handles one of the guest's exits (at most C),
 * the entry goes ahead without it and the host timer forces one more exit
 * (another C) that injects it; then the guest's own interrupt entry. So
 * TOL = 3 C + 20 us: two exits, a third as margin, and 20 us for the host
 * interrupt path and the guest's entry. In Bochs (100 MHz TSC) C is about
 * 700 (x2APIC) to 2,000 (xAPIC) ticks with Tandem's defaults, TOL 40-80
 * us, and about 48,000 ticks with vmcs_check=1 (the software VM-entry
 * checks of the Bochs tier), TOL 1.5 ms; every span is at least 2 TOL, so
 * a timer programmed with a wrong divide or clock is off by far more.
 * Bochs's TSC counts emulated instructions: the figures (in the SYNCs)
 * repeat exactly.
 *
 * SYNC sequence per part and mode m (0 xAPIC, 1 x2APIC), then DONE:
 *   TIMER  (0x10|m, C, TOL, span): the calibration
 *          (0x12|m, one-shot ticks wanted, arrival - t0 - wanted, t1 - t0): divide 16, HLT
 *          (0x14|m, the same for divide 1, spinning)
 *          (0x16|m, periodic period, shortest spacing, longest spacing) over 8 periods, divide 2
 *          (0x18|m, period, last - first arrival (7 periods), spread of lateness (no drift: <= 20 us))
 *          (0x1a|m, TSC-deadline lateness, IA32_TSC_DEADLINE after firing (0), read back while armed (1))
 *   IPI    (0x20|m, vectors in arrival order (bytes, first lowest), count, ESR)
 *   PRIO   (0x30|m, arrival order of 6 vectors raised with IF=0, PPR each saw (classes, nibbles), IRR bits seen (6))
 *          (0x32|m, nesting order 52 95 5f 41, ISR inside the nested 0x95 (95 52), ISR after its EOI (52))
 *   TPR    (0x40|m, arrival order 65 55 45, PPR with TPR 0x50 and 0x65 pending (0x50), IRR bits held (2))
 *   ERR    (0x50|m, ESR after ICR vector 3, ESR after LVT timer vector 5, error interrupts (2))
 *          xAPIC: (0x52, ESR after reserved register accesses, read-only registers changed (0), reserved bits kept (0))
 *          x2APIC: (0x53, #GP cases, #GPs taken, wrongly accepted/refused (0))
 *          (0x54|m, LVTs masked by software disable (6), unmasked while off (0), masked after (1))
 *   CR8    (0x60, TPR after MOV CR8 = 5 (0x50), CR8 after TPR = 0x70 (7), arrival order with CR8 = 5 (65))
 */
#include "guest.h"
#include "apic.h"
#include "apic_parts.h"
#include "guest_smp.h"
#include "apic_rec.h"

#define TIMER_VEC  0xe0
#define NPERIODS   8
#define DRIFT_US   20 /* periodic(): the spread of lateness over NPERIODS */
#define SETTLE_IRQ 64 /* pause iterations a self-IPI may take to arrive */

struct rec rec[MAX_REC];
volatile unsigned int nrec;
unsigned int mode_bit;
uint64_t span;
static bool snapshots;
static uint64_t tsc_hz;
static uint64_t cost, tol; /* per mode, from calibrate() */

void on_irq(struct guest_frame *f)
{
	uint64_t t = rdtsc();
	unsigned int n = nrec;

	if (n < MAX_REC) {
		rec[n].vector = (uint8_t)f->vector;
		rec[n].tsc = t;
		if (snapshots) {
			rec[n].isr = apic_isr_list();
			rec[n].ppr = apic_read(APIC_PPR);
		}
	}
	nrec = n + 1;
	apic_eoi();
}

void rec_reset(void)
{
	nrec = 0;
	snapshots = false;
}

/* The vectors of rec[from ..], one per byte from the low byte (at most 8). */
static uint64_t order(unsigned int from)
{
	uint64_t o = 0;

	for (unsigned int i = from; i < nrec && i < MAX_REC && i - from < 8; i++)
		o |= (uint64_t)rec[i].vector << (8 * (i - from));
	return o;
}

/* With interrupts on, until n interrupts were recorded or `ticks` passed; then off again. */
unsigned int wait_irqs(unsigned int n, uint64_t ticks)
{
	uint64_t t0 = rdtsc();

	sti();
	while (nrec < n && rdtsc() - t0 < ticks)
		pause();
	cli();
	return nrec;
}

/* HLT until n interrupts came (a lost interrupt hangs here: the host's timeout ends the run). */
static void hlt_irqs(unsigned int n)
{
	while (nrec < n) {
		sti_hlt();
		cli();
	}
}

/* A self-IPI has arrived once a few instructions ran with interrupts on. */
void settle(void)
{
	sti();
	for (int i = 0; i < SETTLE_IRQ; i++)
		pause();
	cli();
}

static uint64_t us(uint64_t n)
{
	return tsc_hz * n / 1000000;
}

/*
 * The dearest exit the checks make while they wait for an interrupt: an
 * APIC register read and write (MMIO or MSR), a VMCALL; the worst of a few.
 * TOL and the time spans follow from it (see the top of the file).
 */
static void calibrate(void)
{
	uint64_t worst = 0, t0, t1, t2, t3;

	for (int i = 0; i < 4; i++) {
		t0 = rdtsc_ordered();
		(void)apic_read(APIC_TIMER_CCR);
		t1 = rdtsc_ordered();
		apic_write(APIC_TPR, 0);
		t2 = rdtsc_ordered();
		tandem_hypercall(0x5444ffffu, 0, 0, 0, 0); /* unknown: -ENOSYS, nothing else */
		t3 = rdtsc_ordered();
		worst = MAX(worst, MAX(t1 - t0, MAX(t2 - t1, t3 - t2)));
	}
	cost = worst;
	tol = 3 * cost + us(20);
	span = MAX(us(300), 2 * tol);
}

/* ---- timer ---- */

static void check_arrival(uint64_t a, uint64_t earliest, uint64_t latest_start, uint64_t ticks)
{
	GUEST_ASSERT_OP(a, >=, earliest);                   /* never before the deadline */
	GUEST_ASSERT_OP(a, <=, latest_start + ticks + tol); /* nor later than TOL after it */
}

/* One-shot; SYNCs (id, ticks wanted, arrival - t0 - wanted, t1 - t0). */
static void oneshot(unsigned int id, uint32_t dcr, uint32_t div, uint64_t ticks, bool hlt)
{
	uint32_t count = (uint32_t)(ticks / apic_timer_ticks(1, div)), c1, c2;
	uint64_t want = apic_timer_ticks(count, div), t0, t1, a;

	rec_reset();
	apic_write(APIC_TIMER_DCR, dcr);
	apic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | TIMER_VEC);
	t0 = rdtsc_ordered();
	apic_write(APIC_TIMER_ICR, count);
	t1 = rdtsc_ordered();
	c1 = apic_read(APIC_TIMER_CCR);
	c2 = apic_read(APIC_TIMER_CCR);
	GUEST_ASSERT_OP(c1, <=, count);
	GUEST_ASSERT_OP(c2, <, c1); /* counting down */
	GUEST_ASSERT_OP(c2, >, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TIMER_ICR), count);
	if (hlt)
		hlt_irqs(1);
	else
		GUEST_ASSERT_EQ(wait_irqs(1, 4 * want + span), 1);
	a = rec[0].tsc;
	GUEST_ASSERT_EQ(rec[0].vector, TIMER_VEC);
	check_arrival(a, t0 + want, t1, want);
	GUEST_ASSERT_EQ(apic_read(APIC_TIMER_CCR), 0); /* one-shot: stays at 0 */
	GUEST_ASSERT_EQ(wait_irqs(2, 2 * want), 1);    /* and fires once */
	ucall_sync(id | mode_bit, want, a - t0 - want, t1 - t0);
}

/*
 * Periodic, NPERIODS interrupts. Besides the bounds of every arrival, the
 * lateness of the k-th (its arrival - t0 - k periods) must not grow with k:
 * a timer re-armed from when Tandem noticed the expiry instead of from the
 * deadline drifts by that latency each period (about 600 ticks in Bochs, so
 * some 4,000 over 7 periods). The periods are alike (the guest spins
 * without exits between them, and takes each interrupt through the same
 * path), so the lateness may only jitter: its spread must stay within
 * DRIFT_US, 20 us (Bochs shows a few ticks).
 */
static void periodic(unsigned int id, uint32_t dcr, uint32_t div, uint64_t ticks)
{
	uint32_t count = (uint32_t)(ticks / apic_timer_ticks(1, div));
	uint64_t p = apic_timer_ticks(count, div), t0, t1, lo = ~0ull, hi = 0;
	uint64_t late_lo = ~0ull, late_hi = 0;

	rec_reset();
	apic_write(APIC_TIMER_DCR, dcr);
	apic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_PERIODIC | TIMER_VEC);
	t0 = rdtsc_ordered();
	apic_write(APIC_TIMER_ICR, count);
	t1 = rdtsc_ordered();
	GUEST_ASSERT_EQ(wait_irqs(NPERIODS, (NPERIODS + 2) * p + span), NPERIODS);
	apic_write(APIC_TIMER_ICR, 0); /* stops it */
	GUEST_ASSERT_EQ(wait_irqs(NPERIODS + 1, 3 * p), NPERIODS);
	for (unsigned int k = 0; k < NPERIODS; k++) {
		uint64_t a = rec[k].tsc, due = (k + 1) * p;

		GUEST_ASSERT_EQ(rec[k].vector, TIMER_VEC);
		check_arrival(a, t0 + due, t1, due); /* phase kept: k+1 periods from the start */
		late_lo = MIN(late_lo, a - t0 - due);
		late_hi = MAX(late_hi, a - t0 - due);
		if (k) {
			uint64_t d = a - rec[k - 1].tsc;

			lo = MIN(lo, d);
			hi = MAX(hi, d);
		}
	}
	GUEST_ASSERT_OP(lo + tol, >=, p);
	GUEST_ASSERT_OP(hi, <=, p + tol);
	GUEST_ASSERT_OP(late_hi - late_lo, <=, us(DRIFT_US)); /* no drift */
	ucall_sync(id | mode_bit, p, lo, hi);
	ucall_sync((id + 2) | mode_bit, p, rec[NPERIODS - 1].tsc - rec[0].tsc, late_hi - late_lo);
}

/* Arms IA32_TSC_DEADLINE at d (checking the read-back). */
static void arm_deadline(uint64_t d)
{
	wrmsr(MSR_IA32_TSC_DEADLINE, d);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), d);
}

static void tsc_deadline(void)
{
	uint64_t d, d2, a, armed;

	GUEST_ASSERT(cpuid(1, 0).ecx & CPUID1_ECX_DEADLINE);
	/* Outside TSC-deadline mode the MSR reads 0 and ignores writes (SDM 10.5.4.1). */
	apic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | TIMER_VEC);
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + span / 2);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);
	rec_reset();
	GUEST_ASSERT_EQ(wait_irqs(1, span), 0);

	apic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | TIMER_VEC);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);
	apic_write(APIC_TIMER_ICR, 12345); /* ignored in this mode */
	GUEST_ASSERT_EQ(apic_read(APIC_TIMER_CCR), 0);

	/* One deadline, waited for with HLT. */
	d = rdtsc() + 2 * span;
	arm_deadline(d);
	armed = rdmsr(MSR_IA32_TSC_DEADLINE);
	hlt_irqs(1);
	a = rec[0].tsc;
	check_arrival(a, d, d, 0);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0); /* firing disarms it */
	GUEST_ASSERT_EQ(wait_irqs(2, 2 * span), 1);
	ucall_sync(0x1a | mode_bit, a - d, rdmsr(MSR_IA32_TSC_DEADLINE), armed == d);

	/* Moved earlier: fires once, at the new one. */
	rec_reset();
	d = rdtsc() + 4 * span;
	arm_deadline(d);
	d2 = rdtsc() + span;
	arm_deadline(d2);
	GUEST_ASSERT_EQ(wait_irqs(2, d - rdtsc() + 2 * tol), 1);
	check_arrival(rec[0].tsc, d2, d2, 0);

	/* Moved later: nothing at the first, once at the second. */
	rec_reset();
	d = rdtsc() + span;
	arm_deadline(d);
	d2 = rdtsc() + 3 * span;
	arm_deadline(d2);
	GUEST_ASSERT_EQ(wait_irqs(2, d2 - rdtsc() + 2 * tol), 1);
	check_arrival(rec[0].tsc, d2, d2, 0);

	/* Written 0: disarmed. */
	rec_reset();
	d = rdtsc() + span;
	arm_deadline(d);
	arm_deadline(0);
	GUEST_ASSERT_EQ(wait_irqs(1, span + 2 * tol), 0);

	/* Already past: at once. */
	d = rdtsc();
	wrmsr(MSR_IA32_TSC_DEADLINE, d - 1);
	GUEST_ASSERT_EQ(wait_irqs(1, tol), 1);
	GUEST_ASSERT_OP(rec[0].tsc - d, <=, tol);

	/* Leaving the mode disarms it and the MSR reads 0 (SDM 10.5.4.1). */
	rec_reset();
	arm_deadline(rdtsc() + span);
	apic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_ONESHOT | TIMER_VEC);
	apic_write(APIC_LVT_TIMER, APIC_LVT_TIMER_TSC_DEADLINE | TIMER_VEC);
	GUEST_ASSERT_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);
	GUEST_ASSERT_EQ(wait_irqs(1, span + 2 * tol), 0);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
}

/* Stopping, restarting and masking a count (SDM 10.5.4), divide by 1. */
static uint32_t counts(uint64_t ticks)
{
	return (uint32_t)(ticks / apic_timer_ticks(1, 1));
}

static void timer_controls(void)
{
	uint64_t t0;

	apic_write(APIC_TIMER_DCR, 0xb);
	/* Masked: counts to 0, interrupts neither then nor when unmasked later. */
	rec_reset();
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | TIMER_VEC);
	apic_write(APIC_TIMER_ICR, counts(span / 2));
	GUEST_ASSERT_EQ(wait_irqs(1, 2 * span), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TIMER_CCR), 0);
	apic_write(APIC_LVT_TIMER, TIMER_VEC);
	GUEST_ASSERT_EQ(wait_irqs(1, span), 0);

	/* Writing 0 stops it. */
	apic_write(APIC_TIMER_ICR, counts(span));
	apic_write(APIC_TIMER_ICR, 0);
	GUEST_ASSERT_EQ(apic_read(APIC_TIMER_CCR), 0);
	GUEST_ASSERT_EQ(wait_irqs(1, 2 * span), 0);

	/* A new count restarts it: one interrupt, timed from the second write. */
	apic_write(APIC_TIMER_ICR, counts(10 * span));
	t0 = rdtsc_ordered();
	apic_write(APIC_TIMER_ICR, counts(span));
	GUEST_ASSERT_EQ(wait_irqs(2, 11 * span), 1);
	GUEST_ASSERT_OP(rec[0].tsc, >=, t0 + apic_timer_ticks(counts(span), 1));
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
}

static void part_timer(void)
{
	ucall_sync(0x10 | mode_bit, cost, tol, span);
	idt_set_handler(TIMER_VEC, on_irq);
	oneshot(0x12, APIC_TDCR_DIV16, 16, MAX(us(1000), 10 * tol), true);
	oneshot(0x14, 0xb, 1, 2 * span, false);
	periodic(0x16, 0x0, 2, 2 * span);
	tsc_deadline();
	timer_controls();
}

/* ---- self-IPIs ---- */

static void part_ipi(void)
{
	static const uint8_t vecs[] = {0x50, 0x51, 0x52, 0x53, 0x54, 0x55};
	uint32_t self = apic_id(), esr;

	for (unsigned int i = 0; i < sizeof(vecs); i++)
		idt_set_handler(vecs[i], on_irq);
	rec_reset();
	apic_esr();
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x50, 0); /* shorthand self */
	settle();
	GUEST_ASSERT_EQ(nrec, 1);
	apic_send_ipi(0x51, self); /* physical: our own ID */
	settle();
	GUEST_ASSERT_EQ(nrec, 2);
	apic_send_ipi(APIC_ICR_DEST_ALL | 0x52, 0); /* all including self */
	settle();
	GUEST_ASSERT_EQ(nrec, 3);
	apic_send_ipi(APIC_ICR_DEST_OTHERS | 0x53, 0); /* nobody else here */
	apic_send_ipi(0x53, 7);                        /* an APIC ID nobody has: dropped */
	settle();
	GUEST_ASSERT_EQ(nrec, 3);
	if (apic_x2apic()) {
		wrmsr(apic_msr(APIC_SELF_IPI), 0x54);
		settle();
		GUEST_ASSERT_EQ(nrec, 4);
		/* x2APIC logical: cluster 0, bit 0 is APIC ID 0 (SDM 10.12.10.2). */
		GUEST_ASSERT_EQ(apic_read(APIC_LDR), 1);
		apic_send_ipi(APIC_ICR_LOGICAL | 0x55, 1);
	} else {
		/* xAPIC flat logical: our logical ID is bit 0. */
		apic_write(APIC_DFR, APIC_DFR_FLAT);
		apic_write(APIC_LDR, 1u << 24);
		apic_send_ipi(APIC_ICR_LOGICAL | 0x54, 1);
		settle();
		GUEST_ASSERT_EQ(nrec, 4);
		apic_send_ipi(APIC_ICR_LOGICAL | 0x55, 0x02); /* another logical ID: nobody */
		settle();
		GUEST_ASSERT_EQ(nrec, 4);
		apic_send_ipi(APIC_ICR_LOGICAL | 0x55, 0x03); /* ours among others */
	}
	settle();
	esr = apic_esr();
	GUEST_ASSERT_EQ(nrec, 5);
	GUEST_ASSERT_EQ(esr, 0); /* a dropped IPI is no error (no accept errors since the P4) */
	GUEST_ASSERT_EQ(apic_read(APIC_ICR) & APIC_ICR_BUSY, 0); /* delivered: idle */
	ucall_sync(0x20 | mode_bit, order(0), nrec, esr);
}

/* ---- priorities, EOI and nesting (SDM 10.8.3-10.8.5) ---- */

static uint64_t nest_isr_inner, nest_isr_after_eoi;

/* The nested 0x95: PPR is its class; EOI retires it, the highest, and leaves 0x52. */
static void on_nested(struct guest_frame *f)
{
	unsigned int n = nrec;

	rec[n].vector = (uint8_t)f->vector;
	rec[n].ppr = apic_read(APIC_PPR);
	nest_isr_inner = apic_isr_list();
	nrec = n + 1;
	apic_eoi();
	nest_isr_after_eoi = apic_isr_list();
}

/* 0x52, class 5: raises 0x41, 0x5f and 0x95, enables interrupts: only 0x95 may nest. */
static void on_outer(struct guest_frame *f)
{
	unsigned int n = nrec;

	rec[n].vector = (uint8_t)f->vector;
	rec[n].isr = apic_isr_list();
	rec[n].ppr = apic_read(APIC_PPR);
	nrec = n + 1;
	GUEST_ASSERT_EQ(rec[n].isr, 0x52);
	GUEST_ASSERT_EQ(rec[n].ppr, 0x50);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x41, 0);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x5f, 0);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x95, 0);
	GUEST_ASSERT(apic_irr(0x41) && apic_irr(0x5f) && apic_irr(0x95));
	GUEST_ASSERT_EQ(nrec, n + 1); /* IF is 0 in a handler */
	settle();                     /* STI: 0x95 nests, 0x5f (same class) and 0x41 may not */
	GUEST_ASSERT_EQ(nrec, n + 2);
	GUEST_ASSERT(apic_irr(0x41) && apic_irr(0x5f) && !apic_irr(0x95));
	apic_eoi();
}

static void part_prio(void)
{
	static const uint8_t raise[] = {0x3a, 0x7d, 0x5b, 0xe1, 0x9e, 0x5c};
	static const uint8_t want[] = {0xe1, 0x9e, 0x7d, 0x5c, 0x5b, 0x3a};
	uint64_t ppr = 0, irr = 0;

	for (unsigned int i = 0; i < sizeof(raise); i++)
		idt_set_handler(raise[i], on_irq);
	rec_reset();
	apic_eoi(); /* nothing in service: a no-op */
	GUEST_ASSERT_EQ(apic_isr_list(), 0);
	for (unsigned int i = 0; i < sizeof(raise); i++)
		apic_send_ipi(APIC_ICR_DEST_SELF | raise[i], 0);
	for (unsigned int i = 0; i < sizeof(raise); i++)
		irr += apic_irr(raise[i]);
	GUEST_ASSERT_EQ(apic_isr_list(), 0);
	GUEST_ASSERT_EQ(apic_read(APIC_PPR), 0);
	snapshots = true;
	GUEST_ASSERT_EQ(wait_irqs(6, span), 6);
	for (unsigned int i = 0; i < 6; i++) {
		GUEST_ASSERT_EQ(rec[i].vector, want[i]);
		GUEST_ASSERT_EQ(rec[i].isr, want[i]); /* not nested: only itself in service */
		GUEST_ASSERT_EQ(rec[i].ppr, want[i] & 0xf0u);
		ppr |= (uint64_t)(rec[i].ppr >> 4) << (4 * i);
	}
	GUEST_ASSERT_EQ(apic_isr_list(), 0);
	for (unsigned int i = 0; i < sizeof(raise); i++)
		GUEST_ASSERT(!apic_irr(raise[i]));
	ucall_sync(0x30 | mode_bit, order(0), ppr, irr);

	/* Nesting: 52, then 95 inside it, then 5f and 41 once 52 is retired. */
	idt_set_handler(0x52, on_outer);
	idt_set_handler(0x95, on_nested);
	idt_set_handler(0x5f, on_irq);
	idt_set_handler(0x41, on_irq);
	rec_reset();
	snapshots = true;
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x52, 0);
	GUEST_ASSERT_EQ(wait_irqs(4, span), 4);
	GUEST_ASSERT_EQ(order(0), 0x415f9552);
	GUEST_ASSERT_EQ(rec[1].ppr, 0x90);
	GUEST_ASSERT_EQ(nest_isr_inner, 0x5295);
	GUEST_ASSERT_EQ(nest_isr_after_eoi, 0x52);
	GUEST_ASSERT_EQ(rec[2].isr, 0x5f);
	GUEST_ASSERT_EQ(rec[3].isr, 0x41);
	GUEST_ASSERT_EQ(apic_isr_list(), 0);
	ucall_sync(0x32 | mode_bit, order(0), nest_isr_inner, nest_isr_after_eoi);
}

/* ---- TPR (SDM 10.8.3.1, 10.8.6) ---- */

static void part_tpr(void)
{
	uint32_t ppr, held;

	idt_set_handler(0x45, on_irq);
	idt_set_handler(0x55, on_irq);
	idt_set_handler(0x65, on_irq);
	rec_reset();
	apic_write(APIC_TPR, 0x50);
	GUEST_ASSERT_EQ(apic_read(APIC_TPR), 0x50);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x45, 0);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x55, 0);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x65, 0);
	settle(); /* 0x65 only: a class must be above TPR's */
	ppr = apic_read(APIC_PPR);
	held = apic_irr(0x45) + apic_irr(0x55);
	GUEST_ASSERT_EQ(nrec, 1);
	GUEST_ASSERT_EQ(ppr, 0x50);
	GUEST_ASSERT_EQ(held, 2);
	apic_write(APIC_TPR, 0x4f); /* class 4: lets 0x55 through, 0x45 still not */
	settle();
	GUEST_ASSERT_EQ(nrec, 2);
	GUEST_ASSERT(apic_irr(0x45));
	apic_write(APIC_TPR, 0);
	settle();
	GUEST_ASSERT_EQ(nrec, 3);
	GUEST_ASSERT_EQ(order(0), 0x455565);
	ucall_sync(0x40 | mode_bit, order(0), ppr, held);
}

/* ---- CR8 is TPR[7:4] (SDM 10.8.6.1) ---- */

static void write_cr8(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr8" ::"r"(v) : "memory");
}

static uint64_t read_cr8(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void part_cr8(void)
{
	uint32_t tpr;
	uint64_t cr8, masked;

	idt_set_handler(0x45, on_irq);
	idt_set_handler(0x65, on_irq);
	rec_reset();
	write_cr8(5);
	tpr = apic_read(APIC_TPR);
	apic_write(APIC_TPR, 0x70);
	cr8 = read_cr8();
	write_cr8(5);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x45, 0);
	apic_send_ipi(APIC_ICR_DEST_SELF | 0x65, 0);
	settle();
	masked = order(0); /* 0x65 only: class 4 is not above CR8 = 5 */
	write_cr8(0);
	settle();
	ucall_sync(0x60, tpr, cr8, masked);
	GUEST_ASSERT_EQ(tpr, 0x50);
	GUEST_ASSERT_EQ(cr8, 7);
	GUEST_ASSERT_EQ(masked, 0x65);
	GUEST_ASSERT_EQ(order(0), 0x4565);
}

static void run_parts(uint64_t parts)
{
	if (parts & APIC_PART_TIMER)
		part_timer();
	if (parts & APIC_PART_IPI)
		part_ipi();
	if (parts & APIC_PART_PRIO)
		part_prio();
	if (parts & APIC_PART_TPR)
		part_tpr();
	if (parts & APIC_PART_ERR)
		part_err();
}

void guest_main(void)
{
	uint64_t parts = guest_entry_arg;

	GUEST_ASSERT(parts && !(parts & ~APIC_PARTS_ALL));
	tsc_hz = guest_tsc_hz();
	apic_enable(false);
	mode_bit = 0;
	calibrate();
	GUEST_ASSERT_EQ(apic_id(), 0);
	run_parts(parts);
	apic_enable(true);
	mode_bit = 1;
	calibrate();
	GUEST_ASSERT_EQ(apic_id(), 0);
	run_parts(parts);
	if (parts & APIC_PART_CR8)
		part_cr8();
}
