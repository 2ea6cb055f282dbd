/* Fake vLAPIC ops for the test_vlapic*.c tests: a settable clock and recorded calls. */
#ifndef VLAPIC_FIXTURE_H
#define VLAPIC_FIXTURE_H

#include <hw/apic.h>
#include <string.h>
#include <vlapic.h>

#include "unit.h"

#define TSC_HZ 2000000000ull /* 2 GHz */
#define BUS_HZ 100000000ull  /* 100 MHz: one bus tick is 20 TSC ticks */
#define MAXREC 64

struct fake {
	uint64_t now;
	uint64_t armed; /* last arm_timer argument */
	unsigned int arms;
	struct irq_msg ipi[MAXREC];
	unsigned int nipi;
	uint8_t eoi[MAXREC];
	unsigned int neoi;
	unsigned int kicks;
};

static struct fake fk;
static struct vlapic vl;

static inline uint64_t fake_now(void *ctx)
{
	return ((struct fake *)ctx)->now;
}

static inline void fake_arm(void *ctx, uint64_t deadline)
{
	struct fake *f = ctx;

	f->armed = deadline;
	f->arms++;
}

static inline void fake_send(void *ctx, const struct irq_msg *m)
{
	struct fake *f = ctx;

	if (f->nipi < MAXREC)
		f->ipi[f->nipi++] = *m;
}

static inline void fake_eoi(void *ctx, uint8_t vector)
{
	struct fake *f = ctx;

	if (f->neoi < MAXREC)
		f->eoi[f->neoi++] = vector;
}

static inline void fake_kick(void *ctx)
{
	((struct fake *)ctx)->kicks++;
}

static const struct vlapic_ops fake_ops = {
    .now = fake_now,
    .arm_timer = fake_arm,
    .send_ipi = fake_send,
    .eoi = fake_eoi,
    .kick = fake_kick,
};

/* A fresh vLAPIC with the given ID at TSC 1000, software-disabled as after reset. */
static inline void fresh(uint32_t id)
{
	memset(&fk, 0, sizeof(fk));
	fk.now = 1000;
	vlapic_init(&vl, id, id == 0, TSC_HZ, BUS_HZ, &fake_ops, &fk);
	unit_log_clear();
}

static inline uint32_t rd(unsigned int reg)
{
	return vlapic_mmio_read(&vl, apic_mmio_offset(reg));
}

static inline void wr(unsigned int reg, uint32_t val)
{
	vlapic_mmio_write(&vl, apic_mmio_offset(reg), val);
}

/* Software-enable with spurious vector 0xff. */
static inline void sw_enable(void)
{
	wr(APIC_SVR, APIC_SVR_ENABLE | 0xff);
}

static inline bool to_x2apic(void)
{
	return vlapic_set_base(&vl, APIC_DEFAULT_BASE | APIC_BASE_ENABLE | APIC_BASE_EXTD);
}

static inline struct irq_msg fixed_msg(uint8_t vector, bool level)
{
	struct irq_msg m = {.delivery = IRQ_DM_FIXED, .vector = vector, .level = level};

	return m;
}

static inline bool irr_has(uint8_t v)
{
	return vl.irr[v >> 5] & (1u << (v & 31));
}

static inline bool isr_has(uint8_t v)
{
	return vl.isr[v >> 5] & (1u << (v & 31));
}

/* Accepts a fixed edge vector and takes it as the vCPU would. */
static inline void deliver_and_ack(uint8_t v, bool level)
{
	struct irq_msg m = fixed_msg(v, level);

	vlapic_accept(&vl, &m);
	vlapic_ack(&vl, v);
}

/* The ESR as a guest reads it: write, then read (SDM Vol. 3A 10.5.3). */
static inline uint32_t esr(void)
{
	wr(APIC_ESR, 0);
	return rd(APIC_ESR);
}

#endif
