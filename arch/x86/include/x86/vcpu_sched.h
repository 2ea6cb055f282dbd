/*
 * vCPUs as the credit scheduler's entities (the policy is sched/, pure):
 * the loop each pCPU runs once guests exist, and the hardware side of the
 * policy: one scheduler lock, kicks (a per-pCPU reschedule flag plus an
 * IPI), the tick on each pCPU's timer queue, vCPU switches (vmx_vcpu_put
 * and vmx_vcpu_get), blocking in HLT, wakeups, PAUSE-loop yields, and the
 * run/steal accounting behind steal time and the statistics marks.
 *
 * Locking: the scheduler lock (interrupts off) serialises every call into
 * sched/ and the vCPU fields `blocked` and `retiring`. A wakeup sets a
 * pending bit first and then looks at `blocked`; a vCPU about to block
 * sets `blocked` first and then looks at the pending bits: one of them
 * always sees the other.
 *
 * Lifetimes: vcpu_sched_init() once before the first vCPU; a vCPU is added
 * after vmx_vcpu_create() and removed, once its VM has told every vCPU to
 * stop and vm->on_stopped ran, before vmx_vcpu_destroy().
 */
#ifndef X86_VCPU_SCHED_H
#define X86_VCPU_SCHED_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <x86/vcpu.h>

/* Sets the scheduler up for every online pCPU from the boot options. 0 or an error (logged). */
int vcpu_sched_init(void);

/* The options' parameters, for configuration checks. */
unsigned int vcpu_sched_npcpus(void);

/* Scheduler time: ns since boot. */
uint64_t vcpu_sched_now(void);

/* sched_dom_init() under the scheduler lock. */
int vcpu_sched_dom_init(struct sched_dom *d, unsigned int id, unsigned int weight,
                        unsigned int cap);

/*
 * Makes the just-created v (its VMCS current here) a scheduled vCPU of d:
 * its VMCS is cleared here, and it is added blocked with hard and soft
 * affinity (soft 0: none), on its id-th pCPU of soft (else of hard), round
 * robin. Wake it with vcpu_kick(). Returns 0 or sched_vcpu_add()'s error.
 */
int vcpu_sched_add(struct vcpu *v, struct sched_dom *d, uint64_t hard, uint64_t soft);

/* Takes a retired vCPU (its VM's on_stopped is running) off the scheduler. */
void vcpu_sched_remove(struct vcpu *v);

/*
 * Sets pending bits on v and makes it look at them: wakes it when it is
 * blocked, interrupts its pCPU when it may be in the guest there.
 */
void vcpu_kick(struct vcpu *v, uint32_t bits);

/*
 * The run loop found v unable to run (HLT with nothing to deliver, or
 * waiting for SIPI): true when v is now blocked and the loop must return to
 * the scheduler; false when a wakeup came first (look again).
 */
bool vcpu_sched_block(struct vcpu *v);

/* The PAUSE-loop exit: v gives its pCPU to another vCPU if one waits. */
void vcpu_sched_yield(struct vcpu *v);

/* This pCPU was asked to pick again: the running vCPU leaves the run loop. */
bool vcpu_sched_resched(void);

/* v's run and steal time so far (ns), its current turn included. */
void vcpu_sched_times(const struct vcpu *v, uint64_t *run, uint64_t *steal);

/* Every pCPU that runs vCPUs ends up here, for good. Call with interrupts disabled. */
__attribute__((noreturn)) void vcpu_sched_loop(void);

/*
 * The scheduler trace (sched_trace=N records per pCPU), dumped over serial
 * in include/sched_trace.h's format. With sched_trace_marks=1 a guest's
 * statistics mark 1 starts the recording and the next mark 2 stops it.
 */
void vcpu_sched_trace_mark(unsigned int mark);
void vcpu_sched_trace_dump(void);

/* Logs the run queues (sched_dump) with the per-pCPU counters. */
void vcpu_sched_dump(void);

#endif
