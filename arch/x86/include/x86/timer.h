/*
 * Per-CPU one-shot timers on the LAPIC: TSC-deadline mode when the CPU has
 * it, the one-shot count-down mode (calibrated against the TSC) otherwise.
 * One pending timer per CPU; arming replaces it. The callback runs in
 * interrupt context on the CPU that armed it.
 */
#ifndef X86_TIMER_H
#define X86_TIMER_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*timer_fn_t)(void *arg);

/* BSP: picks the mode and calibrates the count-down rate. Needs the TSC calibrated. */
void timer_init_bsp(void);

/* Fires fn(arg) on this CPU once, delay_ns from now. */
void timer_arm_ns(uint64_t delay_ns, timer_fn_t fn, void *arg);

void timer_cancel(void);

bool timer_uses_deadline(void);

/* APIC timer ticks per second in count-down mode (0 if unused). */
uint64_t timer_lapic_hz(void);

#endif
