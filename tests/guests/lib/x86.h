/*
 * Inline x86 helpers for test guests: port I/O, CPUID, MSRs, the TSC,
 * control registers and interrupt flags. Each builds for -m64 and -m32.
 */
#ifndef GUESTS_X86_H
#define GUESTS_X86_H

#include <stdint.h>

#define X86_CR0_PE     (1u << 0)
#define X86_CR0_EM     (1u << 2)
#define X86_CR0_TS     (1u << 3)
#define X86_CR0_WP     (1u << 16)
#define X86_CR0_PG     (1u << 31)
#define X86_CR4_PAE    (1u << 5)
#define X86_CR4_OSFXSR (1u << 9)
#define X86_RFLAGS_IF  (1u << 9)
#define X86_RFLAGS_DF  (1u << 10)

#define MSR_IA32_TSC             0x10
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_SYSENTER_ESP    0x175
#define MSR_IA32_VMX_BASIC       0x480
#define MSR_IA32_EFER            0xc0000080
#define MSR_IA32_TSC_AUX         0xc0000103
#define EFER_LME                 (1u << 8)
#define EFER_LMA                 (1u << 10)

/* Exception vectors (SDM Vol. 3A 6.3.1). */
enum {
	X86_DE = 0,
	X86_DB = 1,
	X86_BP = 3,
	X86_UD = 6,
	X86_DF = 8,
	X86_GP = 13,
	X86_PF = 14,
	X86_MC = 18,
};

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ __volatile__("cpuid"
	                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
	                     : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ __volatile__("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
	                     : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* RDTSC ordered after every earlier instruction and before every later one. */
static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi)::"memory");
	return (uint64_t)hi << 32 | lo;
}

/* RDTSCP: waits for earlier instructions; the LFENCE holds back later ones. */
static inline uint64_t rdtscp_ordered(uint32_t *aux)
{
	uint32_t lo, hi, c;

	__asm__ __volatile__("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(c)::"memory");
	if (aux)
		*aux = c;
	return (uint64_t)hi << 32 | lo;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ __volatile__("outw %0, %1" ::"a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" ::"a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	__asm__ __volatile__("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Control registers are unsigned long: 64 bits in a 64-bit guest, 32 in prot32. */
static inline unsigned long read_cr0(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(unsigned long v)
{
	__asm__ __volatile__("mov %0, %%cr0" ::"r"(v) : "memory");
}

static inline unsigned long read_cr3(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

/* Reloading CR3 also flushes the non-global TLB entries. */
static inline void write_cr3(unsigned long v)
{
	__asm__ __volatile__("mov %0, %%cr3" ::"r"(v) : "memory");
}

static inline unsigned long read_cr4(void)
{
	unsigned long v;

	__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline uint16_t read_cs(void)
{
	uint16_t v;

	__asm__ __volatile__("mov %%cs, %0" : "=r"(v));
	return v;
}

static inline void cli(void)
{
	__asm__ __volatile__("cli" ::: "memory");
}

static inline void sti(void)
{
	__asm__ __volatile__("sti" ::: "memory");
}

/* STI's one-instruction interrupt shadow makes "sti; hlt" race-free. */
static inline void sti_hlt(void)
{
	__asm__ __volatile__("sti; hlt" ::: "memory");
}

static inline void pause(void)
{
	__asm__ __volatile__("pause" ::: "memory");
}

#endif
