/* VMX capability decoding (arch/x86/vmx_caps.c) on canned IA32_VMX_* MSR values. */
#include <string.h>
#include <x86/vmx_caps.h>

#include "unit.h"

/*
 * Bochs 2.7 (Debian 2.7+dfsg-4+deb12u1), cpu: model=corei7_skylake_x, as read
 * at boot by a test kernel with rdmsr (MSR 0x480 + index). IA32_FEATURE_CONTROL
 * read 0x5.
 */
static const uint64_t bochs_skylake_x[VMX_CAP_MSR_COUNT] = {
    0x00d810000000002bull, /* 0x480 BASIC */
    0x0000007f00000016ull, /* 0x481 PINBASED_CTLS */
    0xf7f9fffe0401e172ull, /* 0x482 PROCBASED_CTLS */
    0x007fffff00036dffull, /* 0x483 EXIT_CTLS */
    0x0000ffff000011ffull, /* 0x484 ENTRY_CTLS */
    0x00000000600401e0ull, /* 0x485 MISC */
    0x0000000080000021ull, /* 0x486 CR0_FIXED0 */
    0x00000000ffffffffull, /* 0x487 CR0_FIXED1 */
    0x0000000000002000ull, /* 0x488 CR4_FIXED0 */
    0x00000000003727ffull, /* 0x489 CR4_FIXED1 */
    0x0000000000000034ull, /* 0x48a VMCS_ENUM */
    0x02177fff00000000ull, /* 0x48b PROCBASED_CTLS2 */
    0x00000f0106334141ull, /* 0x48c EPT_VPID_CAP */
    0x0000007f00000016ull, /* 0x48d TRUE_PINBASED_CTLS */
    0xf7f9fffe04006172ull, /* 0x48e TRUE_PROCBASED_CTLS */
    0x007fffff00036dfbull, /* 0x48f TRUE_EXIT_CTLS */
    0x0000ffff000011fbull, /* 0x490 TRUE_ENTRY_CTLS */
    0x0000000000000001ull, /* 0x491 VMFUNC */
};

/* The same Bochs with cpu: model=corei7_haswell_4770 (the second VMX configuration). */
static const uint64_t bochs_haswell_4770[VMX_CAP_MSR_COUNT] = {
    0x00d810000000002bull, 0x0000007f00000016ull, 0xf7f9fffe0401e172ull, 0x007fffff00036dffull,
    0x0000ffff000011ffull, 0x00000000200401e0ull, 0x0000000080000021ull, 0x00000000ffffffffull,
    0x0000000000002000ull, 0x00000000001727ffull, 0x0000000000000034ull, 0x00047fff00000000ull,
    0x00000f0106334141ull, 0x0000007f00000016ull, 0xf7f9fffe04006172ull, 0x007fffff00036dfbull,
    0x0000ffff000011fbull, 0x0000000000000001ull,
};

#define IDX(name)     VMX_CAP_IDX(name)
#define PRESENT(name) (1u << VMX_CAP_IDX(name))

static struct vmx_caps caps;

static void decode(const uint64_t *raw, uint32_t present)
{
	vmx_caps_decode(&caps, raw, present);
}

TEST(msr_layout)
{
	CHECK_EQ(VMX_CAP_MSR_COUNT, 18);
	CHECK_EQ(IDX(BASIC), 0);
	CHECK_EQ(IDX(EPT_VPID_CAP), 0xc);
	CHECK_EQ(IDX(VMFUNC), 0x11);
	CHECK_EQ(VMX_PROC2(EPT), 0x2);
	CHECK_EQ(VMX_PROC(SECONDARY), 0x80000000u);
	CHECK_EQ(VMX_PIN(POSTED_INTR), 0x80);
	CHECK_EQ(VMX_EXITCTL(HOST_64), 0x200);
	CHECK_EQ(VMX_ENTRYCTL(IA32E_GUEST), 0x200);
}

TEST(names)
{
	CHECK_STR(vmx_ctl_name(VMX_CTL_PIN, 6), "preempt-timer");
	CHECK_STR(vmx_ctl_name(VMX_CTL_PROC, 7), "hlt-exit");
	CHECK_STR(vmx_ctl_name(VMX_CTL_PROC2, 1), "ept");
	CHECK_STR(vmx_ctl_name(VMX_CTL_PROC2, 7), "unrestricted-guest");
	CHECK_STR(vmx_ctl_name(VMX_CTL_EXIT, 15), "ack-intr-on-exit");
	CHECK_STR(vmx_ctl_name(VMX_CTL_ENTRY, 9), "ia32e-guest");
	CHECK(vmx_ctl_name(VMX_CTL_PIN, 1) == NULL); /* reserved, default1 */
	CHECK(vmx_ctl_name(VMX_CTL_PROC2, 29) == NULL);
	CHECK(vmx_ctl_name(VMX_CTL_PIN, 32) == NULL);
	CHECK(vmx_ctl_name(VMX_CTL_KINDS, 0) == NULL);
	CHECK_STR(vmx_ctl_kind_name(VMX_CTL_PROC2), "proc2");
	/* Every named bit of each table is distinct and named once. */
	for (unsigned int k = 0; k < VMX_CTL_KINDS; k++)
		for (unsigned int a = 0; a < 32; a++)
			for (unsigned int b = a + 1; b < 32; b++) {
				const char *na = vmx_ctl_name(k, a), *nb = vmx_ctl_name(k, b);
				CHECK(!na || !nb || strcmp(na, nb) != 0);
			}
}

TEST(bochs_skylake_x_basic_and_controls)
{
	decode(bochs_skylake_x, VMX_CAP_PRESENT_ALL);
	CHECK_EQ(caps.vmcs_revision, 0x2b);
	CHECK_EQ(caps.vmcs_size, 4096);
	CHECK_EQ(caps.vmcs_memtype, VMX_MEMTYPE_WB);
	CHECK(caps.true_ctls);
	CHECK(caps.ins_outs_info);
	CHECK(!caps.addr32);
	CHECK(!caps.dual_monitor);
	CHECK(!caps.any_errcode);

	/* The TRUE_* values, not the plain ones. */
	CHECK_EQ(caps.pin.must1, 0x16);
	CHECK_EQ(caps.pin.may1, 0x7f);
	CHECK_EQ(caps.proc.must1, 0x04006172);
	CHECK_EQ(caps.proc.may1, 0xf7f9fffe);
	CHECK_EQ(caps.proc2.must1, 0);
	CHECK_EQ(caps.proc2.may1, 0x02177fff);
	CHECK_EQ(caps.exit.must1, 0x00036dfb);
	CHECK_EQ(caps.exit.may1, 0x007fffff);
	CHECK_EQ(caps.entry.must1, 0x000011fb);
	CHECK_EQ(caps.entry.may1, 0x0000ffff);

	CHECK_EQ(caps.misc.timer_rate, 0);
	CHECK_EQ(caps.misc.cr3_targets, 4);
	CHECK_EQ(caps.misc.max_msr_list, 512);
	CHECK(caps.misc.store_lma);
	CHECK(caps.misc.act_hlt && caps.misc.act_shutdown && caps.misc.act_wait_sipi);
	CHECK(caps.misc.vmwrite_any);
	CHECK(caps.misc.inject_len0);
	CHECK_EQ(caps.misc.mseg_revision, 0);
	CHECK_EQ(caps.cr0_fixed0, 0x80000021);
	CHECK_EQ(caps.cr0_fixed1, 0xffffffff);
	CHECK_EQ(caps.cr4_fixed0, 0x2000);
	CHECK_EQ(caps.cr4_fixed1, 0x3727ff);
	CHECK_EQ(caps.vmcs_max_index, 26);
	CHECK_EQ(caps.vmfunc, 1);
}

/* The feature list PLATFORM.md gives for Bochs's corei7_skylake_x. */
TEST(bochs_skylake_x_matches_platform_notes)
{
	decode(bochs_skylake_x, VMX_CAP_PRESENT_ALL);
	const struct vmx_ctl_caps *p2 = &caps.proc2;

	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(EPT)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(VPID)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(UNRESTRICTED_GUEST)));
	CHECK(vmx_ctl_allowed(&caps.pin, VMX_PIN(PREEMPT_TIMER)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(VIRT_APIC_ACCESS)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(VIRT_X2APIC)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(APIC_REG_VIRT)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(VIRT_INTR_DELIVERY)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(PAUSE_LOOP_EXIT)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(VMCS_SHADOWING)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(PML)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(XSAVES)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(TSC_SCALING)));
	CHECK(!vmx_ctl_allowed(&caps.pin, VMX_PIN(POSTED_INTR)));
	/* Not offered by this model. */
	CHECK(!vmx_ctl_allowed(&caps.proc, VMX_PROC(MTF)));
	CHECK(!vmx_ctl_allowed(&caps.proc, VMX_PROC(TERTIARY)));
	CHECK(!vmx_ctl_allowed(p2, VMX_PROC2(MODE_BASED_EPT_EXEC)));
	CHECK(vmx_ctl_allowed(&caps.proc, VMX_PROC(MSR_BITMAPS) | VMX_PROC(IO_BITMAPS)));

	CHECK(caps.ept.exec_only);
	CHECK(caps.ept.pwl4);
	CHECK(!caps.ept.pwl5);
	CHECK(caps.ept.wb);
	CHECK(caps.ept.uc);
	CHECK(caps.ept.page_2m);
	CHECK(caps.ept.page_1g);
	CHECK(caps.ept.invept && caps.ept.invept_single && caps.ept.invept_all);
	CHECK(caps.ept.ad);
	CHECK(!caps.ept.adv_exit_info);
	CHECK(caps.vpid.invvpid && caps.vpid.inv_addr && caps.vpid.inv_single);
	CHECK(caps.vpid.inv_all && caps.vpid.inv_single_ng);

	unit_log_clear();
	CHECK_EQ(vmx_caps_check(&caps), 0);
	CHECK(unit_log_contains("vmx: all required features present"));
	CHECK(unit_log_contains(
	    "vmx: optional: apic-reg-virt=yes virt-intr-delivery=yes posted-intr=no pml=yes"));
	CHECK(!unit_log_contains("missing"));
}

TEST(bochs_skylake_x_print)
{
	decode(bochs_skylake_x, VMX_CAP_PRESENT_ALL);
	unit_log_clear();
	vmx_caps_print(&caps);
	CHECK(unit_log_contains(
	    "tandem: vmx: basic rev=0x2b vmcs=4096B WB true-ctls ins-outs-info\n"));
	CHECK(unit_log_contains("tandem: vmx: pin must1=0x00000016 may1=0x0000007f: ext-intr-exit "
	                        "nmi-exit virtual-nmis preempt-timer reserved-1=0x16\n"));
	/* TRUE_PROCBASED_CTLS relaxes CR3 exiting: allowed, no longer must-be-one. */
	CHECK(unit_log_contains(" cr3-load-exit cr3-store-exit "));
	CHECK(unit_log_contains(" hlt-exit "));
	CHECK(unit_log_contains(" host-64bit "));
	CHECK(unit_log_contains(" save-debug-ctls "));
	CHECK(!unit_log_contains(" save-debug-ctls* ")); /* relaxed by TRUE_EXIT_CTLS */
	CHECK(unit_log_contains(" ept "));
	CHECK(unit_log_contains(" unrestricted-guest "));
	CHECK(unit_log_contains(" tsc-scaling"));
	CHECK(!unit_log_contains("monitor-trap-flag"));
	CHECK(!unit_log_contains("posted-intr"));
	CHECK(unit_log_contains(
	    "tandem: vmx: misc preempt-timer=tsc/1 cr3-targets=4 msr-list-max=512 "
	    "activity=hlt,shutdown,wait-sipi store-lma vmwrite-exit-info inject-len0\n"));
	CHECK(unit_log_contains("vmx: cr0 fixed0=0x80000021 fixed1=0xffffffff cr4 fixed0=0x2000 "
	                        "fixed1=0x3727ff vmcs-max-index=26\n"));
	CHECK(unit_log_contains(
	    "tandem: vmx: ept exec-only 4-level WB UC 2M 1G A/D invept single all\n"));
	CHECK(unit_log_contains("tandem: vmx: vpid invvpid address single all single-ng\n"));
	CHECK(unit_log_contains("tandem: vmx: vmfunc=0x1 (eptp-switching)\n"));

	/* Every line fits the console's line buffer comfortably. */
	const char *s = unit_log();
	size_t longest = 0;
	for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1)
		if ((size_t)(nl - s) > longest)
			longest = (size_t)(nl - s);
	CHECK(longest < 200);
	CHECK(unit_log_contains("vmx: proc2 (cont):"));
}

TEST(cpu_without_ept)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];

	memcpy(raw, bochs_skylake_x, sizeof(raw));
	raw[IDX(PROCBASED_CTLS2)] &= ~((uint64_t)VMX_PROC2(EPT) << 32);
	decode(raw, VMX_CAP_PRESENT_ALL);
	CHECK(!vmx_ctl_allowed(&caps.proc2, VMX_PROC2(EPT)));
	CHECK(vmx_ctl_allowed(&caps.proc2, VMX_PROC2(VPID)));
	CHECK(caps.vpid.invvpid); /* the MSR is still read for VPID */

	unit_log_clear();
	CHECK_EQ(vmx_caps_check(&caps), 1);
	CHECK(unit_log_contains("vmx: missing required feature: EPT\n"));
	CHECK(unit_log_contains("vmx: 1 required feature missing"));
	unit_log_clear();
	vmx_caps_print(&caps);
	CHECK(unit_log_contains("vmx: ept not available"));
}

TEST(ept_without_wb_or_invept)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];

	memcpy(raw, bochs_skylake_x, sizeof(raw));
	raw[IDX(EPT_VPID_CAP)] &= ~(VMX_EPT_WB | VMX_EPT_INVEPT);
	decode(raw, VMX_CAP_PRESENT_ALL);
	unit_log_clear();
	CHECK_EQ(vmx_caps_check(&caps), 2);
	CHECK(unit_log_contains("EPT 4-level page walk with WB paging structures"));
	CHECK(unit_log_contains("missing required feature: INVEPT"));
}

TEST(cpu_without_secondary_controls)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];
	uint64_t no2 = ~((uint64_t)VMX_PROC(SECONDARY) << 32);

	memcpy(raw, bochs_skylake_x, sizeof(raw));
	raw[IDX(PROCBASED_CTLS)] &= no2;
	raw[IDX(TRUE_PROCBASED_CTLS)] &= no2;
	decode(raw, VMX_CAP_PRESENT_ALL &
	                ~(PRESENT(PROCBASED_CTLS2) | PRESENT(EPT_VPID_CAP) | PRESENT(VMFUNC)));
	CHECK_EQ(caps.proc2.may1, 0);
	CHECK_EQ(caps.raw[IDX(PROCBASED_CTLS2)], 0);
	CHECK(!caps.ept.pwl4);
	CHECK(!caps.vpid.invvpid);
	CHECK_EQ(caps.vmfunc, 0);

	unit_log_clear();
	CHECK_EQ(vmx_caps_check(&caps), 4);
	CHECK(unit_log_contains("missing required feature: secondary controls"));
	CHECK(unit_log_contains("missing required feature: EPT\n"));
	CHECK(unit_log_contains("missing required feature: unrestricted guest"));
	CHECK(unit_log_contains("missing required feature: VPID\n"));
	CHECK(unit_log_contains("posted-intr=no pml=no"));
	unit_log_clear();
	vmx_caps_print(&caps);
	CHECK(unit_log_contains(
	    "vmx: proc2 must1=0x00000000 may1=0x00000000: (no secondary controls)"));
}

/* Secondary controls in the MSR but "activate secondary controls" not allowed: ignored. */
TEST(secondary_msr_without_primary_bit_is_ignored)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];
	uint64_t no2 = ~((uint64_t)VMX_PROC(SECONDARY) << 32);

	memcpy(raw, bochs_skylake_x, sizeof(raw));
	raw[IDX(TRUE_PROCBASED_CTLS)] &= no2;
	decode(raw, VMX_CAP_PRESENT_ALL);
	CHECK_EQ(caps.proc2.may1, 0);
	CHECK(!caps.ept.wb);
}

TEST(cpu_without_true_controls)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];

	memcpy(raw, bochs_skylake_x, sizeof(raw));
	raw[IDX(BASIC)] &= ~VMX_BASIC_TRUE_CTLS;
	decode(raw,
	       VMX_CAP_PRESENT_ALL & ~(PRESENT(TRUE_PINBASED_CTLS) | PRESENT(TRUE_PROCBASED_CTLS) |
	                               PRESENT(TRUE_EXIT_CTLS) | PRESENT(TRUE_ENTRY_CTLS)));
	CHECK(!caps.true_ctls);
	CHECK_EQ(caps.proc.must1, 0x0401e172); /* CR3 exiting etc. stay forced on */
	CHECK_EQ(caps.exit.must1, 0x00036dff);
	CHECK_EQ(caps.entry.must1, 0x000011ff);
	CHECK_EQ(caps.pin.must1, 0x16);
	unit_log_clear();
	vmx_caps_print(&caps);
	CHECK(unit_log_contains("vmx: basic rev=0x2b vmcs=4096B WB ins-outs-info\n"));
	/* Must-be-one bits are starred. */
	CHECK(unit_log_contains(" save-debug-ctls* "));
	CHECK(unit_log_contains(" cr3-load-exit* cr3-store-exit* "));
	CHECK(unit_log_contains(" hlt-exit "));
	CHECK(!unit_log_contains("warning"));
	unit_log_clear();
	CHECK_EQ(vmx_caps_check(&caps), 0);
}

/* BASIC bit 55 set but the TRUE_* MSRs faulted: fall back to the plain ones, and say so. */
TEST(true_controls_announced_but_unreadable)
{
	decode(bochs_skylake_x, VMX_CAP_PRESENT_ALL & ~PRESENT(TRUE_EXIT_CTLS));
	CHECK(!caps.true_ctls);
	CHECK_EQ(caps.exit.must1, 0x00036dff);
	CHECK_EQ(caps.proc.must1, 0x0401e172);
	unit_log_clear();
	vmx_caps_print(&caps);
	CHECK(unit_log_contains("BASIC announces TRUE_* control MSRs but they could not be read"));
}

/* A made-up older CPU: VMX without EPT, VPID or preemption timer, UC VMCS, 32-bit addresses. */
TEST(old_cpu_many_missing)
{
	uint64_t raw[VMX_CAP_MSR_COUNT] = {0};

	raw[IDX(BASIC)] = 0x0001040000000007ull; /* rev 7, 1024 B, addr32, UC */
	raw[IDX(PINBASED_CTLS)] = 0x0000003f00000016ull;
	raw[IDX(PROCBASED_CTLS)] = 0x67b9fffe0401e172ull; /* no secondary, no MSR bitmaps */
	raw[IDX(EXIT_CTLS)] = 0x0003ffff00036dffull;
	raw[IDX(ENTRY_CTLS)] = 0x00003fff000011ffull;
	raw[IDX(MISC)] = 0x0000000000040041ull;
	decode(raw, PRESENT(BASIC) | PRESENT(PINBASED_CTLS) | PRESENT(PROCBASED_CTLS) |
	                PRESENT(EXIT_CTLS) | PRESENT(ENTRY_CTLS) | PRESENT(MISC));
	CHECK_EQ(caps.vmcs_revision, 7);
	CHECK_EQ(caps.vmcs_size, 1024);
	CHECK(caps.addr32);
	CHECK_EQ(caps.vmcs_memtype, VMX_MEMTYPE_UC);
	CHECK_EQ(caps.misc.timer_rate, 1);
	CHECK(!caps.misc.act_shutdown);
	unit_log_clear();
	/* secondary, EPT, UG, VPID, preemption timer, MSR bitmaps */
	CHECK_EQ(vmx_caps_check(&caps), 6);
	CHECK(unit_log_contains("missing required feature: VMX-preemption timer"));
	CHECK(unit_log_contains("missing required feature: MSR bitmaps"));
	CHECK(!unit_log_contains("missing required feature: I/O bitmaps"));
	unit_log_clear();
	vmx_caps_print(&caps);
	CHECK(unit_log_contains("vmx: basic rev=0x7 vmcs=1024B UC addr32\n"));
	CHECK(unit_log_contains(
	    "misc preempt-timer=tsc/2 cr3-targets=4 msr-list-max=512 activity=hlt\n"));
}

TEST(posted_interrupts_offered)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];

	memcpy(raw, bochs_skylake_x, sizeof(raw));
	raw[IDX(TRUE_PINBASED_CTLS)] |= (uint64_t)VMX_PIN(POSTED_INTR) << 32;
	decode(raw, VMX_CAP_PRESENT_ALL);
	unit_log_clear();
	CHECK_EQ(vmx_caps_check(&caps), 0);
	CHECK(unit_log_contains("posted-intr=yes"));
}

TEST(absent_msrs_read_as_zero)
{
	uint64_t raw[VMX_CAP_MSR_COUNT];

	memset(raw, 0xff, sizeof(raw));
	decode(raw, PRESENT(BASIC));
	CHECK_EQ(caps.present, PRESENT(BASIC));
	CHECK_EQ(caps.pin.may1, 0);
	CHECK_EQ(caps.cr0_fixed1, 0);
	CHECK_EQ(caps.vmfunc, 0);
	decode(raw, 0xffffffffu); /* bits past the last MSR are dropped */
	CHECK_EQ(caps.present, VMX_CAP_PRESENT_ALL);
}

TEST(control_helpers)
{
	decode(bochs_skylake_x, VMX_CAP_PRESENT_ALL);
	uint32_t pin = vmx_ctl_adjust(&caps.pin, VMX_PIN(PREEMPT_TIMER) | VMX_PIN(POSTED_INTR));

	CHECK_EQ(pin, 0x16 | VMX_PIN(PREEMPT_TIMER));
	CHECK(vmx_ctl_valid(&caps.pin, pin));
	CHECK(!vmx_ctl_valid(&caps.pin, pin | VMX_PIN(POSTED_INTR)));
	CHECK(!vmx_ctl_valid(&caps.pin, VMX_PIN(PREEMPT_TIMER)));
	CHECK(vmx_ctl_valid(&caps.exit, vmx_ctl_adjust(&caps.exit, VMX_EXITCTL(HOST_64))));
	CHECK(vmx_caps_ctl(&caps, VMX_CTL_ENTRY) == &caps.entry);
	CHECK(vmx_caps_ctl(&caps, VMX_CTL_KINDS) == NULL);
}

TEST(bochs_haswell_4770)
{
	decode(bochs_haswell_4770, VMX_CAP_PRESENT_ALL);
	const struct vmx_ctl_caps *p2 = &caps.proc2;

	CHECK(
	    vmx_ctl_allowed(p2, VMX_PROC2(EPT) | VMX_PROC2(VPID) | VMX_PROC2(UNRESTRICTED_GUEST)));
	CHECK(vmx_ctl_allowed(p2, VMX_PROC2(APIC_REG_VIRT) | VMX_PROC2(VIRT_INTR_DELIVERY)));
	CHECK(!vmx_ctl_allowed(p2, VMX_PROC2(PML)));
	CHECK(!vmx_ctl_allowed(p2, VMX_PROC2(XSAVES)));
	CHECK(!vmx_ctl_allowed(p2, VMX_PROC2(TSC_SCALING)));
	CHECK(!caps.misc.inject_len0);
	unit_log_clear();
	CHECK_EQ(vmx_caps_check(&caps), 0);
	CHECK(unit_log_contains("apic-reg-virt=yes virt-intr-delivery=yes posted-intr=no pml=no"));
}
