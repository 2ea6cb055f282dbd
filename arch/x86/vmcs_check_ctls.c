/*
 * VM-entry checks on the VMX controls (SDM Vol. 3C 26.2.1): the execution
 * controls (26.2.1.1), the exit controls (26.2.1.2) and the entry controls
 * with event injection (26.2.1.3).
 */
#include "vmcs_check_priv.h"

/* Every must-be-1 bit set and no bit the capability MSR forbids (26.2.1.1 first items). */
static void check_allowed(struct vcheck *c, enum vmcs_rule r, uint32_t enc, uint32_t v,
                          const struct vmx_ctl_caps *cap)
{
	uint32_t missing = cap->must1 & ~v, extra = v & ~cap->may1;

	if (missing)
		vc_fail(c, r, "%s %#x: bits %#x must be 1 (must1 %#x)", vmcs_field_name(enc), v,
		        missing, cap->must1);
	else if (extra)
		vc_fail(c, r, "%s %#x: bits %#x may not be 1 (may1 %#x)", vmcs_field_name(enc), v,
		        extra, cap->may1);
}

static void check_apic_ctls(struct vcheck *c)
{
	if (c->proc & VMX_PROC(TPR_SHADOW)) {
		vc_check_vmx_addr(c, VMCS_RULE_VAPIC_ADDR, VMCS_VIRTUAL_APIC_ADDR, 4096);
		if (!(c->proc2 & VMX_PROC2(VIRT_INTR_DELIVERY))) {
			uint32_t thr = (uint32_t)vc_get(c, VMCS_TPR_THRESHOLD);

			if (thr & ~0xfu)
				vc_fail(
				    c, VMCS_RULE_TPR_THRESHOLD,
				    "tpr_threshold %#x sets bits 31:4 without virtual-interrupt delivery",
				    thr);
			/* Needs the virtual-APIC page, which the caller may have read for us. */
			if (!(c->proc2 & VMX_PROC2(VIRT_APIC_ACCESS)) && c->s->have_vtpr &&
			    (thr & 0xf) > (c->s->vtpr >> 4u))
				vc_fail(c, VMCS_RULE_TPR_VTPR,
				        "tpr_threshold %#x is above the virtual TPR %#x (bits 7:4)",
				        thr, c->s->vtpr);
		}
	} else if (c->proc2 & (VMX_PROC2(VIRT_X2APIC) | VMX_PROC2(APIC_REG_VIRT) |
	                       VMX_PROC2(VIRT_INTR_DELIVERY))) {
		vc_fail(
		    c, VMCS_RULE_APICV_NEEDS_TPR_SHADOW,
		    "proc2_ctls %#x virtualizes x2APIC/APIC registers/interrupt delivery without "
		    "\"use TPR shadow\"",
		    c->proc2);
	}

	if (c->proc2 & VMX_PROC2(VIRT_APIC_ACCESS)) {
		vc_check_vmx_addr(c, VMCS_RULE_APIC_ACCESS_ADDR, VMCS_APIC_ACCESS_ADDR, 4096);
		if (c->proc2 & VMX_PROC2(VIRT_X2APIC))
			vc_fail(
			    c, VMCS_RULE_X2APIC_AND_APIC_ACCESS,
			    "proc2_ctls %#x sets both \"virtualize x2APIC mode\" and \"virtualize "
			    "APIC accesses\"",
			    c->proc2);
	}
	if ((c->proc2 & VMX_PROC2(VIRT_INTR_DELIVERY)) && !(c->pin & VMX_PIN(EXT_INTR_EXIT)))
		vc_fail(
		    c, VMCS_RULE_VID_NEEDS_EXT_INTR_EXIT,
		    "virtual-interrupt delivery without external-interrupt exiting (pin_ctls %#x)",
		    c->pin);

	if (c->pin & VMX_PIN(POSTED_INTR)) {
		uint64_t nv = vc_get(c, VMCS_POSTED_INTR_NV);

		if (!(c->proc2 & VMX_PROC2(VIRT_INTR_DELIVERY)))
			vc_fail(
			    c, VMCS_RULE_PI_NEEDS_VID,
			    "posted interrupts without virtual-interrupt delivery (proc2_ctls %#x)",
			    c->proc2);
		if (!(c->exit & VMX_EXITCTL(ACK_INTR)))
			vc_fail(c, VMCS_RULE_PI_NEEDS_ACK_INTR,
			        "posted interrupts without \"acknowledge interrupt on exit\" "
			        "(exit_ctls %#x)",
			        c->exit);
		if (nv & 0xff00)
			vc_fail(c, VMCS_RULE_PI_VECTOR, "posted_intr_nv %#lx sets bits 15:8", nv);
		/* The descriptor is 64 bytes, 64-byte aligned (24.6.8), not a page. */
		vc_check_vmx_addr(c, VMCS_RULE_PI_DESC_ADDR, VMCS_POSTED_INTR_DESC_ADDR, 64);
	}
}

/* 24.6.11: EPTP bits 2:0 memory type, 5:3 walk length - 1, 6 A/D, 7 SSS, 11:8 reserved. */
static void check_eptp(struct vcheck *c)
{
	uint64_t eptp = vc_get(c, VMCS_EPTP);
	unsigned int mt = eptp & VMX_EPTP_MEMTYPE_MASK;
	unsigned int walk = (unsigned int)((eptp & VMX_EPTP_WALK_MASK) >> VMX_EPTP_WALK_SHIFT) + 1;
	bool sss = c->caps->raw[VMX_CAP_IDX(EPT_VPID_CAP)] & VMX_EPT_SSS;

	if (!((mt == VMX_MEMTYPE_UC && c->caps->ept.uc) ||
	      (mt == VMX_MEMTYPE_WB && c->caps->ept.wb)))
		vc_fail(c, VMCS_RULE_EPTP_MEMTYPE, "eptp %#lx memory type %u is not supported",
		        eptp, mt);
	if (!((walk == 4 && c->caps->ept.pwl4) || (walk == 5 && c->caps->ept.pwl5)))
		vc_fail(c, VMCS_RULE_EPTP_WALK, "eptp %#lx page-walk length %u is not supported",
		        eptp, walk);
	if ((eptp & VMX_EPTP_AD) && !c->caps->ept.ad)
		vc_fail(c, VMCS_RULE_EPTP_AD,
		        "eptp %#lx enables accessed/dirty flags the CPU lacks", eptp);
	if ((eptp & VMX_EPTP_RESERVED_LOW) || ((eptp & VMX_EPTP_SSS) && !sss) ||
	    (eptp & ~UINT64_C(0xfff) & ~c->pa_mask))
		vc_fail(
		    c, VMCS_RULE_EPTP_RESERVED,
		    "eptp %#lx sets reserved bits (11:8, 7 without SSS, or beyond %u address bits)",
		    eptp, c->maxphyaddr);
}

static void check_ept_ctls(struct vcheck *c)
{
	bool ept = c->proc2 & VMX_PROC2(EPT);

	if ((c->proc2 & VMX_PROC2(VPID)) && vc_get(c, VMCS_VPID) == 0)
		vc_fail(c, VMCS_RULE_VPID_ZERO, "vpid is 0 with \"enable VPID\" (0 is the host's)");
	if (ept)
		check_eptp(c);
	if (c->ug && !ept)
		vc_fail(c, VMCS_RULE_UG_NEEDS_EPT,
		        "unrestricted guest without EPT (proc2_ctls %#x)", c->proc2);
	if (c->proc2 & VMX_PROC2(PML)) {
		if (!ept)
			vc_fail(c, VMCS_RULE_PML_NEEDS_EPT, "PML without EPT (proc2_ctls %#x)",
			        c->proc2);
		vc_check_vmx_addr(c, VMCS_RULE_PML_ADDR, VMCS_PML_ADDR, 4096);
	}
	if ((c->proc2 & VMX_PROC2(MODE_BASED_EPT_EXEC)) && !ept)
		vc_fail(c, VMCS_RULE_MBEC_NEEDS_EPT,
		        "mode-based execute control without EPT (proc2_ctls %#x)", c->proc2);
	if ((c->proc2 & VMX_PROC2(EPT_SUBPAGE_WRITE)) && !ept)
		vc_fail(c, VMCS_RULE_SPP_NEEDS_EPT,
		        "sub-page write permissions without EPT (proc2_ctls %#x)", c->proc2);
	if (c->proc2 & VMX_PROC2(VMFUNC)) {
		uint64_t f = vc_get(c, VMCS_VMFUNC_CTLS);

		if (f & ~c->caps->vmfunc)
			vc_fail(c, VMCS_RULE_VMFUNC_CTLS,
			        "vmfunc_ctls %#lx enables functions %#lx IA32_VMX_VMFUNC lacks", f,
			        f & ~c->caps->vmfunc);
		if (f & VMX_VMFUNC_EPTP_SWITCH) {
			if (!ept)
				vc_fail(c, VMCS_RULE_EPTP_SWITCH, "EPTP switching without EPT");
			vc_check_vmx_addr(c, VMCS_RULE_EPTP_SWITCH, VMCS_EPTP_LIST_ADDR, 4096);
		}
	}
	if (c->proc2 & VMX_PROC2(VMCS_SHADOWING)) {
		vc_check_vmx_addr(c, VMCS_RULE_SHADOW_BITMAPS, VMCS_VMREAD_BITMAP, 4096);
		vc_check_vmx_addr(c, VMCS_RULE_SHADOW_BITMAPS, VMCS_VMWRITE_BITMAP, 4096);
	}
	if (c->proc2 & VMX_PROC2(EPT_VE))
		vc_check_vmx_addr(c, VMCS_RULE_VE_INFO_ADDR, VMCS_VE_INFO_ADDR, 4096);
}

/* 26.2.1.1 */
static void check_exec_ctls(struct vcheck *c)
{
	uint32_t n = (uint32_t)vc_get(c, VMCS_CR3_TARGET_COUNT);

	check_allowed(c, VMCS_RULE_PIN_CTLS, VMCS_PIN_CTLS, c->pin, &c->caps->pin);
	check_allowed(c, VMCS_RULE_PROC_CTLS, VMCS_PROC_CTLS, c->proc, &c->caps->proc);
	/* No check at all when the secondary controls are off: they act as 0. */
	if (c->proc & VMX_PROC(SECONDARY))
		check_allowed(c, VMCS_RULE_PROC2_CTLS, VMCS_PROC2_CTLS, c->proc2, &c->caps->proc2);
	if (n > c->caps->misc.cr3_targets)
		vc_fail(c, VMCS_RULE_CR3_TARGET_COUNT,
		        "cr3_target_count %u exceeds the %u supported", n,
		        c->caps->misc.cr3_targets);
	if (c->proc & VMX_PROC(IO_BITMAPS)) {
		vc_check_vmx_addr(c, VMCS_RULE_IO_BITMAP_ADDR, VMCS_IO_BITMAP_A, 4096);
		vc_check_vmx_addr(c, VMCS_RULE_IO_BITMAP_ADDR, VMCS_IO_BITMAP_B, 4096);
	}
	if (c->proc & VMX_PROC(MSR_BITMAPS))
		vc_check_vmx_addr(c, VMCS_RULE_MSR_BITMAP_ADDR, VMCS_MSR_BITMAP, 4096);
	if (!(c->pin & VMX_PIN(NMI_EXIT)) && (c->pin & VMX_PIN(VIRTUAL_NMIS)))
		vc_fail(c, VMCS_RULE_VNMI_NEEDS_NMI_EXIT,
		        "pin_ctls %#x: virtual NMIs without NMI exiting", c->pin);
	if (!(c->pin & VMX_PIN(VIRTUAL_NMIS)) && (c->proc & VMX_PROC(NMI_WINDOW_EXIT)))
		vc_fail(c, VMCS_RULE_NMI_WINDOW_NEEDS_VNMI,
		        "proc_ctls %#x: NMI-window exiting without virtual NMIs", c->proc);
	check_apic_ctls(c);
	check_ept_ctls(c);
}

/* An MSR list of count 16-byte entries at the address in enc, all within the width. */
static void check_msr_list(struct vcheck *c, enum vmcs_rule r, uint32_t count_enc,
                           uint32_t addr_enc)
{
	uint64_t n = (uint32_t)vc_get(c, count_enc), a = vc_get(c, addr_enc);

	if (n == 0)
		return;
	vc_check_vmx_addr(c, r, addr_enc, 16);
	if (!(a & 15) && !(a & ~c->vmx_pa_mask) && ((a + n * 16 - 1) & ~c->vmx_pa_mask))
		vc_fail(c, r, "%s %#lx + %lu entries ends beyond the physical-address width",
		        vmcs_field_name(addr_enc), a, n);
}

/* 26.2.1.2 */
static void check_exit_ctls(struct vcheck *c)
{
	check_allowed(c, VMCS_RULE_EXIT_CTLS, VMCS_EXIT_CTLS, c->exit, &c->caps->exit);
	if ((c->exit & VMX_EXITCTL(SAVE_PREEMPT_TIMER)) && !(c->pin & VMX_PIN(PREEMPT_TIMER)))
		vc_fail(c, VMCS_RULE_SAVE_TIMER_NEEDS_TIMER,
		        "exit_ctls %#x saves the preemption timer, which pin_ctls %#x leaves off",
		        c->exit, c->pin);
	check_msr_list(c, VMCS_RULE_EXIT_MSR_STORE, VMCS_EXIT_MSR_STORE_COUNT,
	               VMCS_EXIT_MSR_STORE_ADDR);
	check_msr_list(c, VMCS_RULE_EXIT_MSR_LOAD, VMCS_EXIT_MSR_LOAD_COUNT,
	               VMCS_EXIT_MSR_LOAD_ADDR);
}

/* The injection itself (26.2.1.3, the VM-entry interruption-information items). */
static void check_event(struct vcheck *c)
{
	uint32_t info = c->event;
	unsigned int type = intr_info_type(info), vec = intr_info_vector(info);
	bool has_err = info & INTR_INFO_ERRCODE;
	/* Without unrestricted guest CR0.PE is 1 anyway (26.3.1.1), so only UG guests can be in real mode. */
	bool prot = !c->ug || (c->cr0 & CR0_PE);
	bool want_err = type == INTR_TYPE_HW_EXC && prot && x86_exception_has_errcode(vec);

	if (!info)
		return;
	if (type == 1 ||
	    (type == INTR_TYPE_OTHER && !vmx_ctl_allowed(&c->caps->proc, VMX_PROC(MTF))))
		vc_fail(c, VMCS_RULE_EVENT_TYPE,
		        "entry_intr_info %#x: interruption type %u is reserved", info, type);
	if ((type == INTR_TYPE_NMI && vec != 2) || (type == INTR_TYPE_HW_EXC && vec > 31) ||
	    (type == INTR_TYPE_OTHER && vec != 0))
		vc_fail(c, VMCS_RULE_EVENT_VECTOR,
		        "entry_intr_info %#x: vector %u does not fit interruption type %u", info,
		        vec, type);
	/*
	 * With IA32_VMX_BASIC[56] any hardware exception may carry an error code
	 * in protected mode; without it exactly #DF #TS #NP #SS #GP #PF #AC do.
	 */
	if (c->caps->any_errcode ? (has_err && (type != INTR_TYPE_HW_EXC || !prot))
	                         : has_err != want_err)
		vc_fail(c, VMCS_RULE_EVENT_ERRCODE,
		        "entry_intr_info %#x: deliver-error-code is %u for type %u vector %u%s",
		        info, has_err, type, vec, prot ? "" : " in real mode");
	if (info & INTR_INFO_RESERVED)
		vc_fail(c, VMCS_RULE_EVENT_RESERVED, "entry_intr_info %#x sets reserved bits 30:12",
		        info);
	if (has_err) {
		uint64_t err = vc_get(c, VMCS_ENTRY_EXCEPTION_ERRCODE);

		if (err & 0xffff0000u)
			vc_fail(c, VMCS_RULE_EVENT_ERRCODE_VALUE,
			        "entry_exception_errcode %#lx sets bits 31:16", err);
	}
	if (type == INTR_TYPE_SW_INTR || type == INTR_TYPE_PRIV_SW_EXC ||
	    type == INTR_TYPE_SW_EXC) {
		uint64_t len = vc_get(c, VMCS_ENTRY_INSN_LEN);

		if (len > 15 || (len == 0 && !c->caps->misc.inject_len0))
			vc_fail(c, VMCS_RULE_EVENT_INSN_LEN,
			        "entry_insn_len %lu for a software event of type %u (1-15%s)", len,
			        type, c->caps->misc.inject_len0 ? " or 0" : "");
	}
}

/* 26.2.1.3 */
static void check_entry_ctls(struct vcheck *c)
{
	check_allowed(c, VMCS_RULE_ENTRY_CTLS, VMCS_ENTRY_CTLS, c->entry, &c->caps->entry);
	/* Tandem never enters from SMM, where alone these two may be 1. */
	if (c->entry & (VMX_ENTRYCTL(ENTRY_TO_SMM) | VMX_ENTRYCTL(DEACT_DUAL_MONITOR)))
		vc_fail(c, VMCS_RULE_ENTRY_SMM,
		        "entry_ctls %#x: \"entry to SMM\"/\"deactivate dual-monitor treatment\" "
		        "outside SMM",
		        c->entry);
	check_event(c);
	check_msr_list(c, VMCS_RULE_ENTRY_MSR_LOAD, VMCS_ENTRY_MSR_LOAD_COUNT,
	               VMCS_ENTRY_MSR_LOAD_ADDR);
}

void vmcs_check_ctls(struct vcheck *c)
{
	check_exec_ctls(c);
	check_exit_ctls(c);
	check_entry_ctls(c);
}
