/*
 * Decoding and logging of the VMX capability MSRs (SDM Vol. 3C Appendix A).
 * Pure: no MSR access here, so host unit tests run it on canned values.
 */
#include <format.h>
#include <log.h>
#include <string.h>
#include <x86/vmx_caps.h>

static const char *const pin_names[32] = {
#define X(name, bit, str) [bit] = str,
    VMX_PIN_CTLS(X)
#undef X
};
static const char *const proc_names[32] = {
#define X(name, bit, str) [bit] = str,
    VMX_PROC_CTLS(X)
#undef X
};
static const char *const proc2_names[32] = {
#define X(name, bit, str) [bit] = str,
    VMX_PROC2_CTLS(X)
#undef X
};
static const char *const exit_names[32] = {
#define X(name, bit, str) [bit] = str,
    VMX_EXIT_CTLS(X)
#undef X
};
static const char *const entry_names[32] = {
#define X(name, bit, str) [bit] = str,
    VMX_ENTRY_CTLS(X)
#undef X
};

static const struct {
	const char *name;
	const char *const *bits;
} ctl_kinds[VMX_CTL_KINDS] = {
    [VMX_CTL_PIN] = {"pin", pin_names},       [VMX_CTL_PROC] = {"proc", proc_names},
    [VMX_CTL_PROC2] = {"proc2", proc2_names}, [VMX_CTL_EXIT] = {"exit", exit_names},
    [VMX_CTL_ENTRY] = {"entry", entry_names},
};

const char *vmx_ctl_name(enum vmx_ctl_kind kind, unsigned int bit)
{
	if ((unsigned int)kind >= VMX_CTL_KINDS || bit >= 32)
		return NULL;
	return ctl_kinds[kind].bits[bit];
}

const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind)
{
	return (unsigned int)kind < VMX_CTL_KINDS ? ctl_kinds[kind].name : "?";
}

const struct vmx_ctl_caps *vmx_caps_ctl(const struct vmx_caps *c, enum vmx_ctl_kind kind)
{
	switch (kind) {
	case VMX_CTL_PIN:
		return &c->pin;
	case VMX_CTL_PROC:
		return &c->proc;
	case VMX_CTL_PROC2:
		return &c->proc2;
	case VMX_CTL_EXIT:
		return &c->exit;
	case VMX_CTL_ENTRY:
		return &c->entry;
	default:
		return NULL;
	}
}

static bool has(const struct vmx_caps *c, unsigned int idx)
{
	return (c->present >> idx) & 1;
}

static struct vmx_ctl_caps ctl_from(uint64_t v)
{
	return (struct vmx_ctl_caps){.must1 = (uint32_t)v, .may1 = (uint32_t)(v >> 32)};
}

/* The TRUE_* MSR when BASIC says it exists and it was read, else the plain one. */
static struct vmx_ctl_caps ctl_pick(const struct vmx_caps *c, unsigned int plain, unsigned int tru)
{
	if (c->true_ctls && has(c, tru))
		return ctl_from(c->raw[tru]);
	if (has(c, plain))
		return ctl_from(c->raw[plain]);
	return (struct vmx_ctl_caps){0, 0};
}

void vmx_caps_decode(struct vmx_caps *c, const uint64_t raw[VMX_CAP_MSR_COUNT], uint32_t present)
{
	memset(c, 0, sizeof(*c));
	c->present = present & VMX_CAP_PRESENT_ALL;
	for (unsigned int i = 0; i < VMX_CAP_MSR_COUNT; i++)
		c->raw[i] = has(c, i) ? raw[i] : 0;

	uint64_t b = c->raw[VMX_CAP_IDX(BASIC)];
	c->vmcs_revision = (uint32_t)(b & VMX_BASIC_REVISION_MASK);
	c->vmcs_size = (uint32_t)((b >> VMX_BASIC_SIZE_SHIFT) & VMX_BASIC_SIZE_MASK);
	c->vmcs_memtype = (uint8_t)((b >> VMX_BASIC_MEMTYPE_SHIFT) & VMX_BASIC_MEMTYPE_MASK);
	c->addr32 = b & VMX_BASIC_ADDR32;
	c->dual_monitor = b & VMX_BASIC_DUAL_MONITOR;
	c->ins_outs_info = b & VMX_BASIC_INS_OUTS_INFO;
	c->any_errcode = b & VMX_BASIC_ANY_ERRCODE;
	c->true_ctls = (b & VMX_BASIC_TRUE_CTLS) && has(c, VMX_CAP_IDX(TRUE_PINBASED_CTLS)) &&
	               has(c, VMX_CAP_IDX(TRUE_PROCBASED_CTLS)) &&
	               has(c, VMX_CAP_IDX(TRUE_EXIT_CTLS)) && has(c, VMX_CAP_IDX(TRUE_ENTRY_CTLS));

	c->pin = ctl_pick(c, VMX_CAP_IDX(PINBASED_CTLS), VMX_CAP_IDX(TRUE_PINBASED_CTLS));
	c->proc = ctl_pick(c, VMX_CAP_IDX(PROCBASED_CTLS), VMX_CAP_IDX(TRUE_PROCBASED_CTLS));
	c->exit = ctl_pick(c, VMX_CAP_IDX(EXIT_CTLS), VMX_CAP_IDX(TRUE_EXIT_CTLS));
	c->entry = ctl_pick(c, VMX_CAP_IDX(ENTRY_CTLS), VMX_CAP_IDX(TRUE_ENTRY_CTLS));
	if (vmx_ctl_allowed(&c->proc, VMX_PROC(SECONDARY)) && has(c, VMX_CAP_IDX(PROCBASED_CTLS2)))
		c->proc2 = ctl_from(c->raw[VMX_CAP_IDX(PROCBASED_CTLS2)]);

	uint64_t m = c->raw[VMX_CAP_IDX(MISC)];
	c->misc.timer_rate = (uint8_t)(m & VMX_MISC_TIMER_RATE_MASK);
	c->misc.store_lma = m & VMX_MISC_STORE_LMA;
	c->misc.act_hlt = m & VMX_MISC_ACT_HLT;
	c->misc.act_shutdown = m & VMX_MISC_ACT_SHUTDOWN;
	c->misc.act_wait_sipi = m & VMX_MISC_ACT_WAIT_SIPI;
	c->misc.pt_in_vmx = m & VMX_MISC_PT_IN_VMX;
	c->misc.smbase_rdmsr = m & VMX_MISC_SMBASE_RDMSR;
	c->misc.cr3_targets =
	    (uint16_t)((m >> VMX_MISC_CR3_TARGET_SHIFT) & VMX_MISC_CR3_TARGET_MASK);
	c->misc.max_msr_list =
	    512u * (uint32_t)(((m >> VMX_MISC_MSR_LIST_SHIFT) & VMX_MISC_MSR_LIST_MASK) + 1);
	c->misc.smm_vmxoff_block = m & VMX_MISC_SMM_VMXOFF_BLOCK;
	c->misc.vmwrite_any = m & VMX_MISC_VMWRITE_ANY;
	c->misc.inject_len0 = m & VMX_MISC_INJECT_LEN0;
	c->misc.mseg_revision = (uint32_t)(m >> VMX_MISC_MSEG_REV_SHIFT);

	c->cr0_fixed0 = c->raw[VMX_CAP_IDX(CR0_FIXED0)];
	c->cr0_fixed1 = c->raw[VMX_CAP_IDX(CR0_FIXED1)];
	c->cr4_fixed0 = c->raw[VMX_CAP_IDX(CR4_FIXED0)];
	c->cr4_fixed1 = c->raw[VMX_CAP_IDX(CR4_FIXED1)];
	c->vmcs_max_index =
	    (uint32_t)((c->raw[VMX_CAP_IDX(VMCS_ENUM)] >> VMX_VMCS_ENUM_MAX_INDEX_SHIFT) &
	               VMX_VMCS_ENUM_MAX_INDEX_MASK);

	/* The EPT/VPID MSR exists only if EPT or VPID may be enabled (A.10). */
	if (vmx_ctl_allowed(&c->proc2, VMX_PROC2(EPT)) ||
	    vmx_ctl_allowed(&c->proc2, VMX_PROC2(VPID))) {
		uint64_t e = c->raw[VMX_CAP_IDX(EPT_VPID_CAP)];

		c->ept.exec_only = e & VMX_EPT_EXEC_ONLY;
		c->ept.pwl4 = e & VMX_EPT_PWL4;
		c->ept.pwl5 = e & VMX_EPT_PWL5;
		c->ept.uc = e & VMX_EPT_UC;
		c->ept.wb = e & VMX_EPT_WB;
		c->ept.page_2m = e & VMX_EPT_2M;
		c->ept.page_1g = e & VMX_EPT_1G;
		c->ept.invept = e & VMX_EPT_INVEPT;
		c->ept.ad = e & VMX_EPT_AD;
		c->ept.adv_exit_info = e & VMX_EPT_ADV_EXIT_INFO;
		c->ept.invept_single = e & VMX_EPT_INVEPT_SINGLE;
		c->ept.invept_all = e & VMX_EPT_INVEPT_ALL;
		c->vpid.invvpid = e & VMX_VPID_INVVPID;
		c->vpid.inv_addr = e & VMX_VPID_INV_ADDR;
		c->vpid.inv_single = e & VMX_VPID_INV_SINGLE;
		c->vpid.inv_all = e & VMX_VPID_INV_ALL;
		c->vpid.inv_single_ng = e & VMX_VPID_INV_SINGLE_NG;
	}
	if (vmx_ctl_allowed(&c->proc2, VMX_PROC2(VMFUNC)))
		c->vmfunc = c->raw[VMX_CAP_IDX(VMFUNC)];
}

/* ---- logging ----------------------------------------------------------- */

/* A line being assembled; flushed with a "vmx: <head>" prefix when full. */
struct line {
	char buf[200];
	size_t len;
	const char *head;
	bool cont;
};

#define WRAP_AT 120

static void line_flush(struct line *l)
{
	if (l->len == 0 && l->cont)
		return;
	log_info("vmx: %s%s%s", l->head, l->cont ? " (cont):" : "", l->buf);
	l->len = 0;
	l->buf[0] = '\0';
	l->cont = true;
}

static void __printf(2, 3) line_add(struct line *l, const char *fmt, ...)
{
	char word[64];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = kvsnprintf(word, sizeof(word), fmt, ap);
	va_end(ap);
	if (n >= sizeof(word))
		n = sizeof(word) - 1;
	if (l->len > 0 && l->len + n > WRAP_AT)
		line_flush(l);
	memcpy(l->buf + l->len, word, n + 1);
	l->len += n;
}

static const char *memtype_name(unsigned int t)
{
	switch (t) {
	case VMX_MEMTYPE_UC:
		return "UC";
	case VMX_MEMTYPE_WB:
		return "WB";
	default:
		return "memtype?";
	}
}

static void print_ctl(const struct vmx_caps *c, enum vmx_ctl_kind kind)
{
	const struct vmx_ctl_caps *ctl = vmx_caps_ctl(c, kind);
	struct line l = {.head = vmx_ctl_kind_name(kind)};
	uint32_t rsvd1 = 0, unknown = 0;

	line_add(&l, " must1=0x%08x may1=0x%08x:", ctl->must1, ctl->may1);
	if (kind == VMX_CTL_PROC2 && !vmx_ctl_allowed(&c->proc, VMX_PROC(SECONDARY))) {
		line_add(&l, " (no secondary controls)");
		line_flush(&l);
		return;
	}
	for (unsigned int bit = 0; bit < 32; bit++) {
		uint32_t m = 1u << bit;
		const char *name = vmx_ctl_name(kind, bit);

		if (!(ctl->may1 & m))
			continue;
		if (!name) {
			if (ctl->must1 & m)
				rsvd1 |= m;
			else
				unknown |= m;
			continue;
		}
		line_add(&l, " %s%s", name, ctl->must1 & m ? "*" : "");
	}
	if (rsvd1)
		line_add(&l, " reserved-1=%#x", rsvd1);
	if (unknown)
		line_add(&l, " unnamed=%#x", unknown);
	line_flush(&l);
}

void vmx_caps_print(const struct vmx_caps *c)
{
	log_info("vmx: basic rev=%#x vmcs=%uB %s%s%s%s%s%s", c->vmcs_revision, c->vmcs_size,
	         memtype_name(c->vmcs_memtype), c->true_ctls ? " true-ctls" : "",
	         c->ins_outs_info ? " ins-outs-info" : "", c->any_errcode ? " any-errcode" : "",
	         c->addr32 ? " addr32" : "", c->dual_monitor ? " dual-monitor" : "");
	if (!c->true_ctls && (c->raw[VMX_CAP_IDX(BASIC)] & VMX_BASIC_TRUE_CTLS))
		log_warn("vmx: BASIC announces TRUE_* control MSRs but they could not be read");
	log_info("vmx: controls: name* = must be 1; others may be 1 (%s MSRs)",
	         c->true_ctls ? "TRUE_*" : "plain");
	for (unsigned int k = 0; k < VMX_CTL_KINDS; k++)
		print_ctl(c, (enum vmx_ctl_kind)k);

	char act[32];

	ksnprintf(act, sizeof(act), "%s%s%s", c->misc.act_hlt ? ",hlt" : "",
	          c->misc.act_shutdown ? ",shutdown" : "",
	          c->misc.act_wait_sipi ? ",wait-sipi" : "");
	log_info(
	    "vmx: misc preempt-timer=tsc/%u cr3-targets=%u msr-list-max=%u activity=%s%s%s%s%s",
	    1u << c->misc.timer_rate, c->misc.cr3_targets, c->misc.max_msr_list,
	    act[0] ? act + 1 : "active-only", c->misc.store_lma ? " store-lma" : "",
	    c->misc.vmwrite_any ? " vmwrite-exit-info" : "",
	    c->misc.inject_len0 ? " inject-len0" : "", c->misc.pt_in_vmx ? " pt-in-vmx" : "");
	log_info(
	    "vmx: cr0 fixed0=%#llx fixed1=%#llx cr4 fixed0=%#llx fixed1=%#llx vmcs-max-index=%u",
	    (unsigned long long)c->cr0_fixed0, (unsigned long long)c->cr0_fixed1,
	    (unsigned long long)c->cr4_fixed0, (unsigned long long)c->cr4_fixed1,
	    c->vmcs_max_index);

	if (vmx_ctl_allowed(&c->proc2, VMX_PROC2(EPT)))
		log_info("vmx: ept%s%s%s%s%s%s%s%s%s invept%s%s%s",
		         c->ept.exec_only ? " exec-only" : "", c->ept.pwl4 ? " 4-level" : "",
		         c->ept.pwl5 ? " 5-level" : "", c->ept.wb ? " WB" : "",
		         c->ept.uc ? " UC" : "", c->ept.page_2m ? " 2M" : "",
		         c->ept.page_1g ? " 1G" : "", c->ept.ad ? " A/D" : "",
		         c->ept.adv_exit_info ? " adv-exit-info" : "", c->ept.invept ? "" : "=none",
		         c->ept.invept_single ? " single" : "", c->ept.invept_all ? " all" : "");
	else
		log_info("vmx: ept not available");
	if (vmx_ctl_allowed(&c->proc2, VMX_PROC2(VPID)))
		log_info("vmx: vpid invvpid%s%s%s%s%s", c->vpid.invvpid ? "" : "=none",
		         c->vpid.inv_addr ? " address" : "", c->vpid.inv_single ? " single" : "",
		         c->vpid.inv_all ? " all" : "", c->vpid.inv_single_ng ? " single-ng" : "");
	else
		log_info("vmx: vpid not available");
	if (vmx_ctl_allowed(&c->proc2, VMX_PROC2(VMFUNC)))
		log_info("vmx: vmfunc=%#llx%s", (unsigned long long)c->vmfunc,
		         c->vmfunc & VMX_VMFUNC_EPTP_SWITCHING ? " (eptp-switching)" : "");
}

/* ---- the features Tandem needs ------------------------------------------- */

static int require(bool ok, const char *what)
{
	if (ok)
		return 0;
	log_warn("vmx: missing required feature: %s", what);
	return 1;
}

int vmx_caps_check(const struct vmx_caps *c)
{
	const struct vmx_ctl_caps *p2 = &c->proc2;
	bool ept = vmx_ctl_allowed(p2, VMX_PROC2(EPT));
	bool vpid = vmx_ctl_allowed(p2, VMX_PROC2(VPID));
	int missing = 0;

	missing += require(vmx_ctl_allowed(&c->proc, VMX_PROC(SECONDARY)),
	                   "secondary controls (proc-based bit 31)");
	missing += require(ept, "EPT");
	if (ept)
		missing += require(c->ept.pwl4 && c->ept.wb,
		                   "EPT 4-level page walk with WB paging structures");
	if (ept)
		missing += require(c->ept.invept && (c->ept.invept_single || c->ept.invept_all),
		                   "INVEPT (single- or all-context)");
	missing +=
	    require(vmx_ctl_allowed(p2, VMX_PROC2(UNRESTRICTED_GUEST)), "unrestricted guest");
	missing += require(vpid, "VPID");
	if (vpid)
		missing += require(c->vpid.invvpid && (c->vpid.inv_single || c->vpid.inv_all),
		                   "INVVPID (single- or all-context)");
	missing +=
	    require(vmx_ctl_allowed(&c->pin, VMX_PIN(PREEMPT_TIMER)), "VMX-preemption timer");
	missing += require(vmx_ctl_allowed(&c->proc, VMX_PROC(MSR_BITMAPS)), "MSR bitmaps");
	missing += require(vmx_ctl_allowed(&c->proc, VMX_PROC(IO_BITMAPS)), "I/O bitmaps");

	bool posted = vmx_ctl_allowed(&c->pin, VMX_PIN(POSTED_INTR)) &&
	              vmx_ctl_allowed(p2, VMX_PROC2(VIRT_INTR_DELIVERY)) &&
	              vmx_ctl_allowed(&c->exit, VMX_EXITCTL(ACK_INTR));
	log_info("vmx: optional: apic-reg-virt=%s virt-intr-delivery=%s posted-intr=%s pml=%s",
	         vmx_ctl_allowed(p2, VMX_PROC2(APIC_REG_VIRT)) ? "yes" : "no",
	         vmx_ctl_allowed(p2, VMX_PROC2(VIRT_INTR_DELIVERY)) ? "yes" : "no",
	         posted ? "yes" : "no", vmx_ctl_allowed(p2, VMX_PROC2(PML)) ? "yes" : "no");
	if (missing)
		log_warn("vmx: %d required feature%s missing", missing, missing == 1 ? "" : "s");
	else
		log_info("vmx: all required features present");
	return missing;
}
