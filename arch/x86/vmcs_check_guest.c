/*
 * VM-entry checks on the guest's registers (SDM Vol. 3C 26.3.1.1 control
 * and debug registers and MSRs, 26.3.1.3 GDTR/IDTR, 26.3.1.4 RIP/RFLAGS,
 * 26.3.1.6 PDPTEs). A failure here is a VM exit with reason 33.
 */
#include "vmcs_check_priv.h"

/* IA32_EFER bits an Intel CPU defines (Vol. 4 Table 2-2). */
#define EFER_DEFINED       (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)
/*
 * IA32_DEBUGCTL bits defined on current Intel CPUs (Vol. 3B 17.4.1, 18.x):
 * LBR, BTF, TR, BTS, BTINT, BTS_OFF_OS/USR, FREEZE_LBRS/PERFMON_ON_PMI,
 * ENABLE_UNCORE_PMI, FREEZE_WHILE_SMM, RTM_DEBUG. Bits 5:2 and 63:16 are
 * reserved (a CPU may reserve more; this checker cannot know).
 */
#define DEBUGCTL_BTF       BIT(1)
#define DEBUGCTL_RESERVED  (UINT64_C(0x3c) | ~UINT64_C(0xffff))
#define CR4_CET            BIT(23)
/* RFLAGS bits 63:22, 15, 5 and 3 are reserved; bit 1 is always 1 (Vol. 1 3.4.3). */
#define RFLAGS_RESERVED    (~UINT64_C(0x3fffff) | BIT(15) | BIT(5) | BIT(3))
/* A present PAE PDPTE reserves bits 2:1 and 8:5 (Vol. 3A 4.4.1), and bits 63:MAXPHYADDR. */
#define PDPTE_RESERVED_LOW UINT64_C(0x1e6)

/* 26.3.1.1 */
static void check_cr(struct vcheck *c)
{
	uint64_t cr0 = c->cr0, cr4 = vc_get(c, VMCS_GUEST_CR4), cr3 = vc_get(c, VMCS_GUEST_CR3);
	uint64_t fixed0 = c->caps->cr0_fixed0, fixed1 = c->caps->cr0_fixed1, bad;

	/* Entry never changes CD and NW, so they are not checked; PE and PG are free with UG. */
	fixed0 &= ~(CR0_NW | CR0_CD | (c->ug ? CR0_PE | CR0_PG : 0));
	fixed1 |= CR0_NW | CR0_CD;
	bad = (fixed0 & ~cr0) | (cr0 & ~fixed1);
	if (bad)
		vc_fail(c, VMCS_RULE_GUEST_CR0,
		        "guest_cr0 %#lx: bits %#lx violate the fixed bits%s", cr0, bad,
		        c->ug ? " (PE/PG exempt: unrestricted guest)" : "");
	if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		vc_fail(c, VMCS_RULE_GUEST_CR0_PG_PE, "guest CR0 %#lx has PG set without PE", cr0);
	bad = (c->caps->cr4_fixed0 & ~cr4) | (cr4 & ~c->caps->cr4_fixed1);
	if (bad)
		vc_fail(c, VMCS_RULE_GUEST_CR4, "guest_cr4 %#lx: bits %#lx violate the fixed bits",
		        cr4, bad);
	if ((cr4 & CR4_CET) && !(cr0 & CR0_WP))
		vc_fail(c, VMCS_RULE_GUEST_CET_WP, "guest CR4 %#lx sets CET with CR0.WP clear",
		        cr4);
	if (c->ia32e_guest && (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE)))
		vc_fail(c, VMCS_RULE_GUEST_IA32E,
		        "IA-32e mode guest with CR0 %#lx CR4 %#lx: needs CR0.PG and CR4.PAE", cr0,
		        cr4);
	if (!c->ia32e_guest && (cr4 & CR4_PCIDE))
		vc_fail(c, VMCS_RULE_GUEST_PCIDE, "guest CR4 %#lx sets PCIDE outside IA-32e mode",
		        cr4);
	if (cr3 & ~c->pa_mask)
		vc_fail(c, VMCS_RULE_GUEST_CR3, "guest_cr3 %#lx sets bits beyond %u address bits",
		        cr3, c->maxphyaddr);
}

/* 26.3.1.1, the debug registers and MSRs. */
static void check_msrs(struct vcheck *c)
{
	if (c->entry & VMX_ENTRYCTL(LOAD_DEBUG_CTLS)) {
		uint64_t dbg = vc_get(c, VMCS_GUEST_DEBUGCTL), dr7 = vc_get(c, VMCS_GUEST_DR7);

		if (dbg & DEBUGCTL_RESERVED)
			vc_fail(c, VMCS_RULE_GUEST_DEBUGCTL,
			        "guest_debugctl %#lx sets reserved bits %#lx", dbg,
			        dbg & DEBUGCTL_RESERVED);
		if (dr7 >> 32)
			vc_fail(c, VMCS_RULE_GUEST_DR7, "guest_dr7 %#lx sets bits 63:32", dr7);
	}
	if (!vc_canonical(c, vc_get(c, VMCS_GUEST_SYSENTER_ESP)) ||
	    !vc_canonical(c, vc_get(c, VMCS_GUEST_SYSENTER_EIP)))
		vc_fail(c, VMCS_RULE_GUEST_SYSENTER,
		        "guest_sysenter_esp %#lx / eip %#lx not canonical",
		        vc_get(c, VMCS_GUEST_SYSENTER_ESP), vc_get(c, VMCS_GUEST_SYSENTER_EIP));
	if ((c->entry & VMX_ENTRYCTL(LOAD_PAT)) && !vc_pat_valid(vc_get(c, VMCS_GUEST_PAT)))
		vc_fail(c, VMCS_RULE_GUEST_PAT, "guest_pat %#lx has an invalid memory type",
		        vc_get(c, VMCS_GUEST_PAT));
	if (c->entry & VMX_ENTRYCTL(LOAD_EFER)) {
		uint64_t efer = vc_get(c, VMCS_GUEST_EFER);
		bool lma = efer & EFER_LMA, lme = efer & EFER_LME;

		if (efer & ~EFER_DEFINED)
			vc_fail(c, VMCS_RULE_GUEST_EFER, "guest_efer %#lx sets reserved bits %#lx",
			        efer, efer & ~EFER_DEFINED);
		if (lma != c->ia32e_guest)
			vc_fail(c, VMCS_RULE_GUEST_EFER_LMA,
			        "guest_efer %#lx: LMA is %u but \"IA-32e mode guest\" is %u", efer,
			        lma, c->ia32e_guest);
		/* LME may differ from LMA only while paging is off (between setting LME and PG). */
		if ((c->cr0 & CR0_PG) && lme != c->ia32e_guest)
			vc_fail(
			    c, VMCS_RULE_GUEST_EFER_LME,
			    "guest_efer %#lx: LME is %u with CR0.PG but \"IA-32e mode guest\" is %u",
			    efer, lme, c->ia32e_guest);
	}
	if (c->entry & VMX_ENTRYCTL(LOAD_BNDCFGS)) {
		uint64_t b = vc_get(c, VMCS_GUEST_BNDCFGS);

		if ((b & 0xffc) || !vc_canonical(c, b & ~UINT64_C(0xfff)))
			vc_fail(c, VMCS_RULE_GUEST_BNDCFGS,
			        "guest_bndcfgs %#lx sets bits 11:2 or has a non-canonical base", b);
	}
}

/* 26.3.1.3 */
static void check_desc_tables(struct vcheck *c)
{
	static const struct {
		uint32_t base, limit;
	} t[] = {{VMCS_GUEST_GDTR_BASE, VMCS_GUEST_GDTR_LIMIT},
	         {VMCS_GUEST_IDTR_BASE, VMCS_GUEST_IDTR_LIMIT}};

	for (unsigned int i = 0; i < ARRAY_SIZE(t); i++) {
		uint64_t base = vc_get(c, t[i].base), limit = vc_get(c, t[i].limit);

		if (!vc_canonical(c, base))
			vc_fail(c, VMCS_RULE_GUEST_DESC_BASE, "%s %#lx is not canonical",
			        vmcs_field_name(t[i].base), base);
		if (limit >> 16)
			vc_fail(c, VMCS_RULE_GUEST_DESC_LIMIT, "%s %#lx sets bits 31:16",
			        vmcs_field_name(t[i].limit), limit);
	}
}

/* 26.3.1.4 */
static void check_rip_rflags(struct vcheck *c)
{
	uint64_t rip = vc_get(c, VMCS_GUEST_RIP), rf = c->rflags;
	bool cs_l = vc_get(c, VMCS_GUEST_CS_AR) & VMX_AR_L;

	if (!c->ia32e_guest || !cs_l) {
		if (rip >> 32)
			vc_fail(c, VMCS_RULE_GUEST_RIP,
			        "guest_rip %#lx is above 4G outside 64-bit mode", rip);
	} else if (!vc_canonical(c, rip)) {
		vc_fail(c, VMCS_RULE_GUEST_RIP, "guest_rip %#lx is not canonical", rip);
	}
	if ((rf & RFLAGS_RESERVED) || !(rf & RFLAGS_FIXED))
		vc_fail(c, VMCS_RULE_GUEST_RFLAGS,
		        "guest_rflags %#lx: reserved bits %#lx set or bit 1 clear", rf,
		        rf & RFLAGS_RESERVED);
	if ((rf & RFLAGS_VM) && (c->ia32e_guest || !(c->cr0 & CR0_PE)))
		vc_fail(c, VMCS_RULE_GUEST_RFLAGS_VM, "guest_rflags %#lx sets VM in %s", rf,
		        c->ia32e_guest ? "IA-32e mode" : "real mode");
	if (vc_injecting(c, INTR_TYPE_EXT_INTR) && !(rf & RFLAGS_IF))
		vc_fail(c, VMCS_RULE_GUEST_RFLAGS_IF,
		        "guest_rflags %#lx has IF clear while injecting external interrupt %u", rf,
		        intr_info_vector(c->event));
}

/* 26.3.1.6: with EPT, PAE paging takes its PDPTEs from the VMCS, so entry checks them. */
static void check_pdptes(struct vcheck *c)
{
	static const uint32_t pdpte[4] = {VMCS_GUEST_PDPTE0, VMCS_GUEST_PDPTE1, VMCS_GUEST_PDPTE2,
	                                  VMCS_GUEST_PDPTE3};
	uint64_t cr4 = vc_get(c, VMCS_GUEST_CR4);

	if (!(c->cr0 & CR0_PG) || !(cr4 & CR4_PAE) || c->ia32e_guest ||
	    !(c->proc2 & VMX_PROC2(EPT)))
		return;
	for (unsigned int i = 0; i < 4; i++) {
		uint64_t e = vc_get(c, pdpte[i]);

		if ((e & 1) && (e & (PDPTE_RESERVED_LOW | ~c->pa_mask)))
			vc_fail(c, VMCS_RULE_GUEST_PDPTE,
			        "guest_pdpte%u %#lx is present with reserved "
			        "bits %#lx set",
			        i, e, e & (PDPTE_RESERVED_LOW | ~c->pa_mask));
	}
}

void vmcs_check_guest_regs(struct vcheck *c)
{
	check_cr(c);
	check_msrs(c);
	check_desc_tables(c);
	check_rip_rflags(c);
	check_pdptes(c);
}
