/*
 * VM-entry checks on the guest segment registers (SDM Vol. 3C 26.3.1.2):
 * selector, base, limit and access rights of CS, SS, DS, ES, FS, GS, TR and
 * LDTR, for virtual-8086 mode, real and protected mode with unrestricted
 * guest, protected mode, and IA-32e mode.
 */
#include "vmcs_check_priv.h"

enum seg {
	ES,
	CS,
	SS,
	DS,
	FS,
	GS,
	LDTR,
	TR,
	NSEG
};

/* The VMCS lays the eight registers out in this order in each field group (Appendix B). */
static const struct {
	const char *name;
	uint32_t sel, base, limit, ar;
} segs[NSEG] = {
#define S(r)                                                                                       \
	[r] = {#r, VMCS_GUEST_##r##_SEL, VMCS_GUEST_##r##_BASE, VMCS_GUEST_##r##_LIMIT,            \
	       VMCS_GUEST_##r##_AR}
    S(ES), S(CS), S(SS), S(DS), S(FS), S(GS), S(LDTR), S(TR),
#undef S
};

struct segval {
	uint64_t sel, base;
	uint32_t limit, ar;
};

static bool usable(const struct segval *s)
{
	return !(s->ar & VMX_AR_UNUSABLE);
}

static unsigned int type_of(const struct segval *s)
{
	return s->ar & VMX_AR_TYPE_MASK;
}

/* 26.3.1.2 "Bit 15 (G)": a limit with any of bits 11:0 clear needs G=0; any of 31:20 set needs G=1. */
static void check_g(struct vcheck *c, enum seg r, const struct segval *s)
{
	bool g = s->ar & VMX_AR_G;

	if ((g && (s->limit & 0xfff) != 0xfff) || (!g && (s->limit & 0xfff00000u)))
		vc_fail(c, VMCS_RULE_SEG_G,
		        "guest %s limit %#x with access rights %#x: G must be %u", segs[r].name,
		        s->limit, s->ar, !g);
}

static void check_reserved(struct vcheck *c, enum seg r, const struct segval *s)
{
	if (s->ar & VMX_AR_RESERVED)
		vc_fail(c, VMCS_RULE_SEG_RESERVED,
		        "guest %s access rights %#x set reserved bits %#x", segs[r].name, s->ar,
		        s->ar & VMX_AR_RESERVED);
}

static void check_v86(struct vcheck *c, const struct segval *v)
{
	for (enum seg r = ES; r <= GS; r++)
		if (v[r].base != v[r].sel << 4 || v[r].limit != 0xffff || v[r].ar != 0xf3)
			vc_fail(
			    c, VMCS_RULE_SEG_V86,
			    "virtual-8086 guest %s sel %#lx base %#lx limit %#x ar %#x: needs base "
			    "sel<<4, limit 0xffff, ar 0xf3",
			    segs[r].name, v[r].sel, v[r].base, v[r].limit, v[r].ar);
}

/* Type (bits 3:0) of CS, SS, DS, ES, FS, GS outside virtual-8086 mode. */
static void check_types(struct vcheck *c, const struct segval *v)
{
	unsigned int cs = type_of(&v[CS]);

	/* Accessed code (9, 11, 13, 15), or with UG the read/write accessed data a real-mode CS may hold. */
	if (!((cs & 0x9) == 0x9 || (c->ug && cs == 3)))
		vc_fail(c, VMCS_RULE_SEG_TYPE, "guest CS access rights %#x: type %u is not %s",
		        v[CS].ar, cs, c->ug ? "3, 9, 11, 13 or 15" : "9, 11, 13 or 15");
	if (usable(&v[SS]) && type_of(&v[SS]) != 3 && type_of(&v[SS]) != 7)
		vc_fail(c, VMCS_RULE_SEG_TYPE,
		        "guest SS access rights %#x: type %u is not read/write accessed data",
		        v[SS].ar, type_of(&v[SS]));
	for (enum seg r = ES; r <= GS; r++) {
		unsigned int t = type_of(&v[r]);

		if (r == CS || r == SS || !usable(&v[r]))
			continue;
		if (!(t & VMX_AR_TYPE_ACCESSED) ||
		    ((t & VMX_AR_TYPE_CODE) && !(t & VMX_AR_TYPE_WRITABLE)))
			vc_fail(
			    c, VMCS_RULE_SEG_TYPE,
			    "guest %s access rights %#x: type %u is not accessed, or is execute-only "
			    "code",
			    segs[r].name, v[r].ar, t);
	}
}

static void check_dpls(struct vcheck *c, const struct segval *v)
{
	unsigned int cs_t = type_of(&v[CS]), cs_dpl = VMX_AR_DPL(v[CS].ar);
	unsigned int ss_dpl = VMX_AR_DPL(v[SS].ar);

	if ((cs_t == 3 && cs_dpl != 0) || ((cs_t == 9 || cs_t == 11) && cs_dpl != ss_dpl) ||
	    ((cs_t == 13 || cs_t == 15) && cs_dpl > ss_dpl))
		vc_fail(c, VMCS_RULE_SEG_DPL,
		        "guest CS access rights %#x: DPL %u with type %u and SS.DPL %u", v[CS].ar,
		        cs_dpl, cs_t, ss_dpl);
	/* SS.DPL is the CPL: it must match SS.RPL, and be 0 in real mode. */
	if (!c->ug && ss_dpl != (v[SS].sel & 3))
		vc_fail(c, VMCS_RULE_SEG_DPL, "guest SS DPL %u differs from its RPL (sel %#lx)",
		        ss_dpl, v[SS].sel);
	if ((cs_t == 3 || !(c->cr0 & CR0_PE)) && ss_dpl != 0)
		vc_fail(c, VMCS_RULE_SEG_DPL, "guest SS DPL %u must be 0 in real mode (CS type %u)",
		        ss_dpl, cs_t);
	for (enum seg r = ES; r <= GS; r++) {
		if (r == CS || r == SS || c->ug || !usable(&v[r]) || type_of(&v[r]) > 11)
			continue;
		if (VMX_AR_DPL(v[r].ar) < (v[r].sel & 3))
			vc_fail(c, VMCS_RULE_SEG_DPL, "guest %s DPL %u is below its RPL (sel %#lx)",
			        segs[r].name, VMX_AR_DPL(v[r].ar), v[r].sel);
	}
}

/* The access rights of CS, SS, DS, ES, FS, GS outside virtual-8086 mode. */
static void check_code_data(struct vcheck *c, const struct segval *v)
{
	check_types(c, v);
	check_dpls(c, v);
	for (enum seg r = ES; r <= GS; r++) {
		if (r != CS && !usable(&v[r]))
			continue;
		if (!(v[r].ar & VMX_AR_S))
			vc_fail(c, VMCS_RULE_SEG_S, "guest %s access rights %#x: S is clear",
			        segs[r].name, v[r].ar);
		if (!(v[r].ar & VMX_AR_P))
			vc_fail(c, VMCS_RULE_SEG_P, "guest %s access rights %#x: not present",
			        segs[r].name, v[r].ar);
		check_reserved(c, r, &v[r]);
		check_g(c, r, &v[r]);
	}
	if (c->ia32e_guest && (v[CS].ar & VMX_AR_L) && (v[CS].ar & VMX_AR_DB))
		vc_fail(c, VMCS_RULE_SEG_CS_DB, "guest CS access rights %#x: L and D/B both set",
		        v[CS].ar);
}

static void check_tr_ldtr(struct vcheck *c, const struct segval *v)
{
	const struct segval *tr = &v[TR], *ldtr = &v[LDTR];
	unsigned int t = type_of(tr);

	if (!usable(tr))
		vc_fail(c, VMCS_RULE_SEG_TR_UNUSABLE, "guest TR access rights %#x: unusable",
		        tr->ar);
	if (c->ia32e_guest ? t != VMX_AR_TYPE_TSS_BUSY
	                   : t != VMX_AR_TYPE_TSS_BUSY && t != VMX_AR_TYPE_TSS16_BUSY)
		vc_fail(c, VMCS_RULE_SEG_TYPE,
		        "guest TR access rights %#x: type %u is not a busy %s", tr->ar, t,
		        c->ia32e_guest ? "64-bit TSS (11)" : "TSS (3 or 11)");
	if (tr->ar & VMX_AR_S)
		vc_fail(c, VMCS_RULE_SEG_S, "guest TR access rights %#x: S is set", tr->ar);
	if (!(tr->ar & VMX_AR_P))
		vc_fail(c, VMCS_RULE_SEG_P, "guest TR access rights %#x: not present", tr->ar);
	check_reserved(c, TR, tr);
	check_g(c, TR, tr);

	if (!usable(ldtr))
		return;
	if (type_of(ldtr) != VMX_AR_TYPE_LDT)
		vc_fail(c, VMCS_RULE_SEG_TYPE,
		        "guest LDTR access rights %#x: type %u is not LDT (2)", ldtr->ar,
		        type_of(ldtr));
	if (ldtr->ar & VMX_AR_S)
		vc_fail(c, VMCS_RULE_SEG_S, "guest LDTR access rights %#x: S is set", ldtr->ar);
	if (!(ldtr->ar & VMX_AR_P))
		vc_fail(c, VMCS_RULE_SEG_P, "guest LDTR access rights %#x: not present", ldtr->ar);
	check_reserved(c, LDTR, ldtr);
	check_g(c, LDTR, ldtr);
}

static void check_sel_base(struct vcheck *c, const struct segval *v, bool v86)
{
	if (v[TR].sel & 4)
		vc_fail(c, VMCS_RULE_SEG_SEL, "guest TR selector %#lx has TI set", v[TR].sel);
	if (usable(&v[LDTR]) && (v[LDTR].sel & 4))
		vc_fail(c, VMCS_RULE_SEG_SEL, "guest LDTR selector %#lx has TI set", v[LDTR].sel);
	if (!v86 && !c->ug && (v[SS].sel & 3) != (v[CS].sel & 3))
		vc_fail(c, VMCS_RULE_SEG_SEL, "guest SS selector %#lx RPL differs from CS %#lx",
		        v[SS].sel, v[CS].sel);

	for (enum seg r = ES; r < NSEG; r++) {
		bool must_canon = r == TR || r == FS || r == GS || (r == LDTR && usable(&v[r]));
		bool must_32 = r == CS || ((r == SS || r == DS || r == ES) && usable(&v[r]));

		if (must_canon && !vc_canonical(c, v[r].base))
			vc_fail(c, VMCS_RULE_SEG_BASE, "guest %s base %#lx is not canonical",
			        segs[r].name, v[r].base);
		if (must_32 && (v[r].base >> 32))
			vc_fail(c, VMCS_RULE_SEG_BASE, "guest %s base %#lx sets bits 63:32",
			        segs[r].name, v[r].base);
	}
}

void vmcs_check_guest_segs(struct vcheck *c)
{
	struct segval v[NSEG];
	bool v86 = c->rflags & RFLAGS_VM;

	for (enum seg r = ES; r < NSEG; r++) {
		v[r].sel = vc_get(c, segs[r].sel);
		v[r].base = vc_get(c, segs[r].base);
		v[r].limit = (uint32_t)vc_get(c, segs[r].limit);
		v[r].ar = (uint32_t)vc_get(c, segs[r].ar);
	}
	check_sel_base(c, v, v86);
	if (v86)
		check_v86(c, v);
	else
		check_code_data(c, v);
	check_tr_ldtr(c, v);
}
