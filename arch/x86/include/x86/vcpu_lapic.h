/*
 * A vCPU's virtual LAPIC on VMX: the glue between the pure vLAPIC
 * (vlapic.h), the VM's interrupt routing (irq_route.h) and the run loop.
 * The vLAPIC is reached through the x2APIC MSRs, IA32_APIC_BASE,
 * IA32_TSC_DEADLINE and the xAPIC page at 0xfee00000 (an MMIO device).
 */
#ifndef X86_VCPU_LAPIC_H
#define X86_VCPU_LAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <x86/vcpu.h>

/* Creates v's vLAPIC (APIC ID = vCPU id) and registers it with v->vm->irq. */
int vcpu_lapic_create(struct vcpu *v);
void vcpu_lapic_destroy(struct vcpu *v);

/* Registers the xAPIC page and the vIOAPIC window of vm as MMIO devices. */
int vm_irq_devices_add(struct vm *vm);

/* Run loop: fire an expired timer; return the vector to inject now, or -1. */
void vcpu_lapic_timer(struct vcpu *v);
int vcpu_lapic_pending(struct vcpu *v);
void vcpu_lapic_ack(struct vcpu *v, uint8_t vector);

/* INIT, STARTUP and NMI messages the vLAPIC took since the last look. */
struct vcpu_lapic_signals {
	bool init; /* an INIT arrived: the vLAPIC is already reset (SDM 10.4.7.3) */
	int sipi;  /* the last STARTUP's vector, -1: none */
	bool nmi;
};

/* Takes (and clears) the pending INIT/STARTUP/NMI of v's vLAPIC. */
void vcpu_lapic_signals(struct vcpu *v, struct vcpu_lapic_signals *s);

/*
 * MOV CR8 exits (no TPR shadow): CR8[3:0] is the vLAPIC's TPR[7:4]; without
 * a vLAPIC, a plain register. A lowered TPR is seen by the check before entry.
 */
uint64_t vcpu_lapic_cr8(struct vcpu *v);
void vcpu_lapic_set_cr8(struct vcpu *v, uint64_t cr8);

/* MSR exits: true when msr belongs to the vLAPIC (then *ok says whether it was legal). */
bool vcpu_lapic_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val, bool *ok);
bool vcpu_lapic_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val, bool *ok);

#endif
