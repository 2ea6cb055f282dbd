/*
 * Running a test guest (tests/guests/) in the test build: a VM with the
 * layout of tests/guests/layout.h, one vCPU on a chosen pCPU, its ucalls
 * recorded for the test case to check.
 */
#ifndef TESTS_TARGET_GUEST_RUN_H
#define TESTS_TARGET_GUEST_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <vm.h>
#include <x86/vcpu.h>
#include <x86/vmx_exit_reasons.h>

#define GUEST_RUN_MAX_SYNC 32

struct guest_run {
	/* Set by the test. */
	const char *name;
	const char *image, *image_end;
	enum vcpu_mode mode;
	unsigned int cpu;
	void (*prepare)(
	    struct vcpu *v); /* optional: runs on that CPU just before the first entry */

	/* Results, valid once finished. */
	volatile bool finished;
	int error; /* setting up the VM failed */
	enum vm_stop stop;
	unsigned int nsync, nassert, nprint;
	uint64_t sync[GUEST_RUN_MAX_SYNC][UCALL_ARGS];
	uint64_t exits[VMX_EXIT_REASON_MAX];
	uint64_t exit_cycles[VMX_EXIT_REASON_MAX];
	struct vm vm;
	uint64_t testdev_value;
};

/* Starts g on g->cpu (asynchronously unless that is the calling CPU). */
void guest_run_start(struct guest_run *g);

/* Waits until g finished; after timeout_ms it kills the VM. False if it had to. */
bool guest_run_wait(struct guest_run *g, unsigned int timeout_ms);

/* True when VMX tests can run here; otherwise logs why and the case is skipped. */
bool guest_run_possible(void);

#endif
