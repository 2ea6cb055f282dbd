/*
 * I/O APIC registers (Intel 82093AA I/O Advanced Programmable Interrupt
 * Controller datasheet, 3.0-3.2; the EOI register of version-0x20 IOAPICs
 * as in the ICH/PCH datasheets). Two registers live in memory, IOREGSEL and
 * IOWIN; everything else is reached through them by an 8-bit index.
 */
#ifndef HW_IOAPIC_H
#define HW_IOAPIC_H

#include <stdint.h>

#define IOAPIC_DEFAULT_BASE 0xfec00000ull
#define IOAPIC_MMIO_SIZE    0x1000u

/* Memory-mapped registers (offsets in the IOAPIC's 4 KiB window). */
#define IOAPIC_REGSEL 0x00u /* index of the register IOWIN shows; bits 7:0 */
#define IOAPIC_WIN    0x10u /* the selected register */
#define IOAPIC_EOI    0x40u /* version 0x20 only: write a vector to end a level interrupt */

/* Indirect registers (datasheet 3.2, Table 2). */
enum ioapic_reg {
	IOAPIC_REG_ID = 0x00,
	IOAPIC_REG_VER = 0x01,
	IOAPIC_REG_ARB = 0x02,
	IOAPIC_REG_REDTBL = 0x10, /* entry n: low half at 0x10 + 2n, high half at 0x11 + 2n */
};

/* The low-half index of a pin's redirection entry; the high half is one above. */
static inline unsigned int ioapic_redtbl_index(unsigned int pin)
{
	return IOAPIC_REG_REDTBL + 2 * pin;
}

/* ID and ARB registers (3.2.1, 3.2.3): a 4-bit ID in bits 27:24. */
#define IOAPIC_ID_SHIFT 24
#define IOAPIC_ID_MASK  (0xfu << IOAPIC_ID_SHIFT)

/* VER register (3.2.2): version in 7:0, maximum redirection entry (pins - 1) in 23:16. */
#define IOAPIC_VER_VERSION_MASK 0xffu
#define IOAPIC_VER_MRE_SHIFT    16
#define IOAPIC_VER_MRE_MASK     (0xffu << IOAPIC_VER_MRE_SHIFT)
#define IOAPIC_VERSION_82093AA  0x11u /* no EOI register */
#define IOAPIC_VERSION_EOI      0x20u /* has the EOI register at 0x40 */

/* A redirection table entry, 64 bits (3.2.4). */
#define IOAPIC_RTE_VECTOR_MASK   0xffull
#define IOAPIC_RTE_DM_SHIFT      8
#define IOAPIC_RTE_DM_MASK       (7ull << IOAPIC_RTE_DM_SHIFT) /* enum irq_delivery */
#define IOAPIC_RTE_LOGICAL       (1ull << 11)                  /* destination mode */
#define IOAPIC_RTE_DELIVS        (1ull << 12)                  /* delivery status, read-only */
#define IOAPIC_RTE_ACTIVE_LOW    (1ull << 13)                  /* input pin polarity */
#define IOAPIC_RTE_REMOTE_IRR    (1ull << 14)                  /* read-only; level entries only */
#define IOAPIC_RTE_LEVEL         (1ull << 15)                  /* trigger mode */
#define IOAPIC_RTE_MASKED        (1ull << 16)
#define IOAPIC_RTE_EXT_DEST_MASK (0x7full << 49) /* KVM's extended destination ID (not 82093AA) */
#define IOAPIC_RTE_DEST_SHIFT    56
#define IOAPIC_RTE_DEST_MASK     (0xffull << IOAPIC_RTE_DEST_SHIFT)

/* The bits software may change; DELIVS and REMOTE_IRR are the device's, the rest reserved. */
#define IOAPIC_RTE_WRITABLE                                                                        \
	(IOAPIC_RTE_VECTOR_MASK | IOAPIC_RTE_DM_MASK | IOAPIC_RTE_LOGICAL |                        \
	 IOAPIC_RTE_ACTIVE_LOW | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED | IOAPIC_RTE_DEST_MASK)
#define IOAPIC_RTE_READONLY (IOAPIC_RTE_DELIVS | IOAPIC_RTE_REMOTE_IRR)

#endif
