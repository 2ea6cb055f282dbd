/*
 * Exception recovery for 64-bit test guests, like setjmp/longjmp: guest_try
 * calls fn(arg); if fn raises an exception (vectors 0-31 except #DF and #MC),
 * the exception handler abandons fn and guest_try returns the vector. So a
 * guest can assert "this instruction raises #GP" and carry on.
 *
 * After an exception, guest_try restores the callee-saved registers, RSP,
 * RFLAGS, CR3 (to guest_cr3) and the data segment registers; memory fn
 * wrote stays written. Not reentrant: fn must not call guest_try.
 */
#ifndef GUESTS_TRY_H
#define GUESTS_TRY_H

#include <stdbool.h>
#include <stdint.h>
#include "idt.h"

/* Returns -1 when fn returned normally, else the vector fn raised. */
int guest_try(void (*fn)(void *arg), void *arg);

/* The error code and faulting RIP of the last exception guest_try caught. */
uint64_t guest_try_error(void);
uint64_t guest_try_rip(void);

/*
 * Jumping here (with any register contents, on any stack, on page tables
 * that map the guest's code read-only) ends the current guest_try as if fn
 * had returned: guest_try returns -1.
 */
void guest_try_return(void);

/* RDMSR/WRMSR under guest_try: -1 on success, else the vector (#GP = 13). */
int guest_try_rdmsr(uint32_t msr, uint64_t *val);
int guest_try_wrmsr(uint32_t msr, uint64_t val);

/* Called by idt_dispatch: redirects f to the recovery path if a try is active. */
bool try_fixup(struct guest_frame *f);

#endif
