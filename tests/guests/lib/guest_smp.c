/* The C half of AP start-up (guest_smp.h, ap_boot.S). */
#include "guest.h"
#include "guest_smp.h"

uint8_t guest_ap_stacks[GUEST_IST_SIZE + GUEST_AP_STACK_SIZE] __aligned(4096);

/* Read by ap_boot.S. */
uint64_t ap_boot_cr3, ap_boot_rsp;
void (*ap_boot_fn)(void);

extern char ap_boot_start[];
extern volatile uint32_t ap_boot_count;

unsigned int guest_cpu(void)
{
	uintptr_t sp;

	__asm__ __volatile__("movq %%rsp, %0" : "=r"(sp));
	return sp - (uintptr_t)guest_ap_stacks < sizeof(guest_ap_stacks) ? 1 : 0;
}

void ap_boot_prepare(void (*fn)(void))
{
	ap_boot_cr3 = read_cr3();
	ap_boot_rsp = (uint64_t)guest_ap_stacks + sizeof(guest_ap_stacks);
	WRITE_ONCE(ap_boot_fn, fn);
}

uint8_t ap_boot_vector(void)
{
	uintptr_t a = (uintptr_t)ap_boot_start;

	GUEST_ASSERT(!(a & 0xfff) && a < 0x100000);
	return (uint8_t)(a >> 12);
}

uint32_t ap_boot_entries(void)
{
	return __atomic_load_n(&ap_boot_count, __ATOMIC_ACQUIRE);
}

void ap_init_cpu(void)
{
	idt_init_ap(1, guest_ap_stacks + GUEST_IST_SIZE);
}
