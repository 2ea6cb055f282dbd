/*
 * Building a VMCS: the execution controls every Tandem vCPU uses, the host
 * state of the CPU it runs on, and the guest state of its first entry.
 */
#ifndef X86_VMCS_SETUP_H
#define X86_VMCS_SETUP_H

#include <stdint.h>
#include <x86/vcpu.h>

/* Builds the shared MSR and I/O bitmaps (intercept policy) once. */
int vmcs_policy_init(void);

/* The MSR bitmaps: everyone's, and for x2APIC-mode vCPUs with APIC virtualization. */
uint64_t vmcs_msr_bitmap(void);
uint64_t vmcs_msr_bitmap_apicv(void);

/* Controls for v on the current VMCS; eptp from the VM's EPT. */
void vmcs_setup_controls(struct vcpu *v, enum vcpu_mode mode, uint64_t eptp);

/* Host state of the calling CPU (selectors, TR/GS bases, CR3, exit RIP). */
void vmcs_setup_host(void);

/* The architectural state of the first entry (x86/vcpu.h). */
void vmcs_setup_guest(const struct vcpu_start *st);

/* Guest CR0/CR4 bits Tandem owns (reads come from the shadows). */
#define GUEST_CR0_HOST_OWNED (CR0_NE | CR0_PE | CR0_PG | CR0_CD | CR0_NW)
#define GUEST_CR4_HOST_OWNED CR4_VMXE

/*
 * PAUSE-loop exiting for the current VMCS (`ple=1` and the CPU has it): for
 * vCPUs that share pCPUs, whose spinning is better spent by another vCPU.
 */
void vmcs_setup_ple(void);

#endif
