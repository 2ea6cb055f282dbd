/*
 * The local APIC from a 64-bit test guest, in xAPIC mode (the MMIO page at
 * 0xfee00000, SDM Vol. 3A 10.4.1) or x2APIC mode (MSRs 0x800 + index,
 * 10.12.1), through one set of accessors named by hw/apic.h's register
 * indices. The mode is per CPU (guest_smp.h: guest_cpu()); apic_enable picks it.
 * Every access goes to Tandem's vLAPIC (an MMIO or MSR exit).
 */
#ifndef GUESTS_APIC_H
#define GUESTS_APIC_H

#include <stdbool.h>
#include <stdint.h>
#include <hw/apic.h>

#define MSR_IA32_APIC_BASE    0x1b
#define MSR_IA32_TSC_DEADLINE 0x6e0
#define APIC_SPURIOUS_VECTOR  0xff
#define CPUID1_ECX_X2APIC     (1u << 21)
#define CPUID1_ECX_DEADLINE   (1u << 24)

/*
 * This CPU's APIC: x2APIC mode (from xAPIC, keeping its state, SDM 10.12.5)
 * or xAPIC mode (it must not be in x2APIC mode already), then software-
 * enabled with spurious vector 0xff. xAPIC mode maps the page (paging.h).
 */
void apic_enable(bool x2apic);
bool apic_x2apic(void);

/* Takes this CPU's mode from IA32_APIC_BASE (after an INIT, which keeps it: SDM 10.12.5.1). */
void apic_follow_mode(void);

/* Register idx (hw/apic.h); x2APIC reads of 64-bit ICR return the low half. */
uint32_t apic_read(unsigned int idx);
void apic_write(unsigned int idx, uint32_t val);

/* An IPI: ICR low half lo, destination dest (xAPIC: 8 bits, through ICR2). */
void apic_send_ipi(uint32_t lo, uint32_t dest);

void apic_eoi(void);

/* The errors seen since the last call: writes ESR, then reads it (SDM 10.5.3). */
uint32_t apic_esr(void);

/* Vector v's bit in IRR, ISR or TMR. */
bool apic_irr(uint8_t v);
bool apic_isr(uint8_t v);
bool apic_tmr(uint8_t v);

/*
 * The in-service vectors, highest first, one per byte from the low byte
 * (at most 8; 0 ends the list).
 */
uint64_t apic_isr_list(void);

/* The APIC ID: the x2APIC ID, or bits 31:24 of the xAPIC ID register. */
uint32_t apic_id(void);

/*
 * Clocks, from CPUID leaf 0x15 (SDM Vol. 2A CPUID): the core crystal clock,
 * which drives the APIC timer, and the TSC = crystal * EBX / EAX. Asserts
 * the leaf is there.
 */
uint64_t apic_timer_hz(void);
uint64_t guest_tsc_hz(void);

/* TSC ticks for n timer counts at divide d (the crystal-to-TSC ratio of leaf 0x15). */
uint64_t apic_timer_ticks(uint64_t n, uint32_t d);

#endif
