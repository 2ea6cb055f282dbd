/*
 * Fixed-frequency reference counters used to calibrate the TSC: the 8254
 * PIT (channel 2, gated through port 0x61), the ACPI PM timer and the HPET.
 */
#ifndef X86_CLOCKSOURCE_H
#define X86_CLOCKSOURCE_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182ull

/* Busy-waits `us` microseconds on PIT channel 2 (max 50000). */
void pit_wait_us(unsigned int us);

/* A free-running counter read function and its properties. */
struct refclock {
	const char *name;
	uint64_t hz;
	uint64_t mask; /* counter width */
	uint64_t (*read)(const struct refclock *c);
	uint64_t base; /* port or MMIO address */
};

bool pmtimer_setup(struct refclock *c, uint16_t port, bool width32);
bool hpet_setup(struct refclock *c, uint64_t base);

#endif
