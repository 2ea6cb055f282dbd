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

/* Controls for v on the current VMCS; eptp from the VM's EPT. */
void vmcs_setup_controls(struct vcpu *v, enum vcpu_mode mode, uint64_t eptp);

/* Host state of the calling CPU (selectors, TR/GS bases, CR3, exit RIP). */
void vmcs_setup_host(void);

/*
 * The architectural state of the first entry: entry is the first
 * instruction's guest-physical address (real mode: CS = entry >> 4, IP = 0),
 * stack the initial RSP, cr3 the guest page tables (64-bit only), gdt the
 * guest-physical address of a GDT laid out as tests/guests/layout.h says.
 */
void vmcs_setup_guest(enum vcpu_mode mode, uint64_t entry, uint64_t stack, uint64_t cr3,
                      uint64_t gdt);

/* Guest CR0/CR4 bits Tandem owns (reads come from the shadows). */
#define GUEST_CR0_HOST_OWNED (CR0_NE | CR0_PE | CR0_PG | CR0_CD | CR0_NW)
#define GUEST_CR4_HOST_OWNED CR4_VMXE

#endif
