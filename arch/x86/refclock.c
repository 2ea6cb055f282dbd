/* ACPI PM timer (ACPI 6.4 4.8.3.3) and HPET main counter (IA-PC HPET 1.0a 2.3) as reference clocks. */
#include <hw/acpi_tables.h>
#include <x86/clocksource.h>
#include <x86/io.h>

#define HPET_CAP           0x000
#define HPET_CONFIG        0x010
#define HPET_COUNTER       0x0f0
#define HPET_CFG_ENABLE    0x1
#define HPET_CAP_COUNT64   (1ull << 13)
#define HPET_MAX_PERIOD_FS 100000000ull /* spec: at most 100 ns */

static uint64_t pmtimer_read(const struct refclock *c)
{
	return inl((uint16_t)c->base) & c->mask;
}

bool pmtimer_setup(struct refclock *c, uint16_t port, bool width32)
{
	if (!port)
		return false;
	*c = (struct refclock){"ACPI PM timer", ACPI_PM_TIMER_HZ,
	                       width32 ? 0xffffffffull : 0xffffffull, pmtimer_read, port};
	/* A missing timer reads as all ones and never moves. */
	uint64_t a = pmtimer_read(c);
	for (int i = 0; i < 100000; i++)
		if (pmtimer_read(c) != a)
			return true;
	return false;
}

static uint64_t hpet_read(const struct refclock *c)
{
	return *(volatile uint64_t *)(c->base + HPET_COUNTER) & c->mask;
}

bool hpet_setup(struct refclock *c, uint64_t base)
{
	if (!base)
		return false;
	volatile uint64_t *regs = (volatile uint64_t *)base;
	uint64_t period_fs = regs[HPET_CAP / 8] >> 32;

	if (period_fs == 0 || period_fs > HPET_MAX_PERIOD_FS)
		return false;
	regs[HPET_CONFIG / 8] |= HPET_CFG_ENABLE;
	uint64_t mask = (regs[HPET_CAP / 8] & HPET_CAP_COUNT64) ? ~0ull : 0xffffffffull;

	*c = (struct refclock){"HPET", 1000000000000000ull / period_fs, mask, hpet_read, base};
	return true;
}
