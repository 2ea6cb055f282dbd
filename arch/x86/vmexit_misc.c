/* Exits with little to decode: events, HLT, shutdown, instructions a guest may not use. */
#include <log.h>
#include <vm.h>
#include <x86/vmcs_fields.h>
#include <x86/vcpu_sched.h>
#include <x86/vmexit.h>
#include <x86/vmx_exit_reasons.h>

#define INTR_INFO_VECTOR(i) ((i)&0xff)
#define INTR_INFO_TYPE(i)   (((i) >> 8) & 7)

int vmexit_hlt(struct vcpu *v, struct vmexit *e)
{
	vcpu_skip_insn(v, e);
	v->halted = true;
	if (v->vm->on_idle)
		v->vm->on_idle(v->vm);
	return 0;
}

/*
 * PAUSE-loop exiting (SDM 25.1.3): the guest spun on PAUSE for longer than
 * ple_window, most likely on a lock whose holder is preempted. Skip the
 * PAUSE and give the pCPU to someone else (Xen's and KVM's answer).
 */
int vmexit_pause(struct vcpu *v, struct vmexit *e)
{
	vcpu_skip_insn(v, e);
	vcpu_sched_yield(v);
	return 0;
}

int vmexit_ext_intr(struct vcpu *v, struct vmexit *e)
{
	return 0; /* taken by the host's IDT right after the exit */
}

int vmexit_intr_window(struct vcpu *v, struct vmexit *e)
{
	return 0; /* the resume path delivers the pending interrupt now */
}

int vmexit_preempt_timer(struct vcpu *v, struct vmexit *e)
{
	return 0; /* the scheduler's tick: nothing to do until it exists */
}

int vmexit_triple_fault(struct vcpu *v, struct vmexit *e)
{
	log_info("%s: vCPU %u: triple fault (shutdown) at rip %#lx; stopping the guest",
	         v->vm->name, v->id, e->rip);
	vcpu_dump(v, "triple fault");
	return -VM_STOP_TRIPLE_FAULT;
}

/* SDM 25.2: INIT in VMX non-root operation exits. No sender exists before the virtual LAPIC. */
int vmexit_init_signal(struct vcpu *v, struct vmexit *e)
{
	vcpu_log(v, "INIT signal ignored (no INIT-SIPI emulation yet)");
	return 0;
}

int vmexit_sipi(struct vcpu *v, struct vmexit *e)
{
	vcpu_log(v, "SIPI ignored (no INIT-SIPI emulation yet)");
	return 0;
}

int vmexit_raise_ud(struct vcpu *v, struct vmexit *e)
{
	vcpu_log(v, "%s: #UD", vmx_exit_reason_name(e->reason));
	vcpu_inject_ud(v);
	return 0;
}

int vmexit_raise_gp(struct vcpu *v, struct vmexit *e)
{
	vcpu_log(v, "%s: #GP", vmx_exit_reason_name(e->reason));
	vcpu_inject_gp(v);
	return 0;
}

/* INVD would drop dirty lines other guests own: do what WBINVD does, which is safe. */
int vmexit_invd(struct vcpu *v, struct vmexit *e)
{
	__asm__ __volatile__("wbinvd" ::: "memory");
	vcpu_skip_insn(v, e);
	return 0;
}

/*
 * Only machine checks are in the exception bitmap, and NMIs exit too: both
 * belong to the host. A machine check in a guest stops that guest.
 */
int vmexit_exception(struct vcpu *v, struct vmexit *e)
{
	uint32_t info = vmcs_read32(VMCS_EXIT_INTR_INFO);

	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		__asm__ __volatile__("int $2"); /* the host's NMI handler */
		return 0;
	}
	if (INTR_INFO_VECTOR(info) == 18) {
		log_err("%s: vCPU %u: machine check while running the guest; stopping it",
		        v->vm->name, v->id);
		vcpu_dump(v, "machine check");
		return -VM_STOP_UNHANDLED;
	}
	log_err("%s: vCPU %u: exception %u exit that Tandem did not ask for", v->vm->name, v->id,
	        INTR_INFO_VECTOR(info));
	vcpu_dump(v, "unexpected exception exit");
	return -VM_STOP_UNHANDLED;
}
