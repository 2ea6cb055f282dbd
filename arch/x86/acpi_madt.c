/*
 * The MADT (ACPI 6.5 5.2.12): CPUs, I/O APICs, ISA interrupt overrides and
 * LAPIC NMI wiring. The entries are a byte stream of (type, length) records;
 * a record whose length is too small or runs past the table ends the walk,
 * since nothing after it can be located reliably.
 */
#include <log.h>
#include <string.h>
#include <x86/acpi.h>

/* xAPIC broadcast ID: never a CPU's (5.2.12.2 entries carrying it are placeholders). */
#define XAPIC_ID_NONE  0xff
#define X2APIC_ID_NONE 0xffffffffu

/* The fixed size of each entry type Tandem reads; later revisions may append fields. */
static const uint8_t entry_min_len[] = {
    [ACPI_MADT_LAPIC] = sizeof(struct acpi_madt_lapic),
    [ACPI_MADT_IOAPIC] = sizeof(struct acpi_madt_ioapic),
    [ACPI_MADT_ISO] = sizeof(struct acpi_madt_iso),
    [ACPI_MADT_LAPIC_NMI] = sizeof(struct acpi_madt_lapic_nmi),
    [ACPI_MADT_LAPIC_OVERRIDE] = sizeof(struct acpi_madt_lapic_override),
    [ACPI_MADT_X2APIC] = sizeof(struct acpi_madt_x2apic),
    [ACPI_MADT_X2APIC_NMI] = sizeof(struct acpi_madt_x2apic_nmi),
};

/* Entries that did not fit acpi_info's arrays, reported once per table. */
struct madt_drops {
	unsigned int ioapics, overrides, nmis;
};

static void madt_clear(struct acpi_info *out)
{
	out->lapic_addr = 0;
	out->pcat_compat = false;
	out->ncpus = out->cpus_dropped = 0;
	out->nioapics = out->noverrides = out->nlapic_nmis = 0;
	out->assumed = false;
}

void acpi_fallback(struct acpi_info *out)
{
	madt_clear(out);
	out->assumed = true;
	out->lapic_addr = ACPI_DEFAULT_LAPIC_ADDR;
	out->pcat_compat = true;
	out->ncpus = 1;
	out->cpus[0] = (struct acpi_cpu){.apic_id = 0, .uid = 0, .enabled = true};
	out->nioapics = 1;
	out->ioapics[0] = (struct acpi_ioapic){.id = 0, .addr = ACPI_DEFAULT_IOAPIC_ADDR};
}

/* Splits MPS INTI flags; a reserved encoding is read as "conforms to the bus". */
static void inti_decode(uint16_t flags, const char *what, unsigned int n, uint8_t *pol,
                        uint8_t *trig)
{
	*pol = ACPI_INTI_POLARITY(flags);
	*trig = ACPI_INTI_TRIGGER(flags);
	if (*pol == ACPI_INTI_RESERVED || *trig == ACPI_INTI_RESERVED) {
		log_warn(
		    "MADT %s %u has reserved polarity/trigger flags %#x; assuming the bus default",
		    what, n, flags);
		if (*pol == ACPI_INTI_RESERVED)
			*pol = ACPI_INTI_CONFORMS;
		if (*trig == ACPI_INTI_RESERVED)
			*trig = ACPI_INTI_CONFORMS;
	}
}

static void add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t uid, uint32_t flags,
                    bool x2apic)
{
	bool enabled = flags & ACPI_LAPIC_ENABLED;

	for (unsigned int i = 0; i < out->ncpus; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			log_warn("MADT lists APIC ID %#x twice; ignoring the second entry",
			         apic_id);
			return;
		}
	}
	if (out->ncpus == ACPI_MAX_CPUS) {
		out->cpus_dropped++;
		return;
	}
	/* 5.2.12.2: Online Capable is meaningful only while Enabled is clear. */
	out->cpus[out->ncpus++] = (struct acpi_cpu){
	    .apic_id = apic_id,
	    .uid = uid,
	    .enabled = enabled,
	    .online_capable = !enabled && (flags & ACPI_LAPIC_ONLINE_CAPABLE),
	    .x2apic = x2apic,
	};
}

static void add_ioapic(struct acpi_info *out, const struct acpi_madt_ioapic *e,
                       struct madt_drops *drops)
{
	if (!e->address) {
		log_warn("MADT I/O APIC %u has address 0; ignoring it", e->id);
		return;
	}
	if (out->nioapics == ACPI_MAX_IOAPICS) {
		drops->ioapics++;
		return;
	}
	out->ioapics[out->nioapics++] = (struct acpi_ioapic){
	    .id = e->id,
	    .addr = e->address,
	    .gsi_base = e->gsi_base,
	};
}

static void add_override(struct acpi_info *out, const struct acpi_madt_iso *e,
                         struct madt_drops *drops)
{
	struct acpi_override *o;

	if (e->bus != ACPI_ISO_BUS_ISA) {
		log_warn(
		    "MADT interrupt override for IRQ %u names bus %u, not ISA (0); ignoring it",
		    e->source, e->bus);
		return;
	}
	if (out->noverrides == ACPI_MAX_OVERRIDES) {
		drops->overrides++;
		return;
	}
	o = &out->overrides[out->noverrides++];
	o->bus = e->bus;
	o->irq = e->source;
	o->gsi = e->gsi;
	inti_decode(e->flags, "override for IRQ", e->source, &o->polarity, &o->trigger);
}

static void add_nmi(struct acpi_info *out, uint32_t uid, uint8_t lint, uint16_t flags,
                    struct madt_drops *drops)
{
	struct acpi_lapic_nmi *n;

	if (lint > 1) {
		log_warn("MADT LAPIC NMI entry names LINT%u (only 0 and 1 exist); ignoring it",
		         lint);
		return;
	}
	if (out->nlapic_nmis == ACPI_MAX_LAPIC_NMIS) {
		drops->nmis++;
		return;
	}
	n = &out->lapic_nmis[out->nlapic_nmis++];
	n->uid = uid;
	n->lint = lint;
	inti_decode(flags, "NMI on LINT", lint, &n->polarity, &n->trigger);
}

static void madt_entry(struct acpi_info *out, const struct acpi_madt_entry *e,
                       struct madt_drops *drops, bool *lapic_overridden)
{
	const void *p = e;

	switch (e->type) {
	case ACPI_MADT_LAPIC: {
		const struct acpi_madt_lapic *l = p;

		if (l->apic_id != XAPIC_ID_NONE)
			add_cpu(out, l->apic_id, l->uid, l->flags, false);
		else if (l->flags & ACPI_LAPIC_ENABLED)
			log_warn(
			    "MADT marks a CPU with APIC ID 0xff (broadcast) enabled; ignoring it");
		break;
	}
	case ACPI_MADT_X2APIC: {
		const struct acpi_madt_x2apic *x = p;

		if (x->apic_id != X2APIC_ID_NONE)
			add_cpu(out, x->apic_id, x->uid, x->flags, true);
		break;
	}
	case ACPI_MADT_IOAPIC:
		add_ioapic(out, p, drops);
		break;
	case ACPI_MADT_ISO:
		add_override(out, p, drops);
		break;
	case ACPI_MADT_LAPIC_NMI: {
		const struct acpi_madt_lapic_nmi *n = p;

		add_nmi(out, n->uid == ACPI_LAPIC_NMI_ALL ? ACPI_UID_ALL : n->uid, n->lint,
		        n->flags, drops);
		break;
	}
	case ACPI_MADT_X2APIC_NMI: {
		const struct acpi_madt_x2apic_nmi *n = p;

		add_nmi(out, n->uid == ACPI_X2APIC_NMI_ALL ? ACPI_UID_ALL : n->uid, n->lint,
		        n->flags, drops);
		break;
	}
	case ACPI_MADT_LAPIC_OVERRIDE: {
		const struct acpi_madt_lapic_override *o = p;

		/* 5.2.12.8: at most one; it replaces the 32-bit header field. */
		if (*lapic_overridden) {
			log_warn(
			    "MADT has a second local APIC address override (%#lx); keeping %#lx",
			    o->address, out->lapic_addr);
			break;
		}
		*lapic_overridden = true;
		out->lapic_addr = o->address;
		break;
	}
	default:
		break; /* SAPIC, GIC, wakeup, OEM: not x86 APIC wiring Tandem uses */
	}
}

bool acpi_parse_madt(const struct acpi_sdt_header *h, struct acpi_info *out)
{
	const struct acpi_madt *t = (const void *)h;
	const uint8_t *base = (const uint8_t *)t;
	uint32_t len = h->length, off = sizeof(*t);
	struct madt_drops drops = {0};
	bool lapic_overridden = false;
	unsigned int enabled = 0;

	madt_clear(out);
	out->lapic_addr = t->lapic_address;
	out->pcat_compat = t->flags & ACPI_MADT_PCAT_COMPAT;

	while (off < len) {
		const struct acpi_madt_entry *e = (const void *)(base + off);
		uint8_t min;

		if (len - off < sizeof(*e)) {
			log_warn("MADT has %u stray bytes at offset %u; ignoring them", len - off,
			         off);
			break;
		}
		if (e->length < sizeof(*e) || e->length > len - off) {
			log_warn(
			    "MADT entry at offset %u (type %u) has length %u, %s; ignoring it and the rest of the table",
			    off, e->type, e->length,
			    e->length < sizeof(*e) ? "too short to step over"
			                           : "running past the table end");
			break;
		}
		min = e->type < ARRAY_SIZE(entry_min_len) ? entry_min_len[e->type] : 0;
		if (e->length < min)
			log_warn(
			    "MADT entry at offset %u (type %u) is %u bytes, expected %u; skipping it",
			    off, e->type, e->length, min);
		else
			madt_entry(out, e, &drops, &lapic_overridden);
		off += e->length;
	}

	if (out->cpus_dropped)
		log_warn("MADT lists %u CPUs more than the %u Tandem tracks; ignoring them",
		         out->cpus_dropped, ACPI_MAX_CPUS);
	if (drops.ioapics)
		log_warn("MADT lists %u I/O APICs more than the %u Tandem tracks; ignoring them",
		         drops.ioapics, ACPI_MAX_IOAPICS);
	if (drops.overrides)
		log_warn(
		    "MADT lists %u interrupt overrides more than the %u Tandem tracks; ignoring them",
		    drops.overrides, ACPI_MAX_OVERRIDES);
	if (drops.nmis)
		log_warn(
		    "MADT lists %u LAPIC NMI entries more than the %u Tandem tracks; ignoring them",
		    drops.nmis, ACPI_MAX_LAPIC_NMIS);
	if (!out->lapic_addr) {
		log_warn("MADT gives local APIC address 0; assuming %#x", ACPI_DEFAULT_LAPIC_ADDR);
		out->lapic_addr = ACPI_DEFAULT_LAPIC_ADDR;
	}
	for (unsigned int i = 0; i < out->ncpus; i++)
		enabled += out->cpus[i].enabled;
	if (!enabled) {
		log_warn("MADT lists no enabled CPU; ignoring the table");
		madt_clear(out);
		return false;
	}
	return true;
}
