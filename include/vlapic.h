/*
 * The virtual local APIC (SDM Vol. 3A chapter 10): registers, priorities,
 * the timer and the APIC base MSR of one vCPU. Pure: time comes from
 * ops->now() and every effect (arming a host timer, sending an IPI, an
 * EOI broadcast, waking the vCPU) leaves through ops, so it is host-tested.
 *
 * Concurrency: the owner serialises every call on one vlapic (its vCPU
 * thread, or one lock per vlapic). Callbacks run inside those calls, after
 * the state they report is committed. send_ipi and eoi may re-enter this
 * vlapic (a self-IPI, an IOAPIC re-delivering a still-asserted level line)
 * through vlapic_accept, so an owner lock must allow that or queue it.
 *
 * Injection: before each VM entry the owner takes, in order, init_pending
 * (then calls vlapic_reset), sipi_vector, nmi_pending, extint_pending and
 * vlapic_pending_vector() (acknowledged with vlapic_ack()). kick is called
 * only when an event arrives from outside the vCPU's own instruction stream
 * (vlapic_accept, the timer, a LINT pin); register writes the vCPU makes
 * itself (TPR, EOI) can make a vector deliverable without a kick, which the
 * check before entry picks up.
 */
#ifndef TANDEM_VLAPIC_H
#define TANDEM_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <irq_msg.h>

struct vlapic_ops {
	/* The guest's TSC now. */
	uint64_t (*now)(void *ctx);
	/* One shot: call vlapic_timer_expired at/after this TSC, replacing any earlier
	 * arming; 0 cancels. */
	void (*arm_timer)(void *ctx, uint64_t deadline);
	/* An ICR or SELF_IPI write: route m (the source is this LAPIC). */
	void (*send_ipi)(void *ctx, const struct irq_msg *m);
	/* EOI of a level-triggered vector: broadcast it to the IOAPICs. */
	void (*eoi)(void *ctx, uint8_t vector);
	/* Something became deliverable: wake or kick the vCPU. */
	void (*kick)(void *ctx);
};

/* LVT entries, in register order from LVT_TIMER (CMCI is not modelled). */
enum vlapic_lvt {
	VLAPIC_LVT_TIMER,
	VLAPIC_LVT_THERMAL,
	VLAPIC_LVT_PMC,
	VLAPIC_LVT_LINT0,
	VLAPIC_LVT_LINT1,
	VLAPIC_LVT_ERROR,
	VLAPIC_NLVT
};

/* Default clamp of the periodic timer: 50 us worth of TSC (tsc_hz / 20000). */
#define VLAPIC_MIN_PERIOD_DIV 20000

struct vlapic {
	/* Configuration: set by vlapic_init, constant afterwards. */
	uint32_t id; /* the APIC ID (x2APIC width); xAPIC mode shows bits 7:0 */
	bool bsp;
	uint64_t tsc_hz, bus_hz;
	uint64_t min_period_tsc; /* periodic timer clamp; the owner may raise it after init */
	const struct vlapic_ops *ops;
	void *ctx;

	/* Events the owner consumes (and clears) before entry; see the top of the file. */
	bool init_pending;
	bool nmi_pending;
	bool extint_pending; /* ask the 8259 for the vector (virtual wire, LINT0 ExtINT) */
	int sipi_vector;     /* the last STARTUP's vector, -1 none */

	/* Architectural state: private to irq/vlapic*.c. */
	uint64_t base_msr; /* IA32_APIC_BASE */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t esr;         /* what ESR reads: latched by the last ESR write */
	uint32_t esr_pending; /* errors since that write */
	uint32_t icr_lo, icr_hi;
	uint32_t lvt[VLAPIC_NLVT];
	uint32_t isr[8], tmr[8], irr[8];

	/* Timer (irq/vlapic_timer.c). */
	uint32_t timer_icr, timer_dcr;
	uint32_t timer_divide;   /* latched when the count was loaded */
	uint64_t timer_period;   /* TSC ticks of one count-down (clamped when periodic) */
	uint64_t timer_deadline; /* next expiry (TSC) in one-shot/periodic mode, 0 = not counting */
	uint64_t tsc_deadline;   /* IA32_TSC_DEADLINE, 0 = disarmed */
	uint64_t armed;          /* what arm_timer was last told, 0 = nothing */

	/* Virtual-interrupt delivery (irq/vlapic_page.c): the page is the CPU's copy while the vCPU runs. */
	bool page_mode; /* exported to a virtual-APIC page before each entry */
	uint32_t pir
	    [8]; /* vectors accepted since the last export (software posted-interrupt requests) */

	bool in_error;           /* delivering the error LVT: no recursion */
	unsigned int log_budget; /* guest-misbehaviour log lines left */
};

/*
 * Power-on state (SDM Vol. 3A 10.4.7.1): xAPIC mode at 0xfee00000, all LVTs
 * masked, SVR 0xff (software-disabled). tsc_hz and bus_hz must be non-zero;
 * every op may be NULL (then that effect is dropped; now() reads 0).
 */
void vlapic_init(struct vlapic *vl, uint32_t apic_id, bool bsp, uint64_t tsc_hz, uint64_t bus_hz,
                 const struct vlapic_ops *ops, void *ctx);

/*
 * INIT (SDM Vol. 3A 10.4.7.3): registers back to the power-on values but
 * the ID and IA32_APIC_BASE (so x2APIC mode) are kept. Clears init_pending;
 * sipi_vector, nmi_pending and extint_pending stay for the owner.
 */
void vlapic_reset(struct vlapic *vl);

/*
 * IA32_APIC_BASE. vlapic_set_base returns false (the caller injects #GP) for
 * reserved bits, a base other than 0xfee00000, EXTD without EN, x2APIC ->
 * xAPIC and disabled -> x2APIC (SDM Vol. 3A 10.12.5). BSP is read-only.
 * Disabling loses all state: a re-enabled APIC starts from vlapic_reset's.
 */
uint64_t vlapic_base(const struct vlapic *vl);
bool vlapic_set_base(struct vlapic *vl, uint64_t val);
bool vlapic_x2apic(const struct vlapic *vl);
bool vlapic_hw_enabled(const struct vlapic *vl);
bool vlapic_sw_enabled(const struct vlapic *vl);

/*
 * xAPIC MMIO at offset 0..0xfff of the APIC page, 4-byte accesses. Offsets
 * not 16-byte aligned read 0 and ignore writes. Reserved registers do the
 * same and set ESR "illegal register address" (SDM Vol. 3A 10.5.3). When
 * hardware-disabled or in x2APIC mode the page is absent: reads return all
 * ones (an unclaimed bus read) and writes are dropped.
 */
uint32_t vlapic_mmio_read(struct vlapic *vl, uint32_t offset);
void vlapic_mmio_write(struct vlapic *vl, uint32_t offset, uint32_t val);

/*
 * x2APIC MSRs 0x800-0x8ff. false means the caller injects #GP: not in x2APIC
 * mode, no such register, reading a write-only or writing a read-only one,
 * or non-zero reserved bits (SDM Vol. 3A 10.12.1.2, 10.12.1.3).
 */
bool vlapic_msr_read(struct vlapic *vl, uint32_t msr, uint64_t *val);
bool vlapic_msr_write(struct vlapic *vl, uint32_t msr, uint64_t val);

/* IA32_TSC_DEADLINE (SDM Vol. 3A 10.5.4.1): reads 0 and ignores writes unless in that mode. */
uint64_t vlapic_tsc_deadline(const struct vlapic *vl);
void vlapic_set_tsc_deadline(struct vlapic *vl, uint64_t tsc);

/*
 * A message the router has already matched to this LAPIC. Fixed and lowest
 * priority set IRR (TMR when level) and are dropped while software-disabled;
 * NMI, INIT, STARTUP and ExtINT set the pending fields. Returns true when it
 * made something new pending (kick already called).
 */
bool vlapic_accept(struct vlapic *vl, const struct irq_msg *m);

/*
 * Does m's destination include this LAPIC? Shorthands are relative to
 * m->source_apic. Physical: the ID, or broadcast (0xff in xAPIC mode,
 * 0xffffffff in both; the router widens an 8-bit 0xff for x2APIC targets).
 * Logical: flat or cluster model per DFR in xAPIC mode, cluster in x2APIC.
 * A hardware-disabled LAPIC matches nothing.
 */
bool vlapic_match_dest(const struct vlapic *vl, const struct irq_msg *m);

/* PPR (SDM Vol. 3A 10.8.3.1): TPR, or the highest in-service vector's class if that is higher. */
uint32_t vlapic_ppr(const struct vlapic *vl);

/* TPR, for MOV CR8 (SDM Vol. 3A 10.8.6.1: CR8[3:0] is TPR[7:4]). */
uint32_t vlapic_tpr(const struct vlapic *vl);
void vlapic_set_tpr(struct vlapic *vl, uint32_t tpr);

/* The highest IRR vector whose priority class beats PPR's, or -1 (SDM Vol. 3A 10.8.4). */
int vlapic_pending_vector(const struct vlapic *vl);

/* The vCPU took vector (from vlapic_pending_vector): IRR -> ISR. */
void vlapic_ack(struct vlapic *vl, uint8_t vector);

/*
 * The deadline last given to arm_timer has passed (that arming is used up).
 * Raises the timer LVT unless masked; periodic mode re-arms from the old
 * deadline. A call before the deadline just re-arms it.
 */
void vlapic_timer_expired(struct vlapic *vl);

/*
 * An edge on LINT0 (pin 0) or LINT1 (pin 1), delivered per its LVT entry.
 * Hardware-disabled, the pins are the CPU's INTR and NMI (SDM Vol. 3A
 * 10.4.3). Returns true when it made something pending.
 */
bool vlapic_lint(struct vlapic *vl, int pin);

/*
 * Virtual-interrupt delivery (SDM Vol. 3A 29.1-29.2): while the vCPU runs,
 * the CPU keeps TPR, PPR, ISR and IRR in a 4 KiB virtual-APIC page (each
 * register at its MMIO offset, index << 4) and delivers and retires
 * interrupts itself. The owner exports this vLAPIC into the page before
 * each VM entry and imports it back after each exit, so everything else in
 * the vLAPIC (emulated register accesses, routing, the timer) keeps using
 * struct vlapic. Interrupts accepted while the page is out are kept in pir
 * and merged on import: a vector the CPU delivered meanwhile is pending
 * again, as on hardware. vlapic_set_page_mode turns this on (from the next
 * export) or off.
 */
struct vlapic_page_sync {
	uint32_t irr[8];      /* the IRR the page was given */
	uint8_t rvi, svi;     /* guest interrupt status: highest IRR and ISR vectors (0: none) */
	uint64_t eoi_exit[4]; /* vectors whose EOI must exit (level-triggered: TMR) */
};

void vlapic_set_page_mode(struct vlapic *vl, bool on);
void vlapic_page_export(struct vlapic *vl, uint32_t *page, struct vlapic_page_sync *s);
void vlapic_page_import(struct vlapic *vl, const uint32_t *page, const struct vlapic_page_sync *s);

/*
 * An EOI-induced exit (SDM 29.1.4): the CPU already retired vector from the
 * page's ISR (imported by now); a level-triggered one goes on to the IOAPICs.
 */
void vlapic_virtual_eoi(struct vlapic *vl, uint8_t vector);

#endif
