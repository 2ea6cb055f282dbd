/*
 * prot32: a guest started in 32-bit protected mode with paging off
 * (layout.h). The ucall works with a 32-bit VMCALL: EAX and EDI carry the
 * number and the struct's address, and the host must ignore bits 63:32 of
 * RAX and RDI (SDM Vol. 1 3.4.1.1: they are undefined outside 64-bit mode).
 *
 * Checks: CR0.PE = 1, CR0.PG = 0, CS = GUEST_SEL_CODE32.
 *
 * SYNC sequence (then DONE):
 *   1. SYNC(0x32, CR0, CS, ESP at entry (layout.h: the top of RAM))
 */
#include "guest.h"

void guest_main(void)
{
	unsigned long cr0 = read_cr0();
	uint16_t cs = read_cs();

	GUEST_ASSERT_EQ(cr0 & X86_CR0_PE, X86_CR0_PE);
	GUEST_ASSERT_EQ(cr0 & X86_CR0_PG, 0);
	GUEST_ASSERT_EQ(cs, GUEST_SEL_CODE32);
	ucall_sync(0x32, cr0, cs, guest_entry_sp);
}
