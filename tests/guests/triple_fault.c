/*
 * triple_fault: a guest that shuts itself down. With a zero-limit IDT, INT3
 * cannot be delivered (#GP), nor can the #GP, nor the #DF: a triple fault
 * (SDM Vol. 3A 6.15, "Interrupt 8"), which Tandem reports as a stop reason.
 *
 * SYNC sequence: SYNC(1, 0, 0, 0), then the triple fault; never DONE. If
 * execution continues past INT3 the guest sends an ASSERT.
 */
#include "guest.h"

void guest_main(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __packed empty = {0, 0};

	ucall_sync(1, 0, 0, 0);
	__asm__ __volatile__("lidt %0\n\t"
	                     "int3" ::"m"(empty)
	                     : "memory");
	GUEST_ASSERT(!"INT3 with a zero-limit IDT did not triple-fault");
}
