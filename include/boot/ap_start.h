/* The parameters the BSP hands one starting AP (boot/ap_trampoline.S, boot/smp_boot.c). */
#ifndef BOOT_AP_START_H
#define BOOT_AP_START_H

#define AP_TRAMPOLINE_BASE 0x8000 /* below 1 MiB, 4 KiB aligned: SIPI vector 0x08 */

#define AP_START_STACK   0
#define AP_START_CPU     8
#define AP_START_CLAIMED 12
#define AP_START_CR3     16
#define AP_START_NXE     24

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct ap_start {
	uint64_t stack_top;
	uint32_t cpu;
	uint32_t claimed; /* xchg'd to 1 by the AP that takes these parameters */
	uint64_t cr3;     /* final page tables: the stack is mapped only there */
	uint32_t nxe;     /* set EFER.NXE before loading cr3 */
};
_Static_assert(offsetof(struct ap_start, stack_top) == AP_START_STACK, "ap_trampoline.S");
_Static_assert(offsetof(struct ap_start, cpu) == AP_START_CPU, "ap_trampoline.S");
_Static_assert(offsetof(struct ap_start, claimed) == AP_START_CLAIMED, "ap_trampoline.S");
_Static_assert(offsetof(struct ap_start, cr3) == AP_START_CR3, "ap_trampoline.S");
_Static_assert(offsetof(struct ap_start, nxe) == AP_START_NXE, "ap_trampoline.S");

extern struct ap_start ap_start;
#endif

#endif
