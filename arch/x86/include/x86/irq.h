/*
 * Interrupt and exception entry. isr.S pushes the registers in the order of
 * struct irq_frame (checked by _Static_assert against the assembly's size)
 * and calls irq_dispatch().
 */
#ifndef X86_IRQ_H
#define X86_IRQ_H

#include <stdint.h>
#include <compiler.h>

struct irq_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
#define IRQ_FRAME_SIZE (22 * 8) /* isr.S relies on this */
_Static_assert(sizeof(struct irq_frame) == IRQ_FRAME_SIZE, "isr.S frame layout");

/* Architectural exception vectors (SDM Vol. 3A Table 6-1). */
enum exc_vector {
	EXC_DE = 0,
	EXC_DB = 1,
	EXC_NMI = 2,
	EXC_BP = 3,
	EXC_OF = 4,
	EXC_BR = 5,
	EXC_UD = 6,
	EXC_NM = 7,
	EXC_DF = 8,
	EXC_TS = 10,
	EXC_NP = 11,
	EXC_SS = 12,
	EXC_GP = 13,
	EXC_PF = 14,
	EXC_MF = 16,
	EXC_AC = 17,
	EXC_MC = 18,
	EXC_XM = 19,
	EXC_VE = 20,
	EXC_CP = 21,
	EXC_COUNT = 32,
};

/* Host interrupt vectors Tandem uses. Higher vector = higher priority class. */
enum irq_vector {
	VEC_CONSOLE = 0x40, /* the serial console's receive interrupt (boot CPU) */
	VEC_TIMER = 0xec,
	VEC_CALL = 0xf0, /* run-function IPI */
	VEC_SPURIOUS = 0xff,
};

typedef void (*irq_handler_t)(struct irq_frame *f);

/* Installs the handler for an external vector (>= 32). The LAPIC EOI is sent by the dispatcher. */
void irq_register(unsigned int vector, irq_handler_t h);

/* Registers the cross-CPU call vector (arch/x86/ipi.c). */
void ipi_init(void);

/* Called from isr.S with interrupts disabled. */
void irq_dispatch(struct irq_frame *f);

/* Exception path: extable fixups, then a register dump and this CPU stops. */
void exception_handle(struct irq_frame *f);

/* Prints a frame-pointer chain starting at rbp, with rip as frame 0. */
void backtrace_from(uint64_t rbp, uint64_t rip);

/*
 * An instruction that may fault: on an exception at `insn`, execution resumes
 * at `fixup` instead. Used by rdmsr_safe and friends.
 */
struct extable_entry {
	uint64_t insn, fixup;
};
#define EXTABLE(insn, fixup)                                                                       \
	".pushsection .extable, \"a\"\n\t.balign 8\n\t.quad " #insn ", " #fixup                    \
	"\n\t.popsection\n\t"

#endif
