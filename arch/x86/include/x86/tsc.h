/*
 * The TSC as Tandem's clock. Its rate is measured against a fixed-frequency
 * reference (HPET, ACPI PM timer or the PIT, in that order of preference);
 * CPUID leaves 0x15/0x16 are only cross-checked, because emulators (Bochs)
 * declare rates unrelated to how their TSC advances.
 */
#ifndef X86_TSC_H
#define X86_TSC_H

#include <stdint.h>

struct tsc_refs {
	uint64_t hpet_base;  /* 0: none */
	uint16_t pmtmr_port; /* 0: none */
	int pmtmr_32bit;
};

/* Measures the TSC rate on the BSP. Returns Hz. Logs the reference used and any CPUID disagreement. */
uint64_t tsc_calibrate(const struct tsc_refs *refs);

uint64_t tsc_hz(void);

/* Converts TSC ticks to nanoseconds and back, with the calibrated rate. */
uint64_t tsc_to_ns(uint64_t ticks);
uint64_t ns_to_tsc(uint64_t ns);

#endif
