/*
 * The host I/O APICs (82093AA datasheet; register layout in hw/ioapic.h).
 * Tandem routes only the interrupts it handles itself (today the console's
 * UART); every other pin stays masked. Destinations are physical APIC IDs
 * below 256: without interrupt remapping the RTE holds 8 bits.
 */
#ifndef X86_IOAPIC_H
#define X86_IOAPIC_H

#include <stdint.h>

struct acpi_info;

/* Records the MADT's I/O APICs and ISA overrides and masks every pin. BSP, once. */
void ioapic_init(const struct acpi_info *ai);

/*
 * Routes ISA IRQ irq (after any MADT override; ISA default: edge, active
 * high) to vector on the CPU with APIC ID dest, unmasked. -ERR_NOENT when no
 * I/O APIC serves its GSI, -ERR_RANGE when dest does not fit in 8 bits.
 */
int ioapic_route_isa(unsigned int irq, uint8_t vector, uint32_t dest);

#endif
