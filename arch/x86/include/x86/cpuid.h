/* CPUID, and the feature bits Tandem tests, named as in SDM Vol. 2A Table 3-8/3-10. */
#ifndef X86_CPUID_H
#define X86_CPUID_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ __volatile__("cpuid"
	                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
	                     : "a"(leaf), "c"(subleaf));
	return r;
}

/*
 * A feature bit as (leaf, subleaf, register, bit) packed into one value, so a
 * feature can be named in a table (the MSR list tags each MSR with one).
 */
enum cpuid_reg {
	CPUID_EAX,
	CPUID_EBX,
	CPUID_ECX,
	CPUID_EDX
};
#define CPUID_FEATURE(leaf, sub, reg, bit)                                                         \
	(((uint64_t)(leaf) << 32) | ((uint64_t)(sub) << 16) | ((uint64_t)(reg) << 8) | (bit))

enum cpu_feature {
	FEAT_NONE = 0,
	FEAT_VMX = CPUID_FEATURE(1, 0, CPUID_ECX, 5),
	FEAT_X2APIC = CPUID_FEATURE(1, 0, CPUID_ECX, 21),
	FEAT_TSC_DEADLINE = CPUID_FEATURE(1, 0, CPUID_ECX, 24),
	FEAT_XSAVE = CPUID_FEATURE(1, 0, CPUID_ECX, 26),
	FEAT_HYPERVISOR = CPUID_FEATURE(1, 0, CPUID_ECX, 31),
	FEAT_MSR = CPUID_FEATURE(1, 0, CPUID_EDX, 5),
	FEAT_APIC = CPUID_FEATURE(1, 0, CPUID_EDX, 9),
	FEAT_MTRR = CPUID_FEATURE(1, 0, CPUID_EDX, 12),
	FEAT_PAT = CPUID_FEATURE(1, 0, CPUID_EDX, 16),
	FEAT_FSGSBASE = CPUID_FEATURE(7, 0, CPUID_EBX, 0),
	FEAT_SMEP = CPUID_FEATURE(7, 0, CPUID_EBX, 7),
	FEAT_INVARIANT_TSC = CPUID_FEATURE(0x80000007, 0, CPUID_EDX, 8),
	FEAT_NX = CPUID_FEATURE(0x80000001, 0, CPUID_EDX, 20),
	FEAT_PAGE1G = CPUID_FEATURE(0x80000001, 0, CPUID_EDX, 26),
	FEAT_RDTSCP = CPUID_FEATURE(0x80000001, 0, CPUID_EDX, 27),
	FEAT_LM = CPUID_FEATURE(0x80000001, 0, CPUID_EDX, 29),
};

/* True when the CPU reports the feature (and its leaf exists). */
bool cpu_has(enum cpu_feature f);

#endif
