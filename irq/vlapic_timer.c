/*
 * The vLAPIC timer (SDM Vol. 3A 10.5.4): one-shot, periodic and TSC-deadline
 * modes. The count runs at bus_hz / divide; it is kept as a TSC deadline and
 * converted back for CCR reads, so nothing ticks while the guest does not
 * look. Guest values are hostile: every conversion saturates instead of
 * overflowing, and a periodic timer is never faster than min_period_tsc.
 */
#include <compiler.h>

#include "vlapic_priv.h"

/*
 * floor(a * b / c), saturating at UINT64_MAX; *inexact tells whether a
 * remainder was dropped. Shift-and-subtract, because a 128-by-64 division
 * would need libgcc's __udivti3, which the kernel does not link.
 */
static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c, bool *inexact)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	uint64_t hi = (uint64_t)(p >> 64), lo = (uint64_t)p, q = 0;

	*inexact = false;
	if (hi >= c)
		return UINT64_MAX;
	for (int i = 0; i < 64; i++) {
		bool carry = hi >> 63;

		hi = (hi << 1) | (lo >> 63);
		lo <<= 1;
		q <<= 1;
		if (carry || hi >= c) {
			hi -= c;
			q |= 1;
		}
	}
	*inexact = hi != 0;
	return q;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static uint32_t mode(const struct vlapic *vl)
{
	return vl->lvt[VLAPIC_LVT_TIMER] & APIC_LVT_TIMER_MODE_MASK;
}

static void arm(struct vlapic *vl, uint64_t deadline)
{
	if (deadline == vl->armed)
		return;
	vl->armed = deadline;
	if (vl->ops->arm_timer)
		vl->ops->arm_timer(vl->ctx, deadline);
}

void vlapic_timer_stop(struct vlapic *vl)
{
	vl->timer_deadline = 0;
	vl->timer_period = 0;
	vl->tsc_deadline = 0;
	arm(vl, 0);
}

/* Starts a count-down of timer_icr from now; the divide is latched here. */
static void load(struct vlapic *vl)
{
	bool inexact;
	uint64_t ticks;

	vl->timer_divide = apic_tdcr_divide(vl->timer_dcr);
	ticks = (uint64_t)vl->timer_icr * vl->timer_divide; /* < 2^39 */
	vl->timer_period = MAX(muldiv(ticks, vl->tsc_hz, vl->bus_hz, &inexact), 1);
	if (mode(vl) == APIC_LVT_TIMER_PERIODIC)
		vl->timer_period = MAX(vl->timer_period, vl->min_period_tsc);
	vl->timer_deadline = add_sat(vlapic_now(vl), vl->timer_period);
	arm(vl, vl->timer_deadline);
}

/* SDM 10.5.4: writing 0 stops the count; TSC-deadline mode ignores the register. */
void vlapic_timer_write_icr(struct vlapic *vl, uint32_t count)
{
	if (mode(vl) == APIC_LVT_TIMER_TSC_DEADLINE)
		return;
	vl->timer_icr = count;
	if (!count) {
		vlapic_timer_stop(vl);
		return;
	}
	load(vl);
}

/* A new divide takes effect at the next ICR write; a running count keeps the one it was loaded with. */
void vlapic_timer_write_dcr(struct vlapic *vl, uint32_t val)
{
	vl->timer_dcr = val;
}

/* SDM 10.5.4.1: a write that changes the mode disarms the timer. */
void vlapic_timer_write_lvt(struct vlapic *vl, uint32_t val)
{
	uint32_t old = mode(vl), new = val &APIC_LVT_TIMER_MODE_MASK;

	if (new == APIC_LVT_TIMER_MODE_MASK) {
		vlapic_log(vl, "reserved timer mode 3 ignored");
		return;
	}
	vl->lvt[VLAPIC_LVT_TIMER] = val;
	if (old != new) {
		vlapic_timer_stop(vl);
		vl->timer_icr = 0;
	}
}

uint32_t vlapic_timer_ccr(const struct vlapic *vl)
{
	uint64_t now, rem, bus, count;
	bool inexact;

	if (mode(vl) == APIC_LVT_TIMER_TSC_DEADLINE || !vl->timer_deadline)
		return 0;
	now = vlapic_now(vl);
	if (now < vl->timer_deadline)
		rem = vl->timer_deadline - now;
	else if (mode(vl) == APIC_LVT_TIMER_PERIODIC)
		rem = vl->timer_period - (now - vl->timer_deadline) % vl->timer_period;
	else
		return 0;
	/* Round up: the count reads ICR right after the load and reaches 0 at the deadline. */
	bus = muldiv(rem, vl->bus_hz, vl->tsc_hz, &inexact);
	if (inexact && bus != UINT64_MAX)
		bus++;
	count = bus / vl->timer_divide + (bus % vl->timer_divide != 0);
	return (uint32_t)MIN(count, (uint64_t)vl->timer_icr);
}

uint64_t vlapic_tsc_deadline(const struct vlapic *vl)
{
	return mode(vl) == APIC_LVT_TIMER_TSC_DEADLINE ? vl->tsc_deadline : 0;
}

void vlapic_set_tsc_deadline(struct vlapic *vl, uint64_t tsc)
{
	if (!vlapic_hw_enabled(vl) || mode(vl) != APIC_LVT_TIMER_TSC_DEADLINE)
		return;
	vl->tsc_deadline = tsc;
	arm(vl, tsc); /* a deadline already past fires at once; 0 disarms */
}

void vlapic_timer_expired(struct vlapic *vl)
{
	uint64_t now = vlapic_now(vl);

	vl->armed = 0; /* the owner's arming is used up */
	if (mode(vl) == APIC_LVT_TIMER_TSC_DEADLINE) {
		if (!vl->tsc_deadline)
			return;
		if (now < vl->tsc_deadline) {
			arm(vl, vl->tsc_deadline);
			return;
		}
		vl->tsc_deadline = 0; /* SDM 10.5.4.1: firing disarms and clears the MSR */
		vlapic_lvt_deliver(vl, VLAPIC_LVT_TIMER);
		return;
	}
	if (!vl->timer_deadline)
		return;
	if (now < vl->timer_deadline) {
		arm(vl, vl->timer_deadline);
		return;
	}
	if (mode(vl) == APIC_LVT_TIMER_PERIODIC) {
		/* Keep the phase: next expiry is a whole number of periods after the last. Periods
		 * the owner was too late for are dropped, as a still-pending IRR bit would merge them. */
		uint64_t missed = (now - vl->timer_deadline) / vl->timer_period;

		vl->timer_deadline =
		    add_sat(vl->timer_deadline + missed * vl->timer_period, vl->timer_period);
		arm(vl, vl->timer_deadline);
	} else {
		vl->timer_deadline = 0;
	}
	vlapic_lvt_deliver(vl, VLAPIC_LVT_TIMER);
}
