/*
 * The DMAR table (Intel VT-d Spec 4.1, chapter 8): the platform's DMA address
 * width, interrupt-remapping flags and each remapping unit's register base.
 * Remapping structures are (type, length) records like MADT entries; one
 * that cannot be stepped over ends the walk.
 */
#include <log.h>
#include <string.h>
#include <x86/acpi.h>

bool acpi_parse_dmar(const struct acpi_sdt_header *h, struct acpi_info *out)
{
	const struct acpi_dmar *t = (const void *)h;
	const uint8_t *base = (const uint8_t *)t;
	uint32_t len = h->length, off = sizeof(*t);
	unsigned int dropped = 0;

	/* 8.1: the field holds the width minus one. */
	out->dmar.host_addr_width = (uint8_t)(t->host_addr_width + 1);
	out->dmar.intr_remap = t->flags & ACPI_DMAR_INTR_REMAP;
	out->dmar.x2apic_opt_out = t->flags & ACPI_DMAR_X2APIC_OPT_OUT;
	out->dmar.ndrhd = 0;

	while (off < len) {
		const struct acpi_dmar_entry *e = (const void *)(base + off);
		const struct acpi_dmar_drhd *d = (const void *)e;

		if (len - off < sizeof(*e)) {
			log_warn("DMAR has %u stray bytes at offset %u; ignoring them", len - off,
			         off);
			break;
		}
		if (e->length < sizeof(*e) || e->length > len - off) {
			log_warn(
			    "DMAR structure at offset %u (type %u) has length %u, %s; ignoring it and the rest of the table",
			    off, e->type, e->length,
			    e->length < sizeof(*e) ? "too short to step over"
			                           : "running past the table end");
			break;
		}
		off += e->length;
		if (e->type != ACPI_DMAR_TYPE_DRHD)
			continue;
		if (e->length < sizeof(*d)) {
			log_warn(
			    "DMAR remapping unit at offset %u is %u bytes, expected %zu; skipping it",
			    off - e->length, e->length, sizeof(*d));
			continue;
		}
		if (!d->register_base) {
			log_warn("DMAR remapping unit %u has register base 0; ignoring it",
			         out->dmar.ndrhd + dropped);
			continue;
		}
		if (out->dmar.ndrhd == ACPI_MAX_DRHD) {
			dropped++;
			continue;
		}
		out->dmar.drhd[out->dmar.ndrhd++] = (struct acpi_drhd){
		    .base = d->register_base,
		    .segment = d->segment,
		    .include_pci_all = d->flags & ACPI_DRHD_INCLUDE_PCI_ALL,
		};
	}
	if (dropped)
		log_warn(
		    "DMAR lists %u remapping units more than the %u Tandem tracks; ignoring them",
		    dropped, ACPI_MAX_DRHD);
	if (!out->dmar.ndrhd) {
		log_warn("DMAR lists no usable remapping unit; assuming no IOMMU");
		memset(&out->dmar, 0, sizeof(out->dmar));
		return false;
	}
	return true;
}
