/*
 * Per-CPU data. GS base points at this CPU's struct percpu, whose first field
 * points at itself, so this_cpu() is one load. Fields are written by the CPU
 * that owns them, except where noted.
 */
#ifndef X86_PERCPU_H
#define X86_PERCPU_H

#include <stdbool.h>
#include <stdint.h>
#include <spinlock.h>
#include <timerq.h>
#include <x86/desc.h>

#define MAX_CPUS 64

struct percpu {
	struct percpu *self; /* must stay first: this_cpu() reads %gs:0 */
	unsigned int id;     /* logical index, 0 = BSP */
	uint32_t apic_id;
	volatile bool online; /* set by the CPU itself once it runs C code on its own stack */

	/* Stacks (arch/x86/stacks.c): tops of the kernel and IST stacks. */
	uint64_t stack_top;
	uint64_t ist_top[IST_COUNT];

	/* Descriptor tables, private so each CPU has its own TSS. */
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss;

	/* Timer (arch/x86/timer.c). */
	spinlock_t timer_lock;                       /* guards timers: other CPUs delete from it */
	struct timerq timers;                        /* this CPU's queue */
	struct timerq_entry *volatile timer_running; /* whose callback runs now, or NULL */
	struct timerq_entry oneshot;                 /* timer_arm_ns's */
	uint64_t timer_fired;

	/* Cross-CPU calls (arch/x86/ipi.c): written by the caller under call_lock. */
	void (*volatile call_fn)(void *);
	void *volatile call_arg;
	volatile uint64_t call_seq;  /* bumped by the caller */
	volatile uint64_t call_done; /* set to call_seq by this CPU when fn returned */
	uint64_t ipis_received;

	/* VMX (arch/x86/vmx.c, vcpu.c): owned by this CPU. */
	bool vmx_on;
	uint64_t vmxon_pa;
	struct vcpu *vcpu; /* whose VMCS is current on this CPU, or NULL */

	/* Work posted by another CPU, run by the idle loop (boot/idle.c). */
	void (*volatile work_fn)(void *);
	void *volatile work_arg;
};

extern struct percpu percpu[MAX_CPUS];

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(p));
	return p;
}

/* Points GS base at percpu[id] and fills in self/id. Called first thing on each CPU. */
void percpu_install(unsigned int id, uint32_t apic_id);

/* Index of the CPU with this APIC ID, or -1. */
int percpu_by_apic_id(uint32_t apic_id);

/* Marks the calling CPU online and counts it; it must be ready for IPIs. */
void percpu_mark_online(void);

#endif
