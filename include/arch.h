/*
 * The arch boundary: everything generic code may ask of the machine. Each hook
 * is implemented once, in arch/x86/. Generic code includes this header and
 * never an arch/x86 internal one.
 */
#ifndef TANDEM_ARCH_H
#define TANDEM_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <compiler.h>

/* Writes n bytes to every console (serial, debug port). Callable before any
 * init and from any context; it spins on the UART but never blocks forever. */
void arch_console_write(const char *s, size_t n);

/* Reads one console byte if one is waiting; returns -1 otherwise. */
int arch_console_getc(void);

/*
 * Hands every byte typed on the console to fn, in interrupt context on the
 * boot CPU (the UART's receive interrupt, through the I/O APIC). Returns
 * -ERR_NOTSUP when there is no UART or no I/O APIC serves its IRQ.
 */
int arch_console_input(void (*fn)(uint8_t byte));

/* Interrupt flag save/restore around a critical section. Paired. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/* Index (0..ncpus-1) of the calling CPU; 0 before per-CPU data is set up. */
unsigned int arch_cpu_id(void);

/* Number of CPUs online. */
unsigned int arch_cpu_count(void);

/* Monotonic nanoseconds since boot, from the calibrated TSC; 0 before calibration. */
uint64_t arch_time_ns(void);

/* Prints a frame-pointer backtrace starting at the caller. */
void arch_backtrace(void);

/* Stops every other CPU (best effort, used by panic). */
void arch_stop_others(void);

/*
 * Ends the emulator with a verdict: isa-debug-exit for QEMU, the 0x8A00
 * command port for Bochs. Halts if neither is present. Test builds only.
 */
void __noreturn arch_test_exit(bool pass);

struct vcpu;

/* Makes the vCPU leave its run loop soon: sets its stop bit and kicks its CPU. */
void arch_vcpu_kick_stop(struct vcpu *v);

/* Halts this CPU forever with interrupts off. */
void __noreturn arch_halt(void);

#endif
