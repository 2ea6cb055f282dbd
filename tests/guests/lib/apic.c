/* The guests' local APIC accessors (apic.h). */
#include "guest.h"
#include "apic.h"
#include "guest_smp.h"

#define MMIO_BASE 0xfee00000ull

static bool x2[GUEST_MAX_CPUS];

static volatile uint32_t *mmio(unsigned int idx)
{
	return (volatile uint32_t *)(MMIO_BASE + apic_mmio_offset(idx));
}

bool apic_x2apic(void)
{
	return x2[guest_cpu()];
}

/* A plain MOV: the instruction form Tandem's MMIO emulation must decode anyway. */
uint32_t apic_read(unsigned int idx)
{
	uint32_t v;

	if (apic_x2apic())
		return (uint32_t)rdmsr(apic_msr(idx));
	__asm__ __volatile__("movl (%1), %0" : "=r"(v) : "r"(mmio(idx)) : "memory");
	return v;
}

void apic_write(unsigned int idx, uint32_t val)
{
	if (apic_x2apic())
		wrmsr(apic_msr(idx), val);
	else
		__asm__ __volatile__("movl %0, (%1)" : : "r"(val), "r"(mmio(idx)) : "memory");
}

void apic_follow_mode(void)
{
	x2[guest_cpu()] = rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_EXTD;
}

void apic_enable(bool x2apic)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	GUEST_ASSERT_EQ(base & (APIC_BASE_ADDR | APIC_BASE_ENABLE),
	                APIC_DEFAULT_BASE | APIC_BASE_ENABLE);
	if (x2apic) {
		GUEST_ASSERT(cpuid(1, 0).ecx & CPUID1_ECX_X2APIC);
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_EXTD);
	} else {
		GUEST_ASSERT(!(base & APIC_BASE_EXTD));
		paging_map_gib(MMIO_BASE);
	}
	x2[guest_cpu()] = x2apic;
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
}

void apic_send_ipi(uint32_t lo, uint32_t dest)
{
	if (apic_x2apic()) {
		wrmsr(apic_msr(APIC_ICR), (uint64_t)dest << 32 | lo);
		return;
	}
	apic_write(APIC_ICR2, dest << 24);
	apic_write(APIC_ICR, lo);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

uint32_t apic_esr(void)
{
	apic_write(APIC_ESR, 0);
	return apic_read(APIC_ESR);
}

static bool bit(unsigned int first, uint8_t v)
{
	return apic_read(first + v / 32) & (1u << (v % 32));
}

bool apic_irr(uint8_t v)
{
	return bit(APIC_IRR0, v);
}

bool apic_isr(uint8_t v)
{
	return bit(APIC_ISR0, v);
}

bool apic_tmr(uint8_t v)
{
	return bit(APIC_TMR0, v);
}

uint64_t apic_isr_list(void)
{
	uint64_t list = 0;
	unsigned int n = 0;

	for (int i = 7; i >= 0; i--) {
		uint32_t w = apic_read(APIC_ISR0 + (unsigned int)i);

		while (w && n < 8) {
			unsigned int b = 31 - (unsigned int)__builtin_clz(w);

			list |= (uint64_t)(i * 32 + b) << (8 * n++);
			w &= ~(1u << b);
		}
	}
	return list;
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return apic_x2apic() ? id : id >> 24;
}

static struct cpuid_regs leaf15(void)
{
	struct cpuid_regs r = {0, 0, 0, 0};

	if (cpuid(0, 0).eax >= 0x15)
		r = cpuid(0x15, 0);
	GUEST_ASSERT(r.eax && r.ebx && r.ecx); /* Tandem fills it: {1, 1, TSC Hz} */
	return r;
}

uint64_t apic_timer_hz(void)
{
	return leaf15().ecx;
}

uint64_t guest_tsc_hz(void)
{
	struct cpuid_regs r = leaf15();

	return (uint64_t)r.ecx * r.ebx / r.eax;
}

uint64_t apic_timer_ticks(uint64_t n, uint32_t d)
{
	struct cpuid_regs r = leaf15();

	return n * d * r.ebx / r.eax;
}
