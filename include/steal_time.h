/*
 * A vCPU's KVM steal-time area (MSR_KVM_STEAL_TIME, include/hw/tandem_abi.h):
 * the MSR as the guest wrote it, and the updates Tandem makes to the
 * guest's struct kvm_steal_time when the scheduler switches the vCPU in
 * (steal time, preempted = 0) and out while still runnable (preempted = 1).
 * Pure and arch-neutral: guest memory is reached through gmem_ptr() only.
 *
 * Decisions:
 *  - The area is guest memory: the guest can change it at any time, so
 *    nothing is ever read back from it. The version counter lives here and
 *    goes on across disabling and re-enabling (never repeats for an area).
 *  - Enabling zeroes nothing in the guest (as KVM). An area that is not all
 *    guest RAM is accepted (as KVM) but never written.
 *  - `steal` is counted from the first update after the first enabling
 *    of a zeroed struct steal_time (Linux's area starts zeroed), and never
 *    decreases, also when the guest disables and re-enables it.
 *
 * Locking: none. A struct steal_time belongs to one vCPU and is touched
 * only on the pCPU that runs it (the MSR exit, the switch-in and switch-out
 * paths). Lifetime: zero-initialized with the vCPU (and for each
 * new boot of its guest); the gmem passed in must outlive every call (the
 * VM's memory does).
 */
#ifndef TANDEM_STEAL_TIME_H
#define TANDEM_STEAL_TIME_H

#include <gmem.h>
#include <stdbool.h>
#include <stdint.h>

struct steal_time {
	uint64_t msr;        /* the value the guest wrote (reads return it); 0 after reset */
	uint64_t gpa;        /* of the struct kvm_steal_time, while on */
	bool on;             /* KVM_MSR_ENABLED was written */
	bool based;          /* steal_base is taken */
	uint32_t version;    /* the last version published: always even */
	uint64_t steal_base; /* the steal_ns of the first update after enabling */
};

/*
 * A guest WRMSR to MSR_KVM_STEAL_TIME. 0, or -ERR_INVAL (reserved bits 1..5
 * set) or -ERR_RANGE (an address bit at or above maxphyaddr, the guest's
 * CPUID.80000008H:EAX[7:0]): the caller injects #GP and nothing changed.
 * When why is not NULL it is set to NULL, or to a reason worth a log line:
 * the refusal's, or on success that an enabled area is not all guest RAM
 * (accepted, but nothing will be written).
 */
int steal_time_msr_write(struct steal_time *st, const struct gmem *m, uint64_t val,
                         unsigned int maxphyaddr, const char **why);

/* A guest RDMSR of MSR_KVM_STEAL_TIME: what it last wrote, 0 after reset. */
uint64_t steal_time_msr_read(const struct steal_time *st);

/*
 * The vCPU is switched in (before it enters the guest): when enabled,
 * publishes steal_ns, the vCPU's total time runnable but not running (must
 * never decrease), and clears preempted, inside an odd/even version pair.
 */
void steal_time_publish(struct steal_time *st, const struct gmem *m, uint64_t steal_ns);

/* The vCPU is switched out while still runnable: when enabled, preempted = 1. */
void steal_time_set_preempted(struct steal_time *st, const struct gmem *m);

/*
 * INIT of the vCPU: disabled, the MSR reads 0; version and steal go on, as
 * the same guest re-enables the area when it onlines the CPU again. A new
 * boot of the guest starts from a zeroed struct instead (steal from 0).
 */
void steal_time_reset(struct steal_time *st);

#endif
