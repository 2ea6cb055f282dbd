/*
 * Per-CPU one-shot timers on the LAPIC: TSC-deadline mode when the CPU has
 * it, the one-shot count-down mode (calibrated against the TSC) otherwise.
 * Each CPU keeps a queue of timers (timerq.h) and programs the LAPIC for
 * the earliest. Callbacks run in interrupt context on the CPU that armed
 * them, never before their deadline. A timer is armed on the calling CPU
 * (re-arming it elsewhere moves it) and may be deleted from any CPU: each
 * queue has a lock, so a vCPU's timer can stay where it blocked while the
 * vCPU runs elsewhere.
 */
#ifndef X86_TIMER_H
#define X86_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <timerq.h>

typedef void (*timer_fn_t)(void *arg);

/* BSP: picks the mode and calibrates the count-down rate. Needs the TSC calibrated. */
void timer_init_bsp(void);

/* Queues t (fn and arg set by the caller) on this CPU for a TSC deadline; re-adding moves it. */
void timer_add(struct timerq_entry *t, uint64_t deadline_tsc);
/* Takes t off the queue it is on (any CPU's), if any. Its callback may still be running. */
void timer_del(struct timerq_entry *t);

/* timer_del(), then waits until a callback of t running on another CPU has returned. */
void timer_del_sync(struct timerq_entry *t);

/* This CPU's one shared one-shot: fires fn(arg) once, delay_ns from now; arming replaces it. */
void timer_arm_ns(uint64_t delay_ns, timer_fn_t fn, void *arg);
void timer_cancel(void);

bool timer_uses_deadline(void);

/* APIC timer ticks per second in count-down mode (0 if unused). */
uint64_t timer_lapic_hz(void);

#endif
