/* Control registers, flags and the CPU instructions Tandem wraps. */
#ifndef X86_CPU_H
#define X86_CPU_H

#include <stdint.h>
#include <compiler.h>

/* SDM Vol. 3A 2.5: control register bits. */
#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_AM BIT(18)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)

#define CR4_VME        BIT(0)
#define CR4_PVI        BIT(1)
#define CR4_TSD        BIT(2)
#define CR4_DE         BIT(3)
#define CR4_PSE        BIT(4)
#define CR4_PAE        BIT(5)
#define CR4_MCE        BIT(6)
#define CR4_PGE        BIT(7)
#define CR4_PCE        BIT(8)
#define CR4_OSFXSR     BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_UMIP       BIT(11)
#define CR4_LA57       BIT(12)
#define CR4_VMXE       BIT(13)
#define CR4_SMXE       BIT(14)
#define CR4_FSGSBASE   BIT(16)
#define CR4_PCIDE      BIT(17)
#define CR4_OSXSAVE    BIT(18)
#define CR4_SMEP       BIT(20)
#define CR4_SMAP       BIT(21)
#define CR4_PKE        BIT(22)

/* SDM Vol. 1 3.4.3: RFLAGS. */
#define RFLAGS_CF    BIT(0)
#define RFLAGS_FIXED BIT(1)
#define RFLAGS_ZF    BIT(6)
#define RFLAGS_TF    BIT(8)
#define RFLAGS_IF    BIT(9)
#define RFLAGS_DF    BIT(10)
#define RFLAGS_IOPL  (3ull << 12)
#define RFLAGS_NT    BIT(14)
#define RFLAGS_RF    BIT(16)
#define RFLAGS_VM    BIT(17)
#define RFLAGS_AC    BIT(18)
#define RFLAGS_VIF   BIT(19)
#define RFLAGS_VIP   BIT(20)
#define RFLAGS_ID    BIT(21)

#define DEFINE_CR_ACCESS(n)                                                                        \
	static inline uint64_t read_cr##n(void)                                                    \
	{                                                                                          \
		uint64_t v;                                                                        \
		__asm__ __volatile__("mov %%cr" #n ", %0" : "=r"(v));                              \
		return v;                                                                          \
	}                                                                                          \
	static inline void write_cr##n(uint64_t v)                                                 \
	{                                                                                          \
		__asm__ __volatile__("mov %0, %%cr" #n : : "r"(v) : "memory");                     \
	}
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ __volatile__("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

static inline void irq_enable(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

/* Saves RFLAGS and disables interrupts; pair with irq_restore(). */
static inline uint64_t irq_save(void)
{
	uint64_t f = read_rflags();
	irq_disable();
	return f;
}

static inline void irq_restore(uint64_t flags)
{
	if (flags & RFLAGS_IF)
		irq_enable();
}

static inline void hlt(void)
{
	__asm__ __volatile__("hlt" ::: "memory");
}

static inline void invlpg(uint64_t va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

static inline __noreturn void cpu_halt_forever(void)
{
	for (;;) {
		irq_disable();
		hlt();
	}
}

#endif
