/*
 * Shared by the vmcs_check*.c files: the state of one vmcs_check() run and
 * the helpers every section uses. Not a public header.
 */
#ifndef ARCH_X86_VMCS_CHECK_PRIV_H
#define ARCH_X86_VMCS_CHECK_PRIV_H

#include <compiler.h>
#include <x86/cpu.h>
#include <x86/msr.h>
#include <x86/vmcs_check.h>
#include <x86/vmx_exit_reasons.h>

struct vcheck {
	const struct vmcs_snapshot *s;
	const struct vmx_caps *caps;
	struct vmcs_check_report *rep; /* may be NULL */
	unsigned int count;

	/* Decoded once; proc2 is 0 unless "activate secondary controls" is 1 (26.2.1.1). */
	uint32_t pin, proc, proc2, exit, entry;
	bool ia32e_guest; /* "IA-32e mode guest" entry control */
	bool host64;      /* "host address-space size" exit control */
	bool ug;          /* "unrestricted guest" (and secondary controls on) */
	uint64_t cr0;     /* guest CR0 */
	uint64_t rflags;  /* guest RFLAGS */
	uint32_t event;   /* VM-entry interruption information when valid (bit 31), else 0 */

	uint64_t pa_mask; /* the bits a physical address may set (below MAXPHYADDR) */
	uint64_t
	    vmx_pa_mask; /* the same for VMX data structures: below 4G with IA32_VMX_BASIC[48] */
	unsigned int maxphyaddr, linaddr;
};

/* Counts and logs one violation of rule r: "vmcs-check: <section>: <fmt...>". */
void vc_fail(struct vcheck *c, enum vmcs_rule r, const char *fmt, ...) __printf(3, 4);

static inline uint64_t vc_get(const struct vcheck *c, uint32_t enc)
{
	return vmcs_snap_get(c->s, enc);
}

/* Bits 63:N-1 all equal, N the linear-address width. */
bool vc_canonical(const struct vcheck *c, uint64_t addr);
/* Each byte a PAT memory type WRMSR accepts: 0, 1, 4, 5, 6, 7 (26.2.2, 26.3.1.1). */
bool vc_pat_valid(uint64_t pat);
/*
 * The field enc holds the physical address of a VMX data structure: aligned
 * to align bytes and within the width, else a violation of r.
 */
void vc_check_vmx_addr(struct vcheck *c, enum vmcs_rule r, uint32_t enc, uint64_t align);

static inline unsigned int vc_event_type(const struct vcheck *c)
{
	return intr_info_type(c->event);
}

static inline bool vc_injecting(const struct vcheck *c, unsigned int type)
{
	return (c->event & INTR_INFO_VALID) && vc_event_type(c) == type;
}

/* The sections, in the order the SDM lists them. */
void vmcs_check_ctls(struct vcheck *c);        /* 26.2.1 */
void vmcs_check_host(struct vcheck *c);        /* 26.2.2-26.2.4 */
void vmcs_check_guest_regs(struct vcheck *c);  /* 26.3.1.1, 26.3.1.3, 26.3.1.4, 26.3.1.6 */
void vmcs_check_guest_segs(struct vcheck *c);  /* 26.3.1.2 */
void vmcs_check_guest_state(struct vcheck *c); /* 26.3.1.5 */

#endif
