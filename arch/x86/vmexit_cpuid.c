/*
 * The CPUID a guest sees: the host's, minus what Tandem does not virtualize
 * (VMX, SMX, MONITOR/MWAIT), plus the hypervisor bit, Tandem's signature
 * leaves, and TSC-frequency leaves that carry the calibrated rate instead of
 * whatever the CPU model declares (Bochs declares GHz for a 100 MHz TSC).
 */
#include <hw/tandem_abi.h>
#include <x86/cpuid.h>
#include <x86/tsc.h>
#include <x86/vcpu.h>
#include <x86/vmexit.h>

#define L1_ECX_MONITOR BIT(3)
#define L1_ECX_VMX     BIT(5)
#define L1_ECX_SMX     BIT(6)
#define L1_ECX_HYPERV  BIT(31)

static void guest_cpuid(uint32_t leaf, uint32_t sub, struct cpuid_regs *r)
{
	uint64_t hz = tsc_hz();

	if (leaf >= 0x40000000u && leaf < 0x50000000u) {
		*r = (struct cpuid_regs){0, 0, 0, 0};
		if (leaf == TANDEM_CPUID_BASE)
			*r = (struct cpuid_regs){TANDEM_CPUID_BASE + 1, TANDEM_CPUID_SIG_EBX,
			                         TANDEM_CPUID_SIG_ECX, TANDEM_CPUID_SIG_EDX};
		else if (leaf == TANDEM_CPUID_BASE + 1)
			r->eax = TANDEM_ABI_VERSION;
		return;
	}
	*r = cpuid(leaf, sub);
	switch (leaf) {
	case 1:
		r->ecx &= (uint32_t) ~(L1_ECX_MONITOR | L1_ECX_VMX | L1_ECX_SMX);
		r->ecx |= (uint32_t)L1_ECX_HYPERV;
		break;
	case 5: /* MONITOR/MWAIT: hidden, so no leaf */
		*r = (struct cpuid_regs){0, 0, 0, 0};
		break;
	case 0x15: /* TSC = crystal * EBX / EAX: a 1 Hz "crystal" times the rate (SDM Vol. 2A CPUID) */
		if (cpuid(0, 0).eax >= 0x15)
			*r = (struct cpuid_regs){1, (uint32_t)hz, 1, 0};
		break;
	case 0x16:
		if (cpuid(0, 0).eax >= 0x16)
			*r = (struct cpuid_regs){(uint32_t)(hz / 1000000), (uint32_t)(hz / 1000000),
			                         0, 0};
		break;
	}
}

int vmexit_cpuid(struct vcpu *v, struct vmexit *e)
{
	struct cpuid_regs r;
	uint64_t *g = v->regs.gpr;

	guest_cpuid((uint32_t)g[REG_RAX], (uint32_t)g[REG_RCX], &r);
	g[REG_RAX] = r.eax;
	g[REG_RBX] = r.ebx;
	g[REG_RCX] = r.ecx;
	g[REG_RDX] = r.edx;
	vcpu_skip_insn(v, e);
	return 0;
}
