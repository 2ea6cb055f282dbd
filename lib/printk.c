/* kprintf: formats a whole line into a buffer, then writes it under the console lock. */
#include <arch.h>
#include <format.h>
#include <log.h>
#include <spinlock.h>

#define LINE_MAX 512

static spinlock_t console_lock = SPINLOCK_INIT;

void kprintf(const char *fmt, ...)
{
	char buf[LINE_MAX];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;

	unsigned long f = spin_lock_irqsave(&console_lock);
	arch_console_write(buf, n);
	spin_unlock_irqrestore(&console_lock, f);
}

/* Panic path: the lock may be held by the CPU that faulted; take it over. */
void printk_break_lock(void)
{
	console_lock.owner = console_lock.next;
}
