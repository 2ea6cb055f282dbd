/*
 * Descriptor tables for 64-bit test guests: a GDT with the selectors of
 * layout.h plus a TSS per CPU (guest_smp.h), and an IDT. Exceptions 0-31 run on their own stack
 * (IST1), so they are delivered even when the interrupted code has wrecked
 * RSP. An exception outside guest_try() (try.h) and without a handler is
 * fatal: it is reported as an ASSERT ucall naming the vector, error code and
 * RIP, and the guest ends (ucall_assert).
 */
#ifndef GUESTS_IDT_H
#define GUESTS_IDT_H

#include <stdint.h>

/* What isr64.S saves, lowest address first. */
struct guest_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error; /* error is 0 for vectors without an error code */
	uint64_t rip, cs, rflags, rsp, ss;
};
_Static_assert(sizeof(struct guest_frame) == 22 * 8, "isr64.S frame layout");

/* Runs with interrupts off; may change *f (it is what IRETQ restores). */
typedef void (*idt_handler_t)(struct guest_frame *f);

#define GUEST_SEL_TSS  0x20 /* CPU n's TSS is at GUEST_SEL_TSS + 16 * n */
#define GUEST_IST_SIZE 8192
#define GUEST_MAX_CPUS 2

/* The exception stack; page aligned, for guests that build their own page tables. */
extern uint8_t guest_ist_stack[GUEST_IST_SIZE];

/*
 * The CR3 the guest started with. Every interrupt entry switches back to it
 * before touching anything but its stack, so code may run briefly on other
 * page tables (badinsn's sandbox) and still have its faults handled.
 */
extern uint64_t guest_cr3;

/* Loads the GDT, TSS and IDT (vectors 0-31 present). start64.S calls it. */
void idt_init(void);

/*
 * The same for an application processor `cpu` (1 .. GUEST_MAX_CPUS - 1),
 * after idt_init ran on the boot CPU: the shared GDT and IDT, and the AP's
 * own TSS with ist_top as its exception stack. Callable again after the AP
 * was restarted by INIT and STARTUP.
 */
void idt_init_ap(unsigned int cpu, void *ist_top);

/* Installs fn for vector (any vector; >= 32 makes the gate present). */
void idt_set_handler(uint8_t vector, idt_handler_t fn);

/* Bookkeeping of every interrupt and exception the guest took. */
unsigned idt_last_vector(void);
uint64_t idt_last_error(void);
uint32_t idt_count(uint8_t vector);

/* Called by isr64.S. */
void idt_dispatch(struct guest_frame *f);

#endif
