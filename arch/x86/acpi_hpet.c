/*
 * The HPET table (IA-PC HPET Spec 1.0a, 3.2.4): where the first event timer
 * block's registers are. Further blocks have tables of their own; Tandem
 * needs one timer and keeps the first.
 */
#include <log.h>
#include <x86/acpi.h>

bool acpi_parse_hpet(const struct acpi_sdt_header *h, struct acpi_info *out)
{
	const struct acpi_hpet *t = (const void *)h;

	/* 3.2.4: the registers are memory-mapped; any other space is a broken table. */
	if (t->base.space_id != ACPI_GAS_SYSTEM_MEMORY || !t->base.address) {
		log_warn(
		    "HPET table gives base %#lx in address space %u, not memory; assuming no HPET",
		    t->base.address, t->base.space_id);
		return false;
	}
	out->hpet.base = t->base.address;
	out->hpet.block_id = t->event_timer_block_id;
	out->hpet.number = t->hpet_number;
	out->hpet.min_tick = t->min_clock_tick;
	return true;
}
