/*
 * VM-entry checks on the host-state area (SDM Vol. 3C 26.2.2 control
 * registers and MSRs, 26.2.3 segment and descriptor-table registers, 26.2.4
 * address-space size). A failure here is VM-instruction error 8.
 */
#include "vmcs_check_priv.h"

/* IA32_EFER bits an Intel CPU defines (Vol. 4 Table 2-2); the rest are reserved. */
#define EFER_DEFINED (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* Bits of v that fixed0 requires set or fixed1 requires clear (23.8). */
static uint64_t fixed_bad(uint64_t v, uint64_t fixed0, uint64_t fixed1)
{
	return (fixed0 & ~v) | (v & ~fixed1);
}

/* 26.2.2 */
static void check_host_regs(struct vcheck *c)
{
	uint64_t cr0 = vc_get(c, VMCS_HOST_CR0), cr4 = vc_get(c, VMCS_HOST_CR4);
	uint64_t cr3 = vc_get(c, VMCS_HOST_CR3), bad;

	bad = fixed_bad(cr0, c->caps->cr0_fixed0, c->caps->cr0_fixed1);
	if (bad)
		vc_fail(c, VMCS_RULE_HOST_CR0, "host_cr0 %#lx: bits %#lx violate the fixed bits",
		        cr0, bad);
	bad = fixed_bad(cr4, c->caps->cr4_fixed0, c->caps->cr4_fixed1);
	if (bad)
		vc_fail(c, VMCS_RULE_HOST_CR4, "host_cr4 %#lx: bits %#lx violate the fixed bits",
		        cr4, bad);
	if (cr3 & ~c->pa_mask)
		vc_fail(c, VMCS_RULE_HOST_CR3, "host_cr3 %#lx sets bits beyond %u address bits",
		        cr3, c->maxphyaddr);
	if (!vc_canonical(c, vc_get(c, VMCS_HOST_SYSENTER_ESP)) ||
	    !vc_canonical(c, vc_get(c, VMCS_HOST_SYSENTER_EIP)))
		vc_fail(c, VMCS_RULE_HOST_SYSENTER,
		        "host_sysenter_esp %#lx / eip %#lx not canonical",
		        vc_get(c, VMCS_HOST_SYSENTER_ESP), vc_get(c, VMCS_HOST_SYSENTER_EIP));
	if ((c->exit & VMX_EXITCTL(LOAD_PAT)) && !vc_pat_valid(vc_get(c, VMCS_HOST_PAT)))
		vc_fail(c, VMCS_RULE_HOST_PAT, "host_pat %#lx has an invalid memory type",
		        vc_get(c, VMCS_HOST_PAT));
	if (c->exit & VMX_EXITCTL(LOAD_EFER)) {
		uint64_t efer = vc_get(c, VMCS_HOST_EFER);
		bool lma = efer & EFER_LMA, lme = efer & EFER_LME;

		if ((efer & ~EFER_DEFINED) || lma != c->host64 || lme != c->host64)
			vc_fail(c, VMCS_RULE_HOST_EFER,
			        "host_efer %#lx: reserved bits %#lx, LMA %u LME %u with host "
			        "address-space size %u",
			        efer, efer & ~EFER_DEFINED, lma, lme, c->host64);
	}
}

/* 26.2.3 */
static void check_host_segs(struct vcheck *c)
{
	static const uint32_t sels[] = {VMCS_HOST_ES_SEL, VMCS_HOST_CS_SEL, VMCS_HOST_SS_SEL,
	                                VMCS_HOST_DS_SEL, VMCS_HOST_FS_SEL, VMCS_HOST_GS_SEL,
	                                VMCS_HOST_TR_SEL};
	static const uint32_t bases[] = {VMCS_HOST_FS_BASE, VMCS_HOST_GS_BASE, VMCS_HOST_TR_BASE,
	                                 VMCS_HOST_GDTR_BASE, VMCS_HOST_IDTR_BASE};

	for (unsigned int i = 0; i < ARRAY_SIZE(sels); i++) {
		uint64_t sel = vc_get(c, sels[i]);

		if (sel & 7)
			vc_fail(c, VMCS_RULE_HOST_SEL, "%s %#lx has RPL or TI set",
			        vmcs_field_name(sels[i]), sel);
	}
	if (vc_get(c, VMCS_HOST_CS_SEL) == 0 || vc_get(c, VMCS_HOST_TR_SEL) == 0)
		vc_fail(c, VMCS_RULE_HOST_SEL_NULL, "host_cs_sel %#lx / host_tr_sel %#lx is null",
		        vc_get(c, VMCS_HOST_CS_SEL), vc_get(c, VMCS_HOST_TR_SEL));
	if (!c->host64 && vc_get(c, VMCS_HOST_SS_SEL) == 0)
		vc_fail(c, VMCS_RULE_HOST_SEL_NULL, "host_ss_sel is null for a 32-bit host");
	for (unsigned int i = 0; i < ARRAY_SIZE(bases); i++) {
		uint64_t b = vc_get(c, bases[i]);

		if (!vc_canonical(c, b))
			vc_fail(c, VMCS_RULE_HOST_BASE, "%s %#lx is not canonical",
			        vmcs_field_name(bases[i]), b);
	}
}

/* 26.2.4, for an entry made in IA-32e mode (IA32_EFER.LMA = 1), as Tandem's always are. */
static void check_addr_space(struct vcheck *c)
{
	uint64_t cr4 = vc_get(c, VMCS_HOST_CR4), rip = vc_get(c, VMCS_HOST_RIP);

	if (!c->host64) {
		vc_fail(c, VMCS_RULE_HOST_ADDR_SPACE,
		        "exit_ctls %#x: \"host address-space size\" is 0 but entry is from IA-32e "
		        "mode%s",
		        c->exit, c->ia32e_guest ? " (and the guest is IA-32e)" : "");
		if (cr4 & CR4_PCIDE)
			vc_fail(c, VMCS_RULE_HOST_PCIDE,
			        "host_cr4 %#lx sets PCIDE for a 32-bit host", cr4);
		if (rip >> 32)
			vc_fail(c, VMCS_RULE_HOST_RIP,
			        "host_rip %#lx is above 4G for a 32-bit host", rip);
		return;
	}
	if (!(cr4 & CR4_PAE))
		vc_fail(c, VMCS_RULE_HOST_PAE, "host_cr4 %#lx lacks PAE for a 64-bit host", cr4);
	if (!vc_canonical(c, rip))
		vc_fail(c, VMCS_RULE_HOST_RIP, "host_rip %#lx is not canonical", rip);
}

void vmcs_check_host(struct vcheck *c)
{
	check_host_regs(c);
	check_host_segs(c);
	check_addr_space(c);
}
