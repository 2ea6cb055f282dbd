#include <arch.h>
#include <format.h>
#include <log.h>
#include <testcase.h>

void panic_at(const char *file, int line, const char *fmt, ...)
{
	static int panicking;
	char msg[256];
	va_list ap;

	arch_irq_save();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		arch_halt(); /* another CPU is already reporting */
	arch_stop_others();
	printk_break_lock();

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("tandem: panic: cpu %u: %s:%d: %s\n", arch_cpu_id(), file, line, msg);
	arch_backtrace();
	if (testcases_linked())
		arch_test_exit(false);
	arch_halt();
}
