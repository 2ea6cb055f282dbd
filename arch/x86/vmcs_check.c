/*
 * The VM-entry checker's entry point, the snapshot and the helpers the
 * sections share (x86/vmcs_check.h). Pure: host unit tests link it.
 */
#include <format.h>
#include <log.h>
#include <string.h>

#include "vmcs_check_priv.h"

static const struct {
	const char *name, *section;
} rules[VMCS_RULE_COUNT] = {
#define X(id, sec, what) [VMCS_RULE_##id] = {#id, sec},
    VMCS_CHECK_RULES(X)
#undef X
};

const char *vmcs_rule_name(enum vmcs_rule r)
{
	return (unsigned int)r < VMCS_RULE_COUNT ? rules[r].name : "?";
}

const char *vmcs_rule_section(enum vmcs_rule r)
{
	return (unsigned int)r < VMCS_RULE_COUNT ? rules[r].section : "?";
}

void vmcs_snap_clear(struct vmcs_snapshot *s)
{
	memset(s, 0, sizeof(*s));
}

bool vmcs_snap_set(struct vmcs_snapshot *s, uint32_t enc, uint64_t v)
{
	int i = vmcs_field_index(enc);

	if (i < 0)
		return false;
	s->val[i] = v;
	s->present[i / 64] |= BIT(i % 64);
	return true;
}

void vmcs_snap_unset(struct vmcs_snapshot *s, uint32_t enc)
{
	int i = vmcs_field_index(enc);

	if (i >= 0) {
		s->val[i] = 0;
		s->present[i / 64] &= ~BIT(i % 64);
	}
}

bool vmcs_snap_has(const struct vmcs_snapshot *s, uint32_t enc)
{
	int i = vmcs_field_index(enc);

	return i >= 0 && (s->present[i / 64] & BIT(i % 64));
}

uint64_t vmcs_snap_get(const struct vmcs_snapshot *s, uint32_t enc)
{
	int i = vmcs_field_index(enc);

	return i >= 0 && (s->present[i / 64] & BIT(i % 64)) ? s->val[i] : 0;
}

void vc_fail(struct vcheck *c, enum vmcs_rule r, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info("vmcs-check: %s: %s", vmcs_rule_section(r), msg);
	if (c->rep && c->count < VMCS_CHECK_REPORT_MAX)
		c->rep->rules[c->count] = (uint16_t)r;
	c->count++;
}

bool vc_canonical(const struct vcheck *c, uint64_t addr)
{
	unsigned int shift = 64 - c->linaddr;

	return (uint64_t)((int64_t)(addr << shift) >> shift) == addr;
}

bool vc_pat_valid(uint64_t pat)
{
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int t = (pat >> (8 * i)) & 0xff;

		if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
			return false;
	}
	return true;
}

void vc_check_vmx_addr(struct vcheck *c, enum vmcs_rule r, uint32_t enc, uint64_t align)
{
	uint64_t a = vc_get(c, enc);

	if (a & (align - 1))
		vc_fail(c, r, "%s %#lx is not %lu-byte aligned", vmcs_field_name(enc), a, align);
	else if (a & ~c->vmx_pa_mask)
		vc_fail(c, r, "%s %#lx is beyond the physical-address width (%u bits%s)",
		        vmcs_field_name(enc), a, c->caps->addr32 ? 32 : c->maxphyaddr,
		        c->caps->addr32 ? ", IA32_VMX_BASIC[48]" : "");
}

unsigned int vmcs_check(const struct vmcs_snapshot *s, const struct vmx_caps *caps,
                        struct vmcs_check_report *rep)
{
	struct vcheck c = {.s = s, .caps = caps, .rep = rep};

	c.maxphyaddr = s->maxphyaddr && s->maxphyaddr <= 52 ? s->maxphyaddr : 52;
	c.linaddr = s->linaddr == 57 ? 57 : 48;
	c.pa_mask = BIT(c.maxphyaddr) - 1;
	c.vmx_pa_mask = caps->addr32 ? c.pa_mask & UINT64_C(0xffffffff) : c.pa_mask;

	c.pin = (uint32_t)vc_get(&c, VMCS_PIN_CTLS);
	c.proc = (uint32_t)vc_get(&c, VMCS_PROC_CTLS);
	if (c.proc & VMX_PROC(SECONDARY))
		c.proc2 = (uint32_t)vc_get(&c, VMCS_PROC2_CTLS);
	c.exit = (uint32_t)vc_get(&c, VMCS_EXIT_CTLS);
	c.entry = (uint32_t)vc_get(&c, VMCS_ENTRY_CTLS);
	c.ia32e_guest = c.entry & VMX_ENTRYCTL(IA32E_GUEST);
	c.host64 = c.exit & VMX_EXITCTL(HOST_64);
	c.ug = c.proc2 & VMX_PROC2(UNRESTRICTED_GUEST);
	c.cr0 = vc_get(&c, VMCS_GUEST_CR0);
	c.rflags = vc_get(&c, VMCS_GUEST_RFLAGS);
	c.event = (uint32_t)vc_get(&c, VMCS_ENTRY_INTR_INFO);
	if (!(c.event & INTR_INFO_VALID))
		c.event = 0;

	if (rep)
		memset(rep, 0, sizeof(*rep));
	vmcs_check_ctls(&c);
	vmcs_check_host(&c);
	vmcs_check_guest_regs(&c);
	vmcs_check_guest_segs(&c);
	vmcs_check_guest_state(&c);
	if (rep)
		rep->count = c.count;
	return c.count;
}

bool vmcs_check_found(const struct vmcs_check_report *rep, enum vmcs_rule r)
{
	unsigned int n = MIN(rep->count, (unsigned int)VMCS_CHECK_REPORT_MAX);

	for (unsigned int i = 0; i < n; i++)
		if (rep->rules[i] == r)
			return true;
	return false;
}
