/*
 * The VMCS field table, exit-information decoding and the software VM-entry
 * checker (arch/x86/vmcs_check*.c) on snapshots built the way a hypervisor
 * would build its VMCS, for the Bochs corei7_skylake_x capabilities. Each
 * rule test corrupts one field of a good snapshot and expects exactly that
 * rule, with its SDM section, in the log.
 */
#include <stdlib.h>
#include <string.h>
#include <x86/cpu.h>
#include <x86/msr.h>
#include <x86/vmcs_check.h>
#include <x86/vmx_exit_reasons.h>

#include "unit.h"

/* Bochs 2.7 corei7_skylake_x IA32_VMX_* MSRs 0x480-0x491, as in test_vmx_caps.c. */
static const uint64_t skylake_x[VMX_CAP_MSR_COUNT] = {
    0x00d810000000002bull, 0x0000007f00000016ull, 0xf7f9fffe0401e172ull, 0x007fffff00036dffull,
    0x0000ffff000011ffull, 0x00000000600401e0ull, 0x0000000080000021ull, 0x00000000ffffffffull,
    0x0000000000002000ull, 0x00000000003727ffull, 0x0000000000000034ull, 0x02177fff00000000ull,
    0x00000f0106334141ull, 0x0000007f00000016ull, 0xf7f9fffe04006172ull, 0x007fffff00036dfbull,
    0x0000ffff000011fbull, 0x0000000000000001ull,
};
/* corei7_haswell_4770: no PML, no XSAVES, no TSC scaling. */
static const uint64_t haswell[VMX_CAP_MSR_COUNT] = {
    0x00d810000000002bull, 0x0000007f00000016ull, 0xf7f9fffe0401e172ull, 0x007fffff00036dffull,
    0x0000ffff000011ffull, 0x00000000200401e0ull, 0x0000000080000021ull, 0x00000000ffffffffull,
    0x0000000000002000ull, 0x00000000001727ffull, 0x0000000000000034ull, 0x00047fff00000000ull,
    0x00000f0106334141ull, 0x0000007f00000016ull, 0xf7f9fffe04006172ull, 0x007fffff00036dfbull,
    0x0000ffff000011fbull, 0x0000000000000001ull,
};

static struct vmx_caps caps;
static struct vmcs_snapshot snap;
static struct vmcs_check_report rep;

#define SET(f, v) vmcs_snap_set(&snap, VMCS_##f, (uint64_t)(v))
#define GET(f)    vmcs_snap_get(&snap, VMCS_##f)
#define OR(f, v)  SET(f, GET(f) | (uint64_t)(v))
#define AND(f, v) SET(f, GET(f) & (uint64_t)(v))

static void use_caps(const uint64_t *raw)
{
	vmx_caps_decode(&caps, raw, VMX_CAP_PRESENT_ALL);
}

/* Caps with extra allowed-1 bits in one control MSR (plain and TRUE). */
static void caps_allow(unsigned int plain, unsigned int tru, uint32_t bits)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];

	memcpy(raw, skylake_x, sizeof(raw));
	raw[plain] |= (uint64_t)bits << 32;
	if (tru != plain)
		raw[tru] |= (uint64_t)bits << 32;
	use_caps(raw);
}

/* ---- Building snapshots as vmcs_setup would ------------------------------ */

static void build_controls(bool ia32e)
{
	SET(PIN_CTLS,
	    vmx_ctl_adjust(&caps.pin, VMX_PIN(EXT_INTR_EXIT) | VMX_PIN(NMI_EXIT) |
	                                  VMX_PIN(VIRTUAL_NMIS) | VMX_PIN(PREEMPT_TIMER)));
	SET(PROC_CTLS, vmx_ctl_adjust(&caps.proc, VMX_PROC(HLT_EXIT) | VMX_PROC(TSC_OFFSET) |
	                                              VMX_PROC(TPR_SHADOW) | VMX_PROC(IO_BITMAPS) |
	                                              VMX_PROC(MSR_BITMAPS) | VMX_PROC(SECONDARY)));
	SET(PROC2_CTLS,
	    vmx_ctl_adjust(&caps.proc2, VMX_PROC2(EPT) | VMX_PROC2(VPID) |
	                                    VMX_PROC2(UNRESTRICTED_GUEST) | VMX_PROC2(RDTSCP) |
	                                    VMX_PROC2(VIRT_X2APIC) | VMX_PROC2(APIC_REG_VIRT) |
	                                    VMX_PROC2(VIRT_INTR_DELIVERY) | VMX_PROC2(PML) |
	                                    VMX_PROC2(INVPCID) | VMX_PROC2(XSAVES)));
	SET(EXIT_CTLS,
	    vmx_ctl_adjust(&caps.exit, VMX_EXITCTL(HOST_64) | VMX_EXITCTL(ACK_INTR) |
	                                   VMX_EXITCTL(SAVE_PAT) | VMX_EXITCTL(LOAD_PAT) |
	                                   VMX_EXITCTL(SAVE_EFER) | VMX_EXITCTL(LOAD_EFER) |
	                                   VMX_EXITCTL(SAVE_PREEMPT_TIMER)));
	SET(ENTRY_CTLS,
	    vmx_ctl_adjust(&caps.entry, (ia32e ? VMX_ENTRYCTL(IA32E_GUEST) : 0) |
	                                    VMX_ENTRYCTL(LOAD_DEBUG_CTLS) | VMX_ENTRYCTL(LOAD_PAT) |
	                                    VMX_ENTRYCTL(LOAD_EFER)));
	SET(VPID, 1);
	SET(POSTED_INTR_NV, 0);
	SET(GUEST_INTR_STATUS, 0);
	SET(GUEST_PML_INDEX, 511);
	SET(IO_BITMAP_A, 0x10000);
	SET(IO_BITMAP_B, 0x11000);
	SET(MSR_BITMAP, 0x12000);
	SET(VIRTUAL_APIC_ADDR, 0x13000);
	SET(PML_ADDR, 0x14000);
	SET(EPTP, 0x20000 | VMX_MEMTYPE_WB | (3 << VMX_EPTP_WALK_SHIFT) | VMX_EPTP_AD);
	SET(TSC_OFFSET, -1000);
	for (uint32_t f = VMCS_EOI_EXIT_BITMAP0; f <= VMCS_EOI_EXIT_BITMAP3; f += 2)
		vmcs_snap_set(&snap, f, 0);
	SET(EXCEPTION_BITMAP, 1u << 18);
	SET(PF_ERRCODE_MASK, 0);
	SET(PF_ERRCODE_MATCH, 0);
	SET(CR3_TARGET_COUNT, 0);
	SET(EXIT_MSR_STORE_COUNT, 0);
	SET(EXIT_MSR_LOAD_COUNT, 0);
	SET(ENTRY_MSR_LOAD_COUNT, 0);
	SET(ENTRY_INTR_INFO, 0);
	SET(ENTRY_EXCEPTION_ERRCODE, 0);
	SET(ENTRY_INSN_LEN, 0);
	SET(TPR_THRESHOLD, 0);
	SET(CR0_MASK, CR0_PE | CR0_PG | CR0_NE);
	SET(CR4_MASK, CR4_VMXE);
	SET(PREEMPT_TIMER_VALUE, 100000);
}

/* Tandem's own state as vmx_cpu_on leaves it: 64-bit, identity mapped at 1 MiB. */
static void build_host(void)
{
	SET(HOST_CR0, CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE);
	SET(HOST_CR3, 0x200000);
	SET(HOST_CR4, CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_VMXE);
	SET(HOST_CS_SEL, 0x08);
	SET(HOST_SS_SEL, 0x10);
	SET(HOST_DS_SEL, 0x10);
	SET(HOST_ES_SEL, 0x10);
	SET(HOST_FS_SEL, 0);
	SET(HOST_GS_SEL, 0);
	SET(HOST_TR_SEL, 0x18);
	SET(HOST_FS_BASE, 0);
	SET(HOST_GS_BASE, 0x150000);
	SET(HOST_TR_BASE, 0x150040);
	SET(HOST_GDTR_BASE, 0x150080);
	SET(HOST_IDTR_BASE, 0x160000);
	SET(HOST_SYSENTER_CS, 0);
	SET(HOST_SYSENTER_ESP, 0);
	SET(HOST_SYSENTER_EIP, 0);
	SET(HOST_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	SET(HOST_PAT, 0x0007040600070406ull);
	SET(HOST_RSP, 0x40008000);
	SET(HOST_RIP, 0x101000);
}

static void set_seg(uint32_t sel_enc, uint16_t sel, uint64_t base, uint32_t limit, uint32_t ar)
{
	/* The eight registers' fields are at the same offset in each group (Appendix B). */
	uint32_t i = (sel_enc - VMCS_GUEST_ES_SEL) / 2;

	vmcs_snap_set(&snap, sel_enc, sel);
	vmcs_snap_set(&snap, VMCS_GUEST_ES_BASE + 2 * i, base);
	vmcs_snap_set(&snap, VMCS_GUEST_ES_LIMIT + 2 * i, limit);
	vmcs_snap_set(&snap, VMCS_GUEST_ES_AR + 2 * i, ar);
}

#define SEG(r, sel, base, limit, ar) set_seg(VMCS_GUEST_##r##_SEL, sel, base, limit, ar)

static void build_guest_common(void)
{
	SET(GUEST_DR7, 0x400);
	SET(GUEST_DEBUGCTL, 0);
	SET(GUEST_PAT, 0x0007040600070406ull);
	SET(GUEST_SYSENTER_CS, 0);
	SET(GUEST_SYSENTER_ESP, 0);
	SET(GUEST_SYSENTER_EIP, 0);
	SET(GUEST_ACTIVITY, VMX_ACTIVITY_ACTIVE);
	SET(GUEST_INTERRUPTIBILITY, 0);
	SET(GUEST_PENDING_DBG, 0);
	SET(VMCS_LINK_PTR, VMX_VMCS_LINK_NONE);
	SET(GUEST_SMBASE, 0);
	for (uint32_t f = VMCS_GUEST_PDPTE0; f <= VMCS_GUEST_PDPTE3; f += 2)
		vmcs_snap_set(&snap, f, 0);
	snap.maxphyaddr = 40;
	snap.linaddr = 48;
}

/* A Linux kernel in 64-bit mode. */
static void good64(void)
{
	vmcs_snap_clear(&snap);
	build_controls(true);
	build_host();
	build_guest_common();
	SET(CR0_SHADOW, CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE);
	SET(CR4_SHADOW, CR4_PAE | CR4_PGE | CR4_OSFXSR);
	SET(GUEST_CR0, CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE);
	SET(GUEST_CR3, 0x1000);
	SET(GUEST_CR4, CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_VMXE);
	SET(GUEST_EFER, EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE);
	SEG(CS, 0x10, 0, 0xffffffff, 0xa09b);
	SEG(SS, 0x18, 0, 0xffffffff, 0xc093);
	SEG(DS, 0x18, 0, 0xffffffff, 0xc093);
	SEG(ES, 0x18, 0, 0xffffffff, 0xc093);
	SEG(FS, 0, 0, 0, VMX_AR_UNUSABLE);
	SEG(GS, 0, 0xffff888000000000ull, 0, VMX_AR_UNUSABLE);
	SEG(LDTR, 0, 0, 0, VMX_AR_UNUSABLE);
	SEG(TR, 0x40, 0xfffffe0000003000ull, 0x206f, 0x8b);
	SET(GUEST_GDTR_BASE, 0xfffffe0000001000ull);
	SET(GUEST_GDTR_LIMIT, 0x7f);
	SET(GUEST_IDTR_BASE, 0xfffffe0000000000ull);
	SET(GUEST_IDTR_LIMIT, 0xfff);
	SET(GUEST_RSP, 0xffffc90000004000ull);
	SET(GUEST_RIP, 0xffffffff81000000ull);
	SET(GUEST_RFLAGS, RFLAGS_FIXED | RFLAGS_IF);
}

/* Reset state of an x86 CPU at F000:FFF0, run with unrestricted guest. */
static void good_real(void)
{
	vmcs_snap_clear(&snap);
	build_controls(false);
	build_host();
	build_guest_common();
	SET(CR0_SHADOW, CR0_ET | CR0_CD | CR0_NW);
	SET(CR4_SHADOW, 0);
	SET(GUEST_CR0, CR0_ET | CR0_NE | CR0_CD | CR0_NW);
	SET(GUEST_CR3, 0);
	SET(GUEST_CR4, CR4_VMXE);
	SET(GUEST_EFER, 0);
	SEG(CS, 0xf000, 0xf0000, 0xffff, 0x9b);
	SEG(SS, 0, 0, 0xffff, 0x93);
	SEG(DS, 0, 0, 0xffff, 0x93);
	SEG(ES, 0, 0, 0xffff, 0x93);
	SEG(FS, 0, 0, 0xffff, 0x93);
	SEG(GS, 0, 0, 0xffff, 0x93);
	SEG(LDTR, 0, 0, 0xffff, 0x82);
	SEG(TR, 0, 0, 0xffff, 0x8b);
	SET(GUEST_GDTR_BASE, 0);
	SET(GUEST_GDTR_LIMIT, 0xffff);
	SET(GUEST_IDTR_BASE, 0);
	SET(GUEST_IDTR_LIMIT, 0x3ff);
	SET(GUEST_RSP, 0);
	SET(GUEST_RIP, 0xfff0);
	SET(GUEST_RFLAGS, RFLAGS_FIXED);
}

/* 32-bit protected mode with PAE paging: with EPT its PDPTEs come from the VMCS. */
static void good_prot32(void)
{
	vmcs_snap_clear(&snap);
	build_controls(false);
	build_host();
	build_guest_common();
	SET(CR0_SHADOW, CR0_PG | CR0_WP | CR0_ET | CR0_PE);
	SET(CR4_SHADOW, CR4_PAE);
	SET(GUEST_CR0, CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE);
	SET(GUEST_CR3, 0x3000);
	SET(GUEST_CR4, CR4_PAE | CR4_VMXE);
	SET(GUEST_EFER, 0);
	SET(GUEST_PDPTE0, 0x4001);
	SET(GUEST_PDPTE1, 0x5001);
	SET(GUEST_PDPTE2, 0x6001);
	SET(GUEST_PDPTE3, 0x7001);
	SEG(CS, 0x08, 0, 0xffffffff, 0xc09b);
	SEG(SS, 0x10, 0, 0xffffffff, 0xc093);
	SEG(DS, 0x10, 0, 0xffffffff, 0xc093);
	SEG(ES, 0x10, 0, 0xffffffff, 0xc093);
	SEG(FS, 0x10, 0, 0xffffffff, 0xc093);
	SEG(GS, 0x10, 0, 0xffffffff, 0xc093);
	SEG(LDTR, 0, 0, 0, VMX_AR_UNUSABLE);
	SEG(TR, 0x18, 0x9000, 0x67, 0x8b);
	SET(GUEST_GDTR_BASE, 0x8000);
	SET(GUEST_GDTR_LIMIT, 0x1f);
	SET(GUEST_IDTR_BASE, 0x8800);
	SET(GUEST_IDTR_LIMIT, 0x7ff);
	SET(GUEST_RSP, 0x90000);
	SET(GUEST_RIP, 0x100000);
	SET(GUEST_RFLAGS, RFLAGS_FIXED);
}

/* ---- Assertions ------------------------------------------------------------ */

static unsigned int run(void)
{
	unit_log_clear();
	return vmcs_check(&snap, &caps, &rep);
}

/* The check reports rule r, once among the violations, with needle in its log line. */
#define EXPECT(r, needle)                                                                          \
	do {                                                                                       \
		run();                                                                             \
		CHECK(vmcs_check_found(&rep, VMCS_RULE_##r));                                      \
		CHECK(unit_log_contains(needle));                                                  \
		CHECK(unit_log_contains(vmcs_rule_section(VMCS_RULE_##r)));                        \
		if (!vmcs_check_found(&rep, VMCS_RULE_##r) || !unit_log_contains(needle))          \
			printf("  log was:\n%s", unit_log());                                      \
	} while (0)

/* Exactly one violation, of rule r. */
#define EXPECT1(r, needle)                                                                         \
	do {                                                                                       \
		EXPECT(r, needle);                                                                 \
		CHECK_EQ(rep.count, 1);                                                            \
		if (rep.count != 1)                                                                \
			printf("  log was:\n%s", unit_log());                                      \
	} while (0)

#define EXPECT_CLEAN()                                                                             \
	do {                                                                                       \
		unsigned int n_ = run();                                                           \
		CHECK_EQ(n_, 0);                                                                   \
		CHECK(!unit_log_contains("vmcs-check"));                                           \
		if (n_)                                                                            \
			printf("  log was:\n%s", unit_log());                                      \
	} while (0)

/* ---- The field table --------------------------------------------------- */

TEST(field_encodings)
{
	CHECK_EQ(VMCS_VPID, 0x0000);
	CHECK_EQ(VMCS_GUEST_TR_SEL, 0x080e);
	CHECK_EQ(VMCS_HOST_TR_SEL, 0x0c0c);
	CHECK_EQ(VMCS_EPTP, 0x201a);
	CHECK_EQ(VMCS_POSTED_INTR_DESC_ADDR, 0x2016);
	CHECK_EQ(VMCS_TSC_MULTIPLIER, 0x2032);
	CHECK_EQ(VMCS_GUEST_PHYS_ADDR, 0x2400);
	CHECK_EQ(VMCS_VMCS_LINK_PTR, 0x2800);
	CHECK_EQ(VMCS_GUEST_PDPTE3, 0x2810);
	CHECK_EQ(VMCS_HOST_PERF_GLOBAL_CTRL, 0x2c04);
	CHECK_EQ(VMCS_PROC2_CTLS, 0x401e);
	CHECK_EQ(VMCS_VM_INSN_ERROR, 0x4400);
	CHECK_EQ(VMCS_EXIT_INSN_INFO, 0x440e);
	CHECK_EQ(VMCS_GUEST_INTERRUPTIBILITY, 0x4824);
	CHECK_EQ(VMCS_PREEMPT_TIMER_VALUE, 0x482e);
	CHECK_EQ(VMCS_HOST_SYSENTER_CS, 0x4c00);
	CHECK_EQ(VMCS_CR3_TARGET3, 0x600e);
	CHECK_EQ(VMCS_GUEST_LINEAR_ADDR, 0x640a);
	CHECK_EQ(VMCS_GUEST_RIP, 0x681e);
	CHECK_EQ(VMCS_GUEST_PENDING_DBG, 0x6822);
	CHECK_EQ(VMCS_HOST_RIP, 0x6c16);
	CHECK_EQ(vmcs_field_width(VMCS_GUEST_CS_SEL), VMCS_WIDTH_16);
	CHECK_EQ(vmcs_field_width(VMCS_EPTP), VMCS_WIDTH_64);
	CHECK_EQ(vmcs_field_width(VMCS_EXIT_REASON), VMCS_WIDTH_32);
	CHECK_EQ(vmcs_field_width(VMCS_GUEST_RIP), VMCS_WIDTH_NAT);
	CHECK_EQ(vmcs_field_bits(VMCS_GUEST_CS_SEL), 16);
	CHECK_EQ(vmcs_field_bits(VMCS_EPTP), 64);
	CHECK_EQ(vmcs_field_bits(VMCS_HIGH(VMCS_EPTP)), 32);
	CHECK_EQ(vmcs_field_bits(VMCS_PIN_CTLS), 32);
	CHECK_STR(vmcs_field_group(VMCS_GUEST_RIP), "natural-width guest-state");
	CHECK_STR(vmcs_field_group(VMCS_EXIT_REASON), "32-bit exit-information");
	CHECK_STR(vmcs_field_group(VMCS_VPID), "16-bit control");
	CHECK_STR(vmcs_field_group(VMCS_HOST_EFER), "64-bit host-state");
}

TEST(field_table)
{
	REQUIRE(VMCS_FIELD_COUNT > 190);
	for (unsigned int i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint32_t e = vmcs_field_at(i);

		/* Sorted and unique: the lookup is a binary search. */
		if (i)
			CHECK(vmcs_field_at(i - 1) < e);
		CHECK_EQ(vmcs_field_index(e), i);
		CHECK(vmcs_field_name(e) != NULL);
		CHECK_EQ(vmcs_field_index(VMCS_HIGH(e)), -1);
		for (unsigned int j = 0; j < i; j++)
			CHECK(strcmp(vmcs_field_name(e), vmcs_field_name(vmcs_field_at(j))) != 0);
	}
	CHECK_STR(vmcs_field_name(VMCS_GUEST_CR0), "guest_cr0");
	CHECK_STR(vmcs_field_name(VMCS_EXIT_QUAL), "exit_qual");
	CHECK(vmcs_field_name(0x1234) == NULL);
	CHECK_EQ(vmcs_field_index(0xffffffff), -1);
	CHECK_EQ(vmcs_field_at(VMCS_FIELD_COUNT), ~0u);
}

/* The accessors' width check is a constant expression on the encoding. */
TEST(width_check_is_static)
{
	_Static_assert(VMCS_FIELD_WIDTH(VMCS_GUEST_ES_SEL) == VMCS_WIDTH_16, "16");
	_Static_assert(VMCS_FIELD_WIDTH(VMCS_VMCS_LINK_PTR) == VMCS_WIDTH_64, "64");
	_Static_assert(VMCS_FIELD_WIDTH(VMCS_GUEST_ACTIVITY) == VMCS_WIDTH_32, "32");
	_Static_assert(VMCS_FIELD_WIDTH(VMCS_CR0_MASK) == VMCS_WIDTH_NAT, "nat");
	_Static_assert(VMCS_FIELD_TYPE(VMCS_HOST_RIP) == VMCS_TYPE_HOST, "host");
	_Static_assert(VMCS_FIELD_TYPE(VMCS_EXIT_QUAL) == VMCS_TYPE_RO, "ro");
	CHECK(1);
}

/* ---- Exit information -------------------------------------------------- */

TEST(exit_reasons_and_errors)
{
	CHECK_STR(vmx_exit_reason_name(VMX_EXIT_EPT_VIOLATION), "ept-violation");
	CHECK_EQ(VMX_EXIT_EPT_VIOLATION, 48);
	CHECK_EQ(VMX_EXIT_EPT_MISCONFIG, 49);
	CHECK_EQ(VMX_EXIT_ENTRY_FAIL_GUEST, 33);
	CHECK_EQ(VMX_EXIT_ENTRY_FAIL_MSR, 34);
	CHECK_EQ(VMX_EXIT_PREEMPT_TIMER, 52);
	CHECK_EQ(VMX_EXIT_XSETBV, 55);
	CHECK_EQ(VMX_EXIT_PCONFIG, 65);
	CHECK_STR(vmx_exit_reason_name(0), "exception-or-nmi");
	CHECK_STR(vmx_exit_reason_name(33), "entry-fail-guest-state");
	CHECK(vmx_exit_reason_name(35) == NULL);
	CHECK(vmx_exit_reason_name(71) == NULL);
	CHECK(vmx_exit_reason_name(VMX_EXIT_REASON_MAX) == NULL);
	CHECK(vmx_exit_reason_name(0xffffffff) == NULL);
	CHECK_EQ(VMX_EXIT_REASON_BASIC(0x80000021u), 33);
	CHECK_STR(vmx_insn_error_name(7), "VM entry with invalid control field(s)");
	CHECK_STR(vmx_insn_error_name(8), "VM entry with invalid host-state field(s)");
	CHECK_STR(vmx_insn_error_name(VMX_INSN_ERR_BAD_INVEPT_INVVPID),
	          "Invalid operand to INVEPT/INVVPID");
	CHECK(vmx_insn_error_name(0) == NULL);
	CHECK(vmx_insn_error_name(14) == NULL);
	CHECK(vmx_insn_error_name(29) == NULL);
	CHECK(vmx_insn_error_name(1000) == NULL);
}

TEST(exit_qualifications)
{
	/* MOV CR4, R13 (to CR); LMSW from memory with source 0x000f; CLTS. */
	struct vmx_cr_qual cr = vmx_cr_qual(0x0d04);
	CHECK_EQ(cr.cr, 4);
	CHECK_EQ(cr.type, CR_ACCESS_MOV_TO);
	CHECK_EQ(cr.gpr, 13);
	cr = vmx_cr_qual(0x000f0070);
	CHECK_EQ(cr.type, CR_ACCESS_LMSW);
	CHECK(cr.lmsw_mem);
	CHECK_EQ(cr.lmsw_data, 0xf);
	CHECK_EQ(vmx_cr_qual(0x23).type, CR_ACCESS_CLTS);
	CHECK_EQ(vmx_cr_qual(0x113).type, CR_ACCESS_MOV_FROM);

	/* IN AL, 0x71 (imm); REP OUTSW to DX=0x3f8; OUT DX, EAX. */
	struct vmx_io_qual io = vmx_io_qual(0x00710048);
	CHECK_EQ(io.size, 1);
	CHECK(io.in && io.imm && !io.string);
	CHECK_EQ(io.port, 0x71);
	io = vmx_io_qual(0x03f80031);
	CHECK_EQ(io.size, 2);
	CHECK(!io.in && io.string && io.rep && !io.imm);
	CHECK_EQ(io.port, 0x3f8);
	CHECK_EQ(vmx_io_qual(0x00000003).size, 4);

	/* A write to a read-only page, from a guest linear access; a guest page-walk read. */
	struct vmx_ept_qual e = vmx_ept_qual(0x18a);
	CHECK(e.write && !e.read && !e.fetch);
	CHECK(e.readable && !e.writable && !e.executable);
	CHECK(e.gla_valid && e.gla_final);
	e = vmx_ept_qual(0x81);
	CHECK(e.read && e.gla_valid && !e.gla_final);
	CHECK(vmx_ept_qual(EPT_QUAL_NMI_UNBLOCK).nmi_unblock);

	uint32_t i = intr_info(INTR_TYPE_HW_EXC, 14, true);
	CHECK_EQ(i, 0x80000b0e);
	CHECK_EQ(intr_info_type(i), INTR_TYPE_HW_EXC);
	CHECK_EQ(intr_info_vector(i), 14);
	CHECK(x86_exception_has_errcode(8) && x86_exception_has_errcode(17));
	CHECK(!x86_exception_has_errcode(6) && !x86_exception_has_errcode(40));
}

/* ---- Snapshots and the rule table ---------------------------------------- */

TEST(snapshot_api)
{
	vmcs_snap_clear(&snap);
	CHECK(!vmcs_snap_has(&snap, VMCS_GUEST_RIP));
	CHECK(vmcs_snap_set(&snap, VMCS_GUEST_RIP, 0x1234));
	CHECK(vmcs_snap_has(&snap, VMCS_GUEST_RIP));
	CHECK_EQ(vmcs_snap_get(&snap, VMCS_GUEST_RIP), 0x1234);
	CHECK(!vmcs_snap_set(&snap, VMCS_HIGH(VMCS_EPTP), 1));
	CHECK(!vmcs_snap_set(&snap, 0x7777, 1));
	CHECK_EQ(vmcs_snap_get(&snap, 0x7777), 0);
	vmcs_snap_unset(&snap, VMCS_GUEST_RIP);
	CHECK(!vmcs_snap_has(&snap, VMCS_GUEST_RIP));
	CHECK_EQ(vmcs_snap_get(&snap, VMCS_GUEST_RIP), 0);
	CHECK(vmcs_snap_set(&snap, VMCS_HOST_INTR_SSP_TABLE, 5)); /* the last field */
	CHECK_EQ(vmcs_snap_get(&snap, VMCS_HOST_INTR_SSP_TABLE), 5);
}

TEST(rule_table)
{
	for (unsigned int r = 0; r < VMCS_RULE_COUNT; r++) {
		CHECK(strncmp(vmcs_rule_section(r), "26.", 3) == 0);
		for (unsigned int q = 0; q < r; q++)
			CHECK(strcmp(vmcs_rule_name(r), vmcs_rule_name(q)) != 0);
	}
	CHECK_STR(vmcs_rule_name(VMCS_RULE_GUEST_CR0_PG_PE), "GUEST_CR0_PG_PE");
	CHECK_STR(vmcs_rule_section(VMCS_RULE_HOST_SEL), "26.2.3");
	CHECK_STR(vmcs_rule_name(VMCS_RULE_COUNT), "?");
}

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

/* ---- 26.2.1.1 execution controls ------------------------------------------ */

TEST(rule_control_capabilities)
{
	use_caps(skylake_x);
	good64();
	AND(PIN_CTLS, ~0x2u);
	EXPECT1(PIN_CTLS, "pin_ctls 0x7d: bits 0x2 must be 1 (must1 0x16)");
	good64();
	OR(PROC_CTLS, VMX_PROC(MTF));
	EXPECT1(PROC_CTLS, "bits 0x8000000 may not be 1");
	good64();
	OR(PROC2_CTLS, 1u << 29);
	EXPECT1(PROC2_CTLS, "proc2_ctls 0x");
	good64();
	OR(EXIT_CTLS, 1u << 31);
	EXPECT1(EXIT_CTLS, "exit_ctls 0x");
	good64();
	OR(ENTRY_CTLS, VMX_ENTRYCTL(LOAD_BNDCFGS));
	EXPECT1(ENTRY_CTLS, "entry_ctls 0x");
	/* Bochs's skylake_x has no posted interrupts. */
	good64();
	OR(PIN_CTLS, VMX_PIN(POSTED_INTR));
	EXPECT(PIN_CTLS, "bits 0x80 may not be 1");
}

TEST(rule_cr3_targets_and_bitmaps)
{
	use_caps(skylake_x);
	good64();
	SET(CR3_TARGET_COUNT, 5);
	EXPECT1(CR3_TARGET_COUNT, "cr3_target_count 5 exceeds the 4 supported");
	good64();
	SET(IO_BITMAP_B, 0x11001);
	EXPECT1(IO_BITMAP_ADDR, "io_bitmap_b 0x11001 is not 4096-byte aligned");
	good64();
	SET(MSR_BITMAP, 1ull << 45);
	EXPECT1(MSR_BITMAP_ADDR, "msr_bitmap 0x200000000000 is beyond the physical-address width");
	/* Without the "use I/O bitmaps" control the addresses are not looked at. */
	good64();
	AND(PROC_CTLS, ~VMX_PROC(IO_BITMAPS));
	SET(IO_BITMAP_A, 0x123);
	EXPECT_CLEAN();
}

TEST(rule_addr32_limits_vmx_structures)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];

	memcpy(raw, skylake_x, sizeof(raw));
	raw[VMX_CAP_IDX(BASIC)] |= VMX_BASIC_ADDR32;
	use_caps(raw);
	good64();
	SET(MSR_BITMAP, 0x100000000ull);
	EXPECT1(MSR_BITMAP_ADDR, "(32 bits, IA32_VMX_BASIC[48])");
}

TEST(rule_tpr_shadow)
{
	use_caps(skylake_x);
	good64();
	SET(VIRTUAL_APIC_ADDR, 0x13080);
	EXPECT1(VAPIC_ADDR, "virtual_apic_addr 0x13080 is not 4096-byte aligned");

	/* Without virtual-interrupt delivery the threshold is a 4-bit priority. */
	good64();
	AND(PROC2_CTLS, ~VMX_PROC2(VIRT_INTR_DELIVERY));
	EXPECT_CLEAN();
	SET(TPR_THRESHOLD, 0x10);
	EXPECT1(TPR_THRESHOLD, "tpr_threshold 0x10 sets bits 31:4");

	good64();
	AND(PROC2_CTLS, ~VMX_PROC2(VIRT_INTR_DELIVERY));
	SET(TPR_THRESHOLD, 5);
	snap.have_vtpr = true;
	snap.vtpr = 0x20;
	EXPECT1(TPR_VTPR, "tpr_threshold 0x5 is above the virtual TPR 0x20");
	snap.vtpr = 0x50;
	EXPECT_CLEAN();

	good64();
	AND(PROC_CTLS, ~VMX_PROC(TPR_SHADOW));
	EXPECT1(APICV_NEEDS_TPR_SHADOW, "without \"use TPR shadow\"");
}

TEST(rule_nmi_controls)
{
	use_caps(skylake_x);
	good64();
	AND(PIN_CTLS, ~VMX_PIN(NMI_EXIT));
	EXPECT1(VNMI_NEEDS_NMI_EXIT, "virtual NMIs without NMI exiting");
	good64();
	AND(PIN_CTLS, ~VMX_PIN(VIRTUAL_NMIS));
	EXPECT_CLEAN();
	OR(PROC_CTLS, VMX_PROC(NMI_WINDOW_EXIT));
	EXPECT1(NMI_WINDOW_NEEDS_VNMI, "NMI-window exiting without virtual NMIs");
}

TEST(rule_apic_virtualization)
{
	use_caps(skylake_x);
	good64();
	OR(PROC2_CTLS, VMX_PROC2(VIRT_APIC_ACCESS));
	SET(APIC_ACCESS_ADDR, 0xfee00000);
	EXPECT1(X2APIC_AND_APIC_ACCESS, "sets both \"virtualize x2APIC mode\"");
	AND(PROC2_CTLS, ~VMX_PROC2(VIRT_X2APIC));
	EXPECT_CLEAN();
	SET(APIC_ACCESS_ADDR, 0xfee00800);
	EXPECT1(APIC_ACCESS_ADDR, "apic_access_addr 0xfee00800 is not 4096-byte aligned");
	good64();
	AND(PIN_CTLS, ~VMX_PIN(EXT_INTR_EXIT));
	EXPECT1(VID_NEEDS_EXT_INTR_EXIT, "virtual-interrupt delivery without external-interrupt");
}

TEST(rule_posted_interrupts)
{
	caps_allow(VMX_CAP_IDX(PINBASED_CTLS), VMX_CAP_IDX(TRUE_PINBASED_CTLS),
	           VMX_PIN(POSTED_INTR));
	good64();
	OR(PIN_CTLS, VMX_PIN(POSTED_INTR));
	SET(POSTED_INTR_NV, 0xf2);
	SET(POSTED_INTR_DESC_ADDR, 0x15040);
	EXPECT_CLEAN();
	SET(POSTED_INTR_NV, 0x1f2);
	EXPECT1(PI_VECTOR, "posted_intr_nv 0x1f2 sets bits 15:8");
	SET(POSTED_INTR_NV, 0xf2);
	SET(POSTED_INTR_DESC_ADDR, 0x15020);
	EXPECT1(PI_DESC_ADDR, "posted_intr_desc_addr 0x15020 is not 64-byte aligned");
	SET(POSTED_INTR_DESC_ADDR, 0x15040);
	AND(EXIT_CTLS, ~VMX_EXITCTL(ACK_INTR));
	EXPECT1(PI_NEEDS_ACK_INTR, "without \"acknowledge interrupt on exit\"");
	OR(EXIT_CTLS, VMX_EXITCTL(ACK_INTR));
	AND(PROC2_CTLS, ~VMX_PROC2(VIRT_INTR_DELIVERY));
	EXPECT1(PI_NEEDS_VID, "posted interrupts without virtual-interrupt delivery");
}

TEST(rule_vpid_and_eptp)
{
	use_caps(skylake_x);
	good64();
	SET(VPID, 0);
	EXPECT1(VPID_ZERO, "vpid is 0");
	good64();
	SET(EPTP, (GET(EPTP) & ~7ull) | VMX_MEMTYPE_UC);
	EXPECT_CLEAN();
	SET(EPTP, (GET(EPTP) & ~7ull) | 5);
	EXPECT1(EPTP_MEMTYPE, "memory type 5 is not supported");
	good64();
	SET(EPTP, (GET(EPTP) & ~VMX_EPTP_WALK_MASK) | (4 << VMX_EPTP_WALK_SHIFT));
	EXPECT1(EPTP_WALK, "page-walk length 5 is not supported");
	good64();
	OR(EPTP, 0x100);
	EXPECT1(EPTP_RESERVED, "eptp 0x2015e sets reserved bits");
	good64();
	OR(EPTP, 1ull << 44);
	EXPECT1(EPTP_RESERVED, "beyond 40 address bits");
	good64();
	OR(EPTP, VMX_EPTP_SSS);
	EXPECT1(EPTP_RESERVED, "7 without SSS");

	uint64_t raw[VMX_CAP_MSR_COUNT];
	memcpy(raw, skylake_x, sizeof(raw));
	raw[VMX_CAP_IDX(EPT_VPID_CAP)] &= ~VMX_EPT_AD;
	use_caps(raw);
	good64();
	EXPECT1(EPTP_AD, "eptp 0x2005e enables accessed/dirty flags the CPU lacks");
}

TEST(rule_ept_dependents)
{
	use_caps(skylake_x);
	good64();
	AND(PROC2_CTLS, ~(VMX_PROC2(EPT) | VMX_PROC2(PML)));
	EXPECT1(UG_NEEDS_EPT, "unrestricted guest without EPT");
	good64();
	AND(PROC2_CTLS, ~(VMX_PROC2(EPT) | VMX_PROC2(UNRESTRICTED_GUEST)));
	EXPECT1(PML_NEEDS_EPT, "PML without EPT");
	good64();
	SET(PML_ADDR, 0x14008);
	EXPECT1(PML_ADDR, "pml_addr 0x14008 is not 4096-byte aligned");
	good64();
	OR(PROC2_CTLS, VMX_PROC2(MODE_BASED_EPT_EXEC));
	AND(PROC2_CTLS, ~(VMX_PROC2(EPT) | VMX_PROC2(UNRESTRICTED_GUEST) | VMX_PROC2(PML)));
	EXPECT(MBEC_NEEDS_EPT, "mode-based execute control without EPT");
	CHECK(vmcs_check_found(&rep, VMCS_RULE_PROC2_CTLS)); /* and Bochs does not offer it */
	good64();
	OR(PROC2_CTLS, VMX_PROC2(EPT_SUBPAGE_WRITE));
	AND(PROC2_CTLS, ~(VMX_PROC2(EPT) | VMX_PROC2(UNRESTRICTED_GUEST) | VMX_PROC2(PML)));
	EXPECT(SPP_NEEDS_EPT, "sub-page write permissions without EPT");
}

TEST(rule_vmfunc_shadowing_ve)
{
	use_caps(skylake_x);
	good64();
	OR(PROC2_CTLS, VMX_PROC2(VMFUNC));
	SET(VMFUNC_CTLS, VMX_VMFUNC_EPTP_SWITCH);
	SET(EPTP_LIST_ADDR, 0x16000);
	EXPECT_CLEAN();
	SET(VMFUNC_CTLS, 3);
	EXPECT1(VMFUNC_CTLS, "vmfunc_ctls 0x3 enables functions 0x2");
	SET(VMFUNC_CTLS, 1);
	SET(EPTP_LIST_ADDR, 0x16008);
	EXPECT1(EPTP_SWITCH, "eptp_list_addr 0x16008 is not 4096-byte aligned");

	good64();
	OR(PROC2_CTLS, VMX_PROC2(VMCS_SHADOWING));
	SET(VMREAD_BITMAP, 0x17000);
	SET(VMWRITE_BITMAP, 0x17800);
	EXPECT1(SHADOW_BITMAPS, "vmwrite_bitmap 0x17800 is not 4096-byte aligned");

	good64();
	OR(PROC2_CTLS, VMX_PROC2(EPT_VE));
	SET(VE_INFO_ADDR, 0x18004);
	EXPECT1(VE_INFO_ADDR, "ve_info_addr 0x18004");
}

/* ---- 26.2.1.2 / 26.2.1.3 exit and entry controls -------------------------- */

TEST(rule_exit_controls)
{
	use_caps(skylake_x);
	good64();
	AND(PIN_CTLS, ~VMX_PIN(PREEMPT_TIMER));
	EXPECT1(SAVE_TIMER_NEEDS_TIMER, "saves the preemption timer");
	good64();
	SET(EXIT_MSR_STORE_COUNT, 2);
	SET(EXIT_MSR_STORE_ADDR, 0x19008);
	EXPECT1(EXIT_MSR_STORE, "exit_msr_store_addr 0x19008 is not 16-byte aligned");
	good64();
	SET(EXIT_MSR_LOAD_COUNT, 2);
	SET(EXIT_MSR_LOAD_ADDR, (1ull << 40) - 16);
	EXPECT1(EXIT_MSR_LOAD, "+ 2 entries ends beyond the physical-address width");
	SET(EXIT_MSR_LOAD_COUNT, 1);
	EXPECT_CLEAN();
	/* A count of 0 means no list: the address is not checked. */
	SET(EXIT_MSR_LOAD_COUNT, 0);
	SET(EXIT_MSR_LOAD_ADDR, 3);
	EXPECT_CLEAN();
}

TEST(rule_entry_controls)
{
	use_caps(skylake_x);
	good64();
	OR(ENTRY_CTLS, VMX_ENTRYCTL(DEACT_DUAL_MONITOR));
	EXPECT1(ENTRY_SMM, "outside SMM");
	good64();
	SET(ENTRY_MSR_LOAD_COUNT, 1);
	SET(ENTRY_MSR_LOAD_ADDR, 0x1a004);
	EXPECT1(ENTRY_MSR_LOAD, "entry_msr_load_addr 0x1a004 is not 16-byte aligned");
}

TEST(rule_event_injection)
{
	use_caps(skylake_x);
	good64();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 14, true));
	SET(ENTRY_EXCEPTION_ERRCODE, 2);
	EXPECT_CLEAN();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_EXT_INTR, 0x20, false));
	EXPECT_CLEAN();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_NMI, 2, false));
	EXPECT_CLEAN();

	SET(ENTRY_INTR_INFO, INTR_INFO_VALID | (1u << INTR_INFO_TYPE_SHIFT) | 32);
	EXPECT1(EVENT_TYPE, "interruption type 1 is reserved");
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_OTHER, 0, false));
	EXPECT1(EVENT_TYPE, "interruption type 7 is reserved"); /* no MTF on this model */
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_NMI, 3, false));
	EXPECT1(EVENT_VECTOR, "vector 3 does not fit interruption type 2");
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 40, false));
	EXPECT1(EVENT_VECTOR, "vector 40 does not fit interruption type 3");
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 13, false));
	EXPECT1(EVENT_ERRCODE, "deliver-error-code is 0 for type 3 vector 13");
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 6, true));
	EXPECT1(EVENT_ERRCODE, "deliver-error-code is 1 for type 3 vector 6");
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 14, true) | INTR_INFO_NMI_UNBLOCK);
	EXPECT1(EVENT_RESERVED, "sets reserved bits 30:12");
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 13, true));
	SET(ENTRY_EXCEPTION_ERRCODE, 0x10000);
	EXPECT1(EVENT_ERRCODE_VALUE, "entry_exception_errcode 0x10000 sets bits 31:16");

	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_SW_INTR, 0x80, false));
	SET(ENTRY_INSN_LEN, 2);
	EXPECT_CLEAN();
	SET(ENTRY_INSN_LEN, 0); /* allowed: IA32_VMX_MISC[30] */
	EXPECT_CLEAN();
	SET(ENTRY_INSN_LEN, 16);
	EXPECT1(EVENT_INSN_LEN, "entry_insn_len 16 for a software event of type 4 (1-15 or 0)");

	uint64_t raw[VMX_CAP_MSR_COUNT];
	memcpy(raw, skylake_x, sizeof(raw));
	raw[VMX_CAP_IDX(MISC)] &= ~VMX_MISC_INJECT_LEN0;
	use_caps(raw);
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_SW_EXC, 3, false));
	SET(ENTRY_INSN_LEN, 0);
	EXPECT1(EVENT_INSN_LEN, "entry_insn_len 0 for a software event of type 6 (1-15)");

	/* With IA32_VMX_BASIC[56] any protected-mode hardware exception may carry one. */
	memcpy(raw, skylake_x, sizeof(raw));
	raw[VMX_CAP_IDX(BASIC)] |= VMX_BASIC_ANY_ERRCODE;
	use_caps(raw);
	good64();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_HW_EXC, 6, true));
	EXPECT_CLEAN();
	SET(ENTRY_INTR_INFO, intr_info(INTR_TYPE_EXT_INTR, 0x30, true));
	EXPECT1(EVENT_ERRCODE, "deliver-error-code is 1 for type 0 vector 48");
}

/* ---- 26.2.2-26.2.4 host state ------------------------------------------- */

TEST(rule_host_control_registers)
{
	use_caps(skylake_x);
	good64();
	AND(HOST_CR0, ~CR0_NE);
	EXPECT1(HOST_CR0, "host_cr0 0x80010013: bits 0x20 violate the fixed bits");
	good64();
	AND(HOST_CR4, ~CR4_VMXE);
	EXPECT1(HOST_CR4, "host_cr4 0x6a0: bits 0x2000 violate the fixed bits");
	good64();
	OR(HOST_CR4, CR4_LA57);
	EXPECT1(HOST_CR4, "bits 0x1000 violate");
	good64();
	SET(HOST_CR3, 1ull << 40);
	EXPECT1(HOST_CR3, "host_cr3 0x10000000000 sets bits beyond 40 address bits");
	good64();
	SET(HOST_SYSENTER_EIP, 0x0000800000000000ull);
	EXPECT1(HOST_SYSENTER, "not canonical");
	good64();
	SET(HOST_PAT, 0x0007040600070402ull);
	EXPECT1(HOST_PAT, "host_pat 0x7040600070402 has an invalid memory type");
	good64();
	AND(HOST_EFER, ~EFER_LMA);
	EXPECT1(HOST_EFER, "LMA 0 LME 1 with host address-space size 1");
	good64();
	OR(HOST_EFER, 1u << 9);
	EXPECT1(HOST_EFER, "reserved bits 0x200");
}

TEST(rule_host_segments)
{
	use_caps(skylake_x);
	good64();
	SET(HOST_DS_SEL, 0x13);
	EXPECT1(HOST_SEL, "host_ds_sel 0x13 has RPL or TI set");
	good64();
	SET(HOST_TR_SEL, 0);
	EXPECT1(HOST_SEL_NULL, "host_tr_sel 0 is null");
	good64();
	SET(HOST_CS_SEL, 0);
	EXPECT1(HOST_SEL_NULL, "host_cs_sel 0");
	good64();
	SET(HOST_GS_BASE, 0x0000800000000000ull);
	EXPECT1(HOST_BASE, "host_gs_base 0x800000000000 is not canonical");
	/* A null SS is fine for a 64-bit host. */
	good64();
	SET(HOST_SS_SEL, 0);
	EXPECT_CLEAN();
}

TEST(rule_host_address_space)
{
	use_caps(skylake_x);
	good64();
	AND(EXIT_CTLS, ~VMX_EXITCTL(HOST_64));
	EXPECT(HOST_ADDR_SPACE, "\"host address-space size\" is 0 but entry is from IA-32e mode");
	CHECK(vmcs_check_found(&rep, VMCS_RULE_HOST_EFER)); /* EFER.LMA no longer matches */
	good64();
	AND(HOST_CR4, ~CR4_PAE);
	EXPECT1(HOST_PAE, "lacks PAE for a 64-bit host");
	good64();
	SET(HOST_RIP, 0x0000900000000000ull);
	EXPECT1(HOST_RIP, "host_rip 0x900000000000 is not canonical");
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
