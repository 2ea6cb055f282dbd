/*
 * The software VM-entry checker's SDM 26.2 rules: VM-execution, VM-exit and
 * VM-entry controls (26.2.1) and the host-state area (26.2.2-26.2.4). Each
 * test corrupts one field of a good snapshot (vmcs_check_fixture.h) and
 * expects exactly that rule, with its SDM section, in the log.
 */
#include <x86/cpu.h>
#include <x86/msr.h>
#include <x86/vmcs_check.h>
#include <x86/vmx_exit_reasons.h>

#include "unit.h"
#include "vmcs_check_fixture.h"

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
