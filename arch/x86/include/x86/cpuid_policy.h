/*
 * The CPUID a guest sees, as pure policy over the host's leaves: what
 * Tandem does not virtualize is hidden (VMX, SMX, MONITOR/MWAIT, the PMU,
 * thermal and power MSRs, machine-check MSRs, speculation-control MSRs,
 * TSC_ADJUST, XSAVES), the topology and APIC IDs are the vCPU's, the
 * OS-enabled bits follow the guest's own CR4, leaf 0xD describes the
 * guest's XCR0, the TSC-frequency leaves carry the calibrated rate, and the
 * hypervisor leaves at 0x40000000 carry Tandem's signature and the
 * TSC/bus frequencies (the 0x40000010 "timing" leaf). Host-tested.
 */
#ifndef X86_CPUID_POLICY_H
#define X86_CPUID_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <x86/cpuid.h>

struct cpuid_policy {
	struct cpuid_regs (*host)(uint32_t leaf, uint32_t sub); /* the CPU's own answer */
	uint32_t vcpu_id;                                       /* initial APIC ID */
	unsigned int nvcpus;
	uint64_t tsc_hz, bus_hz; /* the guest's TSC and LAPIC timer clocks */
	uint64_t guest_cr4;      /* as the guest sees it (shadow) */
	uint64_t guest_xcr0;
	bool invpcid;          /* "enable INVPCID" is set in the VMCS */
	bool rdtscp;           /* "enable RDTSCP" is set */
	bool x2apic;           /* the virtual LAPIC offers x2APIC mode */
	bool tsc_deadline;     /* ... and the TSC-deadline timer */
	bool kvm_compat;       /* the KVM signature and feature leaves at 0x40000000 */
	uint32_t kvm_features; /* leaf 0x40000001 EAX */
};

/* The guest's view of leaf/sub. */
struct cpuid_regs cpuid_policy(const struct cpuid_policy *p, uint32_t leaf, uint32_t sub);

/* The XSAVE features a guest may enable in XCR0: x87, SSE, AVX and AVX-512 state the host has. */
uint64_t cpuid_guest_xcr0_mask(const struct cpuid_policy *p);

#endif
