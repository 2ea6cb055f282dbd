/*
 * The software VM-entry checker on guest state: good 64-bit, real-mode,
 * 32-bit PAE and virtual-8086 snapshots pass, each SDM 26.3 guest-state rule
 * catches one corrupted field of a good snapshot (vmcs_check_fixture.h), and
 * random corruption never crashes it.
 */
#include <x86/cpu.h>
#include <x86/msr.h>
#include <x86/vmcs_check.h>
#include <x86/vmx_exit_reasons.h>

#include "unit.h"
#include "vmcs_check_fixture.h"

/* ---- Good snapshots ------------------------------------------------------ */

TEST(good_64bit_guest)
{
	use_caps(skylake_x);
	good64();
	EXPECT_CLEAN();
	/* The capability adjustments kept what Tandem asked for. */
	CHECK(GET(PROC2_CTLS) & VMX_PROC2(PML));
	CHECK(GET(PIN_CTLS) & VMX_PIN(VIRTUAL_NMIS));
	CHECK(GET(ENTRY_CTLS) & VMX_ENTRYCTL(IA32E_GUEST));
}

TEST(good_64bit_guest_haswell)
{
	use_caps(haswell);
	good64();
	CHECK(!(GET(PROC2_CTLS) & VMX_PROC2(PML)));
	EXPECT_CLEAN();
}

TEST(good_real_mode_unrestricted_guest)
{
	use_caps(skylake_x);
	good_real();
	EXPECT_CLEAN();
	/* Injecting #GP in real mode: no error code (26.2.1.3). */
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 13, false));
	EXPECT_CLEAN();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 13, true));
	EXPECT1(EVENT_ERRCODE, "deliver-error-code is 1 for type 3 vector 13 in real mode");
}

TEST(good_prot32_pae_guest)
{
	use_caps(skylake_x);
	good_prot32();
	EXPECT_CLEAN();
	/* Non-present PDPTEs are not checked. */
	SET(GUEST_PDPTE2, 0xfff0000000000ffeull);
	EXPECT_CLEAN();
}

TEST(good_virtual_8086_guest)
{
	use_caps(skylake_x);
	good_prot32();
	SEG(CS, 0x1234, 0x12340, 0xffff, 0xf3);
	SEG(SS, 0x2000, 0x20000, 0xffff, 0xf3);
	SEG(DS, 0, 0, 0xffff, 0xf3);
	SEG(ES, 0, 0, 0xffff, 0xf3);
	SEG(FS, 0, 0, 0xffff, 0xf3);
	SEG(GS, 0, 0, 0xffff, 0xf3);
	SET(GUEST_RFLAGS, RFLAGS_FIXED | RFLAGS_VM | RFLAGS_IF);
	SET(GUEST_RIP, 0x100);
	EXPECT_CLEAN();
	SET(GUEST_DS_BASE, 0x10);
	EXPECT1(SEG_V86, "virtual-8086 guest DS sel 0 base 0x10");
}

TEST(good_guest_secondary_controls_off)
{
	/* With "activate secondary controls" clear, the secondary field is neither checked nor used. */
	use_caps(skylake_x);
	good64();
	AND(PROC_CTLS, ~VMX_PROC(SECONDARY));
	SET(PROC2_CTLS, 0xffffffff);
	EXPECT_CLEAN();
}

/* ---- 26.3.1.1 guest control registers and MSRs --------------------------- */

TEST(rule_guest_cr0_cr4)
{
	use_caps(skylake_x);
	good64();
	AND(GUEST_CR0, ~CR0_NE);
	EXPECT1(GUEST_CR0, "guest_cr0 0x80010013: bits 0x20 violate the fixed bits");
	good64();
	AND(GUEST_CR0, ~CR0_PE);
	EXPECT1(GUEST_CR0_PG_PE, "guest CR0 0x80010032 has PG set without PE");
	/* Without unrestricted guest, PE is a fixed bit as well. */
	good64();
	AND(PROC2_CTLS, ~VMX_PROC2(UNRESTRICTED_GUEST));
	EXPECT_CLEAN();
	AND(GUEST_CR0, ~CR0_PE);
	EXPECT(GUEST_CR0, "bits 0x1 violate the fixed bits");
	CHECK(vmcs_check_found(&rep, VMCS_RULE_GUEST_CR0_PG_PE));
	good64();
	AND(GUEST_CR4, ~CR4_VMXE);
	EXPECT1(GUEST_CR4, "guest_cr4 0x2a0: bits 0x2000 violate the fixed bits");
	good64();
	AND(GUEST_CR0, ~CR0_WP);
	OR(GUEST_CR4, 1u << 23);
	EXPECT(GUEST_CET_WP, "sets CET with CR0.WP clear");
	good64();
	AND(GUEST_CR4, ~CR4_PAE);
	EXPECT1(GUEST_IA32E, "needs CR0.PG and CR4.PAE");
	good_prot32();
	OR(GUEST_CR4, CR4_PCIDE);
	EXPECT1(GUEST_PCIDE, "guest CR4 0x22020 sets PCIDE outside IA-32e mode");
	good64();
	SET(GUEST_CR3, 0x8000000001000ull);
	EXPECT1(GUEST_CR3, "guest_cr3 0x8000000001000 sets bits beyond 40 address bits");
	/* CD and NW are never checked (entry does not load them). */
	good64();
	OR(GUEST_CR0, CR0_CD | CR0_NW);
	EXPECT_CLEAN();
}

TEST(rule_guest_msrs)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_DEBUGCTL, 4);
	EXPECT1(GUEST_DEBUGCTL, "guest_debugctl 0x4 sets reserved bits 0x4");
	good64();
	SET(GUEST_DR7, 0x100000400ull);
	EXPECT1(GUEST_DR7, "guest_dr7 0x100000400 sets bits 63:32");
	/* Not loaded, not checked. */
	AND(ENTRY_CTLS, ~VMX_ENTRYCTL(LOAD_DEBUG_CTLS));
	EXPECT_CLEAN();
	good64();
	SET(GUEST_SYSENTER_ESP, 0xff00000000000000ull);
	EXPECT1(GUEST_SYSENTER, "guest_sysenter_esp 0xff00000000000000");
	good64();
	SET(GUEST_PAT, 0x0707070707070703ull);
	EXPECT1(GUEST_PAT, "guest_pat 0x707070707070703 has an invalid memory type");
	good64();
	OR(GUEST_EFER, 2);
	EXPECT1(GUEST_EFER, "guest_efer 0xd03 sets reserved bits 0x2");
	good64();
	AND(GUEST_EFER, ~EFER_LMA);
	EXPECT1(GUEST_EFER_LMA, "guest_efer 0x901: LMA is 0 but \"IA-32e mode guest\" is 1");
	good64();
	AND(GUEST_EFER, ~EFER_LME);
	EXPECT1(GUEST_EFER_LME, "LME is 0 with CR0.PG");
	/* LME without LMA while paging is off: the moment before a guest enables long mode. */
	good_prot32();
	AND(GUEST_CR0, ~CR0_PG);
	SET(GUEST_EFER, EFER_LME);
	EXPECT_CLEAN();

	caps_allow(VMX_CAP_IDX(ENTRY_CTLS), VMX_CAP_IDX(TRUE_ENTRY_CTLS),
	           VMX_ENTRYCTL(LOAD_BNDCFGS));
	good64();
	OR(ENTRY_CTLS, VMX_ENTRYCTL(LOAD_BNDCFGS));
	SET(GUEST_BNDCFGS, 0x12345000ull | 1);
	EXPECT_CLEAN();
	SET(GUEST_BNDCFGS, 0x12345004ull);
	EXPECT1(GUEST_BNDCFGS, "guest_bndcfgs 0x12345004 sets bits 11:2");
}

/* ---- 26.3.1.2 guest segment registers --------------------------------------- */

TEST(rule_segment_selectors_and_bases)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_TR_SEL, 0x44);
	EXPECT1(SEG_SEL, "guest TR selector 0x44 has TI set");
	good64();
	SEG(LDTR, 0x4c, 0, 0, 0x82);
	EXPECT1(SEG_SEL, "guest LDTR selector 0x4c has TI set");
	/* SS.RPL = CS.RPL unless unrestricted guest. */
	good_prot32();
	AND(PROC2_CTLS, ~VMX_PROC2(UNRESTRICTED_GUEST));
	EXPECT_CLEAN();
	SET(GUEST_SS_SEL, 0x13);
	EXPECT(SEG_SEL, "guest SS selector 0x13 RPL differs from CS 0x8");
	good64();
	SET(GUEST_CS_BASE, 1ull << 32);
	EXPECT1(SEG_BASE, "guest CS base 0x100000000 sets bits 63:32");
	good64();
	SET(GUEST_FS_BASE, 0x0001000000000000ull);
	EXPECT1(SEG_BASE, "guest FS base 0x1000000000000 is not canonical");
	/* An unusable DS may hold any base. */
	good64();
	SEG(DS, 0, 0xdead00000000ull, 0, VMX_AR_UNUSABLE);
	EXPECT_CLEAN();
}

TEST(rule_segment_types)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_CS_AR, 0xa09a);
	EXPECT1(SEG_TYPE, "guest CS access rights 0xa09a: type 10 is not 3, 9, 11, 13 or 15");
	good64();
	SET(GUEST_SS_AR, 0xc09b);
	EXPECT1(SEG_TYPE, "guest SS access rights 0xc09b: type 11 is not read/write accessed data");
	good64();
	SET(GUEST_DS_AR, 0xc098);
	EXPECT1(SEG_TYPE, "guest DS access rights 0xc098: type 8 is not accessed");
	good64();
	SET(GUEST_ES_AR, 0xc092);
	EXPECT1(SEG_TYPE, "guest ES access rights 0xc092");
	good64();
	SET(GUEST_DS_AR, 0xc083);
	EXPECT1(SEG_S, "guest DS access rights 0xc083: S is clear");
	good64();
	SET(GUEST_ES_AR, 0xc013);
	EXPECT1(SEG_P, "guest ES access rights 0xc013: not present");
	good64();
	SET(GUEST_DS_AR, 0xc193);
	EXPECT1(SEG_RESERVED, "guest DS access rights 0xc193 set reserved bits 0x100");
	/* Unusable registers' other bits are not checked. */
	good64();
	SET(GUEST_FS_AR, VMX_AR_UNUSABLE | 0x100);
	EXPECT_CLEAN();
	good64();
	SET(GUEST_CS_AR, 0xe09b);
	EXPECT1(SEG_CS_DB, "guest CS access rights 0xe09b: L and D/B both set");
}

TEST(rule_segment_dpl_and_granularity)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_CS_AR, 0xa0fb);
	EXPECT1(SEG_DPL, "guest CS access rights 0xa0fb: DPL 3 with type 11 and SS.DPL 0");
	/* A conforming CS may have a DPL below SS.DPL. */
	good64();
	SET(GUEST_CS_AR, 0xa09f);
	EXPECT_CLEAN();
	good_real();
	SET(GUEST_SS_AR, 0xf3);
	EXPECT(SEG_DPL, "guest SS DPL 3 must be 0 in real mode");
	good_prot32();
	AND(PROC2_CTLS, ~VMX_PROC2(UNRESTRICTED_GUEST));
	SET(GUEST_DS_SEL, 0x13);
	EXPECT1(SEG_DPL, "guest DS DPL 0 is below its RPL (sel 0x13)");
	good64();
	SET(GUEST_SS_LIMIT, 0xffffe);
	EXPECT1(SEG_G, "guest SS limit 0xffffe with access rights 0xc093: G must be 0");
	good64();
	SET(GUEST_DS_LIMIT, 0x100000);
	SET(GUEST_DS_AR, 0x4093);
	EXPECT1(SEG_G, "guest DS limit 0x100000 with access rights 0x4093: G must be 1");
}

TEST(rule_tr_and_ldtr)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_TR_AR, 0x1008b);
	EXPECT1(SEG_TR_UNUSABLE, "guest TR access rights 0x1008b: unusable");
	good64();
	SET(GUEST_TR_AR, 0x83);
	EXPECT1(SEG_TYPE, "type 3 is not a busy 64-bit TSS (11)");
	good_prot32();
	SET(GUEST_TR_AR, 0x83); /* a 16-bit busy TSS is fine outside IA-32e mode */
	EXPECT_CLEAN();
	good64();
	SET(GUEST_TR_AR, 0x9b);
	EXPECT1(SEG_S, "guest TR access rights 0x9b: S is set");
	good64();
	SET(GUEST_TR_AR, 0x0b);
	EXPECT1(SEG_P, "guest TR access rights 0xb: not present");
	good64();
	SEG(LDTR, 0x48, 0x5000, 0xfff, 0x83);
	EXPECT1(SEG_TYPE, "guest LDTR access rights 0x83: type 3 is not LDT (2)");
	SEG(LDTR, 0x48, 0x5000, 0xfff, 0x82);
	EXPECT_CLEAN();
}

/* ---- 26.3.1.3 / 26.3.1.4 descriptor tables, RIP, RFLAGS --------------------- */

TEST(rule_descriptor_tables)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_IDTR_BASE, 0x0000f00000000000ull);
	EXPECT1(GUEST_DESC_BASE, "guest_idtr_base 0xf00000000000 is not canonical");
	good64();
	SET(GUEST_GDTR_LIMIT, 0x10000);
	EXPECT1(GUEST_DESC_LIMIT, "guest_gdtr_limit 0x10000 sets bits 31:16");
}

TEST(rule_rip_rflags)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_RIP, 0x0000800000000000ull);
	EXPECT1(GUEST_RIP, "guest_rip 0x800000000000 is not canonical");
	good_prot32();
	SET(GUEST_RIP, 0x100000000ull);
	EXPECT1(GUEST_RIP, "guest_rip 0x100000000 is above 4G outside 64-bit mode");
	/* 57-bit linear addresses make more of the address space canonical. */
	good64();
	snap.linaddr = 57;
	SET(GUEST_RIP, 0x0000800000000000ull);
	EXPECT_CLEAN();
	good64();
	AND(GUEST_RFLAGS, ~RFLAGS_FIXED);
	EXPECT1(GUEST_RFLAGS, "guest_rflags 0x200: reserved bits 0 set or bit 1 clear");
	good64();
	OR(GUEST_RFLAGS, 1u << 3);
	EXPECT1(GUEST_RFLAGS, "reserved bits 0x8 set");
	good64();
	OR(GUEST_RFLAGS, 1ull << 22);
	EXPECT1(GUEST_RFLAGS, "reserved bits 0x400000 set");
	good64();
	OR(GUEST_RFLAGS, RFLAGS_VM);
	EXPECT(GUEST_RFLAGS_VM, "guest_rflags 0x20202 sets VM in IA-32e mode");
	good_real();
	OR(GUEST_RFLAGS, RFLAGS_VM);
	EXPECT(GUEST_RFLAGS_VM, "sets VM in real mode");
	good64();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_EXT_INTR, 0x31, false));
	AND(GUEST_RFLAGS, ~RFLAGS_IF);
	EXPECT1(GUEST_RFLAGS_IF, "has IF clear while injecting external interrupt 49");
}

/* ---- 26.3.1.5 non-register state ------------------------------------------ */

TEST(rule_activity_state)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_ACTIVITY, 4);
	EXPECT1(ACTIVITY, "guest_activity 4 is not a state IA32_VMX_MISC supports");
	good64();
	SET(GUEST_ACTIVITY, VMX_ACTIVITY_HLT);
	EXPECT_CLEAN();
	SET(GUEST_INTERRUPTIBILITY, VMX_INTR_BLOCK_STI);
	EXPECT1(ACTIVITY_BLOCKING, "guest_activity 1 with STI/MOV-SS blocking");
	SET(GUEST_INTERRUPTIBILITY, 0);
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_EXT_INTR, 0x40, false));
	EXPECT_CLEAN();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 13, true));
	EXPECT1(ACTIVITY_EVENT, "guest_activity 1 blocks the injected event 0x80000b0d");
	SET(GUEST_ACTIVITY, VMX_ACTIVITY_SHUTDOWN);
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_NMI, 2, false));
	EXPECT_CLEAN();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_EXT_INTR, 0x40, false));
	EXPECT1(ACTIVITY_EVENT, "guest_activity 2 blocks");
	SET(GUEST_ACTIVITY, VMX_ACTIVITY_WAIT_SIPI);
	SET(ENTRY_INTR_INFO, 0);
	EXPECT_CLEAN();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_NMI, 2, false));
	EXPECT1(ACTIVITY_EVENT, "guest_activity 3 blocks");

	/* HLT at CPL 3 is impossible: the CPU reports it as SS.DPL != 0. */
	good64();
	SEG(CS, 0x33, 0, 0xffffffff, 0xa0fb);
	SEG(SS, 0x2b, 0, 0xffffffff, 0xc0f3);
	EXPECT_CLEAN();
	SET(GUEST_ACTIVITY, VMX_ACTIVITY_HLT);
	EXPECT1(ACTIVITY_HLT_DPL, "guest_activity HLT with SS.DPL 3");

	uint64_t raw[VMX_CAP_MSR_COUNT];
	memcpy(raw, skylake_x, sizeof(raw));
	raw[VMX_CAP_IDX(MISC)] &= ~VMX_MISC_ACT_WAIT_SIPI;
	use_caps(raw);
	good64();
	SET(GUEST_ACTIVITY, VMX_ACTIVITY_WAIT_SIPI);
	EXPECT1(ACTIVITY, "guest_activity 3 is not a state IA32_VMX_MISC supports");
}

TEST(rule_interruptibility)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_INTERRUPTIBILITY, 0x20);
	EXPECT1(INTR_RESERVED, "guest_interruptibility 0x20 sets bits 31:5");
	SET(GUEST_INTERRUPTIBILITY, VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS);
	EXPECT1(INTR_STI_MOVSS, "blocking by both STI and MOV-SS");
	SET(GUEST_INTERRUPTIBILITY, VMX_INTR_BLOCK_STI);
	EXPECT_CLEAN();
	AND(GUEST_RFLAGS, ~RFLAGS_IF);
	EXPECT1(INTR_STI_IF, "blocking by STI with RFLAGS.IF clear");
	good64();
	SET(GUEST_INTERRUPTIBILITY, VMX_INTR_BLOCK_MOV_SS);
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_EXT_INTR, 0x40, false));
	EXPECT1(INTR_EVENT, "blocks the injected external interrupt");
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_NMI, 2, false));
	EXPECT1(INTR_EVENT, "MOV-SS blocking while injecting an NMI");
	SET(GUEST_INTERRUPTIBILITY, VMX_INTR_BLOCK_NMI);
	EXPECT1(INTR_EVENT, "virtual-NMI blocking while injecting an NMI");
	/* Without virtual NMIs, NMI blocking and NMI injection may coexist. */
	AND(PIN_CTLS, ~VMX_PIN(VIRTUAL_NMIS));
	EXPECT_CLEAN();
}

/* PLATFORM.md: Bochs 2.7 leaves "blocking by SMI" set after a wait-for-SIPI exit. */
TEST(rule_smi_blocking_bochs_bug)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_INTERRUPTIBILITY, VMX_INTR_BLOCK_SMI);
	EXPECT1(INTR_SMI, "guest_interruptibility 0x4: blocking by SMI outside SMM");
	CHECK(unit_log_contains("Bochs 2.7"));
}

TEST(rule_pending_debug_exceptions)
{
	use_caps(skylake_x);
	good64();
	SET(GUEST_PENDING_DBG, 0x10);
	EXPECT1(PENDING_DBG, "guest_pending_dbg 0x10 sets reserved bits 0x10");
	good64();
	SET(GUEST_PENDING_DBG, VMX_PENDING_DBG_BS | 1);
	EXPECT_CLEAN(); /* not blocked and not halted: no BS rule */
	/* Single-stepping over STI: BS must be pending. */
	good64();
	OR(GUEST_RFLAGS, RFLAGS_TF);
	SET(GUEST_INTERRUPTIBILITY, VMX_INTR_BLOCK_STI);
	EXPECT1(PENDING_DBG_BS, "BS must be 1 with RFLAGS.TF 1 and DEBUGCTL.BTF 0");
	SET(GUEST_PENDING_DBG, VMX_PENDING_DBG_BS);
	EXPECT_CLEAN();
	SET(GUEST_DEBUGCTL, 2); /* BTF: branch stepping, no single-step trap */
	EXPECT1(PENDING_DBG_BS, "BS must be 0 with RFLAGS.TF 1 and DEBUGCTL.BTF 1");
	good64();
	SET(GUEST_PENDING_DBG, VMX_PENDING_DBG_RTM);
	EXPECT1(PENDING_DBG_RTM, "guest_pending_dbg 0x10000: an RTM debug exception");
	SET(GUEST_PENDING_DBG, VMX_PENDING_DBG_RTM | VMX_PENDING_DBG_BP);
	EXPECT_CLEAN();
}

TEST(rule_vmcs_link_pointer)
{
	use_caps(skylake_x);
	good64();
	SET(VMCS_LINK_PTR, 0);
	EXPECT1(LINK_PTR_UNUSED, "vmcs_link_ptr 0 is not ~0 without VMCS shadowing");
	good64();
	OR(PROC2_CTLS, VMX_PROC2(VMCS_SHADOWING));
	SET(VMREAD_BITMAP, 0x17000);
	SET(VMWRITE_BITMAP, 0x18000);
	SET(VMCS_LINK_PTR, 0x1b000);
	EXPECT_CLEAN();
	SET(VMCS_LINK_PTR, 0x1b001);
	EXPECT1(LINK_PTR, "vmcs_link_ptr 0x1b001 is not 4096-byte aligned");
}

/* ---- 26.3.1.6 PDPTEs ------------------------------------------------------------ */

TEST(rule_pdptes)
{
	use_caps(skylake_x);
	good_prot32();
	OR(GUEST_PDPTE1, 0x2);
	EXPECT1(GUEST_PDPTE, "guest_pdpte1 0x5003 is present with reserved bits 0x2 set");
	good_prot32();
	OR(GUEST_PDPTE3, 1ull << 63);
	EXPECT1(GUEST_PDPTE, "guest_pdpte3 0x8000000000007001");
	/* Without EPT the CPU loads them from memory, which the checker cannot see. */
	good_prot32();
	AND(PROC2_CTLS, ~(VMX_PROC2(EPT) | VMX_PROC2(UNRESTRICTED_GUEST) | VMX_PROC2(PML)));
	OR(GUEST_PDPTE1, 0x2);
	EXPECT_CLEAN();
}

/* ---- Robustness ------------------------------------------------------------------ */

TEST(empty_and_full_snapshots)
{
	use_caps(skylake_x);
	vmcs_snap_clear(&snap);
	CHECK(run() > 5);
	CHECK(unit_log_contains("vmcs-check: 26.2.1.1: pin_ctls 0: bits 0x16 must be 1"));

	/* Every field all ones: many violations, the report keeps the first 64. */
	for (unsigned int i = 0; i < VMCS_FIELD_COUNT; i++)
		vmcs_snap_set(&snap, vmcs_field_at(i), ~0ull);
	unsigned int n = run();
	CHECK(n > VMCS_CHECK_REPORT_MAX);
	CHECK_EQ(rep.count, n);
	CHECK(vmcs_check_found(&rep, VMCS_RULE_PIN_CTLS));
	CHECK_EQ(vmcs_check(&snap, &caps, NULL), n);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random corruption of good snapshots: never a crash or a sanitizer report, and a stable count. */
TEST(random_mutations)
{
	static void (*const builders[])(void) = {good64, good_real, good_prot32};
	unsigned int total = 0;

	use_caps(skylake_x);
	for (unsigned int iter = 0; iter < 30000; iter++) {
		builders[iter % 3]();
		unsigned int nmut = 1 + rng() % 3;
		for (unsigned int m = 0; m < nmut; m++) {
			unsigned int idx = rng() % VMCS_FIELD_COUNT;
			uint32_t enc = vmcs_field_at(idx);
			uint64_t r = rng();

			switch (rng() % 5) {
			case 0: /* flip one bit */
				vmcs_snap_set(&snap, enc,
				              vmcs_snap_get(&snap, enc) ^ (1ull << (r % 64)));
				break;
			case 1: /* random value */
				vmcs_snap_set(&snap, enc, r);
				break;
			case 2: /* field absent */
				vmcs_snap_unset(&snap, enc);
				break;
			case 3: /* extreme values */
				vmcs_snap_set(&snap, enc, (r & 1) ? ~0ull : 0);
				break;
			default: /* the CPU description */
				snap.maxphyaddr = (uint8_t)r;
				snap.linaddr = (uint8_t)(r >> 8);
				snap.have_vtpr = (r >> 16) & 1;
				snap.vtpr = (uint8_t)(r >> 24);
				break;
			}
		}
		unsigned int n = run();
		struct vmcs_check_report again;
		CHECK_EQ(vmcs_check(&snap, &caps, &again), n);
		CHECK_EQ(again.count, n);
		CHECK_EQ(vmcs_check(&snap, &caps, NULL), n);
		total += n != 0;
	}
	/* Most corruptions of the interesting fields are caught. */
	CHECK(total > 5000);
}
