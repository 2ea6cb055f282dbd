/*
 * Running a test guest (tests/guests/) in the test build: a VM with the
 * layout of tests/guests/layout.h, one or two vCPUs, its ucalls recorded
 * for the test case to check.
 *
 * One vCPU: vCPU 0 on `cpu`, entered at the image in `mode`.
 * Two vCPUs (nvcpus = 2): vCPU 0 as above, vCPU 1 on `ap_cpu`, created like
 * an application processor after power-on: in real mode, waiting for
 * INIT/STARTUP from vCPU 0's LAPIC (x86/vcpu.h, wait_sipi), so the guest
 * starts it itself. Each vCPU is created, run and destroyed by a thread on
 * its own pCPU (no scheduler: vcpu_run() waits in HLT itself); the threads meet before the
 * first entry, so no IPI can find its target missing, and again before
 * anything is freed. ap_cpu must be online and neither `cpu` nor the
 * calling CPU (its idle loop runs the thread).
 */
#ifndef TESTS_TARGET_GUEST_RUN_H
#define TESTS_TARGET_GUEST_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <irq_route.h>
#include <spinlock.h>
#include <vm.h>
#include <x86/vcpu.h>
#include <x86/vmx_exit_reasons.h>

#define GUEST_RUN_MAX_SYNC  32
#define GUEST_RUN_MAX_VCPUS 2

struct guest_run {
	/* Set by the test. */
	const char *name;
	const char *image, *image_end;
	enum vcpu_mode mode;
	unsigned int cpu;
	unsigned int nvcpus; /* 0 or 1: one vCPU; 2: vCPU 1 waits for STARTUP on ap_cpu */
	unsigned int ap_cpu;
	bool lapic;   /* a vLAPIC per vCPU plus the vIOAPIC (irq_route.h); implied by nvcpus 2 */
	uint64_t arg; /* vCPU 0's RSI at entry (64-bit guests: guest_entry_arg) */
	/* optional: runs on vCPU 0's CPU just before its first entry */
	void (*prepare)(struct vcpu *v);
	/*
	 * Optional, one vCPU only: after each of vCPU 0's PRINT and SYNC ucalls it
	 * moves to the other of `cpu` and `migrate_cpu` (vmx_vcpu_put/get), as the
	 * scheduler will; migrations counts the moves, pcpu_trail their targets.
	 */
	int migrate_cpu; /* -1 or 0: off (cpu 0 cannot be a target here) */
	unsigned int migrations;
	unsigned int pcpu_trail[8];

	/* Results, valid once finished. Exit counts are vCPU 0's; ap_exits vCPU 1's. */
	volatile bool finished;
	int error; /* setting up the VM failed */
	enum vm_stop stop;
	unsigned int nsync, nassert, nprint;
	uint64_t sync[GUEST_RUN_MAX_SYNC][UCALL_ARGS];
	uint64_t exits[VMX_EXIT_REASON_MAX];
	uint64_t exit_cycles[VMX_EXIT_REASON_MAX];
	uint64_t ap_exits[VMX_EXIT_REASON_MAX];
	uint64_t testdev_value;

	/* Private to guest_run.c. */
	struct vm vm;
	struct vm_irq irq;
	spinlock_t ucall_lock; /* ucalls may come from both vCPUs at once */
	uint64_t cr3;
	volatile unsigned int created, stopped, printed, destroyed; /* vCPU-thread rendezvous */
	volatile bool away_done; /* the migration target is done with vCPU 0 */
};

/* Starts g on g->cpu (asynchronously unless that is the calling CPU). */
void guest_run_start(struct guest_run *g);

/* Waits until g finished; after timeout_ms it kills the VM. False if it had to. */
bool guest_run_wait(struct guest_run *g, unsigned int timeout_ms);

/* True when VMX tests can run here; otherwise logs why and the case is skipped. */
bool guest_run_possible(void);

#endif
