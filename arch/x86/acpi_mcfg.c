/*
 * The MCFG (PCI Firmware Spec 3.3, 4.1.2): where each PCI segment group's
 * ECAM window is and which buses it decodes.
 */
#include <log.h>
#include <x86/acpi.h>

bool acpi_parse_mcfg(const struct acpi_sdt_header *h, struct acpi_info *out)
{
	const struct acpi_mcfg *t = (const void *)h;
	const struct acpi_mcfg_alloc *a = (const void *)(t + 1);
	uint32_t bytes = h->length - sizeof(*t);
	uint32_t n = bytes / sizeof(*a);
	unsigned int dropped = 0;

	if (bytes % sizeof(*a))
		log_warn("MCFG has %zu stray bytes after its %u entries; ignoring them",
		         bytes % sizeof(*a), n);
	out->nmcfg = 0;
	for (uint32_t i = 0; i < n; i++, a++) {
		if (!a->base || a->start_bus > a->end_bus) {
			log_warn(
			    "MCFG entry %u (segment %u, buses %u-%u, base %#lx) is invalid; ignoring it",
			    i, a->segment, a->start_bus, a->end_bus, a->base);
			continue;
		}
		if (out->nmcfg == ACPI_MAX_MCFG) {
			dropped++;
			continue;
		}
		out->mcfg[out->nmcfg++] = (struct acpi_mcfg_seg){
		    .base = a->base,
		    .segment = a->segment,
		    .bus_start = a->start_bus,
		    .bus_end = a->end_bus,
		};
	}
	if (dropped)
		log_warn("MCFG lists %u entries more than the %u Tandem tracks; ignoring them",
		         dropped, ACPI_MAX_MCFG);
	if (!out->nmcfg) {
		log_warn("MCFG lists no usable ECAM window; assuming none");
		return false;
	}
	return true;
}
