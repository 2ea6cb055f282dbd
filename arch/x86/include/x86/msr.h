/*
 * Model-specific registers Tandem touches, each tagged with the CPUID feature
 * that says it exists (SDM Vol. 4 Table 2-2). The list is the one place an
 * MSR number is written down.
 */
#ifndef X86_MSR_H
#define X86_MSR_H

#include <stdbool.h>
#include <stdint.h>
#include <hw/apic.h> /* IA32_APIC_BASE bits */
#include <x86/cpuid.h>

/* X(name, index, gating feature) */
#define X86_MSR_LIST(X)                                                                            \
	X(IA32_TSC, 0x010, FEAT_NONE)                                                              \
	X(IA32_APIC_BASE, 0x01b, FEAT_APIC)                                                        \
	X(IA32_FEATURE_CONTROL, 0x03a, FEAT_VMX)                                                   \
	X(IA32_TSC_ADJUST, 0x03b, FEAT_NONE)                                                       \
	X(IA32_BIOS_SIGN_ID, 0x08b, FEAT_NONE)                                                     \
	X(IA32_MTRRCAP, 0x0fe, FEAT_MTRR)                                                          \
	X(IA32_SYSENTER_CS, 0x174, FEAT_NONE)                                                      \
	X(IA32_SYSENTER_ESP, 0x175, FEAT_NONE)                                                     \
	X(IA32_SYSENTER_EIP, 0x176, FEAT_NONE)                                                     \
	X(IA32_MISC_ENABLE, 0x1a0, FEAT_NONE)                                                      \
	X(IA32_PAT, 0x277, FEAT_PAT)                                                               \
	X(IA32_MTRR_DEF_TYPE, 0x2ff, FEAT_MTRR)                                                    \
	X(IA32_VMX_BASIC, 0x480, FEAT_VMX)                                                         \
	X(IA32_VMX_PINBASED_CTLS, 0x481, FEAT_VMX)                                                 \
	X(IA32_VMX_PROCBASED_CTLS, 0x482, FEAT_VMX)                                                \
	X(IA32_VMX_EXIT_CTLS, 0x483, FEAT_VMX)                                                     \
	X(IA32_VMX_ENTRY_CTLS, 0x484, FEAT_VMX)                                                    \
	X(IA32_VMX_MISC, 0x485, FEAT_VMX)                                                          \
	X(IA32_VMX_CR0_FIXED0, 0x486, FEAT_VMX)                                                    \
	X(IA32_VMX_CR0_FIXED1, 0x487, FEAT_VMX)                                                    \
	X(IA32_VMX_CR4_FIXED0, 0x488, FEAT_VMX)                                                    \
	X(IA32_VMX_CR4_FIXED1, 0x489, FEAT_VMX)                                                    \
	X(IA32_VMX_VMCS_ENUM, 0x48a, FEAT_VMX)                                                     \
	X(IA32_VMX_PROCBASED_CTLS2, 0x48b, FEAT_VMX)                                               \
	X(IA32_VMX_EPT_VPID_CAP, 0x48c, FEAT_VMX)                                                  \
	X(IA32_VMX_TRUE_PINBASED_CTLS, 0x48d, FEAT_VMX)                                            \
	X(IA32_VMX_TRUE_PROCBASED_CTLS, 0x48e, FEAT_VMX)                                           \
	X(IA32_VMX_TRUE_EXIT_CTLS, 0x48f, FEAT_VMX)                                                \
	X(IA32_VMX_TRUE_ENTRY_CTLS, 0x490, FEAT_VMX)                                               \
	X(IA32_VMX_VMFUNC, 0x491, FEAT_VMX)                                                        \
	X(IA32_TSC_DEADLINE, 0x6e0, FEAT_TSC_DEADLINE)                                             \
	X(IA32_X2APIC_BASE, 0x800, FEAT_X2APIC)                                                    \
	X(IA32_EFER, 0xc0000080, FEAT_NONE)                                                        \
	X(IA32_STAR, 0xc0000081, FEAT_NONE)                                                        \
	X(IA32_LSTAR, 0xc0000082, FEAT_NONE)                                                       \
	X(IA32_CSTAR, 0xc0000083, FEAT_NONE)                                                       \
	X(IA32_FMASK, 0xc0000084, FEAT_NONE)                                                       \
	X(IA32_FS_BASE, 0xc0000100, FEAT_NONE)                                                     \
	X(IA32_GS_BASE, 0xc0000101, FEAT_NONE)                                                     \
	X(IA32_KERNEL_GS_BASE, 0xc0000102, FEAT_NONE)                                              \
	X(IA32_TSC_AUX, 0xc0000103, FEAT_RDTSCP)

enum msr {
#define X(name, idx, feat) MSR_##name = idx,
	X86_MSR_LIST(X)
#undef X
};

/* IA32_EFER. */
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

/* IA32_FEATURE_CONTROL (SDM Vol. 3C 23.7). */
#define FEATURE_CONTROL_LOCK       BIT(0)
#define FEATURE_CONTROL_VMX_SMX    BIT(1)
#define FEATURE_CONTROL_VMX_NO_SMX BIT(2)

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr"
	                     :
	                     : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                     : "memory");
}

/* RDMSR that survives #GP (absent MSR): returns false and leaves *v untouched. */
bool rdmsr_safe(uint32_t msr, uint64_t *v);

/* The name of a listed MSR, or NULL. */
const char *msr_name(uint32_t msr);

#endif
