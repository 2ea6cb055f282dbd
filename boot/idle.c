#include <boot/boot.h>
#include <x86/cpu.h>

void cpu_idle(void)
{
	for (;;) {
		/* sti takes effect after the next instruction, so no wakeup is lost before hlt. */
		__asm__ __volatile__("sti; hlt" ::: "memory");
	}
}
