/*
 * What the apic guest's parts share (tests/guests/apic.c, apic_err.c): the
 * interrupt recorder every handler feeds, and the per-mode settings.
 */
#ifndef GUEST_APIC_REC_H
#define GUEST_APIC_REC_H

#include <stdbool.h>
#include <stdint.h>
#include "idt.h"

#define ERROR_VEC 0xfe
#define MAX_REC   32

struct rec {
	uint8_t vector;
	uint64_t tsc;
	uint64_t isr; /* apic_isr_list() on entry, when snapshots are on */
	uint32_t ppr;
};

extern struct rec rec[MAX_REC];
extern volatile unsigned int nrec;
extern unsigned int mode_bit; /* 0 xAPIC, 1 x2APIC: or'ed into SYNC tags */
extern uint64_t span;         /* how long a check waits for an interrupt (TSC ticks) */

/* Records the vector (and, with snapshots, ISR and PPR) and sends EOI. */
void on_irq(struct guest_frame *f);
void rec_reset(void);
/* With interrupts on, until n interrupts were recorded or `ticks` passed; then off again. */
unsigned int wait_irqs(unsigned int n, uint64_t ticks);
/* A self-IPI has arrived once a few instructions ran with interrupts on. */
void settle(void);

/* apic_err.c: bad input (SDM 10.5.3, 10.12.1.2-3, 10.12.5). */
void part_err(void);

#endif
