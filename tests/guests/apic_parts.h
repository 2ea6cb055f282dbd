/*
 * The parts of the apic test guest (tests/guests/apic.c), chosen by the
 * host through the guest's entry argument (guest_run.arg, RSI): shared by
 * the guest and tests/target/test_vmx_apic.c.
 */
#ifndef TESTS_GUESTS_APIC_PARTS_H
#define TESTS_GUESTS_APIC_PARTS_H

#define APIC_PART_TIMER (1u << 0) /* one-shot, periodic, TSC-deadline; masking, stop, restart */
#define APIC_PART_IPI   (1u << 1) /* self-IPIs: shorthands, own ID, logical, SELF IPI MSR */
#define APIC_PART_PRIO  (1u << 2) /* delivery by priority, nesting, EOI, ISR/IRR/PPR */
#define APIC_PART_TPR   (1u << 3) /* TPR holds lower classes in IRR */
#define APIC_PART_ERR   (1u << 4) /* illegal vectors, ESR, reserved/read-only registers, #GP */
#define APIC_PART_CR8   (1u << 5) /* MOV CR8 is TPR[7:4] */
#define APIC_PARTS_ALL  0x3fu

#endif
