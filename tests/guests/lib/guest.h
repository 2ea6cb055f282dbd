/*
 * Everything a test guest includes. A guest defines guest_main(); the start
 * code (start64.S or start32.S) sets up a stack, clears .bss, loads the
 * descriptor tables (64-bit), calls guest_main and then ucall_done().
 */
#ifndef GUESTS_GUEST_H
#define GUESTS_GUEST_H

#include <compiler.h>
#include <stdint.h>
#include <hw/tandem_abi.h>
#include "layout.h"
#include "ucall.h"
#include "x86.h"
#ifdef __x86_64__
#include "idt.h"
#include "paging.h"
#include "try.h"
#endif

void guest_main(void);

/* The stack pointer the host gave the guest at entry (layout.h: the top of RAM). */
extern unsigned long guest_entry_sp;

/* 64-bit guests: RSI at entry, the host's argument for this run (guest_run.arg). */
extern unsigned long guest_entry_arg;

#endif
