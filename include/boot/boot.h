/* Boot-path entry points shared between boot/ files. */
#ifndef BOOT_BOOT_H
#define BOOT_BOOT_H

#include <stdint.h>

/* Starts every listed APIC ID except the caller's; returns the CPUs online. */
unsigned int smp_boot(const uint32_t *apic_ids, unsigned int n);

/* CPUs the firmware lists (enabled MADT entries), or 1 without ACPI. */
unsigned int boot_cpus_listed(void);

/* Sets up stacks and IDs of logical CPU `cpu` before it starts. */
int cpu_prepare(unsigned int cpu, uint32_t apic_id);

/* The idle loop: halts with interrupts enabled; never returns. */
void __attribute__((noreturn)) cpu_idle(void);

#endif
