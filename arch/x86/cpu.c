/* CPU-level arch hooks: interrupt flag, halting, feature tests, the emulator exit ports. */
#include <arch.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/io.h>
#include <x86/serial.h>

/* QEMU: -device isa-debug-exit,iobase=0xf4,iosize=4 exits with (value << 1) | 1. */
#define ISA_DEBUG_EXIT_PORT 0xf4
#define ISA_DEBUG_EXIT_PASS 0x10 /* QEMU exit status 33 */
#define ISA_DEBUG_EXIT_FAIL 0x11 /* QEMU exit status 35 */
/* Bochs: 0x8A00 then 0x8AE0 written to port 0x8A00 returns to the debugger script. */
#define BOCHS_CMD_PORT      0x8a00
#define BOCHS_CMD_ENABLE    0x8a00
#define BOCHS_CMD_DEBUGGER  0x8ae0

unsigned long arch_irq_save(void)
{
	return irq_save();
}

void arch_irq_restore(unsigned long flags)
{
	irq_restore(flags);
}

void arch_halt(void)
{
	cpu_halt_forever();
}

void arch_test_exit(bool pass)
{
	serial_flush(); /* the emulator stops at the exit write: let the verdict line out first */
	outl(ISA_DEBUG_EXIT_PORT, pass ? ISA_DEBUG_EXIT_PASS : ISA_DEBUG_EXIT_FAIL);
	outw(BOCHS_CMD_PORT, BOCHS_CMD_ENABLE);
	outw(BOCHS_CMD_PORT, BOCHS_CMD_DEBUGGER);
	cpu_halt_forever();
}

bool cpu_has(enum cpu_feature f)
{
	uint32_t leaf = (uint32_t)(f >> 32);
	uint32_t sub = (f >> 16) & 0xffff;
	unsigned int reg = (f >> 8) & 0xff, bit = f & 0xff;
	uint32_t max = cpuid(leaf & 0x80000000u, 0).eax;

	if (f == FEAT_NONE)
		return true;
	if (leaf > max)
		return false;
	struct cpuid_regs r = cpuid(leaf, sub);
	uint32_t v = reg == CPUID_EAX   ? r.eax
	             : reg == CPUID_EBX ? r.ebx
	             : reg == CPUID_ECX ? r.ecx
	                                : r.edx;
	return (v >> bit) & 1;
}
