/*
 * What Tandem needs from the firmware's ACPI tables: CPUs and interrupt
 * controllers (MADT), PCIe config space (MCFG), timers (HPET, FADT PM
 * timer), reset and power control (FADT) and the IOMMU (DMAR). acpi_parse()
 * reads them once at boot through a phys_view into a fixed-size acpi_info;
 * nothing is allocated and no table is kept mapped afterwards. The parser is
 * pure: it touches no hardware, so the host unit tests feed it canned and
 * hostile tables. Malformed input is logged (one warning naming the table and
 * what was assumed instead) and skipped, never trusted.
 */
#ifndef X86_ACPI_H
#define X86_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <phys.h>
#include <hw/acpi_tables.h>

#define ACPI_MAX_CPUS       256
#define ACPI_MAX_IOAPICS    16
#define ACPI_MAX_OVERRIDES  32
#define ACPI_MAX_LAPIC_NMIS ACPI_MAX_CPUS /* firmware often lists one per CPU */
#define ACPI_MAX_MCFG       16
#define ACPI_MAX_DRHD       16

/* A uid meaning "every processor" in acpi_lapic_nmi (both MADT encodings map to it). */
#define ACPI_UID_ALL 0xffffffffu

/* What acpi_fallback() assumes, and what an absent MADT address defaults to. */
#define ACPI_DEFAULT_LAPIC_ADDR  0xfee00000u
#define ACPI_DEFAULT_IOAPIC_ADDR 0xfec00000u

struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;        /* ACPI processor UID, ties the CPU to its DSDT object */
	bool enabled;        /* usable now */
	bool online_capable; /* not enabled, but may be brought up later (ACPI 6.3+) */
	bool x2apic;         /* listed by an x2APIC entry (type 9) */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr;
	uint32_t gsi_base; /* GSI of pin 0 */
};

/* An ISA IRQ not wired identity to a GSI, or not edge/active-high. */
struct acpi_override {
	uint8_t bus; /* always ACPI_ISO_BUS_ISA */
	uint8_t irq;
	uint32_t gsi;
	uint8_t polarity; /* ACPI_INTI_CONFORMS/ACTIVE_HIGH/ACTIVE_LOW */
	uint8_t trigger;  /* ACPI_INTI_CONFORMS/EDGE/LEVEL */
};

struct acpi_lapic_nmi {
	uint32_t uid; /* processor UID, or ACPI_UID_ALL */
	uint8_t lint; /* 0 or 1 */
	uint8_t polarity, trigger;
};

struct acpi_mcfg_seg {
	uint64_t base; /* ECAM address of bus 0 of this segment */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_drhd {
	uint64_t base; /* remapping unit's register page */
	uint16_t segment;
	bool include_pci_all; /* catches every device not claimed by another unit */
};

struct acpi_info {
	struct {
		bool madt, fadt, mcfg, hpet, dmar;
	} found;
	bool assumed;       /* the MADT part came from acpi_fallback(), not firmware */
	bool via_xsdt;      /* tables were found through the XSDT, else the RSDT */
	uint8_t revision;   /* RSDP revision: 0 for ACPI 1.0, 2 for 2.0 and later */
	char oem_id[7];     /* RSDP OEM ID, NUL-terminated, trailing blanks trimmed */
	uint64_t rsdp_addr; /* where the RSDP was found; 0 when the loader's copy was used */

	/* MADT */
	uint64_t lapic_addr; /* after any type 5 override */
	bool pcat_compat;    /* dual 8259 present: mask it before using the IOAPIC */
	unsigned int ncpus;
	unsigned int cpus_dropped; /* listed beyond ACPI_MAX_CPUS */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned int nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned int noverrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned int nlapic_nmis;
	struct acpi_lapic_nmi lapic_nmis[ACPI_MAX_LAPIC_NMIS];

	/* MCFG */
	unsigned int nmcfg;
	struct acpi_mcfg_seg mcfg[ACPI_MAX_MCFG];

	/* HPET (the first timer block) */
	struct {
		uint64_t base;
		uint32_t block_id;
		uint8_t number;
		uint16_t min_tick;
	} hpet;

	/* FADT */
	struct {
		uint16_t pm_tmr_port; /* 0: no PM timer */
		bool pm_tmr_32bit;    /* TMR_VAL_EXT: 32-bit counter, else 24-bit */
		uint16_t pm1a_cnt_port;
		uint16_t sci_irq;
		uint64_t dsdt;
		bool reset_supported; /* reset_reg/reset_value below are usable */
		struct acpi_gas reset_reg;
		uint8_t reset_value;
		bool hw_reduced;         /* no fixed ACPI hardware (HW_REDUCED_ACPI) */
		uint16_t iapc_boot_arch; /* ACPI_IAPC_BOOT_* */
		uint32_t flags;          /* raw ACPI_FADT_* */
	} fadt;

	/* DMAR */
	struct {
		uint8_t host_addr_width; /* bits of DMA address the platform supports */
		bool intr_remap;         /* interrupt remapping supported */
		bool x2apic_opt_out;     /* firmware asks the OS not to enable x2APIC mode */
		unsigned int ndrhd;
		struct acpi_drhd drhd[ACPI_MAX_DRHD];
	} dmar;
};

/*
 * Finds the RSDP and reads every table Tandem knows into *out (cleared
 * first). rsdp_copy/rsdp_len is the loader's copy (Multiboot 2 tags 14/15)
 * or NULL/0; without a usable copy the BIOS areas are scanned (5.2.5.1).
 * Returns 0 when a root table (XSDT, else RSDT) was read, even if some tables
 * in it were absent or rejected (see out->found), and -ERR_NOENT when there
 * is no usable RSDP or root table. In that case, or when !out->found.madt,
 * the caller calls acpi_fallback().
 *
 * A table with a bad checksum is skipped with a warning, never used anyway:
 * every consumer has a safe default (one CPU, no IOMMU, no HPET, ...), so a
 * corrupt table never costs the boot, while trusting one could program
 * hardware at a garbage address.
 */
int acpi_parse(const struct phys_view *pv, const void *rsdp_copy, size_t rsdp_len,
               struct acpi_info *out);

/*
 * Replaces the MADT part of *out with the PC/AT defaults: one enabled CPU
 * (APIC ID 0, uid 0: the caller substitutes the BSP's own ID), xAPIC at
 * 0xfee00000, one IOAPIC (id 0, GSI base 0) at 0xfec00000, dual 8259, no
 * overrides or NMI entries. Other fields are left alone.
 */
void acpi_fallback(struct acpi_info *out);

/* Logs a short summary: CPUs, IOAPICs, overrides, MCFG, HPET, PM timer, DMAR. */
void acpi_print(const struct acpi_info *ai);

/*
 * Internal to arch/x86/acpi*.c: one parser per table, each handed a table
 * mapped whole whose signature, length (at least the fixed part) and checksum
 * are already checked. Returns true when the table was usable.
 */
bool acpi_parse_madt(const struct acpi_sdt_header *h, struct acpi_info *out);
bool acpi_parse_fadt(const struct acpi_sdt_header *h, struct acpi_info *out);
bool acpi_parse_mcfg(const struct acpi_sdt_header *h, struct acpi_info *out);
bool acpi_parse_hpet(const struct acpi_sdt_header *h, struct acpi_info *out);
bool acpi_parse_dmar(const struct acpi_sdt_header *h, struct acpi_info *out);

#endif
