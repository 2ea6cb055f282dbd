/*
 * The VMCS field table, exit-information decoding, the snapshot API and the
 * rule table of the software VM-entry checker (arch/x86/vmcs_check*.c).
 */
#include <string.h>
#include <x86/cpu.h>
#include <x86/vmcs_check.h>
#include <x86/vmx_exit_reasons.h>

#include "unit.h"
#include "vmcs_check_fixture.h"

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
