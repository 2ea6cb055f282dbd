/*
 * A second CPU in a 64-bit test guest (guest_run.h: nvcpus = 2). The AP
 * waits for INIT/STARTUP like a real one after power-on; the boot CPU sends
 * them (apic.h) with ap_boot_vector(), and the AP runs the real-mode
 * trampoline of ap_boot.S: it counts its entry, goes to long mode on the
 * boot CPU's page tables and calls the function given to ap_boot_prepare()
 * on its own stack. That function starts with ap_init_cpu().
 *
 * Shared code tells the CPUs apart by the stack it runs on (guest_cpu()),
 * so no per-CPU register is needed: the AP runs on guest_ap_stacks, its
 * exceptions on the bottom GUEST_IST_SIZE bytes of the same block.
 */
#ifndef GUESTS_GUEST_SMP_H
#define GUESTS_GUEST_SMP_H

#include <stdint.h>
#include "idt.h"

#define GUEST_AP_STACK_SIZE 16384

extern uint8_t guest_ap_stacks[GUEST_IST_SIZE + GUEST_AP_STACK_SIZE];

/* 0 on the boot CPU, 1 on the AP. */
unsigned int guest_cpu(void);

/* The AP will run fn (which must not return) after its next STARTUP. */
void ap_boot_prepare(void (*fn)(void));

/* The STARTUP vector of the trampoline: its page number, below 1 MiB (SDM Vol. 3A 8.4.4.1). */
uint8_t ap_boot_vector(void);

/* How often an AP entered the trampoline: counted by its very first instructions. */
uint32_t ap_boot_entries(void);

/* On the AP, first: its descriptor tables and exception stack (idt_init_ap). */
void ap_init_cpu(void);

#endif
