/*
 * An interrupt message on the virtual APIC bus: what an IOAPIC redirection
 * entry, an MSI, or a LAPIC's ICR asks to deliver. Every source produces
 * one; the routing code (irq/) finds the target vLAPICs and hands it over.
 * The delivery-mode values are the ICR's (APIC_ICR_DM_* >> 8), which the
 * IOAPIC redirection entry and MSI data share (SDM Vol. 3A 10.6.1, 10.11.2;
 * 82093AA datasheet 3.2.4).
 */
#ifndef TANDEM_IRQ_MSG_H
#define TANDEM_IRQ_MSG_H

#include <stdbool.h>
#include <stdint.h>

enum irq_delivery {
	IRQ_DM_FIXED = 0,
	IRQ_DM_LOWEST = 1,
	IRQ_DM_SMI = 2,
	IRQ_DM_NMI = 4,
	IRQ_DM_INIT = 5,
	IRQ_DM_STARTUP = 6,
	IRQ_DM_EXTINT = 7,
};

enum irq_shorthand {
	IRQ_DEST_NONE = 0, /* use dest / logical */
	IRQ_DEST_SELF = 1,
	IRQ_DEST_ALL = 2,
	IRQ_DEST_OTHERS = 3,
};

struct irq_msg {
	uint32_t dest;        /* APIC ID (physical) or logical destination; 0xffffffff/0xff: all */
	bool logical;         /* destination mode */
	bool level;           /* trigger mode: level (the IOAPIC wants an EOI broadcast) */
	uint8_t delivery;     /* enum irq_delivery */
	uint8_t vector;       /* ignored for NMI and INIT; the start page for STARTUP */
	uint8_t shorthand;    /* enum irq_shorthand (ICR only) */
	uint32_t source_apic; /* the sender's APIC ID for SELF/OTHERS */
};

#endif
