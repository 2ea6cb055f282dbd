/*
 * The virtual LAPIC's state, priorities and delivery (SDM Vol. 3A 10.4,
 * 10.6-10.9, 10.12.5). Register decode is in vlapic_regs.c, the timer in
 * vlapic_timer.c.
 */
#include <log.h>
#include <string.h>

#include "vlapic_priv.h"

static const struct vlapic_ops no_ops;

/* Register state of power-on and INIT (SDM Vol. 3A 10.4.7.1, 10.4.7.3); the base MSR is kept. */
static void reset_regs(struct vlapic *vl)
{
	vlapic_timer_stop(vl);
	vl->tpr = 0;
	vl->ldr = vlapic_x2apic(vl) ? apic_x2apic_ldr(vl->id) : 0;
	vl->dfr = APIC_DFR_FLAT;
	vl->svr = 0xff;
	vl->esr = vl->esr_pending = 0;
	vl->icr_lo = vl->icr_hi = 0;
	for (unsigned int i = 0; i < VLAPIC_NLVT; i++)
		vl->lvt[i] = APIC_LVT_MASKED;
	memset(vl->isr, 0, sizeof(vl->isr));
	memset(vl->tmr, 0, sizeof(vl->tmr));
	memset(vl->irr, 0, sizeof(vl->irr));
	vl->timer_icr = vl->timer_dcr = 0;
	vl->timer_divide = apic_tdcr_divide(0);
	vl->in_error = false;
}

void vlapic_init(struct vlapic *vl, uint32_t apic_id, bool bsp, uint64_t tsc_hz, uint64_t bus_hz,
                 const struct vlapic_ops *ops, void *ctx)
{
	ASSERT(tsc_hz && bus_hz);
	memset(vl, 0, sizeof(*vl));
	vl->id = apic_id;
	vl->bsp = bsp;
	vl->tsc_hz = tsc_hz;
	vl->bus_hz = bus_hz;
	vl->min_period_tsc = tsc_hz / VLAPIC_MIN_PERIOD_DIV;
	vl->ops = ops ? ops : &no_ops;
	vl->ctx = ctx;
	vl->sipi_vector = -1;
	vl->log_budget = VLAPIC_LOG_BUDGET;
	vl->base_msr = APIC_DEFAULT_BASE | APIC_BASE_ENABLE | (bsp ? APIC_BASE_BSP : 0);
	reset_regs(vl);
}

void vlapic_reset(struct vlapic *vl)
{
	reset_regs(vl);
	vl->init_pending = false;
}

uint64_t vlapic_base(const struct vlapic *vl)
{
	return vl->base_msr;
}

bool vlapic_hw_enabled(const struct vlapic *vl)
{
	return vl->base_msr & APIC_BASE_ENABLE;
}

bool vlapic_x2apic(const struct vlapic *vl)
{
	return (vl->base_msr & (APIC_BASE_ENABLE | APIC_BASE_EXTD)) ==
	       (APIC_BASE_ENABLE | APIC_BASE_EXTD);
}

bool vlapic_sw_enabled(const struct vlapic *vl)
{
	return vl->svr & APIC_SVR_ENABLE;
}

/* SDM Vol. 3A 10.12.5, Figure 10-27: the legal EN/EXTD transitions. */
bool vlapic_set_base(struct vlapic *vl, uint64_t val)
{
	uint64_t mode_bits = APIC_BASE_ENABLE | APIC_BASE_EXTD;
	uint64_t old = vl->base_msr & mode_bits, new = val &mode_bits;

	if ((val & ~(APIC_BASE_ADDR | mode_bits | APIC_BASE_BSP)) ||
	    (val & APIC_BASE_ADDR) != APIC_DEFAULT_BASE) {
		vlapic_log(vl, "APIC base %#llx refused", (unsigned long long)val);
		return false;
	}
	if (new == APIC_BASE_EXTD || (old == mode_bits && new == APIC_BASE_ENABLE) ||
	    (old == 0 && new == mode_bits)) {
		vlapic_log(vl, "invalid APIC mode transition %#llx -> %#llx",
		           (unsigned long long)old, (unsigned long long)new);
		return false;
	}

	vl->base_msr = (vl->base_msr & ~mode_bits) | new;
	if (old && !new)
		reset_regs(vl); /* a disabled APIC loses its state (SDM Vol. 3A 10.4.3) */
	else if (old != mode_bits && new == mode_bits)
		vl->ldr = apic_x2apic_ldr(vl->id); /* xAPIC -> x2APIC (SDM Vol. 3A 10.12.5.1) */
	return true;
}

/* SDM Vol. 3A 10.5.3: record an error and raise the error LVT (once: its own vector may be bad). */
void vlapic_error(struct vlapic *vl, uint32_t esr_bit)
{
	vl->esr_pending |= esr_bit;
	if (vl->in_error)
		return;
	vl->in_error = true;
	vlapic_lvt_deliver(vl, VLAPIC_LVT_ERROR);
	vl->in_error = false;
}

/* Sets vector in IRR. Vectors 0-15 are illegal (SDM Vol. 3A 10.5.2). */
static bool set_irr(struct vlapic *vl, uint8_t vector, bool level)
{
	if (vector < 16) {
		vlapic_error(vl, APIC_ESR_RECV_ILLEGAL);
		return false;
	}
	if (level)
		vlapic_set(vl->tmr, vector);
	else
		vlapic_clear(vl->tmr, vector);
	if (vl->page_mode) {
		/* The page's IRR may already have moved this vector to ISR: post it (vlapic_page.c). */
		vlapic_set(vl->pir, vector);
		vlapic_set(vl->irr, vector);
		vlapic_kick(vl);
		return true;
	}
	if (vlapic_test(vl->irr, vector))
		return false; /* already pending: the two coalesce */
	vlapic_set(vl->irr, vector);
	vlapic_kick(vl);
	return true;
}

static bool set_flag(struct vlapic *vl, bool *flag)
{
	bool was = *flag;

	*flag = true;
	if (!was)
		vlapic_kick(vl);
	return !was;
}

/*
 * A local interrupt from an LVT entry (SDM Vol. 3A 10.5.1). Masked entries
 * (all of them while software-disabled) deliver nothing. Local interrupts
 * are edge-triggered here: a level LINT0 neither sets TMR nor remote IRR.
 */
bool vlapic_lvt_deliver(struct vlapic *vl, enum vlapic_lvt lvt)
{
	uint32_t e = vl->lvt[lvt];

	if (!vlapic_hw_enabled(vl) || (e & APIC_LVT_MASKED))
		return false;
	switch (e & APIC_LVT_DM_MASK) {
	case APIC_LVT_DM_FIXED:
		return set_irr(vl, e & APIC_LVT_VECTOR_MASK, false);
	case APIC_LVT_DM_NMI:
		return set_flag(vl, &vl->nmi_pending);
	case APIC_LVT_DM_EXTINT:
		return set_flag(vl, &vl->extint_pending);
	default:
		vlapic_log(vl, "LVT %d delivery mode %#x not supported", lvt, e & APIC_LVT_DM_MASK);
		return false;
	}
}

bool vlapic_lint(struct vlapic *vl, int pin)
{
	if (pin != 0 && pin != 1)
		return false;
	if (!vlapic_hw_enabled(vl))
		return set_flag(vl, pin ? &vl->nmi_pending : &vl->extint_pending);
	return vlapic_lvt_deliver(vl, pin ? VLAPIC_LVT_LINT1 : VLAPIC_LVT_LINT0);
}

bool vlapic_accept(struct vlapic *vl, const struct irq_msg *m)
{
	if (!vlapic_hw_enabled(vl))
		return false;
	switch (m->delivery) {
	case IRQ_DM_FIXED:
	case IRQ_DM_LOWEST:
		if (!vlapic_sw_enabled(vl))
			return false; /* dropped, as KVM does (SDM 10.4.7.2 leaves it open) */
		return set_irr(vl, m->vector, m->level);
	case IRQ_DM_NMI:
		return set_flag(vl, &vl->nmi_pending);
	case IRQ_DM_INIT:
		vl->sipi_vector = -1; /* a STARTUP before this INIT is stale */
		return set_flag(vl, &vl->init_pending);
	case IRQ_DM_STARTUP:
		vl->sipi_vector = m->vector;
		vlapic_kick(vl);
		return true;
	case IRQ_DM_EXTINT:
		return set_flag(vl, &vl->extint_pending);
	default:
		vlapic_log(vl, "delivery mode %u dropped", m->delivery);
		return false;
	}
}

/* Logical destination (SDM Vol. 3A 10.6.2.2, 10.12.10.2). */
static bool match_logical(const struct vlapic *vl, uint32_t dest)
{
	if (vlapic_x2apic(vl)) {
		return dest == 0xffffffff ||
		       ((dest >> 16) == (vl->ldr >> 16) && (dest & vl->ldr & 0xffff));
	}
	if (dest == 0xffffffff)
		return true;
	if (dest > 0xff)
		return false;
	if (dest == 0xff)
		return true; /* broadcast in both models */

	uint32_t ldr = vl->ldr >> 24;

	if ((vl->dfr & APIC_DFR_MODEL_MASK) == (APIC_DFR_FLAT & APIC_DFR_MODEL_MASK))
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}

bool vlapic_match_dest(const struct vlapic *vl, const struct irq_msg *m)
{
	if (!vlapic_hw_enabled(vl))
		return false;
	switch (m->shorthand) {
	case IRQ_DEST_SELF:
		return m->source_apic == vl->id;
	case IRQ_DEST_ALL:
		return true;
	case IRQ_DEST_OTHERS:
		return m->source_apic != vl->id;
	default:
		break;
	}
	if (m->logical)
		return match_logical(vl, m->dest);
	if (m->dest == 0xffffffff)
		return true;
	if (vlapic_x2apic(vl))
		return m->dest == vl->id;
	return m->dest == 0xff || m->dest == (vl->id & 0xff);
}

uint32_t vlapic_ppr(const struct vlapic *vl)
{
	int isrv = vlapic_highest(vl->isr);
	uint32_t isr_class = isrv < 0 ? 0 : APIC_PRIO_CLASS((uint32_t)isrv);

	return APIC_PRIO_CLASS(vl->tpr) >= isr_class ? vl->tpr & 0xff : isr_class;
}

uint32_t vlapic_tpr(const struct vlapic *vl)
{
	return vl->tpr;
}

void vlapic_set_tpr(struct vlapic *vl, uint32_t tpr)
{
	vl->tpr = tpr & 0xff;
}

int vlapic_pending_vector(const struct vlapic *vl)
{
	int v = vlapic_highest(vl->irr);

	if (!vlapic_hw_enabled(vl) || v < 0)
		return -1;
	return APIC_PRIO_CLASS((uint32_t)v) > APIC_PRIO_CLASS(vlapic_ppr(vl)) ? v : -1;
}

void vlapic_ack(struct vlapic *vl, uint8_t vector)
{
	if (!vlapic_test(vl->irr, vector)) {
		vlapic_log(vl, "ack of vector %u that is not pending", vector);
		return;
	}
	vlapic_clear(vl->irr, vector);
	vlapic_set(vl->isr, vector);
}

/* SDM Vol. 3A 10.8.5: retire the highest in-service vector; level ones go on to the IOAPICs. */
void vlapic_eoi(struct vlapic *vl)
{
	int v = vlapic_highest(vl->isr);

	if (v < 0)
		return;
	vlapic_clear(vl->isr, (uint8_t)v);
	vlapic_eoi_broadcast(vl, (uint8_t)v);
}

/* A retired level-triggered vector goes on to the IOAPICs, unless the SVR suppresses it. */
void vlapic_eoi_broadcast(struct vlapic *vl, uint8_t vector)
{
	if (vlapic_test(vl->tmr, vector) && !(vl->svr & APIC_SVR_EOI_SUPPRESS) && vl->ops->eoi)
		vl->ops->eoi(vl->ctx, vector);
}

/* SDM Vol. 3A 10.4.7.2: software-disabling masks every LVT entry. */
void vlapic_write_svr(struct vlapic *vl, uint32_t val)
{
	vl->svr = val & (0xff | APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS);
	if (!vlapic_sw_enabled(vl)) {
		for (unsigned int i = 0; i < VLAPIC_NLVT; i++)
			vl->lvt[i] |= APIC_LVT_MASKED;
	}
}
