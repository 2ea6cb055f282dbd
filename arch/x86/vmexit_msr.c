/*
 * MSR policy for guests. The MSR bitmap passes through a guest's own
 * segment-base and syscall MSRs (vmcs_setup.c); everything else exits here
 * and goes through this allow-list. An MSR not on it raises #GP, as on a
 * CPU that lacks it, with a log line. Paravirtual MSRs are on it only while
 * the vCPU's CPUID offers them (KVM's steal time: include/steal_time.h).
 */
#include <hw/tandem_abi.h>
#include <steal_time.h>
#include <vm.h>
#include <x86/cpu.h>
#include <x86/cpuid_policy.h>
#include <x86/msr.h>
#include <x86/vcpu.h>
#include <x86/vcpu_lapic.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>
#include <x86/vmx_ctls.h>

#define EFER_GUEST_WRITABLE      (EFER_SCE | EFER_LME | EFER_NXE)
#define MISC_ENABLE_FAST_STRINGS BIT(0)
#define MISC_ENABLE_BTS_UNAVAIL  BIT(11)
#define MISC_ENABLE_PEBS_UNAVAIL BIT(12)
#define MTRR_DEF_TYPE_WB_ENABLED 0xc06ull /* MTRRs on, default type WB */

enum msr_result {
	MSR_OK,
	MSR_GP
};

static enum msr_result efer_write(struct vcpu *v, uint64_t val)
{
	uint64_t old = vmcs_read64(VMCS_GUEST_EFER);

	if (val & ~(EFER_GUEST_WRITABLE | EFER_LMA))
		return MSR_GP;
	/* SDM Vol. 3A 2.2.1: LME cannot change while paging is on; LMA is the CPU's. */
	if ((vmcs_readnat(VMCS_CR0_SHADOW) & CR0_PG) && ((val ^ old) & EFER_LME))
		return MSR_GP;
	vmcs_write64(VMCS_GUEST_EFER, (val & ~EFER_LMA) | (old & EFER_LMA));
	return MSR_OK;
}

/* The KVM steal-time MSR exists only when CPUID offers it (KVM_FEATURE_STEAL_TIME). */
static bool steal_time_offered(struct vcpu *v, struct cpuid_policy *p)
{
	vcpu_cpuid_policy(v, p);
	return p->kvm_compat && (p->kvm_features & KVM_FEATURE_STEAL_TIME);
}

/* The guest's physical-address width, CPUID.80000008H:EAX[7:0] as it sees it. */
static unsigned int guest_maxphyaddr(const struct cpuid_policy *p)
{
	if (cpuid_policy(p, 0x80000000u, 0).eax < 0x80000008u)
		return 36; /* SDM Vol. 3A 4.1.4: the width when the leaf is absent */
	return cpuid_policy(p, 0x80000008u, 0).eax & 0xff;
}

static enum msr_result steal_time_write(struct vcpu *v, uint64_t val)
{
	struct cpuid_policy p;
	const char *why;
	int err;

	if (!steal_time_offered(v, &p))
		return MSR_GP;
	err = steal_time_msr_write(&v->steal, &v->vm->mem, val, guest_maxphyaddr(&p), &why);
	if (why)
		vcpu_log(v, "steal time %#lx: %s", val, why);
	else if (!err)
		vcpu_log(v, "steal time %s, area at %#lx", (val & KVM_MSR_ENABLED) ? "on" : "off",
		         val & ~(uint64_t)63);
	return err ? MSR_GP : MSR_OK;
}

static enum msr_result msr_read(struct vcpu *v, uint32_t msr, uint64_t *val)
{
	struct cpuid_policy p;

	switch (msr) {
	case MSR_IA32_TSC:
		*val = rdmsr(MSR_IA32_TSC) + vmcs_read64(VMCS_TSC_OFFSET);
		return MSR_OK;
	case MSR_IA32_EFER:
		*val = vmcs_read64(VMCS_GUEST_EFER);
		return MSR_OK;
	case MSR_IA32_PAT:
		*val = vmcs_read64(VMCS_GUEST_PAT);
		return MSR_OK;
	case MSR_IA32_APIC_BASE: /* the virtual LAPIC's, at its reset address, BSP, enabled */
		*val = 0xfee00000ull | APIC_BASE_ENABLE | (v->id == 0 ? APIC_BASE_BSP : 0);
		return MSR_OK;
	case MSR_IA32_FEATURE_CONTROL: /* locked, VMX off: matches the hidden VMX bit */
		*val = FEATURE_CONTROL_LOCK;
		return MSR_OK;
	case MSR_IA32_MISC_ENABLE: {
		/* Fast strings as the host has it; BTS and PEBS unavailable. Bochs lacks the MSR. */
		uint64_t host = MISC_ENABLE_FAST_STRINGS;

		rdmsr_safe(MSR_IA32_MISC_ENABLE, &host);
		*val = (host & MISC_ENABLE_FAST_STRINGS) | MISC_ENABLE_BTS_UNAVAIL |
		       MISC_ENABLE_PEBS_UNAVAIL;
		return MSR_OK;
	}
	case MSR_IA32_MTRRCAP:
		*val = 0; /* no variable or fixed ranges: the guest's memory is all WB */
		return MSR_OK;
	case MSR_IA32_MTRR_DEF_TYPE:
		*val = v->mtrr_def_type;
		return MSR_OK;
	case MSR_IA32_BIOS_SIGN_ID: /* microcode revision: none loaded */
		*val = 0;
		return MSR_OK;
	case MSR_IA32_TSC_AUX: /* #GP, as on the CPU, where it has no TSC_AUX */
		return rdmsr_safe(MSR_IA32_TSC_AUX, val) ? MSR_OK : MSR_GP;
	case MSR_KVM_STEAL_TIME:
		if (!steal_time_offered(v, &p))
			return MSR_GP;
		*val = steal_time_msr_read(&v->steal);
		return MSR_OK;
	}
	return MSR_GP;
}

static enum msr_result msr_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	switch (msr) {
	case MSR_IA32_EFER:
		return efer_write(v, val);
	case MSR_IA32_PAT: {
		/* SDM Vol. 3A 11.12.2: each entry 0, 1, 4, 5, 6 or 7, else #GP. */
		for (int i = 0; i < 8; i++) {
			unsigned int t = (val >> (i * 8)) & 0xff;
			if (t == 2 || t == 3 || t > 7)
				return MSR_GP;
		}
		vmcs_write64(VMCS_GUEST_PAT, val);
		return MSR_OK;
	}
	case MSR_IA32_MTRR_DEF_TYPE: {
		/* SDM Vol. 3A 11.11.2.1: type 7:0 (UC, WC, WT, WP, WB), FE bit 10, E bit 11. */
		unsigned int type = val & 0xff;

		if ((val & ~0xcffull) || type == 2 || type == 3 || type > 6)
			return MSR_GP;
		v->mtrr_def_type = val; /* recorded; the memory type stays EPT's WB */
		return MSR_OK;
	}
	case MSR_IA32_BIOS_SIGN_ID: /* written 0 before CPUID to read the revision: ignored */
		return MSR_OK;
	case MSR_IA32_MISC_ENABLE:
		return MSR_OK; /* writes ignored, as Linux expects of a VM */
	case MSR_IA32_TSC_AUX:
		if ((val >> 32) || !cpu_has(FEAT_RDTSCP))
			return MSR_GP;
		wrmsr(MSR_IA32_TSC_AUX, val); /* the host does not use TSC_AUX */
		return MSR_OK;
	case MSR_KVM_STEAL_TIME:
		return steal_time_write(v, val);
	}
	return MSR_GP;
}

int vmexit_rdmsr(struct vcpu *v, struct vmexit *e)
{
	uint64_t *g = v->regs.gpr, val = 0;
	uint32_t msr = (uint32_t)g[REG_RCX];
	bool ok;

	if (vcpu_lapic_rdmsr(v, msr, &val, &ok) ? !ok : msr_read(v, msr, &val) != MSR_OK) {
		vcpu_log(v, "RDMSR %#x: not offered to guests, #GP", msr);
		vcpu_inject_gp(v);
		return 0;
	}
	g[REG_RAX] = (uint32_t)val;
	g[REG_RDX] = val >> 32;
	vcpu_skip_insn(v, e);
	return 0;
}

int vmexit_wrmsr(struct vcpu *v, struct vmexit *e)
{
	uint64_t *g = v->regs.gpr;
	uint32_t msr = (uint32_t)g[REG_RCX];
	uint64_t val = ((g[REG_RDX] & 0xffffffffu) << 32) | (g[REG_RAX] & 0xffffffffu);
	bool ok;

	if (vcpu_lapic_wrmsr(v, msr, val, &ok) ? !ok : msr_write(v, msr, val) != MSR_OK) {
		vcpu_log(v, "WRMSR %#x <- %#lx: refused, #GP", msr, val);
		vcpu_inject_gp(v);
		return 0;
	}
	vcpu_skip_insn(v, e);
	return 0;
}
