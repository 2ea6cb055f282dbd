/*
 * VMs and vCPUs on VMX: creation (memory, EPT, VMCS), the run loop, and
 * teardown. Guest-visible behaviour lives in the exit handlers (vmexit_*.c).
 */
#ifndef X86_VMX_VM_H
#define X86_VMX_VM_H

#include <stdint.h>
#include <vm.h>
#include <x86/ept.h>
#include <x86/vcpu.h>

struct vm_arch {
	struct ept ept;
	uint64_t eptp;
};

/* Guest RAM of mem_size bytes from GPA 0, mapped RWX write-back through EPT. */
int vmx_vm_create(struct vm *vm, const char *name, uint64_t mem_size);

/* Frees the EPT and the guest's memory; every vCPU must be destroyed first. */
void vmx_vm_destroy(struct vm *vm);

/*
 * vCPU id of vm (its APIC ID), whose VMCS is created and made current on
 * the calling CPU, which is then the only CPU that may run it. The vCPUs of
 * one VM may be created concurrently on their CPUs. Returns NULL on failure
 * (logged), or when id is taken or not below VM_MAX_VCPUS.
 */
struct vcpu *vmx_vcpu_create(struct vm *vm, unsigned int id, const struct vcpu_start *st);

/*
 * Puts the current vCPU back into a just-started state (INIT then SIPI, or
 * a fresh start): registers as after INIT, guest state from st. Runs on the
 * vCPU's CPU with its VMCS current.
 */
void vmx_vcpu_reset(struct vcpu *v, const struct vcpu_start *st);

/*
 * Moving a vCPU between CPUs (the scheduler's migration): vmx_vcpu_put on
 * the CPU it last ran on clears its VMCS there; vmx_vcpu_get on the next CPU
 * makes it current with that CPU's host state. Paired; in between the vCPU
 * runs nowhere. vmx_vcpu_get returns -ERR_IO if VMPTRLD fails.
 */
void vmx_vcpu_put(struct vcpu *v);
int vmx_vcpu_get(struct vcpu *v);

/*
 * The state the VMCS does not hold (vcpu_context.c): extended state and
 * XCR0, syscall MSRs, TSC_AUX, DR0-3/DR6. init allocates it in its reset
 * state; load puts it into this CPU, save takes it back (each a no-op when
 * already done); vmx_vcpu_create/get load, vmx_vcpu_put saves.
 */
int vcpu_ctx_init(struct vcpu *v);
void vcpu_ctx_fini(struct vcpu *v);
void vcpu_ctx_load(struct vcpu *v);
void vcpu_ctx_save(struct vcpu *v);

/* The guest's XCR0 becomes val (validated by the caller), in the CPU too while live. */
void vcpu_ctx_set_xcr0(struct vcpu *v, uint64_t val);

/* VMCLEARs and frees the vCPU (its VMCS current here or nowhere). */
void vmx_vcpu_destroy(struct vcpu *v);

/*
 * Runs v on this CPU until its VM stops, or until someone sets PEND_YIELD
 * (the bit is cleared on return); a scheduled vCPU also returns when it
 * blocks or its pCPU must pick again (x86/vcpu_sched.h). Restores the
 * caller's interrupt flag.
 */
void vcpu_run(struct vcpu *v);

/* Prints exits by reason with the host cycles they took (only reasons seen). */
void vcpu_print_stats(const struct vcpu *v);

/* Prints v's exits by reason since its previous mark, with rates, and starts a new period. */
void vcpu_stats_mark(struct vcpu *v, unsigned int mark);

#endif
