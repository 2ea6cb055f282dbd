/*
 * Control-register exits. Tandem owns CR0.PE/PG/NE/CD/NW and CR4.VMXE (the
 * guest/host masks); a guest write that changes an owned bit exits here and
 * is checked as the CPU would check it (SDM Vol. 3A 2.5, Vol. 2A MOV CR),
 * with #GP for what a real CPU refuses. CR8 exits keep a private TPR until
 * the virtual LAPIC exists. XSETBV is validated against what the host
 * CPU supports.
 */
#include <vm.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/msr.h>
#include <x86/vcpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmcs_setup.h>
#include <x86/cpuid_policy.h>
#include <x86/vcpu_lapic.h>
#include <x86/vmexit.h>
#include <x86/vmx_vm.h>
#include <x86/vmx.h>
#include <x86/vmx_ctls.h>
#include <x86/vmx_exit_reasons.h>

#define CR0_RESERVED 0xffffffff1ffaffc0ull /* bits other than PE MP EM TS ET NE WP AM NW CD PG */

static void set_ia32e(bool on)
{
	uint32_t entry = vmcs_read32(VMCS_ENTRY_CTLS);

	entry = on ? entry | VMX_ENTRYCTL(IA32E_GUEST) : entry & ~VMX_ENTRYCTL(IA32E_GUEST);
	vmcs_write32(VMCS_ENTRY_CTLS, entry);
}

/* Returns false when the CPU would raise #GP for this MOV to CR0. */
static bool guest_write_cr0(struct vcpu *v, uint64_t val)
{
	uint64_t old = vmcs_readnat(VMCS_CR0_SHADOW), efer = vmcs_read64(VMCS_GUEST_EFER);
	/* Unowned CR4 bits (PAE among them) change without exits: the real register has them. */
	uint64_t cr4 = vmcs_readnat(VMCS_GUEST_CR4);

	if (val & CR0_RESERVED)
		return false;
	if ((val & CR0_PG) && !(val & CR0_PE))
		return false;
	if ((val & CR0_NW) && !(val & CR0_CD))
		return false;
	/* Turning paging on with EFER.LME activates long mode (SDM Vol. 3A 9.8.5). */
	if ((val & CR0_PG) && !(old & CR0_PG) && (efer & EFER_LME)) {
		if (!(cr4 & CR4_PAE))
			return false;
		vmcs_write64(VMCS_GUEST_EFER, efer | EFER_LMA);
		set_ia32e(true);
	} else if (!(val & CR0_PG) && (old & CR0_PG) && (efer & EFER_LMA)) {
		vmcs_write64(VMCS_GUEST_EFER, efer & ~EFER_LMA);
		set_ia32e(false);
	}
	vmcs_writenat(VMCS_CR0_SHADOW, val);
	/* CD/NW stay clear in the real register: caching is the host's policy. */
	vmcs_writenat(VMCS_GUEST_CR0, (val | CR0_NE) & ~(CR0_CD | CR0_NW));
	return true;
}

static bool guest_write_cr4(struct vcpu *v, uint64_t val)
{
	const struct vmx_caps *c = vmx_caps();
	uint64_t allowed = c->cr4_fixed1 & ~(uint64_t)CR4_VMXE & ~(uint64_t)CR4_SMXE;

	if (val & ~allowed)
		return false;
	if (!(val & CR4_PAE) && (vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA))
		return false;
	vmcs_writenat(VMCS_CR4_SHADOW, val);
	vmcs_writenat(VMCS_GUEST_CR4, val | CR4_VMXE);
	return true;
}

static uint64_t *gpr(struct vcpu *v, unsigned int r)
{
	if (r == REG_RSP)
		v->regs.gpr[REG_RSP] = vmcs_readnat(VMCS_GUEST_RSP);
	return &v->regs.gpr[r];
}

int vmexit_cr_access(struct vcpu *v, struct vmexit *e)
{
	struct vmx_cr_qual q = vmx_cr_qual(e->qual);
	bool ok = true;

	switch (q.type) {
	case CR_ACCESS_MOV_TO: {
		uint64_t val = *gpr(v, q.gpr);

		if (q.cr == 0)
			ok = guest_write_cr0(v, val);
		else if (q.cr == 4)
			ok = guest_write_cr4(v, val);
		else if (q.cr == 8)
			ok = !(val & ~0xfull) && (vcpu_lapic_set_cr8(v, val), true);
		else
			ok = false;
		break;
	}
	case CR_ACCESS_MOV_FROM:
		if (q.cr != 8) {
			ok = false;
			break;
		}
		*gpr(v, q.gpr) = vcpu_lapic_cr8(v);
		if (q.gpr == REG_RSP)
			vmcs_writenat(VMCS_GUEST_RSP, v->regs.gpr[REG_RSP]);
		break;
	case CR_ACCESS_LMSW: {
		/* LMSW writes PE, MP, EM, TS and can set PE but never clear it. */
		uint64_t old = vmcs_readnat(VMCS_CR0_SHADOW);
		uint64_t val = (old & ~0xeull) | (q.lmsw_data & 0xf) | (old & CR0_PE);

		ok = guest_write_cr0(v, val);
		break;
	}
	default: /* CLTS only exits when TS is owned, which it is not */
		ok = false;
		break;
	}
	if (!ok) {
		vcpu_log(v, "control-register write refused (qualification %#lx): #GP", e->qual);
		vcpu_inject_gp(v);
		return 0;
	}
	vcpu_skip_insn(v, e);
	return 0;
}

/* SDM Vol. 2B XSETBV: XCR0 bit 0 set, AVX needs SSE, only what the host supports. */
int vmexit_xsetbv(struct vcpu *v, struct vmexit *e)
{
	uint64_t *g = v->regs.gpr;
	uint32_t idx = (uint32_t)g[REG_RCX];
	uint64_t val = ((g[REG_RDX] & 0xffffffffu) << 32) | (g[REG_RAX] & 0xffffffffu);
	struct cpuid_policy p;
	uint64_t supported;

	vcpu_cpuid_policy(v, &p);
	supported = cpuid_guest_xcr0_mask(&p);
	/* SDM Vol. 1 13.3: x87 always; AVX needs SSE; the AVX-512 trio together and with AVX. */
	if (idx != 0 || !(val & 1) || (val & ~supported) || ((val & 4) && !(val & 2)) ||
	    ((val & 0xe0) && (val & 0xe0) != 0xe0) || ((val & 0xe0) && !(val & 4))) {
		vcpu_log(v, "XSETBV XCR%u <- %#lx refused: #GP", idx, val);
		vcpu_inject_gp(v);
		return 0;
	}
	vcpu_ctx_set_xcr0(v, val);
	vcpu_skip_insn(v, e);
	return 0;
}
