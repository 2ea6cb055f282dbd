/*
 * kvm_pv: the KVM paravirtual interface Tandem offers a guest with a
 * vLAPIC (the KVM_CPUID_* leaves, MSR_KVM_STEAL_TIME, KVM_HC_SCHED_YIELD),
 * including what it refuses. Run with .lapic = true (kvm_leaves=1,
 * steal_time=1, pv_yield=1: the defaults).
 *
 * Checks: the signature leaf says "KVMKVMKVM"; the feature leaf offers steal
 * time and PV sched yield; MSR_KVM_STEAL_TIME raises #GP for reserved bits
 * 1..5 and for an address beyond the guest's physical-address width,
 * accepts an aligned area in RAM (and reads back what was written) and an
 * area outside RAM (accepted, never written, as KVM does), and 0 (off);
 * KVM_HC_SCHED_YIELD returns 0 for an existing and a nonexistent target
 * (KVM's answer; Tandem logs the latter); an unknown KVM hypercall number
 * returns -KVM_ENOSYS.
 *
 * SYNC sequence (then DONE):
 *   1. SYNC(1, leaf 0x40000001 EAX, MSR read back after enabling, the
 *           steal area's first 8 bytes: 0 with no scheduler)
 *   2. SYNC(2, #GP vectors: reserved bits, beyond the address width, each 13;
 *           accepted outside RAM: -1)
 *   3. SYNC(3, SCHED_YIELD to APIC ID 0, to APIC ID 77, unknown number 99)
 */
#include "guest.h"

static uint64_t steal_area[8] __attribute__((aligned(64)));

static long kvm_hypercall1(unsigned long nr, unsigned long a0)
{
	long ret;

	__asm__ __volatile__("vmcall" : "=a"(ret) : "a"(nr), "b"(a0) : "memory");
	return ret;
}

void guest_main(void)
{
	struct cpuid_regs sig = cpuid(KVM_CPUID_SIGNATURE, 0), feat = cpuid(KVM_CPUID_FEATURES, 0);
	uint64_t gpa = (uint64_t)(uintptr_t)steal_area, back = 0;
	unsigned int maxphy = cpuid(0x80000008, 0).eax & 0xff;
	int gp_reserved, gp_width, outside;

	GUEST_ASSERT_EQ(sig.ebx, KVM_CPUID_SIG_EBX);
	GUEST_ASSERT_EQ(sig.ecx, KVM_CPUID_SIG_ECX);
	GUEST_ASSERT_EQ(sig.edx, KVM_CPUID_SIG_EDX);
	GUEST_ASSERT(feat.eax & KVM_FEATURE_STEAL_TIME);
	GUEST_ASSERT(feat.eax & KVM_FEATURE_PV_SCHED_YIELD);

	/* The identity-mapped image: its virtual address is its guest-physical one. */
	GUEST_ASSERT_EQ(guest_try_wrmsr(MSR_KVM_STEAL_TIME, gpa | KVM_MSR_ENABLED), -1);
	GUEST_ASSERT_EQ(guest_try_rdmsr(MSR_KVM_STEAL_TIME, &back), -1);
	GUEST_ASSERT_EQ(back, gpa | KVM_MSR_ENABLED);
	ucall_sync(1, feat.eax, back, steal_area[0]);

	gp_reserved = guest_try_wrmsr(MSR_KVM_STEAL_TIME, gpa | 0x20 | KVM_MSR_ENABLED);
	gp_width = guest_try_wrmsr(MSR_KVM_STEAL_TIME, (1ull << maxphy) | KVM_MSR_ENABLED);
	outside = guest_try_wrmsr(MSR_KVM_STEAL_TIME, (1ull << (maxphy - 1)) | KVM_MSR_ENABLED);
	GUEST_ASSERT_EQ(guest_try_wrmsr(MSR_KVM_STEAL_TIME, 0), -1);
	ucall_sync(2, (uint64_t)gp_reserved, (uint64_t)gp_width, (uint64_t)outside);

	ucall_sync(3, (uint64_t)kvm_hypercall1(KVM_HC_SCHED_YIELD, 0),
	           (uint64_t)kvm_hypercall1(KVM_HC_SCHED_YIELD, 77),
	           (uint64_t)kvm_hypercall1(99, 0));
}
