/*
 * VM-exit handling. vcpu_run() reads the basic exit information into a
 * struct vmexit and calls the one handler the dispatch table names for the
 * exit reason.
 *
 * Handler contract: return 0 to resume the guest (having advanced RIP if
 * the instruction completed, or queued the architectural fault), or a
 * negative enum vm_stop to stop the whole VM, after logging why.
 */
#ifndef X86_VMEXIT_H
#define X86_VMEXIT_H

#include <stdbool.h>
#include <stdint.h>
#include <x86/vcpu.h>

struct vmexit {
	uint32_t reason; /* basic exit reason (bits 15:0) */
	uint64_t qual;   /* exit qualification */
	uint32_t insn_len;
	uint64_t rip;
};

typedef int (*vmexit_handler_t)(struct vcpu *v, struct vmexit *e);

/* Calls the handler for e->reason; an unknown reason dumps state and stops the VM. */
int vmexit_dispatch(struct vcpu *v, struct vmexit *e);

/* RIP past the exiting instruction; clears STI/MOV-SS blocking (SDM 25.1.3 note). */
void vcpu_skip_insn(struct vcpu *v, const struct vmexit *e);

/* Queues a hardware exception for the next entry (it replaces a queued one). */
void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error);
#define vcpu_inject_ud(v) vcpu_inject_exception((v), 6, false, 0)
#define vcpu_inject_gp(v) vcpu_inject_exception((v), 13, true, 0)

/* Queues an external interrupt; delivered when the guest can take it. */
void vcpu_queue_irq(struct vcpu *v, uint8_t vector);

/* Dumps the guest state of the current VMCS and the vCPU's registers. */
void vcpu_dump(struct vcpu *v, const char *why);

/* Boot option vmcs_check: run the software checks before every entry. */
extern bool opt_vmcs_check;

/* Runs the software VM-entry checks on the current VMCS and logs each violation. */
int vcpu_check_entry(struct vcpu *v);

/* Logs a guest's misbehaviour, rate-limited per vCPU, with the guest RIP. */
void vcpu_log(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The handlers (vmexit_*.c). */
int vmexit_cpuid(struct vcpu *v, struct vmexit *e);
struct cpuid_policy;
/* The CPUID policy inputs for v (on v's pCPU, its VMCS current). */
void vcpu_cpuid_policy(struct vcpu *v, struct cpuid_policy *p);
int vmexit_rdmsr(struct vcpu *v, struct vmexit *e);
int vmexit_wrmsr(struct vcpu *v, struct vmexit *e);
int vmexit_io(struct vcpu *v, struct vmexit *e);
int vmexit_ept_violation(struct vcpu *v, struct vmexit *e);
int vmexit_ept_misconfig(struct vcpu *v, struct vmexit *e);
int vmexit_cr_access(struct vcpu *v, struct vmexit *e);
int vmexit_xsetbv(struct vcpu *v, struct vmexit *e);
int vmexit_virtualized_eoi(struct vcpu *v, struct vmexit *e);
int vmexit_vmcall(struct vcpu *v, struct vmexit *e);
int vmexit_pause(struct vcpu *v, struct vmexit *e);
int vmexit_hlt(struct vcpu *v, struct vmexit *e);
int vmexit_exception(struct vcpu *v, struct vmexit *e);
int vmexit_ext_intr(struct vcpu *v, struct vmexit *e);
int vmexit_intr_window(struct vcpu *v, struct vmexit *e);
int vmexit_preempt_timer(struct vcpu *v, struct vmexit *e);
int vmexit_triple_fault(struct vcpu *v, struct vmexit *e);
int vmexit_init_signal(struct vcpu *v, struct vmexit *e);
int vmexit_sipi(struct vcpu *v, struct vmexit *e);
int vmexit_raise_ud(struct vcpu *v, struct vmexit *e);
int vmexit_raise_gp(struct vcpu *v, struct vmexit *e);
int vmexit_invd(struct vcpu *v, struct vmexit *e);

/* Guest memory access by guest-linear address through the guest's page tables. */
int vcpu_read_linear(struct vcpu *v, uint64_t gla, void *dst, unsigned int len);
int vcpu_write_linear(struct vcpu *v, uint64_t gla, const void *src, unsigned int len);

#endif
