/* W^X and guard pages of Tandem's own page tables, checked on the live tables. */
#include <testcase.h>
#include <log.h>
#include <x86/cpu.h>
#include <x86/irq.h>
#include <x86/paging.h>
#include <x86/percpu.h>
#include <x86/stacks.h>

extern char __image_start[], __text_end[], __rodata_start[], __data_start[], __bss_start[];

/* Returns true if a one-byte write to p faults (the fault is absorbed by the exception table). */
static bool write_faults(volatile char *p)
{
	int fault = 1;

	__asm__ __volatile__("1: movb %%al, (%[p])\n\t"
	                     "xorl %[f], %[f]\n"
	                     "2:\n\t" EXTABLE(1b, 2b)
	                     : [f] "+r"(fault)
	                     : [p] "r"(p), "a"(0)
	                     : "memory");
	return fault;
}

static bool read_faults(const volatile char *p)
{
	int fault = 1;

	__asm__ __volatile__("1: movb (%[p]), %%al\n\t"
	                     "xorl %[f], %[f]\n"
	                     "2:\n\t" EXTABLE(1b, 2b)
	                     : [f] "+r"(fault)
	                     : [p] "r"(p)
	                     : "rax", "memory");
	return fault;
}

static uint64_t flags_of(const void *va)
{
	int level;
	uint64_t e = paging_lookup((uint64_t)va, &level);

	return level ? e : 0;
}

TESTCASE(wx_no_writable_executable_page)
{
	unsigned long wx = paging_count_wx();

	kprintf("  writable+executable mappings: %lu\n", wx);
	test_check(wx == 0);
	test_check(read_cr0() & CR0_WP);
}

TESTCASE(wx_sections)
{
	uint64_t text = flags_of(__image_start), rodata = flags_of(__rodata_start);
	uint64_t data = flags_of(__data_start), bss = flags_of(__bss_start);

	test_check((text & PTE_P) && !(text & PTE_W) && !(text & PTE_NX));
	test_check((rodata & PTE_P) && !(rodata & PTE_W) && (rodata & PTE_NX));
	test_check((data & PTE_P) && (data & PTE_W) && (data & PTE_NX));
	test_check((bss & PTE_P) && (bss & PTE_W) && (bss & PTE_NX));
	/* Enforced, not only written down: CR0.WP makes supervisor writes fault. */
	test_check(write_faults((volatile char *)__rodata_start));
	test_check(write_faults((volatile char *)__image_start));
}

TESTCASE(null_page_and_stack_guards)
{
	struct percpu *p = this_cpu();
	uint64_t guard = p->stack_top - KSTACK_PAGES * PAGE_SIZE - 1;

	test_check(flags_of((void *)0) == 0);
	test_check(read_faults((const volatile char *)8));
	test_check(flags_of((void *)guard) == 0);
	test_check(read_faults((const volatile char *)guard));
	test_check(!read_faults((const volatile char *)(p->stack_top - 8)));
	for (int i = 0; i < IST_COUNT; i++) {
		test_check(flags_of((void *)(p->ist_top[i] - 1)) & PTE_P);
		test_check(flags_of((void *)(p->ist_top[i])) == 0); /* guard above each IST stack */
	}
}
