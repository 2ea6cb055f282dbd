#include <errcode.h>
#include <frame.h>
#include <log.h>
#include <x86/paging.h>
#include <x86/stacks.h>

#define SLOT_PAGES 64

/* Page offsets inside a slot: [guard][kstack][guard][NMI][guard][#DF][guard][#MC][guard...] */
static uint64_t slot_base(unsigned int cpu)
{
	return STACK_REGION_BASE + (uint64_t)cpu * SLOT_PAGES * PAGE_SIZE;
}

static int map_run(uint64_t va, unsigned int pages)
{
	for (unsigned int i = 0; i < pages; i++) {
		uint64_t pa = frame_alloc(&frames);
		int err;

		if (!pa)
			return -ERR_NOMEM;
		err = paging_map_page(va + i * PAGE_SIZE, pa, PTE_P | PTE_W | PTE_NX);
		if (err)
			return err;
	}
	return 0;
}

int stacks_alloc(unsigned int cpu, struct cpu_stacks *out)
{
	uint64_t va = slot_base(cpu) + PAGE_SIZE; /* first page stays a guard */
	int err;

	err = map_run(va, KSTACK_PAGES);
	if (err)
		return err;
	out->kstack_bottom = va;
	out->kstack_top = va + KSTACK_PAGES * PAGE_SIZE;
	va = out->kstack_top + PAGE_SIZE;
	for (int i = 0; i < IST_COUNT; i++) {
		err = map_run(va, IST_PAGES);
		if (err)
			return err;
		out->ist_top[i] = va + IST_PAGES * PAGE_SIZE;
		va = out->ist_top[i] + PAGE_SIZE;
	}
	_Static_assert(1 + KSTACK_PAGES + IST_COUNT * (IST_PAGES + 1) < SLOT_PAGES,
	               "stack slot size");
	return 0;
}

void stack_switch_call(uint64_t top, void (*fn)(void))
{
	__asm__ __volatile__("movq %0, %%rsp\n\t"
	                     "xorl %%ebp, %%ebp\n\t"
	                     "call *%1\n\t"
	                     "ud2"
	                     :
	                     : "r"(top), "r"(fn)
	                     : "memory");
	__builtin_unreachable();
}
