/*
 * Per-CPU stacks in the stack region (STACK_REGION_BASE): each CPU owns a
 * 256 KiB virtual slot holding its kernel stack and its NMI/#DF/#MC IST
 * stacks, each below an unmapped guard page, so an overflow faults (onto an
 * IST stack) instead of corrupting its neighbour.
 */
#ifndef X86_STACKS_H
#define X86_STACKS_H

#include <stdint.h>
#include <x86/desc.h>

#define KSTACK_PAGES 8
#define IST_PAGES    2

struct cpu_stacks {
	uint64_t kstack_top;
	uint64_t kstack_bottom; /* lowest mapped byte; the guard page is just below */
	uint64_t ist_top[IST_COUNT];
};

/* Backs cpu's slot with fresh frames. Returns 0 or -ERR_NOMEM. */
int stacks_alloc(unsigned int cpu, struct cpu_stacks *out);

/* Switches the calling CPU to the stack top and calls fn there; never returns. */
void __attribute__((noreturn)) stack_switch_call(uint64_t top, void (*fn)(void));

#endif
