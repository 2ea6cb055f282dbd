/*
 * Segment descriptors, the TSS and the IDT (SDM Vol. 3A 3.4.5, 7.7, 6.14).
 * Each CPU has its own GDT so it can hold that CPU's TSS.
 */
#ifndef X86_DESC_H
#define X86_DESC_H

#include <stdint.h>
#include <compiler.h>

/* GDT layout. Selector = index * 8. */
enum gdt_index {
	GDT_NULL = 0,
	GDT_KCODE = 1, /* 64-bit code */
	GDT_KDATA = 2,
	GDT_TSS = 3, /* 16-byte system descriptor: uses two slots */
	GDT_ENTRIES = 5,
};
#define SEL_KCODE (GDT_KCODE * 8)
#define SEL_KDATA (GDT_KDATA * 8)
#define SEL_TSS   (GDT_TSS * 8)

/* Interrupt stack table slots (1-based in the IDT gate, 0-based here). */
enum ist_slot {
	IST_NMI,
	IST_DF,
	IST_MC,
	IST_COUNT
};

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;
_Static_assert(sizeof(struct tss) == 104, "TSS layout (SDM Vol. 3A Figure 7-11)");

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __packed;
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate (SDM Vol. 3A Figure 6-8)");

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __packed;

/* Builds this CPU's GDT and TSS (IST stacks from percpu) and loads GDTR, segments, TR and IDTR. */
void desc_init_cpu(void);

/* Points an IST slot of this CPU at a new stack top (live TSS update). */
void desc_set_ist(enum ist_slot slot, uint64_t top);

/* Loads the shared IDT on this CPU. */
void idt_load(void);

/* Fills the shared IDT once, on the BSP, before any desc_init_cpu(). */
void idt_init(void);

#endif
