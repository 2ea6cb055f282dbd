/* Per-CPU GDT and TSS, and loading them (SDM Vol. 3A 3.4.5, 7.2.3). */
#include <string.h>
#include <x86/desc.h>
#include <x86/percpu.h>

/* 64-bit code and flat data descriptors; accessed bits preset. */
#define DESC_KCODE 0x00af9b000000ffffull
#define DESC_KDATA 0x00cf93000000ffffull

static void set_tss_desc(uint64_t *gdt, const struct tss *tss)
{
	uint64_t base = (uint64_t)tss, limit = sizeof(*tss) - 1;

	/* 16-byte available 64-bit TSS descriptor (type 9), present. */
	gdt[GDT_TSS] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	               ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[GDT_TSS + 1] = base >> 32;
}

void desc_init_cpu(void)
{
	struct percpu *p = this_cpu();
	struct desc_ptr gdtr = {sizeof(p->gdt) - 1, (uint64_t)p->gdt};

	memset(p->gdt, 0, sizeof(p->gdt));
	p->gdt[GDT_KCODE] = DESC_KCODE;
	p->gdt[GDT_KDATA] = DESC_KDATA;
	memset(&p->tss, 0, sizeof(p->tss));
	for (int i = 0; i < IST_COUNT; i++)
		p->tss.ist[i] = p->ist_top[i];
	p->tss.rsp[0] = p->stack_top;
	p->tss.iomap_base = sizeof(p->tss); /* no I/O bitmap: every port faults in ring 3 */
	set_tss_desc(p->gdt, &p->tss);

	__asm__ __volatile__(
	    "lgdt %0\n\t"
	    "pushq %[cs]\n\t"
	    "leaq 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\n\t"
	    "movw %w[ds], %%ax\n\t"
	    "movw %%ax, %%ds\n\t"
	    "movw %%ax, %%es\n\t"
	    "movw %%ax, %%ss\n\t"
	    "ltr %w[tr]"
	    :
	    : "m"(gdtr), [cs] "i"(SEL_KCODE), [ds] "r"(SEL_KDATA), [tr] "r"(SEL_TSS)
	    : "rax", "memory");
	idt_load();
}

void desc_set_ist(enum ist_slot slot, uint64_t top)
{
	struct percpu *p = this_cpu();

	p->ist_top[slot] = top;
	p->tss.ist[slot] = top; /* the CPU reads IST on each event: no reload needed */
}
