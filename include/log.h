/*
 * Console logging. Every line starts with "tandem: "; errors carry the file
 * and line. panic() is for invariants and unrecoverable boot failures only:
 * guest misbehaviour is never a panic.
 */
#ifndef TANDEM_LOG_H
#define TANDEM_LOG_H

#include <compiler.h>

/* Formats to the console under the console lock; one call is never interleaved. */
void kprintf(const char *fmt, ...) __printf(1, 2);

#define log_info(fmt, ...) kprintf("tandem: " fmt "\n", ##__VA_ARGS__)
#define log_warn(fmt, ...) kprintf("tandem: warning: " fmt "\n", ##__VA_ARGS__)
#define log_err(fmt, ...)                                                                          \
	kprintf("tandem: error: %s:%d: " fmt "\n", __FILE__, __LINE__, ##__VA_ARGS__)

/* Panic path only: takes the console lock away from a CPU that may never release it. */
void printk_break_lock(void);

void __noreturn panic_at(const char *file, int line, const char *fmt, ...) __printf(3, 4);
#define panic(fmt, ...) panic_at(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

#define ASSERT(cond)                                                                               \
	do {                                                                                       \
		if (unlikely(!(cond)))                                                             \
			panic("assertion failed: %s", #cond);                                      \
	} while (0)

#endif
