/*
 * Running a function on other CPUs. The caller waits until the function has
 * returned on the target. Call with interrupts enabled (the wait must not
 * block an incoming call) and without holding spinlocks a target may need.
 */
#ifndef TANDEM_SMP_H
#define TANDEM_SMP_H

#include <stdint.h>

typedef void (*smp_fn_t)(void *arg);

/* Runs fn(arg) on CPU `cpu` (may be the caller). 0, -ERR_NOENT (offline) or -ERR_TIMEOUT. */
int smp_call(unsigned int cpu, smp_fn_t fn, void *arg);

/* Runs fn(arg) on every online CPU, the caller included. Returns how many did not answer. */
int smp_call_all(smp_fn_t fn, void *arg);

/*
 * Hands fn(arg) to CPU `cpu`'s idle loop and returns at once; fn runs there
 * with interrupts enabled and may run for long (a vCPU run loop). One item
 * per CPU: -ERR_BUSY while the previous one has not started, -ERR_NOENT for
 * an offline CPU. The caller learns of completion through arg.
 */
int smp_post(unsigned int cpu, smp_fn_t fn, void *arg);

#endif
