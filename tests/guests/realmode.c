/*
 * realmode, part 2 (part 1, realmode.S, went from real mode to long mode on
 * its own tables): checks that the switch took.
 *
 * Checks: CR0.PE and CR0.PG set, CR4.PAE set, EFER.LME and EFER.LMA set,
 * CS = GUEST_SEL_CODE64.
 *
 * SYNC sequence (then DONE):
 *   1. SYNC(0x64, CR0, CR4, EFER)
 */
#include "guest.h"

void guest_main(void)
{
	uint64_t cr0 = read_cr0(), cr4 = read_cr4(), efer = rdmsr(MSR_IA32_EFER);

	GUEST_ASSERT_EQ(cr0 & (X86_CR0_PE | X86_CR0_PG), X86_CR0_PE | X86_CR0_PG);
	GUEST_ASSERT_EQ(cr4 & X86_CR4_PAE, X86_CR4_PAE);
	GUEST_ASSERT_EQ(efer & (EFER_LME | EFER_LMA), EFER_LME | EFER_LMA);
	GUEST_ASSERT_EQ(read_cs(), GUEST_SEL_CODE64);
	ucall_sync(0x64, cr0, cr4, efer);
}
