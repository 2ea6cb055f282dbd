/* The IDT (shared by all CPUs) and the interrupt dispatcher. */
#include <arch.h>
#include <log.h>
#include <x86/desc.h>
#include <x86/irq.h>
#include <x86/lapic.h>

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */

extern const uint64_t isr_stub_table[256];

static struct idt_gate idt[256] __aligned(16);
static irq_handler_t handlers[256];

static void set_gate(unsigned int vec, uint64_t addr, unsigned int ist)
{
	idt[vec] = (struct idt_gate){
	    .offset_lo = addr & 0xffff,
	    .selector = SEL_KCODE,
	    .ist = (uint8_t)ist,
	    .type_attr = GATE_INTERRUPT,
	    .offset_mid = (addr >> 16) & 0xffff,
	    .offset_hi = (uint32_t)(addr >> 32),
	};
}

void idt_init(void)
{
	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, isr_stub_table[v], 0);
	/* IST numbers are 1-based in the gate. NMI, #DF and #MC get known-good stacks. */
	set_gate(EXC_NMI, isr_stub_table[EXC_NMI], IST_NMI + 1);
	set_gate(EXC_DF, isr_stub_table[EXC_DF], IST_DF + 1);
	set_gate(EXC_MC, isr_stub_table[EXC_MC], IST_MC + 1);
}

void idt_load(void)
{
	struct desc_ptr p = {sizeof(idt) - 1, (uint64_t)idt};

	__asm__ __volatile__("lidt %0" : : "m"(p));
}

void irq_register(unsigned int vector, irq_handler_t h)
{
	ASSERT(vector >= EXC_COUNT && vector < 256);
	handlers[vector] = h;
}

void irq_dispatch(struct irq_frame *f)
{
	unsigned int v = (unsigned int)f->vector;

	if (v < EXC_COUNT) {
		exception_handle(f);
		return;
	}
	if (v == VEC_SPURIOUS)
		return; /* no EOI for the spurious vector (SDM Vol. 3A 10.9) */
	if (handlers[v])
		handlers[v](f);
	else
		log_warn("cpu %u: unexpected interrupt vector %#x", arch_cpu_id(), v);
	lapic_eoi();
}
