/*
 * The vCPU run loop: the single resume path. Before each entry it works
 * through the pending bits, delivers one event if the guest can take it,
 * and a vCPU that cannot run blocks on the scheduler (or, with a pCPU to
 * itself, waits on the host until something wakes it).
 */
#include <arch.h>
#include <irq_route.h>
#include <log.h>
#include <vm.h>
#include <x86/cpu.h>
#include <x86/irq.h>
#include <x86/lapic.h>
#include <x86/percpu.h>
#include <x86/timer.h>
#include <x86/tsc.h>
#include <x86/vcpu_apicv.h>
#include <x86/vcpu_lapic.h>
#include <x86/vcpu_sched.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>
#include <x86/vmx_ctls.h>
#include <x86/vmx_exit_reasons.h>
#include <x86/vmx_vm.h>

#define EXIT_REASON_ENTRY_FAIL BIT(31)

static void vtimer_fired(void *arg)
{
	struct vcpu *v = arg;

	v->timer_armed_at = 0;
	vcpu_kick(v, PEND_TIMER);
}

void arch_vcpu_kick_stop(struct vcpu *v)
{
	vcpu_kick(v, PEND_STOP);
}

static void set_intr_window(bool on)
{
	uint32_t proc = vmcs_read32(VMCS_PROC_CTLS);
	uint32_t want = on ? proc | VMX_PROC(INTR_WINDOW_EXIT) : proc & ~VMX_PROC(INTR_WINDOW_EXIT);

	if (want != proc)
		vmcs_write32(VMCS_PROC_CTLS, want);
}

/* SDM 26.3.1.4/26.6: an external interrupt needs RFLAGS.IF and no STI/MOV-SS blocking. */
static bool can_take_irq(void)
{
	return (vmcs_readnat(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
	         (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS));
}

static void deliver_events(struct vcpu *v)
{
	if (v->inject.valid) {
		struct vcpu_event *ev = &v->inject;
		uint32_t info = intr_info(ev->type, ev->vector, ev->has_error);

		if (ev->has_error) {
			vmcs_write32(VMCS_ENTRY_EXCEPTION_ERRCODE, ev->error);
		}
		vmcs_write32(VMCS_ENTRY_INSN_LEN, ev->insn_len);
		vmcs_write32(VMCS_ENTRY_INTR_INFO, info);
		ev->valid = false;
		v->halted = false;
		return;
	}
	if (v->nmi) {
		if (!(vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) &
		      (VMX_INTR_BLOCK_NMI | VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS))) {
			vmcs_write32(VMCS_ENTRY_INTR_INFO, intr_info(INTR_TYPE_NMI, 2, false));
			v->nmi = false;
			v->halted = false;
			return;
		}
		/* Blocked: try again after the next exit (there is no NMI-window exit here). */
	}
	if (v->apic_page) {
		/*
		 * The CPU delivers at entry once RFLAGS.IF allows (SDM 29.2.1): only wake
		 * from HLT. While the guest cannot take the interrupt, an interrupt-window
		 * exit waits for it instead, which keeps entry from making it pending
		 * with IF clear: Bochs 2.7 then delivers it anyway as soon as a host
		 * interrupt is pending too (event.cc: is_pending instead of
		 * is_unmasked_event_pending), inside the guest's IRQs-off section.
		 */
		bool pending = vcpu_lapic_pending(v) >= 0, can = can_take_irq();

		if (v->halted && pending && can)
			v->halted = false;
		set_intr_window(pending && !can);
		return;
	}
	if (v->lapic) {
		int vec = vcpu_lapic_pending(v);

		if (vec < 0) {
			set_intr_window(false);
		} else if (can_take_irq()) {
			vmcs_write32(VMCS_ENTRY_INTR_INFO,
			             intr_info(INTR_TYPE_EXT_INTR, (uint8_t)vec, false));
			vcpu_lapic_ack(v, (uint8_t)vec);
			v->halted = false;
			set_intr_window(false);
		} else {
			set_intr_window(true);
		}
		return;
	}
	if (v->irq_pending < 0) {
		set_intr_window(false);
		return;
	}
	if (can_take_irq()) {
		vmcs_write32(VMCS_ENTRY_INTR_INFO,
		             intr_info(INTR_TYPE_EXT_INTR, (uint8_t)v->irq_pending, false));
		v->irq_pending = -1;
		v->halted = false;
		set_intr_window(false);
	} else {
		/* Exit as soon as the guest can take it (SDM 25.2). */
		set_intr_window(true);
	}
}

/* The earliest guest timer deadline (TSC), 0: none. */
static uint64_t next_deadline(struct vcpu *v)
{
	uint64_t a = v->vtimer_deadline_tsc, b = v->lapic_deadline;

	return a && b ? MIN(a, b) : a ? a : b;
}

/* The host timer fires at the guest's next deadline, so a running guest exits then. */
static void arm_host_timer(struct vcpu *v)
{
	uint64_t d = next_deadline(v);

	if (!d || d == v->timer_armed_at)
		return;
	v->timer_armed_at = d;
	v->vtimer.fn = vtimer_fired;
	v->vtimer.arg = v;
	timer_add(&v->vtimer, d);
}

static void check_vtimer(struct vcpu *v)
{
	if (v->lapic)
		vcpu_lapic_timer(v);
	if (v->vtimer_deadline_tsc && rdtsc() >= v->vtimer_deadline_tsc) {
		v->vtimer_deadline_tsc = 0;
		if (v->lapic) /* through its vLAPIC, like any interrupt */
			irq_send(v->vm, &(struct irq_msg){.dest = v->id,
			                                  .delivery = IRQ_DM_FIXED,
			                                  .vector = v->vtimer_vector});
		else
			vcpu_queue_irq(v, v->vtimer_vector);
	}
}

/*
 * The vCPU cannot run (HLT with nothing to deliver, or waiting for SIPI),
 * so its guest timer is armed first: it stays queued on this pCPU and
 * wakes the vCPU wherever it is. A scheduled vCPU then blocks, and 1 sends
 * the run loop back to the scheduler; one with a pCPU to itself sleeps
 * here until an interrupt (0: look again).
 */
static int wait_or_block(struct vcpu *v)
{
	arm_host_timer(v);
	if (v->scheduled)
		return vcpu_sched_block(v) ? 1 : 0;
	/* Nothing to wait for if a kick or the timer came in since the last look. */
	if (!(v->pending & (PEND_IRQ | PEND_TIMER | PEND_STOP)))
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
	return 0;
}

/*
 * HLT with RFLAGS.IF clear ends only with an NMI, INIT or SMI: Linux parks
 * its APs that way at power-off. Once every vCPU of the VM is parked so,
 * nothing can ever wake one (Tandem sends no NMI of its own), and the VM
 * stops instead of holding its pCPUs forever (as Xen treats it). Returns
 * true then.
 */
static bool halted_for_good(struct vcpu *v, bool parked)
{
	if (parked == v->parked)
		return false;
	v->parked = parked;
	if (!parked) {
		__atomic_sub_fetch(&v->vm->parked_vcpus, 1, __ATOMIC_SEQ_CST);
		return false;
	}
	if (__atomic_add_fetch(&v->vm->parked_vcpus, 1, __ATOMIC_SEQ_CST) < v->vm->nvcpus)
		return false;
	vcpu_log(v, "HLT with interrupts disabled on every vCPU: the VM can never run again");
	return true;
}

/*
 * INIT and STARTUP in software (SDM Vol. 3A 8.4, 10.4.7.3): an INIT puts an
 * AP into wait-for-SIPI, a STARTUP then starts it in real mode at
 * vector << 12. Tandem never uses the VMX wait-for-SIPI activity state
 * (PLATFORM.md: Bochs 2.7 mishandles it); the vCPU just does not enter.
 * An INIT to the BSP is a machine reset: the VM reboots.
 */
static int init_sipi(struct vcpu *v)
{
	struct vcpu_lapic_signals s;

	vcpu_lapic_signals(v, &s);
	if (s.nmi)
		v->nmi = true;
	if (s.init) {
		if (v->id == 0) {
			vcpu_log(v, "INIT to the boot vCPU: resetting the VM");
			return -VM_STOP_REBOOT;
		}
		v->wait_sipi = true;
		v->nmi = false;
		steal_time_reset(&v->steal); /* the MSR reads 0 after INIT */
		halted_for_good(v, false);
	}
	if (v->wait_sipi && s.sipi >= 0) {
		const struct vcpu_start st = {.mode = VCPU_MODE_REAL,
		                              .rip = (uint64_t)s.sipi << 12};

		vmx_vcpu_reset(v, &st);
		v->wait_sipi = false;
		log_info("%s: vCPU %u: STARTUP at %#lx", v->vm->name, v->id, st.rip);
	}
	return 0;
}

static int entry_failed(struct vcpu *v, int rc)
{
	if (rc == 1) {
		log_err("%s: vCPU %u: VM entry failed with VMfailInvalid (no current VMCS)",
		        v->vm->name, v->id);
	} else {
		uint32_t err = vmcs_read32(VMCS_VM_INSN_ERROR);

		log_err("%s: vCPU %u: VM entry failed: VM-instruction error %u (%s)", v->vm->name,
		        v->id, err, vmx_insn_error_name(err));
	}
	vcpu_check_entry(v);
	vcpu_dump(v, "VM entry failed");
	return -VM_STOP_ENTRY_FAILED;
}

/* SDM 27.8: an exit with bit 31 set means the entry itself failed on guest state or MSR loading. */
static int entry_failed_late(struct vcpu *v, uint32_t reason)
{
	uint64_t qual = vmcs_readnat(VMCS_EXIT_QUAL);

	log_err("%s: vCPU %u: VM entry failed: exit reason %u (%s), qualification %#lx",
	        v->vm->name, v->id, reason & 0xffff, vmx_exit_reason_name(reason & 0xffff), qual);
	vcpu_check_entry(v);
	vcpu_dump(v, "VM entry failed");
	return -VM_STOP_ENTRY_FAILED;
}

static int run_once(struct vcpu *v)
{
	struct vmexit e;
	uint32_t reason;
	int rc;

	if (v->pending & PEND_FLUSH_EPT) {
		__atomic_fetch_and(&v->pending, ~PEND_FLUSH_EPT, __ATOMIC_SEQ_CST);
		invept_single(v->vm->arch->eptp);
		ept_flush_done(
		    &v->vm->arch->ept); /* single-vCPU VMs: this was the only CPU to flush */
	}
	if (v->pending & (PEND_TIMER | PEND_IRQ))
		__atomic_fetch_and(&v->pending, ~(PEND_TIMER | PEND_IRQ), __ATOMIC_SEQ_CST);
	if (v->lapic) {
		rc = init_sipi(v);
		if (rc)
			return rc;
	}
	if (v->wait_sipi)
		return wait_or_block(v);
	check_vtimer(v);
	deliver_events(v);
	if (v->halted) {
		if (!(vmcs_readnat(VMCS_GUEST_RFLAGS) & RFLAGS_IF) && halted_for_good(v, true))
			return -VM_STOP_HALTED;
		return wait_or_block(v);
	}
	halted_for_good(v, false);

	/* Bochs 2.7 sets blocking-by-SMI after some exits and then fails the entry (PLATFORM.md). */
	if (vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & VMX_INTR_BLOCK_SMI)
		vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY,
		             vmcs_read32(VMCS_GUEST_INTERRUPTIBILITY) & ~VMX_INTR_BLOCK_SMI);

	/* A VMWRITE that failed since the last entry is a Tandem bug: stop before entering on it. */
	struct vmx_fail f;
	if (vmx_fail_take(&f)) {
		log_err(
		    "%s: vCPU %u: %u VMX instruction(s) failed, first on field %#lx (value %#lx), error %u (%s)",
		    v->vm->name, v->id, f.count, f.arg, f.value, f.insn_error,
		    f.valid ? vmx_insn_error_name(f.insn_error) : "VMfailInvalid");
		vcpu_dump(v, "VMX instruction failure");
		return -VM_STOP_UNHANDLED;
	}
	if (opt_vmcs_check && vcpu_check_entry(v)) {
		vcpu_dump(v, "software VM-entry checks failed (vmcs_check=1)");
		return -VM_STOP_ENTRY_FAILED;
	}

	arm_host_timer(v);
	if (v->apic_page)
		vcpu_apicv_enter(v);
	v->entry_tsc = rdtsc();
	if (v->entries)
		v->exit_cycles[v->last_reason] += v->entry_tsc - v->exit_tsc;
	v->entries++;
	rc = vmx_enter(&v->regs, v->launched);
	v->exit_tsc = rdtsc();
	if (v->apic_page)
		vcpu_apicv_exit(v);
	if (rc)
		return entry_failed(v, rc);
	v->launched = true;

	reason = vmcs_read32(VMCS_EXIT_REASON);
	if (reason & EXIT_REASON_ENTRY_FAIL)
		return entry_failed_late(v, reason);
	e.reason = reason & 0xffff;
	e.qual = vmcs_readnat(VMCS_EXIT_QUAL);
	e.insn_len = vmcs_read32(VMCS_EXIT_INSN_LEN);
	e.rip = vmcs_readnat(VMCS_GUEST_RIP);
	v->last_reason = e.reason < VMX_EXIT_REASON_MAX ? e.reason : 0;
	if (e.reason < VMX_EXIT_REASON_MAX)
		v->exits[e.reason]++;

	/* External interrupts were left pending (no acknowledge-on-exit): take them now. */
	__asm__ __volatile__("sti; nop; cli" ::: "memory");
	return vmexit_dispatch(v, &e);
}

void vcpu_run(struct vcpu *v)
{
	struct vm *vm = v->vm;
	unsigned long f = arch_irq_save();

	if (vm->state == VM_NEW)
		vm->state = VM_RUNNING;
	while (!(v->pending & (PEND_STOP | PEND_YIELD)) && vm->state == VM_RUNNING &&
	       !(v->scheduled && vcpu_sched_resched())) {
		int rc = run_once(v);

		if (rc < 0)
			vm_stop(vm, (enum vm_stop) - rc);
		else if (rc > 0)
			break; /* blocked: back to the scheduler */
	}
	__atomic_fetch_and(&v->pending, ~PEND_YIELD, __ATOMIC_SEQ_CST);
	if (!v->scheduled) {
		timer_del(&v->vtimer);
		v->timer_armed_at = 0;
	}
	arch_irq_restore(f);
}
