/*
 * Shared by the test_vmcs_check_*.c tests: the Bochs corei7_skylake_x and
 * corei7_haswell_4770 VMX capabilities, good snapshots built the way a
 * hypervisor would build its VMCS (64-bit, real mode with unrestricted
 * guest, 32-bit PAE), and EXPECT* assertions on the checker's report and
 * log. Each test binary includes it once.
 */
#ifndef VMCS_CHECK_FIXTURE_H
#define VMCS_CHECK_FIXTURE_H

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

static inline void use_caps(const uint64_t *raw)
{
	vmx_caps_decode(&caps, raw, VMX_CAP_PRESENT_ALL);
}

/* Caps with extra allowed-1 bits in one control MSR (plain and TRUE). */
static inline void caps_allow(unsigned int plain, unsigned int tru, uint32_t bits)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];

	memcpy(raw, skylake_x, sizeof(raw));
	raw[plain] |= (uint64_t)bits << 32;
	if (tru != plain)
		raw[tru] |= (uint64_t)bits << 32;
	use_caps(raw);
}

/* ---- Building snapshots as vmcs_setup would ------------------------------ */

static inline void build_controls(bool ia32e)
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
static inline void build_host(void)
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

static inline void set_seg(uint32_t sel_enc, uint16_t sel, uint64_t base, uint32_t limit,
                           uint32_t ar)
{
	/* The eight registers' fields are at the same offset in each group (Appendix B). */
	uint32_t i = (sel_enc - VMCS_GUEST_ES_SEL) / 2;

	vmcs_snap_set(&snap, sel_enc, sel);
	vmcs_snap_set(&snap, VMCS_GUEST_ES_BASE + 2 * i, base);
	vmcs_snap_set(&snap, VMCS_GUEST_ES_LIMIT + 2 * i, limit);
	vmcs_snap_set(&snap, VMCS_GUEST_ES_AR + 2 * i, ar);
}

#define SEG(r, sel, base, limit, ar) set_seg(VMCS_GUEST_##r##_SEL, sel, base, limit, ar)

static inline void build_guest_common(void)
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
static inline void good64(void)
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
static inline void good_real(void)
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
static inline void good_prot32(void)
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

static inline unsigned int run(void)
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

#endif
