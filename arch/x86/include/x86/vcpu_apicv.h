/*
 * APIC virtualization for a vCPU's vLAPIC (SDM Vol. 3C chapter 29): TPR
 * shadow, APIC-register virtualization, virtual-interrupt delivery and
 * x2APIC-mode virtualization. The CPU then delivers and retires the
 * guest's interrupts, handles TPR, EOI and SELF_IPI writes and register
 * reads without exits; the vLAPIC is exported to the virtual-APIC page
 * before each entry and imported after each exit (vlapic.h).
 *
 * Boot option apicv=0 keeps full emulation, for A/B measurements; without
 * the controls the CPU lacks it is off anyway. Posted interrupts would plug
 * in at vcpu_apicv_enter: today an interrupt for a running vCPU kicks it
 * out with an IPI and is exported at the next entry.
 */
#ifndef X86_VCPU_APICV_H
#define X86_VCPU_APICV_H

#include <stdbool.h>
#include <stdint.h>
#include <x86/vcpu.h>

/* apicv=1 and the CPU offers every control it needs. */
bool apicv_usable(void);

/* With the vCPU's VMCS current: the virtual-APIC page and the controls. -ERR_NOMEM. */
int vcpu_apicv_init(struct vcpu *v);
void vcpu_apicv_fini(struct vcpu *v);

/* Run loop, with interrupts off: export before the entry, import after the exit. */
void vcpu_apicv_enter(struct vcpu *v);
void vcpu_apicv_exit(struct vcpu *v);

#endif
