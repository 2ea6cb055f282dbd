/*
 * Tandem's paravirtual ABI, as a guest sees it. Version 1.
 *
 * Hypercalls: VMCALL with the number in RAX and arguments in RDI, RSI, RDX,
 * RCX (in that order); the result comes back in RAX (0 or a negative
 * TANDEM_E* code). Tandem's numbers live at 0x54440000 ("TD") and up, so
 * they never collide with KVM's (small integers), which Tandem will also
 * implement for stock Linux guests. An unknown number returns
 * -TANDEM_ENOSYS; arguments that point into guest memory are guest-physical
 * addresses and are checked against the guest's memory before use.
 *
 * Discovery: CPUID leaf TANDEM_CPUID_BASE returns the maximum leaf in EAX
 * and "TandemHyperv" in EBX, ECX, EDX; leaf +1 returns the ABI version in
 * EAX.
 */
#ifndef HW_TANDEM_ABI_H
#define HW_TANDEM_ABI_H

#include <stdint.h>

#define TANDEM_ABI_VERSION   1
#define TANDEM_CPUID_BASE    0x40000100u /* after the KVM-compatible block at 0x40000000 */
#define TANDEM_CPUID_SIG_EBX 0x646e6154u /* "Tand" */
#define TANDEM_CPUID_SIG_ECX 0x79486d65u /* "emHy" */
#define TANDEM_CPUID_SIG_EDX 0x76726570u /* "perv" */

/*
 * The KVM-compatible block (Linux Documentation/virt/kvm/x86/cpuid.rst): the
 * "KVMKVMKVM\0\0\0" signature and a feature leaf. Stock Linux then runs its
 * KVM guest code: x2APIC without interrupt remapping, and the paravirtual
 * features Tandem offers (none yet).
 */
#define KVM_CPUID_SIGNATURE 0x40000000u
#define KVM_CPUID_FEATURES  0x40000001u
#define KVM_CPUID_SIG_EBX   0x4b4d564bu /* "KVMK" */
#define KVM_CPUID_SIG_ECX   0x564b4d56u /* "VMKV" */
#define KVM_CPUID_SIG_EDX   0x0000004du /* "M\0\0\0" */

enum tandem_hypercall {
	TANDEM_HC_UCALL = 0x54440001, /* RDI = GPA of a struct ucall */
	TANDEM_HC_TIMER_ONESHOT =
	    0x54440002, /* RDI = delay in ns, RSI = vector (32..255): inject once */
};

enum tandem_errno {
	TANDEM_EOK = 0,
	TANDEM_ENOSYS = 1000, /* no such hypercall */
	TANDEM_EFAULT = 1001, /* a guest-physical address outside the guest's memory */
	TANDEM_EINVAL = 1002, /* a malformed argument */
};

/*
 * ucall: how test guests report to the test harness (tests/guests/).
 * SYNC is a checkpoint carrying values the host checks; ASSERT is a failed
 * assertion in the guest; PRINT is a line for the log; DONE ends the guest.
 */
enum ucall_type {
	UCALL_SYNC = 1,
	UCALL_ASSERT = 2,
	UCALL_PRINT = 3,
	UCALL_DONE = 4,
};

#define UCALL_ARGS     4
#define UCALL_TEXT_MAX 96

struct ucall {
	uint32_t type; /* enum ucall_type */
	uint32_t line; /* ASSERT: source line */
	uint64_t args[UCALL_ARGS];
	char file[32];             /* ASSERT: source file, NUL-terminated within the array */
	char text[UCALL_TEXT_MAX]; /* ASSERT: the expression; PRINT: the line */
};
_Static_assert(sizeof(struct ucall) == 168, "struct ucall is ABI");

#endif
