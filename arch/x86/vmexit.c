/* The exit dispatch table and the helpers every handler shares. */
#include <format.h>
#include <log.h>
#include <vm.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>
#include <x86/vmx_exit_reasons.h>

static const vmexit_handler_t handlers[VMX_EXIT_REASON_MAX] = {
    [VMX_EXIT_EXCEPTION_NMI] = vmexit_exception,
    [VMX_EXIT_EXT_INTR] = vmexit_ext_intr,
    [VMX_EXIT_TRIPLE_FAULT] = vmexit_triple_fault,
    [VMX_EXIT_INIT] = vmexit_init_signal,
    [VMX_EXIT_SIPI] = vmexit_sipi,
    [VMX_EXIT_INTR_WINDOW] = vmexit_intr_window,
    [VMX_EXIT_CPUID] = vmexit_cpuid,
    [VMX_EXIT_GETSEC] = vmexit_raise_ud,
    [VMX_EXIT_HLT] = vmexit_hlt,
    [VMX_EXIT_INVD] = vmexit_invd,
    [VMX_EXIT_RDPMC] = vmexit_raise_gp,
    [VMX_EXIT_VMCALL] = vmexit_vmcall,
    /* A guest sees no VMX (CPUID.1:ECX.VMX = 0): its VMX instructions are #UD (SDM 30.x). */
    [VMX_EXIT_VMCLEAR] = vmexit_raise_ud,
    [VMX_EXIT_VMLAUNCH] = vmexit_raise_ud,
    [VMX_EXIT_VMPTRLD] = vmexit_raise_ud,
    [VMX_EXIT_VMPTRST] = vmexit_raise_ud,
    [VMX_EXIT_VMREAD] = vmexit_raise_ud,
    [VMX_EXIT_VMRESUME] = vmexit_raise_ud,
    [VMX_EXIT_VMWRITE] = vmexit_raise_ud,
    [VMX_EXIT_VMXOFF] = vmexit_raise_ud,
    [VMX_EXIT_VMXON] = vmexit_raise_ud,
    [VMX_EXIT_INVEPT] = vmexit_raise_ud,
    [VMX_EXIT_INVVPID] = vmexit_raise_ud,
    [VMX_EXIT_VMFUNC] = vmexit_raise_ud,
    [VMX_EXIT_CR_ACCESS] = vmexit_cr_access,
    [VMX_EXIT_IO] = vmexit_io,
    [VMX_EXIT_RDMSR] = vmexit_rdmsr,
    [VMX_EXIT_WRMSR] = vmexit_wrmsr,
    [VMX_EXIT_MWAIT] = vmexit_raise_ud,
    [VMX_EXIT_MONITOR] = vmexit_raise_ud,
    [VMX_EXIT_EPT_VIOLATION] = vmexit_ept_violation,
    [VMX_EXIT_EPT_MISCONFIG] = vmexit_ept_misconfig,
    [VMX_EXIT_PREEMPT_TIMER] = vmexit_preempt_timer,
    [VMX_EXIT_XSETBV] = vmexit_xsetbv,
    [VMX_EXIT_PAUSE] = vmexit_pause,
    [VMX_EXIT_VIRTUALIZED_EOI] = vmexit_virtualized_eoi,
};

int vmexit_dispatch(struct vcpu *v, struct vmexit *e)
{
	vmexit_handler_t h = e->reason < VMX_EXIT_REASON_MAX ? handlers[e->reason] : NULL;

	if (h)
		return h(v, e);
	log_err("%s: vCPU %u: unhandled VM exit %u (%s), qualification %#lx, at rip %#lx",
	        v->vm->name, v->id, e->reason, vmx_exit_reason_name(e->reason), e->qual, e->rip);
	vcpu_dump(v, "unhandled exit");
	return -VM_STOP_UNHANDLED;
}

void vcpu_skip_insn(struct vcpu *v, const struct vmexit *e)
{
	uint32_t intr = vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_writenat(VMCS_GUEST_RIP, e->rip + e->insn_len);
	if (intr & (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS))
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
		             intr & ~(VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS));
}

void vcpu_inject_exception(struct vcpu *v, uint8_t vector, bool has_error, uint32_t error)
{
	v->inject = (struct vcpu_event){.valid = true,
	                                .type = INTR_TYPE_HW_EXC,
	                                .vector = vector,
	                                .has_error = has_error,
	                                .error = error};
}

void vcpu_queue_irq(struct vcpu *v, uint8_t vector)
{
	/* One pending external vector until the virtual LAPIC keeps an IRR. */
	v->irq_pending = vector;
}

void vcpu_log(struct vcpu *v, const char *fmt, ...)
{
	static unsigned int logged;
	char msg[160];
	va_list ap;

	if (logged >= 64)
		return;
	logged++;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("%s: vCPU %u at rip %#lx: %s", v->vm->name, v->id, vmcs_readnat(VMCS_GUEST_RIP),
	         msg);
}

void vcpu_dump(struct vcpu *v, const char *why)
{
	const uint64_t *r = v->regs.gpr;

	kprintf("tandem: %s: vCPU %u state (%s):\n", v->vm->name, v->id, why);
	kprintf("  rax %016lx rcx %016lx rdx %016lx rbx %016lx\n", r[0], r[1], r[2], r[3]);
	kprintf("  rbp %016lx rsi %016lx rdi %016lx r8  %016lx\n", r[5], r[6], r[7], r[8]);
	kprintf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", r[9], r[10], r[11], r[12]);
	kprintf("  r13 %016lx r14 %016lx r15 %016lx cr2 %016lx\n", r[13], r[14], r[15],
	        v->regs.cr2);
	vmcs_dump();
}
