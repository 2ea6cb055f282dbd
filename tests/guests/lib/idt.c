/*
 * GDT, TSS and IDT of a 64-bit test guest (idt.h). The GDT repeats the
 * host's selectors (layout.h) so CS and SS keep their values, and adds a TSS
 * per CPU for its exception stack (SDM Vol. 3A 6.14.5, IST). The IDT and the
 * handler table are shared by the CPUs.
 */
#include <format.h>
#include "guest.h"

#define DESC_CODE64 0x00af9b000000ffffull /* accessed bits preset: loads never write the GDT */
#define DESC_DATA   0x00cf93000000ffffull
#define DESC_CODE32 0x00cf9b000000ffffull
#define GATE_INTR   0x8e /* present, DPL 0, 64-bit interrupt gate: IF cleared on entry */

_Static_assert(GUEST_SEL_CODE64 == 0x08 && GUEST_SEL_DATA == 0x10 && GUEST_SEL_CODE32 == 0x18,
               "the GDT below follows layout.h");

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "SDM Vol. 3A Figure 8-11");

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, rsvd;
};

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

extern const uint64_t isr_stub_table[256];

uint64_t guest_cr3;
uint8_t guest_ist_stack[GUEST_IST_SIZE] __aligned(4096);

static uint64_t gdt[8] __aligned(16);
static struct tss64 tss[GUEST_MAX_CPUS] __aligned(16);
static struct idt_gate idt[256] __aligned(16);
static idt_handler_t handlers[256];
static uint32_t counts[256];
static unsigned last_vector = ~0u;
static uint64_t last_error;

static void set_gate(uint8_t v, uint8_t ist)
{
	uint64_t a = isr_stub_table[v];

	idt[v] = (struct idt_gate){
	    .off0 = (uint16_t)a,
	    .sel = GUEST_SEL_CODE64,
	    .ist = ist,
	    .type = GATE_INTR,
	    .off1 = (uint16_t)(a >> 16),
	    .off2 = (uint32_t)(a >> 32),
	};
}

/* A 16-byte available 64-bit TSS descriptor (type 9), present (SDM Vol. 3A 8.2.3). */
static void set_tss_desc(unsigned int sel, const struct tss64 *t)
{
	uint64_t base = (uint64_t)t, limit = sizeof(*t) - 1;

	gdt[sel / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
	               ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[sel / 8 + 1] = base >> 32;
}

/* Loads the GDT, reloads every segment register, then TR = tr and the IDT. */
static void load_tables(uint16_t tr)
{
	struct desc_ptr gdtr = {sizeof(gdt) - 1, (uint64_t)gdt};
	struct desc_ptr idtr = {sizeof(idt) - 1, (uint64_t)idt};

	__asm__ __volatile__(
	    "lgdt %0\n\t"
	    "pushq %[cs]\n\t"
	    "leaq 1f(%%rip), %%rax\n\t"
	    "pushq %%rax\n\t"
	    "lretq\n"
	    "1:\n\t"
	    "movl %[ds], %%eax\n\t"
	    "movl %%eax, %%ds\n\t"
	    "movl %%eax, %%es\n\t"
	    "movl %%eax, %%fs\n\t"
	    "movl %%eax, %%gs\n\t"
	    "movl %%eax, %%ss\n\t"
	    "ltr %w[tr]\n\t"
	    "lidt %1"
	    :
	    : "m"(gdtr),
	      "m"(idtr), [cs] "i"(GUEST_SEL_CODE64), [ds] "i"(GUEST_SEL_DATA), [tr] "r"(tr)
	    : "rax", "memory");
}

void idt_init(void)
{
	guest_cr3 = read_cr3();
	gdt[GUEST_SEL_CODE64 / 8] = DESC_CODE64;
	gdt[GUEST_SEL_DATA / 8] = DESC_DATA;
	gdt[GUEST_SEL_CODE32 / 8] = DESC_CODE32;
	for (unsigned int c = 0; c < GUEST_MAX_CPUS; c++) {
		tss[c].iomap_base = sizeof(tss[c]);
		set_tss_desc(GUEST_SEL_TSS + c * 16, &tss[c]);
	}
	tss[0].ist[0] = (uint64_t)guest_ist_stack + sizeof(guest_ist_stack);
	for (int v = 0; v < 32; v++)
		set_gate((uint8_t)v, 1);
	load_tables(GUEST_SEL_TSS);
}

void idt_init_ap(unsigned int cpu, void *ist_top)
{
	GUEST_ASSERT(cpu > 0 && cpu < GUEST_MAX_CPUS);
	tss[cpu].ist[0] = (uint64_t)ist_top;
	/* After an INIT the AP comes back here; LTR faults on the busy TSS its last LTR left. */
	set_tss_desc(GUEST_SEL_TSS + cpu * 16, &tss[cpu]);
	load_tables((uint16_t)(GUEST_SEL_TSS + cpu * 16));
}

void idt_set_handler(uint8_t vector, idt_handler_t fn)
{
	handlers[vector] = fn;
	if (vector >= 32)
		set_gate(vector, 0);
}

unsigned idt_last_vector(void)
{
	return READ_ONCE(last_vector);
}

uint64_t idt_last_error(void)
{
	return READ_ONCE(last_error);
}

uint32_t idt_count(uint8_t vector)
{
	return READ_ONCE(counts[vector]);
}

static __noreturn void unexpected(const struct guest_frame *f)
{
	char text[UCALL_TEXT_MAX];
	uint64_t cr2;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
	ksnprintf(text, sizeof(text), "unexpected vector %lu error %#lx rip %#lx cr2 %#lx",
	          (unsigned long)f->vector, (unsigned long)f->error, (unsigned long)f->rip,
	          (unsigned long)cr2);
	ucall_assert(__FILE_NAME__, __LINE__, text, f->vector, f->rip);
}

void idt_dispatch(struct guest_frame *f)
{
	uint8_t v = (uint8_t)f->vector;

	last_vector = v;
	last_error = f->error;
	__atomic_fetch_add(&counts[v], 1, __ATOMIC_RELAXED); /* two CPUs may take the same vector */
	if (handlers[v]) {
		handlers[v](f);
		return;
	}
	if (try_fixup(f))
		return;
	unexpected(f);
}
