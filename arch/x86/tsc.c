#include <arch.h>
#include <cmdline.h>
#include <log.h>
#include <x86/clocksource.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/tsc.h>

#define CAL_WINDOW_US       10000 /* one measurement window */
#define CAL_ROUNDS          5     /* the median of these is kept */
#define CPUID_TOLERANCE_PCT 5

/* Which reference calibrates the TSC: the best present, or one forced for A/B. */
enum tsc_ref {
	REF_AUTO,
	REF_HPET,
	REF_PMTIMER,
	REF_PIT
};
static const char *const ref_names[] = {"auto", "hpet", "pmtimer", "pit"};
static unsigned int opt_ref = REF_AUTO;
BOOT_OPTION_ENUM("tsc_ref", opt_ref, ref_names, "reference clock for TSC calibration");

static uint64_t hz;
static uint64_t ns_mult; /* ns = ticks * ns_mult >> 32 */
static uint64_t tsc_boot;

static uint64_t measure_refclock(const struct refclock *c)
{
	uint64_t want = c->hz * CAL_WINDOW_US / 1000000;
	uint64_t r0 = c->read(c), t0 = rdtsc(), r, t;

	do {
		r = c->read(c);
		t = rdtsc();
	} while (((r - r0) & c->mask) < want);
	return (t - t0) * c->hz / ((r - r0) & c->mask);
}

static uint64_t measure_pit(void)
{
	uint64_t t0 = rdtsc();

	pit_wait_us(CAL_WINDOW_US);
	return (rdtsc() - t0) * 1000000 / CAL_WINDOW_US;
}

static void sort(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
}

/* What CPUID leaves 0x15 and 0x16 claim, in Hz; 0 when they say nothing. */
static uint64_t cpuid_claimed_hz(const char **which)
{
	uint32_t max = cpuid(0, 0).eax;

	if (max >= 0x15) {
		struct cpuid_regs r = cpuid(0x15, 0);
		if (r.eax && r.ebx && r.ecx) {
			*which = "CPUID 0x15";
			return (uint64_t)r.ecx * r.ebx / r.eax;
		}
	}
	if (max >= 0x16) {
		struct cpuid_regs r = cpuid(0x16, 0);
		if (r.eax & 0xffff) {
			*which = "CPUID 0x16";
			return (uint64_t)(r.eax & 0xffff) * 1000000;
		}
	}
	return 0;
}

uint64_t tsc_calibrate(const struct tsc_refs *refs)
{
	struct refclock c;
	const char *src = "PIT";
	bool use_ref = false;

	if (opt_ref == REF_AUTO || opt_ref == REF_HPET)
		use_ref = hpet_setup(&c, refs->hpet_base);
	if (!use_ref && (opt_ref == REF_AUTO || opt_ref == REF_PMTIMER))
		use_ref = pmtimer_setup(&c, refs->pmtmr_port, refs->pmtmr_32bit);
	if (!use_ref && opt_ref != REF_AUTO && opt_ref != REF_PIT)
		log_warn("tsc: tsc_ref=%s is not present; using the PIT", ref_names[opt_ref]);
	uint64_t v[CAL_ROUNDS];

	if (use_ref)
		src = c.name;
	for (int i = 0; i < CAL_ROUNDS; i++)
		v[i] = use_ref ? measure_refclock(&c) : measure_pit();
	sort(v, CAL_ROUNDS);
	hz = v[CAL_ROUNDS / 2];
	ns_mult = (1000000000ull << 32) / hz;
	tsc_boot = rdtsc();
	log_info("tsc: %lu.%03lu MHz, calibrated against the %s (spread %lu..%lu kHz)",
	         hz / 1000000, hz / 1000 % 1000, src, v[0] / 1000, v[CAL_ROUNDS - 1] / 1000);

	const char *which = NULL;
	uint64_t claimed = cpuid_claimed_hz(&which);
	if (claimed) {
		uint64_t diff = claimed > hz ? claimed - hz : hz - claimed;
		if (diff * 100 > hz * CPUID_TOLERANCE_PCT)
			log_info(
			    "tsc: %s claims %lu MHz but the TSC runs at %lu MHz; using the measured rate",
			    which, claimed / 1000000, hz / 1000000);
	}
	return hz;
}

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> 32);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	/* Split so no 128-bit division (libgcc) is needed; exact for hz below 18 GHz. */
	return ns / 1000000000u * hz + ns % 1000000000u * hz / 1000000000u;
}

uint64_t arch_time_ns(void)
{
	return hz ? tsc_to_ns(rdtsc() - tsc_boot) : 0;
}
