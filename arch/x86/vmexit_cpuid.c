/* CPUID exits: the vCPU's state fed to the pure policy (cpuid_policy.h). */
#include <cmdline.h>
#include <hw/tandem_abi.h>
#include <vm.h>
#include <x86/cpuid_policy.h>
#include <x86/tsc.h>
#include <x86/vcpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>
#include <x86/vmx_ctls.h>

static bool opt_kvm_leaves = true;
BOOT_OPTION_BOOL("kvm_leaves", opt_kvm_leaves,
                 "show guests with a vLAPIC the KVM CPUID signature (Linux then uses x2APIC)");
static bool opt_steal_time = true;
BOOT_OPTION_BOOL("steal_time", opt_steal_time,
                 "with kvm_leaves, offer guests KVM steal time (MSR_KVM_STEAL_TIME)");

static bool opt_pv_yield = true;
BOOT_OPTION_BOOL("pv_yield", opt_pv_yield,
                 "with steal_time, offer guests KVM's PV sched-yield hypercall (Linux yields "
                 "instead of waiting for an IPI to a preempted vCPU)");

static struct cpuid_regs host_cpuid(uint32_t leaf, uint32_t sub)
{
	return cpuid(leaf, sub);
}

/* Linux uses PV sched yield only together with steal time (its vcpu_is_preempted). */
static uint32_t kvm_features(void)
{
	if (!opt_steal_time)
		return 0;
	return KVM_FEATURE_STEAL_TIME | (opt_pv_yield ? KVM_FEATURE_PV_SCHED_YIELD : 0);
}

void vcpu_cpuid_policy(struct vcpu *v, struct cpuid_policy *p)
{
	uint32_t proc2 = vmcs_read32(VMCS_PROC2_CTLS);

	*p = (struct cpuid_policy){.host = host_cpuid,
	                           .vcpu_id = v->id,
	                           .nvcpus = v->vm->nvcpus,
	                           .tsc_hz = tsc_hz(),
	                           .bus_hz = tsc_hz(),
	                           .guest_cr4 = vmcs_readnat(VMCS_CR4_SHADOW),
	                           .guest_xcr0 = v->xcr0,
	                           .invpcid = proc2 & VMX_PROC2(INVPCID),
	                           .rdtscp = proc2 & VMX_PROC2(RDTSCP),
	                           .x2apic = v->lapic != NULL,
	                           .tsc_deadline = v->lapic != NULL,
	                           .kvm_compat = opt_kvm_leaves && v->lapic != NULL,
	                           .kvm_features = kvm_features()};
}

int vmexit_cpuid(struct vcpu *v, struct vmexit *e)
{
	struct cpuid_policy p;
	struct cpuid_regs r;
	uint64_t *g = v->regs.gpr;

	vcpu_cpuid_policy(v, &p);
	r = cpuid_policy(&p, (uint32_t)g[REG_RAX], (uint32_t)g[REG_RCX]);
	g[REG_RAX] = r.eax;
	g[REG_RBX] = r.ebx;
	g[REG_RCX] = r.ecx;
	g[REG_RDX] = r.edx;
	vcpu_skip_insn(v, e);
	return 0;
}
