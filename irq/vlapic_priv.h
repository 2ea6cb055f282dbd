/*
 * Shared between irq/vlapic.c (state, priorities, delivery), irq/vlapic_regs.c
 * (MMIO and MSR decode) and irq/vlapic_timer.c. Nothing outside irq/vlapic*.c
 * includes it.
 */
#ifndef TANDEM_VLAPIC_PRIV_H
#define TANDEM_VLAPIC_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <hw/apic.h>
#include <log.h>
#include <vlapic.h>

#define VLAPIC_LOG_BUDGET 32

/* Guest misbehaviour: logged, but only the first VLAPIC_LOG_BUDGET lines per vlapic. */
#define vlapic_log(vl, fmt, ...)                                                                   \
	do {                                                                                       \
		if ((vl)->log_budget) {                                                            \
			(vl)->log_budget--;                                                        \
			log_info("vlapic %u: " fmt, (vl)->id, ##__VA_ARGS__);                      \
		}                                                                                  \
	} while (0)

/* Bit v of a 256-bit IRR/ISR/TMR. */
static inline bool vlapic_test(const uint32_t reg[8], uint8_t v)
{
	return reg[v >> 5] & (1u << (v & 31));
}

static inline void vlapic_set(uint32_t reg[8], uint8_t v)
{
	reg[v >> 5] |= 1u << (v & 31);
}

static inline void vlapic_clear(uint32_t reg[8], uint8_t v)
{
	reg[v >> 5] &= ~(1u << (v & 31));
}

/* The highest vector set in a 256-bit IRR/ISR/TMR, or -1. */
static inline int vlapic_highest(const uint32_t reg[8])
{
	for (int i = 7; i >= 0; i--)
		if (reg[i])
			return i * 32 + 31 - __builtin_clz(reg[i]);
	return -1;
}

static inline uint64_t vlapic_now(const struct vlapic *vl)
{
	return vl->ops->now ? vl->ops->now(vl->ctx) : 0;
}

static inline void vlapic_kick(struct vlapic *vl)
{
	if (vl->ops->kick)
		vl->ops->kick(vl->ctx);
}

/* vlapic.c */
void vlapic_error(struct vlapic *vl, uint32_t esr_bit);
bool vlapic_lvt_deliver(struct vlapic *vl, enum vlapic_lvt lvt);
void vlapic_eoi(struct vlapic *vl);
void vlapic_eoi_broadcast(struct vlapic *vl, uint8_t vector);
void vlapic_write_svr(struct vlapic *vl, uint32_t val);

/* vlapic_timer.c */
void vlapic_timer_write_lvt(struct vlapic *vl, uint32_t val);
void vlapic_timer_write_icr(struct vlapic *vl, uint32_t count);
void vlapic_timer_write_dcr(struct vlapic *vl, uint32_t val);
uint32_t vlapic_timer_ccr(const struct vlapic *vl);
void vlapic_timer_stop(struct vlapic *vl);

#endif
