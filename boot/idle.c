#include <boot/boot.h>
#include <x86/cpu.h>
#include <x86/percpu.h>

void cpu_idle(void)
{
	struct percpu *p = this_cpu();

	for (;;) {
		irq_disable();
		void (*fn)(void *) = __atomic_exchange_n(&p->work_fn, NULL, __ATOMIC_SEQ_CST);

		if (fn) {
			void *arg = p->work_arg;

			irq_enable();
			fn(arg);
			continue;
		}
		/* sti takes effect after the next instruction, so no wakeup is lost before hlt. */
		__asm__ __volatile__("sti; hlt" ::: "memory");
	}
}
