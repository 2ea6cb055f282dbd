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

#include <stddef.h>
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
 * features Tandem offers in the feature leaf's EAX (KVM_FEATURE_*).
 */
#define KVM_CPUID_SIGNATURE 0x40000000u
#define KVM_CPUID_FEATURES  0x40000001u
#define KVM_CPUID_SIG_EBX   0x4b4d564bu /* "KVMK" */
#define KVM_CPUID_SIG_ECX   0x564b4d56u /* "VMKV" */
#define KVM_CPUID_SIG_EDX   0x0000004du /* "M\0\0\0" */

#define KVM_FEATURE_STEAL_TIME     (1u << 5)  /* MSR_KVM_STEAL_TIME (cpuid.rst) */
#define KVM_FEATURE_PV_SCHED_YIELD (1u << 13) /* KVM_HC_SCHED_YIELD (cpuid.rst) */

/*
 * KVM hypercalls (Linux Documentation/virt/kvm/x86/hypercalls.rst): VMCALL
 * with the number in RAX and arguments in RBX, RCX, RDX, RSI; the result in
 * RAX. KVM_HC_SCHED_YIELD(dest APIC ID): the caller is about to wait for
 * that vCPU (an IPI to a preempted vCPU) and offers its pCPU instead.
 */
#define KVM_HC_SCHED_YIELD 11u
#define KVM_ENOSYS         1000

/*
 * Steal time (Linux Documentation/virt/kvm/x86/msr.rst, MSR_KVM_STEAL_TIME):
 * the guest writes the guest-physical address of a 64-byte aligned
 * struct kvm_steal_time, plus KVM_MSR_ENABLED in bit 0; bits 1..5 are
 * reserved (#GP). The hypervisor then keeps `steal` (ns the vCPU was
 * runnable but not running) up to date, making `version` odd before and
 * even after each update, and sets `preempted` while the vCPU is switched
 * out runnable (implementation: include/steal_time.h).
 */
#define MSR_KVM_STEAL_TIME      0x4b564d03u
#define KVM_MSR_ENABLED         1u
#define KVM_STEAL_RESERVED_MASK 0x3eull   /* bits 1..5: the area is 64-byte aligned */
#define KVM_VCPU_PREEMPTED      (1u << 0) /* struct kvm_steal_time.preempted */

struct kvm_steal_time {
	uint64_t steal; /* ns */
	uint32_t version;
	uint32_t flags;
	uint8_t preempted;
	uint8_t u8_pad[3];
	uint32_t pad[11];
};
_Static_assert(sizeof(struct kvm_steal_time) == 64 &&
                   offsetof(struct kvm_steal_time, version) == 8 &&
                   offsetof(struct kvm_steal_time, preempted) == 16,
               "struct kvm_steal_time is ABI");

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
