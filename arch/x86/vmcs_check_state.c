/*
 * VM-entry checks on the guest's non-register state (SDM Vol. 3C 26.3.1.5):
 * activity state, interruptibility state, pending debug exceptions and the
 * VMCS link pointer.
 */
#include "vmcs_check_priv.h"

/* 26.3.1.5 "Activity state": which injected events each inactive state lets through. */
static bool event_allowed(unsigned int act, unsigned int type, unsigned int vec)
{
	switch (act) {
	case VMX_ACTIVITY_ACTIVE:
		return true;
	case VMX_ACTIVITY_HLT:
		return type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI ||
		       (type == INTR_TYPE_HW_EXC && (vec == 1 || vec == 18)) ||
		       (type == INTR_TYPE_OTHER && vec == 0);
	case VMX_ACTIVITY_SHUTDOWN:
		return type == INTR_TYPE_NMI || (type == INTR_TYPE_HW_EXC && vec == 18);
	default: /* wait-for-SIPI: nothing */
		return false;
	}
}

static void check_activity(struct vcheck *c, uint64_t act, uint64_t intr)
{
	const struct vmx_caps *k = c->caps;
	bool supported = act == VMX_ACTIVITY_ACTIVE ||
	                 (act == VMX_ACTIVITY_HLT && k->misc.act_hlt) ||
	                 (act == VMX_ACTIVITY_SHUTDOWN && k->misc.act_shutdown) ||
	                 (act == VMX_ACTIVITY_WAIT_SIPI && k->misc.act_wait_sipi);
	uint64_t ss_ar = vc_get(c, VMCS_GUEST_SS_AR);

	if (!supported) {
		vc_fail(c, VMCS_RULE_ACTIVITY,
		        "guest_activity %lu is not a state IA32_VMX_MISC supports", act);
		return;
	}
	if (act == VMX_ACTIVITY_HLT && VMX_AR_DPL(ss_ar) != 0)
		vc_fail(c, VMCS_RULE_ACTIVITY_HLT_DPL, "guest_activity HLT with SS.DPL %lu",
		        VMX_AR_DPL(ss_ar));
	if (act != VMX_ACTIVITY_ACTIVE && (intr & (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS)))
		vc_fail(c, VMCS_RULE_ACTIVITY_BLOCKING,
		        "guest_activity %lu with STI/MOV-SS blocking (interruptibility %#lx)", act,
		        intr);
	if (c->event &&
	    !event_allowed((unsigned int)act, vc_event_type(c), intr_info_vector(c->event)))
		vc_fail(c, VMCS_RULE_ACTIVITY_EVENT,
		        "guest_activity %lu blocks the injected event %#x (type %u vector %u)", act,
		        c->event, vc_event_type(c), intr_info_vector(c->event));
}

static void check_interruptibility(struct vcheck *c, uint64_t intr)
{
	const uint64_t sti_movss = VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS;

	if (intr & VMX_INTR_RESERVED)
		vc_fail(c, VMCS_RULE_INTR_RESERVED, "guest_interruptibility %#lx sets bits 31:5",
		        intr);
	if ((intr & sti_movss) == sti_movss)
		vc_fail(c, VMCS_RULE_INTR_STI_MOVSS,
		        "guest_interruptibility %#lx: blocking by both STI and MOV-SS", intr);
	if ((intr & VMX_INTR_BLOCK_STI) && !(c->rflags & RFLAGS_IF))
		vc_fail(c, VMCS_RULE_INTR_STI_IF,
		        "guest_interruptibility %#lx: blocking by STI with RFLAGS.IF clear (%#lx)",
		        intr, c->rflags);
	if (vc_injecting(c, INTR_TYPE_EXT_INTR) && (intr & sti_movss))
		vc_fail(c, VMCS_RULE_INTR_EVENT,
		        "guest_interruptibility %#lx blocks the injected external interrupt", intr);
	if (vc_injecting(c, INTR_TYPE_NMI) && (intr & VMX_INTR_BLOCK_MOV_SS))
		vc_fail(c, VMCS_RULE_INTR_EVENT,
		        "guest_interruptibility %#lx: MOV-SS blocking while injecting an NMI",
		        intr);
	if (vc_injecting(c, INTR_TYPE_NMI) && (c->pin & VMX_PIN(VIRTUAL_NMIS)) &&
	    (intr & VMX_INTR_BLOCK_NMI))
		vc_fail(c, VMCS_RULE_INTR_EVENT,
		        "guest_interruptibility %#lx: virtual-NMI blocking while injecting an NMI",
		        intr);
	/* PLATFORM.md: Bochs 2.7 sets this bit itself after an exit from wait-for-SIPI. */
	if (intr & VMX_INTR_BLOCK_SMI)
		vc_fail(
		    c, VMCS_RULE_INTR_SMI,
		    "guest_interruptibility %#lx: blocking by SMI outside SMM (Bochs 2.7 sets it "
		    "after a wait-for-SIPI exit: clear it)",
		    intr);
}

static void check_pending_dbg(struct vcheck *c, uint64_t act, uint64_t intr)
{
	uint64_t p = vc_get(c, VMCS_GUEST_PENDING_DBG);
	bool tf = c->rflags & RFLAGS_TF;
	bool btf = vc_get(c, VMCS_GUEST_DEBUGCTL) & BIT(1);
	bool bs = p & VMX_PENDING_DBG_BS;

	if (p & VMX_PENDING_DBG_RESERVED)
		vc_fail(c, VMCS_RULE_PENDING_DBG, "guest_pending_dbg %#lx sets reserved bits %#lx",
		        p, p & VMX_PENDING_DBG_RESERVED);
	/* A single-step trap is pending exactly when TF would have caused one (and BTF is off). */
	if (((intr & (VMX_INTR_BLOCK_STI | VMX_INTR_BLOCK_MOV_SS)) || act == VMX_ACTIVITY_HLT) &&
	    bs != (tf && !btf))
		vc_fail(
		    c, VMCS_RULE_PENDING_DBG_BS,
		    "guest_pending_dbg %#lx: BS must be %u with RFLAGS.TF %u and DEBUGCTL.BTF %u "
		    "while blocked or halted",
		    p, tf && !btf, tf, btf);
	if ((p & VMX_PENDING_DBG_RTM) &&
	    ((p & 0xfff) || bs || !(p & VMX_PENDING_DBG_BP) || (intr & VMX_INTR_BLOCK_MOV_SS)))
		vc_fail(
		    c, VMCS_RULE_PENDING_DBG_RTM,
		    "guest_pending_dbg %#lx: an RTM debug exception needs bit 12 alone, without "
		    "MOV-SS blocking",
		    p);
}

static void check_link_ptr(struct vcheck *c)
{
	uint64_t link = vc_get(c, VMCS_VMCS_LINK_PTR);

	if (link == VMX_VMCS_LINK_NONE)
		return;
	vc_check_vmx_addr(c, VMCS_RULE_LINK_PTR, VMCS_VMCS_LINK_PTR, 4096);
	/*
	 * Any other value makes entry read a VMCS header at that address (revision
	 * and shadow bit = "VMCS shadowing"), which this checker cannot see. Without
	 * shadowing that is never intended: a 0 left in the field is the usual bug.
	 */
	if (!(c->proc2 & VMX_PROC2(VMCS_SHADOWING)))
		vc_fail(
		    c, VMCS_RULE_LINK_PTR_UNUSED,
		    "vmcs_link_ptr %#lx is not ~0 without VMCS shadowing (entry would read a VMCS "
		    "header there: exit reason 33, qualification 4)",
		    link);
}

void vmcs_check_guest_state(struct vcheck *c)
{
	uint64_t act = vc_get(c, VMCS_GUEST_ACTIVITY),
	         intr = vc_get(c, VMCS_GUEST_INTERRUPTIBILITY);

	check_activity(c, act, intr);
	check_interruptibility(c, intr);
	check_pending_dbg(c, act, intr);
	check_link_ptr(c);
}
