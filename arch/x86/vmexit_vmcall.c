/*
 * VMCALL: Tandem's hypercalls (include/hw/tandem_abi.h). Arguments are
 * guest-controlled: every number is range-checked and every guest-physical
 * pointer goes through gmem bounds checks before use; a bad one gets an
 * error code in RAX, never a fault in Tandem.
 */
#include <log.h>
#include <string.h>
#include <vm.h>
#include <hw/tandem_abi.h>
#include <x86/cpu.h>
#include <x86/tsc.h>
#include <x86/cpuid_policy.h>
#include <x86/vcpu.h>
#include <x86/vcpu_sched.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>

#define VTIMER_MAX_NS 60000000000ull /* one minute: longer is a guest bug */

static int64_t hc_ucall(struct vcpu *v, uint64_t gpa, bool *stop)
{
	struct ucall uc;

	if (gmem_copy_from(&v->vm->mem, &uc, gpa, sizeof(uc)))
		return -TANDEM_EFAULT;
	uc.file[sizeof(uc.file) - 1] = '\0';
	uc.text[sizeof(uc.text) - 1] = '\0';
	switch (uc.type) {
	case UCALL_SYNC:
	case UCALL_PRINT:
		break;
	case UCALL_ASSERT:
		log_info("%s: guest assertion failed: %s:%u: %s (%#lx, %#lx)", v->vm->name, uc.file,
		         uc.line, uc.text, uc.args[0], uc.args[1]);
		break;
	case UCALL_DONE:
		*stop = true;
		break;
	default:
		return -TANDEM_EINVAL;
	}
	if (v->vm->on_ucall)
		v->vm->on_ucall(v->vm, &uc);
	else if (uc.type == UCALL_PRINT)
		log_info("%s: %s", v->vm->name, uc.text);
	return 0;
}

static int64_t hc_timer(struct vcpu *v, uint64_t ns, uint64_t vector)
{
	if (vector < 32 || vector > 255 || ns > VTIMER_MAX_NS)
		return -TANDEM_EINVAL;
	v->vtimer_vector = (uint8_t)vector;
	v->vtimer_deadline_tsc = rdtsc() + ns_to_tsc(ns);
	return 0;
}

/*
 * KVM_HC_SCHED_YIELD: the guest is about to wait for vCPU `apic_id`, which
 * its steal-time area says is preempted. Credit1 has no directed yield (nor
 * has Xen's): the caller yields its pCPU, which the waiting-for vCPU may
 * then get. KVM answers 0 whatever the target; so does Tandem, with a log
 * line for a target that does not exist.
 */
static int64_t hc_kvm_sched_yield(struct vcpu *v, uint64_t apic_id)
{
	struct cpuid_policy p;

	vcpu_cpuid_policy(v, &p);
	if (!p.kvm_compat || !(p.kvm_features & KVM_FEATURE_PV_SCHED_YIELD))
		return -KVM_ENOSYS;
	v->pv_yields++;
	if (apic_id >= v->vm->nvcpus || apic_id == v->id)
		vcpu_log(v, "KVM_HC_SCHED_YIELD to APIC ID %#lx: no other vCPU has it", apic_id);
	else
		vcpu_sched_yield(v);
	return 0;
}

int vmexit_vmcall(struct vcpu *v, struct vmexit *e)
{
	uint64_t *g = v->regs.gpr;
	bool long_mode = vmcs_read32(VMCS_GUEST_CS_AR) & VMX_AR_L;
	uint64_t amask = long_mode ? ~0ull : 0xffffffffull;
	uint32_t nr = (uint32_t)g[REG_RAX];
	uint64_t a0 = g[REG_RDI] & amask, a1 = g[REG_RSI] & amask;
	bool stop = false;
	int64_t ret;

	if (VMX_AR_DPL(vmcs_read32(VMCS_GUEST_SS_AR)) != 0) {
		ret = -TANDEM_EINVAL; /* only the guest kernel may call */
	} else {
		switch (nr) {
		case TANDEM_HC_UCALL:
			ret = hc_ucall(v, a0, &stop);
			break;
		case TANDEM_HC_TIMER_ONESHOT:
			ret = hc_timer(v, a0, a1);
			break;
		case KVM_HC_SCHED_YIELD: /* KVM's ABI: the argument is in RBX */
			ret = hc_kvm_sched_yield(v, g[REG_RBX] & amask);
			break;
		default:
			ret = -TANDEM_ENOSYS;
			break;
		}
	}
	g[REG_RAX] = (uint64_t)ret & amask;
	vcpu_skip_insn(v, e);
	return stop ? -VM_STOP_DONE : 0;
}
