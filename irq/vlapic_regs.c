/*
 * The vLAPIC's register interfaces: xAPIC MMIO (SDM Vol. 3A Table 10-1) and
 * x2APIC MSRs (Table 10-6), decoded against the one register table in
 * hw/apic.h. Each write is validated first (x2APIC: reserved bits #GP,
 * SDM 10.12.1.3; xAPIC: reserved bits dropped), then committed.
 */
#include <log.h>

#include "vlapic_priv.h"

/* Bits software may set in each LVT entry (SDM Vol. 3A Figure 10-8). */
#define LVT_TIMER_BITS (APIC_LVT_VECTOR_MASK | APIC_LVT_MASKED | APIC_LVT_TIMER_MODE_MASK)
#define LVT_DM_BITS    (APIC_LVT_VECTOR_MASK | APIC_LVT_DM_MASK | APIC_LVT_MASKED)
#define LVT_LINT_BITS  (LVT_DM_BITS | APIC_LVT_POLARITY_LOW | APIC_LVT_LEVEL)
#define LVT_ERROR_BITS (APIC_LVT_VECTOR_MASK | APIC_LVT_MASKED)

static const uint32_t lvt_writable[VLAPIC_NLVT] = {
    [VLAPIC_LVT_TIMER] = LVT_TIMER_BITS, [VLAPIC_LVT_THERMAL] = LVT_DM_BITS,
    [VLAPIC_LVT_PMC] = LVT_DM_BITS,      [VLAPIC_LVT_LINT0] = LVT_LINT_BITS,
    [VLAPIC_LVT_LINT1] = LVT_LINT_BITS,  [VLAPIC_LVT_ERROR] = LVT_ERROR_BITS,
};

/* Read-only LVT bits a read-modify-write hands back: not reserved, so no #GP in x2APIC. */
#define LVT_RO_BITS (APIC_LVT_PENDING | APIC_LVT_REMOTE_IRR)

#define SVR_BITS        (0xffu | APIC_SVR_ENABLE | APIC_SVR_EOI_SUPPRESS)
#define SVR_FOCUS       (1u << 9)   /* focus processor checking: not modelled, reads 0 */
#define ICR_LO_BITS     0x000ccfffu /* vector, mode, dest mode, level, trigger, shorthand */
#define ICR2_XAPIC_BITS 0xff000000u

/* Max LVT entry 5: no CMCI. EOI-broadcast suppression is supported. */
#define VERSION_VALUE                                                                              \
	(APIC_VERSION_INTEGRATED | ((VLAPIC_NLVT - 1u) << APIC_VERSION_MAXLVT_SHIFT) |             \
	 APIC_VERSION_EOI_SUPPRESS)

static bool is_lvt(unsigned int idx)
{
	return idx >= APIC_LVT_TIMER && idx <= APIC_LVT_ERROR;
}

/* Reads register idx as mode x2 sees it; false when it is absent or write-only there. */
static bool read_reg(struct vlapic *vl, unsigned int idx, bool x2, uint64_t *val)
{
	switch (idx) {
	case APIC_ID:
		*val = x2 ? vl->id : (vl->id & 0xffu) << 24;
		return true;
	case APIC_VERSION:
		*val = VERSION_VALUE;
		return true;
	case APIC_TPR:
		*val = vl->tpr;
		return true;
	case APIC_PPR:
		*val = vlapic_ppr(vl);
		return true;
	case APIC_APR: /* P6 only; reads 0 like KVM's */
	case APIC_RRD: /* remote read is not supported: reads 0 */
	case APIC_EOI: /* write-only: an xAPIC read returns 0 */
		*val = 0;
		return !x2;
	case APIC_LDR:
		*val = vl->ldr;
		return true;
	case APIC_DFR:
		*val = vl->dfr;
		return !x2;
	case APIC_SVR:
		*val = vl->svr;
		return true;
	case APIC_ISR0 ... APIC_ISR0 + 7:
		*val = vl->isr[idx - APIC_ISR0];
		return true;
	case APIC_TMR0 ... APIC_TMR0 + 7:
		*val = vl->tmr[idx - APIC_TMR0];
		return true;
	case APIC_IRR0 ... APIC_IRR0 + 7:
		*val = vl->irr[idx - APIC_IRR0];
		return true;
	case APIC_ESR:
		*val = vl->esr;
		return true;
	case APIC_ICR: /* delivery is instant: the delivery-status bit always reads 0 */
		*val = x2 ? ((uint64_t)vl->icr_hi << 32) | vl->icr_lo : vl->icr_lo;
		return true;
	case APIC_ICR2:
		*val = vl->icr_hi;
		return !x2;
	case APIC_LVT_TIMER ... APIC_LVT_ERROR:
		*val = vl->lvt[idx - APIC_LVT_TIMER];
		return true;
	case APIC_TIMER_ICR:
		*val = vl->timer_icr;
		return true;
	case APIC_TIMER_CCR:
		*val = vlapic_timer_ccr(vl);
		return true;
	case APIC_TIMER_DCR:
		*val = vl->timer_dcr;
		return true;
	default: /* reserved, LVT_CMCI (not modelled), SELF_IPI (x2APIC write-only) */
		return false;
	}
}

static void write_lvt(struct vlapic *vl, unsigned int idx, uint32_t val)
{
	unsigned int i = idx - APIC_LVT_TIMER;

	val &= lvt_writable[i];
	if (!vlapic_sw_enabled(vl))
		val |= APIC_LVT_MASKED; /* SDM Vol. 3A 10.4.7.2: cannot unmask while disabled */
	if (i == VLAPIC_LVT_TIMER)
		vlapic_timer_write_lvt(vl, val);
	else
		vl->lvt[i] = val;
}

/* SDM Vol. 3A 10.5.3: a write makes the errors seen since the last one readable. */
static void write_esr(struct vlapic *vl)
{
	vl->esr = vl->esr_pending;
	vl->esr_pending = 0;
}

/*
 * Writes to the registers both modes share; val is already validated (x2APIC)
 * or is what the guest wrote (xAPIC: reserved bits dropped here). false when
 * idx is none of them.
 */
static bool write_common(struct vlapic *vl, unsigned int idx, uint32_t val)
{
	switch (idx) {
	case APIC_TPR:
		vl->tpr = val & 0xff;
		return true;
	case APIC_EOI:
		vlapic_eoi(vl);
		return true;
	case APIC_SVR:
		vlapic_write_svr(vl, val);
		return true;
	case APIC_ESR:
		write_esr(vl);
		return true;
	case APIC_LVT_TIMER ... APIC_LVT_ERROR:
		write_lvt(vl, idx, val);
		return true;
	case APIC_TIMER_ICR:
		vlapic_timer_write_icr(vl, val);
		return true;
	case APIC_TIMER_DCR:
		vlapic_timer_write_dcr(vl, val & APIC_TDCR_MASK);
		return true;
	default:
		return false;
	}
}

/*
 * An IPI from an ICR (or SELF_IPI) write. Vectors 0-15 are illegal for the
 * vectored modes (SDM Vol. 3A 10.5.3); combinations Table 10-3 calls invalid
 * and the INIT level de-assert (a no-op since the Pentium 4, SDM 10.6.1) are
 * dropped.
 */
static void send_ipi(struct vlapic *vl, uint32_t lo, uint32_t dest)
{
	uint32_t dm = lo & APIC_ICR_DM_MASK;
	uint8_t sh = (lo & APIC_ICR_DEST_MASK) >> APIC_ICR_DEST_SHIFT;
	struct irq_msg m = {
	    .dest = dest,
	    .logical = lo & APIC_ICR_LOGICAL,
	    .level = false, /* SDM 10.6.1: IPIs are edge-triggered since the Pentium 4 */
	    .delivery = (uint8_t)(dm >> 8),
	    .vector = lo & APIC_ICR_VECTOR_MASK,
	    .shorthand = sh,
	    .source_apic = vl->id,
	};

	switch (dm) {
	case APIC_ICR_DM_FIXED:
	case APIC_ICR_DM_LOWEST:
		if (m.vector < 16) {
			vlapic_error(vl, APIC_ESR_SEND_ILLEGAL);
			return;
		}
		if (dm == APIC_ICR_DM_LOWEST && (sh == IRQ_DEST_SELF || sh == IRQ_DEST_ALL))
			goto invalid;
		break;
	case APIC_ICR_DM_INIT:
		if ((lo & APIC_ICR_LEVEL) && !(lo & APIC_ICR_ASSERT))
			return;
		/* fall through */
	case APIC_ICR_DM_NMI:
	case APIC_ICR_DM_SMI:
	case APIC_ICR_DM_STARTUP:
		if (sh == IRQ_DEST_SELF)
			goto invalid;
		m.level = false;
		if (dm != APIC_ICR_DM_STARTUP)
			m.vector = 0;
		break;
	default:
		goto invalid;
	}
	if (vl->ops->send_ipi)
		vl->ops->send_ipi(vl->ctx, &m);
	return;
invalid:
	vlapic_log(vl, "invalid IPI (ICR %#x) dropped", lo);
}

static bool mmio_present(const struct vlapic *vl)
{
	return vlapic_hw_enabled(vl) && !vlapic_x2apic(vl);
}

static bool mmio_decode(struct vlapic *vl, uint32_t offset, unsigned int *idx)
{
	if (offset > 0xff0 || (offset & 0xf)) {
		vlapic_log(vl, "unaligned MMIO access at %#x", offset);
		return false;
	}
	*idx = offset >> 4;
	return true;
}

uint32_t vlapic_mmio_read(struct vlapic *vl, uint32_t offset)
{
	unsigned int idx;
	uint64_t val;

	if (!mmio_present(vl))
		return 0xffffffff;
	if (!mmio_decode(vl, offset, &idx))
		return 0;
	if (!read_reg(vl, idx, false, &val)) {
		vlapic_error(vl, APIC_ESR_ILLEGAL_REG);
		return 0;
	}
	return (uint32_t)val;
}

void vlapic_mmio_write(struct vlapic *vl, uint32_t offset, uint32_t val)
{
	unsigned int idx;
	uint64_t ignored;

	if (!mmio_present(vl) || !mmio_decode(vl, offset, &idx))
		return;
	switch (idx) {
	case APIC_ID:
		/* Read-only here (SDM 10.4.6 leaves it model-specific); the router keys on it. */
		if (val != (vl->id & 0xffu) << 24)
			vlapic_log(vl, "write of the APIC ID (%#x) ignored", val);
		return;
	case APIC_LDR:
		vl->ldr = val & APIC_LDR_XAPIC_MASK;
		return;
	case APIC_DFR:
		val |= ~APIC_DFR_MODEL_MASK;
		if (val != APIC_DFR_FLAT && val != APIC_DFR_CLUSTER) {
			vlapic_log(vl, "DFR model %#x ignored", val >> 28);
			return;
		}
		vl->dfr = val;
		return;
	case APIC_ICR:
		vl->icr_lo = val & ICR_LO_BITS;
		send_ipi(vl, vl->icr_lo, vl->icr_hi >> 24);
		return;
	case APIC_ICR2:
		vl->icr_hi = val & ICR2_XAPIC_BITS;
		return;
	default:
		break;
	}
	if (write_common(vl, idx, val))
		return;
	/* The rest: read-only registers ignore writes; reserved ones are an error. */
	if (!read_reg(vl, idx, false, &ignored))
		vlapic_error(vl, APIC_ESR_ILLEGAL_REG);
}

/* x2APIC: may val be written to idx? Reserved bits and read-only registers #GP. */
static bool x2apic_write_ok(unsigned int idx, uint64_t val)
{
	if (idx != APIC_ICR && (val >> 32))
		return false;
	if (is_lvt(idx)) {
		uint32_t lvt = (uint32_t)val;

		if ((lvt & APIC_LVT_TIMER_MODE_MASK) == APIC_LVT_TIMER_MODE_MASK)
			return false; /* mode 3 is reserved */
		return !(lvt & ~(lvt_writable[idx - APIC_LVT_TIMER] | LVT_RO_BITS));
	}
	switch (idx) {
	case APIC_TPR:
	case APIC_SELF_IPI:
		return val <= 0xff;
	case APIC_EOI:
	case APIC_ESR:
		return val == 0;
	case APIC_SVR:
		return !(val & ~(uint64_t)(SVR_BITS | SVR_FOCUS));
	case APIC_ICR:
		return !(val & APIC_X2APIC_ICR_RESERVED);
	case APIC_TIMER_ICR:
		return true;
	case APIC_TIMER_DCR:
		return !(val & ~(uint64_t)APIC_TDCR_MASK);
	default:
		return false;
	}
}

static bool x2apic_decode(struct vlapic *vl, uint32_t msr, unsigned int *idx)
{
	if (!vlapic_x2apic(vl) || msr < APIC_MSR_BASE || msr > APIC_MSR_BASE + 0xff)
		return false;
	*idx = msr - APIC_MSR_BASE;
	return true;
}

bool vlapic_msr_read(struct vlapic *vl, uint32_t msr, uint64_t *val)
{
	unsigned int idx;

	if (!x2apic_decode(vl, msr, &idx) || !read_reg(vl, idx, true, val)) {
		vlapic_log(vl, "RDMSR %#x: #GP", msr);
		return false;
	}
	return true;
}

bool vlapic_msr_write(struct vlapic *vl, uint32_t msr, uint64_t val)
{
	unsigned int idx;

	if (!x2apic_decode(vl, msr, &idx) || !x2apic_write_ok(idx, val)) {
		vlapic_log(vl, "WRMSR %#x <- %#llx: #GP", msr, (unsigned long long)val);
		return false;
	}
	switch (idx) {
	case APIC_ICR:
		vl->icr_lo = (uint32_t)val & ICR_LO_BITS;
		vl->icr_hi = (uint32_t)(val >> 32);
		send_ipi(vl, vl->icr_lo, vl->icr_hi);
		return true;
	case APIC_SELF_IPI:
		send_ipi(vl, (uint32_t)val | APIC_ICR_DEST_SELF, vl->id);
		return true;
	default:
		return write_common(vl, idx, (uint32_t)val);
	}
}
