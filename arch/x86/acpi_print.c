/* acpi_print: one log line per subsystem of what acpi_parse() (or acpi_fallback()) found. */
#include <stdarg.h>
#include <format.h>
#include <log.h>
#include <string.h>
#include <x86/acpi.h>

/* A log line built piecewise; what does not fit ends in "...". */
struct line {
	char buf[200];
	size_t len;
};

static void __printf(2, 3) line_add(struct line *l, const char *fmt, ...)
{
	size_t room = sizeof(l->buf) - l->len, n;
	va_list ap;

	if (room <= 1)
		return;
	va_start(ap, fmt);
	n = kvsnprintf(l->buf + l->len, room, fmt, ap);
	va_end(ap);
	if (n < room) {
		l->len += n;
		return;
	}
	l->len = sizeof(l->buf) - 1;
	memcpy(l->buf + l->len - 3, "...", 3);
}

static const char *inti_str(uint8_t polarity, uint8_t trigger)
{
	static const char *const names[4][4] = {
	    [ACPI_INTI_CONFORMS] = {"", "(edge)", "", "(level)"},
	    [ACPI_INTI_ACTIVE_HIGH] = {"(high)", "(edge,high)", "(high)", "(level,high)"},
	    [ACPI_INTI_ACTIVE_LOW] = {"(low)", "(edge,low)", "(low)", "(level,low)"},
	};
	const char *s = names[polarity & 3][trigger & 3];

	return s ? s : "";
}

static void print_madt(const struct acpi_info *ai)
{
	struct line l = {0};
	unsigned int enabled = 0, online = 0;

	if (!ai->found.madt && !ai->assumed) {
		log_info("ACPI: no MADT (CPUs and IOAPICs unknown)");
		return;
	}
	for (unsigned int i = 0; i < ai->ncpus; i++) {
		enabled += ai->cpus[i].enabled;
		online += ai->cpus[i].online_capable;
	}
	line_add(&l, "ACPI: %u CPU%s%s (%u enabled", ai->ncpus, ai->ncpus == 1 ? "" : "s",
	         ai->assumed ? " assumed" : "", enabled);
	if (online)
		line_add(&l, ", %u hot-pluggable", online);
	if (ai->cpus_dropped)
		line_add(&l, ", %u more ignored", ai->cpus_dropped);
	line_add(&l, "), LAPIC at %#lx%s, APIC IDs", ai->lapic_addr,
	         ai->pcat_compat ? ", dual 8259" : "");
	for (unsigned int i = 0; i < ai->ncpus; i++)
		if (ai->cpus[i].enabled)
			line_add(&l, " %u", ai->cpus[i].apic_id);
	log_info("%s", l.buf);

	l.len = 0;
	line_add(&l, "ACPI: %u IOAPIC%s", ai->nioapics, ai->nioapics == 1 ? "" : "s");
	for (unsigned int i = 0; i < ai->nioapics; i++)
		line_add(&l, "%s id %u at %#x GSI %u+", i ? ";" : ":", ai->ioapics[i].id,
		         ai->ioapics[i].addr, ai->ioapics[i].gsi_base);
	log_info("%s", l.buf);

	l.len = 0;
	line_add(&l, "ACPI: ISA IRQ overrides:");
	if (!ai->noverrides)
		line_add(&l, " none");
	for (unsigned int i = 0; i < ai->noverrides; i++) {
		const struct acpi_override *o = &ai->overrides[i];

		line_add(&l, " %u->%u%s", o->irq, o->gsi, inti_str(o->polarity, o->trigger));
	}
	log_info("%s", l.buf);

	if (!ai->nlapic_nmis)
		return;
	l.len = 0;
	line_add(&l, "ACPI: LAPIC NMI:");
	for (unsigned int i = 0; i < ai->nlapic_nmis; i++) {
		const struct acpi_lapic_nmi *n = &ai->lapic_nmis[i];

		if (n->uid == ACPI_UID_ALL)
			line_add(&l, " all->LINT%u", n->lint);
		else
			line_add(&l, " uid %u->LINT%u", n->uid, n->lint);
	}
	log_info("%s", l.buf);
}

static void print_fadt(const struct acpi_info *ai)
{
	struct line l = {0};

	if (!ai->found.fadt) {
		log_info("ACPI: no FADT (no PM timer, no ACPI reset)");
		return;
	}
	if (ai->fadt.pm_tmr_port)
		line_add(&l, "ACPI: PM timer at port %#x (%s-bit)", ai->fadt.pm_tmr_port,
		         ai->fadt.pm_tmr_32bit ? "32" : "24");
	else
		line_add(&l, "ACPI: no PM timer%s",
		         ai->fadt.hw_reduced ? " (hardware-reduced)" : "");
	if (ai->fadt.pm1a_cnt_port)
		line_add(&l, ", PM1a_CNT %#x", ai->fadt.pm1a_cnt_port);
	line_add(&l, ", SCI IRQ %u", ai->fadt.sci_irq);
	if (ai->fadt.reset_supported)
		line_add(&l, ", reset: %#x to %s %#lx", ai->fadt.reset_value,
		         ai->fadt.reset_reg.space_id == ACPI_GAS_SYSTEM_IO       ? "I/O"
		         : ai->fadt.reset_reg.space_id == ACPI_GAS_SYSTEM_MEMORY ? "memory"
		                                                                 : "PCI config",
		         ai->fadt.reset_reg.address);
	else
		line_add(&l, ", no reset register");
	line_add(&l, ", DSDT at %#lx", ai->fadt.dsdt);
	log_info("%s", l.buf);
}

static void print_dmar(const struct acpi_info *ai)
{
	struct line l = {0};

	if (!ai->found.dmar) {
		log_info("ACPI: no DMAR (no VT-d IOMMU)");
		return;
	}
	line_add(&l, "ACPI: DMAR: %u-bit DMA%s%s, %u unit%s at", ai->dmar.host_addr_width,
	         ai->dmar.intr_remap ? ", interrupt remapping" : "",
	         ai->dmar.x2apic_opt_out ? ", x2APIC opt-out" : "", ai->dmar.ndrhd,
	         ai->dmar.ndrhd == 1 ? "" : "s");
	for (unsigned int i = 0; i < ai->dmar.ndrhd; i++)
		line_add(&l, " %#lx", ai->dmar.drhd[i].base);
	log_info("%s", l.buf);
}

void acpi_print(const struct acpi_info *ai)
{
	struct line l = {0};

	if (ai->found.madt || ai->found.fadt || ai->found.mcfg || ai->found.hpet || ai->found.dmar)
		log_info("ACPI: revision %u, OEM \"%s\", tables via %s", ai->revision, ai->oem_id,
		         ai->via_xsdt ? "XSDT" : "RSDT");
	else
		log_info("ACPI: no tables read");
	print_madt(ai);

	if (ai->nmcfg) {
		line_add(&l, "ACPI: PCIe ECAM:");
		for (unsigned int i = 0; i < ai->nmcfg; i++)
			line_add(&l, " segment %u buses %u-%u at %#lx", ai->mcfg[i].segment,
			         ai->mcfg[i].bus_start, ai->mcfg[i].bus_end, ai->mcfg[i].base);
		log_info("%s", l.buf);
	} else {
		log_info("ACPI: no MCFG (no PCIe ECAM)");
	}
	if (ai->found.hpet)
		log_info("ACPI: HPET at %#lx", ai->hpet.base);
	else
		log_info("ACPI: no HPET");
	print_fadt(ai);
	print_dmar(ai);
}
