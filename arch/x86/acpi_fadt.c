/*
 * The FADT (ACPI 6.5 5.2.9): the PM timer, PM1a control, SCI, reset register
 * and DSDT address. Its length grew with each ACPI revision, so every field
 * past the ACPI 1.0 part is read only when the table is long enough for it.
 */
#include <log.h>
#include <x86/acpi.h>

#define IO_PORT_MAX 0xffff

/*
 * Picks a register block's port: 5.2.9 says a nonzero X_ field (a GAS) takes
 * precedence over the 32-bit one. When the two disagree Tandem still follows
 * the spec, as ACPICA does by default, but says so. An X_ block outside
 * system I/O space is not a port; the 32-bit field is used instead, if any.
 */
static uint16_t fadt_port(const char *name, uint32_t blk, const struct acpi_gas *x)
{
	uint64_t addr = blk;

	if (x && x->address) {
		if (x->space_id != ACPI_GAS_SYSTEM_IO) {
			log_warn("FADT X_%s is in address space %u, not system I/O; using %s %#x",
			         name, x->space_id, name, blk);
		} else {
			if (blk && blk != x->address)
				log_warn("FADT %s (%#x) and X_%s (%#lx) differ; using X_%s", name,
				         blk, name, x->address, name);
			addr = x->address;
		}
	}
	if (addr > IO_PORT_MAX) {
		log_warn("FADT %s %#lx is beyond the I/O port space; assuming there is none", name,
		         addr);
		return 0;
	}
	return (uint16_t)addr;
}

/* 5.2.9 RESET_REG: only system memory, system I/O and PCI config space are allowed. */
static void fadt_reset(const struct acpi_fadt *t, uint32_t len, struct acpi_info *out)
{
	const struct acpi_gas *r = &t->reset_reg;

	if (!ACPI_FADT_HAS(len, reset_value) || !(t->flags & ACPI_FADT_RESET_REG_SUP))
		return;
	if (r->space_id != ACPI_GAS_SYSTEM_MEMORY && r->space_id != ACPI_GAS_SYSTEM_IO &&
	    r->space_id != ACPI_GAS_PCI_CONFIG) {
		log_warn("FADT reset register is in address space %u; assuming no reset register",
		         r->space_id);
		return;
	}
	if (!r->address) {
		log_warn("FADT reset register has address 0; assuming no reset register");
		return;
	}
	out->fadt.reset_supported = true;
	out->fadt.reset_reg = *r;
	out->fadt.reset_value = t->reset_value;
}

bool acpi_parse_fadt(const struct acpi_sdt_header *h, struct acpi_info *out)
{
	const struct acpi_fadt *t = (const void *)h;
	uint32_t len = h->length;

	out->fadt.flags = t->flags;
	out->fadt.sci_irq = t->sci_int;
	out->fadt.iapc_boot_arch = t->iapc_boot_arch;
	out->fadt.hw_reduced = t->flags & ACPI_FADT_HW_REDUCED;

	out->fadt.dsdt = t->dsdt;
	if (ACPI_FADT_HAS(len, x_dsdt) && t->x_dsdt) {
		if (t->dsdt && t->dsdt != t->x_dsdt)
			log_warn("FADT DSDT (%#x) and X_DSDT (%#lx) differ; using X_DSDT", t->dsdt,
			         t->x_dsdt);
		out->fadt.dsdt = t->x_dsdt;
	}

	/* 5.2.9: a hardware-reduced platform has no fixed hardware; its blocks are ignored. */
	if (!out->fadt.hw_reduced) {
		out->fadt.pm_tmr_port =
		    fadt_port("PM_TMR_BLK", t->pm_tmr_blk,
		              ACPI_FADT_HAS(len, x_pm_tmr_blk) ? &t->x_pm_tmr_blk : NULL);
		out->fadt.pm_tmr_32bit =
		    out->fadt.pm_tmr_port && (t->flags & ACPI_FADT_TMR_VAL_EXT);
		out->fadt.pm1a_cnt_port =
		    fadt_port("PM1a_CNT_BLK", t->pm1a_cnt_blk,
		              ACPI_FADT_HAS(len, x_pm1a_cnt_blk) ? &t->x_pm1a_cnt_blk : NULL);
	}
	fadt_reset(t, len, out);
	return true;
}
