/*
 * The host local APIC: x2APIC (MSR) mode when the CPU has it, xAPIC (MMIO)
 * otherwise. QEMU's TCG has no x2APIC, so both paths are exercised.
 */
#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <hw/apic.h>

/* Chooses the mode on the BSP (x2apic=0 on the command line forces xAPIC) and enables this CPU's APIC. */
void lapic_init_bsp(void);

/* Enables the APIC on an AP, in the mode the BSP chose. */
void lapic_init_ap(void);

bool lapic_x2apic_mode(void);
uint32_t lapic_read(unsigned int reg);
void lapic_write(unsigned int reg, uint32_t v);

/* This CPU's APIC ID (32-bit in x2APIC mode, 8-bit in xAPIC mode). */
uint32_t lapic_id(void);

void lapic_eoi(void);

/* Sends an IPI: icr_low carries vector, delivery mode and shorthand. Waits for xAPIC delivery. */
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);

/* NMI to every other CPU (panic). */
void lapic_stop_others(void);

/* One-shot timer on this CPU, in APIC timer ticks (divide-by-16), or 0 to stop it. */
void lapic_timer_oneshot(uint32_t vector, uint32_t ticks);

/* TSC-deadline timer: fires at the given TSC value (0 disarms). Needs the CPUID feature. */
void lapic_timer_deadline(uint32_t vector, uint64_t tsc);

#endif
