/*
 * acpi_parse() against canned tables in a fake physical memory
 * (acpi_fixture.h): a QEMU q35-like set, ACPI 1.0 firmware, the RSDP scan,
 * root tables, FADT/MCFG/HPET/DMAR, and broken input of every kind the
 * parser promises to survive (bad checksums, truncation, tables past the
 * end of memory, random corruption).
 */
#include <errcode.h>
#include <x86/acpi.h>

#include "acpi_fixture.h"
#include "unit.h"

TEST(q35_full_set)
{
	put_q35();
	REQUIRE(parse() == 0);
	CHECK(!unit_log_contains("warning"));
	CHECK(ai.found.madt && ai.found.fadt && ai.found.mcfg && ai.found.hpet && ai.found.dmar);
	CHECK_EQ(ai.revision, 2);
	CHECK_STR(ai.oem_id, "BOCHS");
	CHECK(ai.via_xsdt);
	CHECK_EQ(ai.rsdp_addr, Q35_RSDP);
	CHECK(!ai.assumed);

	CHECK_EQ(ai.lapic_addr, 0xfee00000);
	CHECK(ai.pcat_compat);
	REQUIRE(ai.ncpus == 4);
	CHECK_EQ(ai.cpus_dropped, 0);
	for (unsigned int i = 0; i < 4; i++) {
		CHECK_EQ(ai.cpus[i].apic_id, i);
		CHECK_EQ(ai.cpus[i].uid, i);
		CHECK_EQ(ai.cpus[i].enabled, i != 2);
		CHECK(!ai.cpus[i].online_capable);
		CHECK(!ai.cpus[i].x2apic);
	}
	REQUIRE(ai.nioapics == 1);
	CHECK_EQ(ai.ioapics[0].id, 0);
	CHECK_EQ(ai.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(ai.ioapics[0].gsi_base, 0);
	REQUIRE(ai.noverrides == 2);
	CHECK_EQ(ai.overrides[0].irq, 0);
	CHECK_EQ(ai.overrides[0].gsi, 2);
	CHECK_EQ(ai.overrides[0].polarity, ACPI_INTI_CONFORMS);
	CHECK_EQ(ai.overrides[0].trigger, ACPI_INTI_CONFORMS);
	CHECK_EQ(ai.overrides[1].irq, 9);
	CHECK_EQ(ai.overrides[1].gsi, 9);
	CHECK_EQ(ai.overrides[1].polarity, ACPI_INTI_ACTIVE_HIGH);
	CHECK_EQ(ai.overrides[1].trigger, ACPI_INTI_LEVEL);
	REQUIRE(ai.nlapic_nmis == 1);
	CHECK_EQ(ai.lapic_nmis[0].uid, ACPI_UID_ALL);
	CHECK_EQ(ai.lapic_nmis[0].lint, 1);

	REQUIRE(ai.nmcfg == 1);
	CHECK_EQ(ai.mcfg[0].base, 0xb0000000);
	CHECK_EQ(ai.mcfg[0].segment, 0);
	CHECK_EQ(ai.mcfg[0].bus_start, 0);
	CHECK_EQ(ai.mcfg[0].bus_end, 255);

	CHECK_EQ(ai.hpet.base, 0xfed00000);
	CHECK_EQ(ai.hpet.block_id, 0x8086a201);
	CHECK_EQ(ai.hpet.min_tick, 0x80);

	CHECK_EQ(ai.fadt.pm_tmr_port, 0x608);
	CHECK(!ai.fadt.pm_tmr_32bit);
	CHECK_EQ(ai.fadt.pm1a_cnt_port, 0x604);
	CHECK_EQ(ai.fadt.sci_irq, 9);
	CHECK_EQ(ai.fadt.dsdt, Q35_DSDT);
	CHECK(ai.fadt.reset_supported);
	CHECK_EQ(ai.fadt.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	CHECK_EQ(ai.fadt.reset_reg.address, 0xcf9);
	CHECK_EQ(ai.fadt.reset_value, 0xf);
	CHECK(!ai.fadt.hw_reduced);
	CHECK_EQ(ai.fadt.iapc_boot_arch, ACPI_IAPC_BOOT_8042);

	CHECK_EQ(ai.dmar.host_addr_width, 39);
	CHECK(ai.dmar.intr_remap);
	CHECK(ai.dmar.x2apic_opt_out);
	REQUIRE(ai.dmar.ndrhd == 1);
	CHECK_EQ(ai.dmar.drhd[0].base, 0xfed90000);
	CHECK_EQ(ai.dmar.drhd[0].segment, 0);
	CHECK(ai.dmar.drhd[0].include_pci_all);
}

TEST(q35_print)
{
	put_q35();
	REQUIRE(parse() == 0);
	unit_log_clear();
	acpi_print(&ai);
	CHECK(unit_log_contains("tandem: ACPI: revision 2, OEM \"BOCHS\", tables via XSDT\n"));
	CHECK(unit_log_contains(
	    "tandem: ACPI: 4 CPUs (3 enabled), LAPIC at 0xfee00000, dual 8259, APIC IDs 0 1 3\n"));
	CHECK(unit_log_contains("tandem: ACPI: 1 IOAPIC: id 0 at 0xfec00000 GSI 0+\n"));
	CHECK(unit_log_contains("tandem: ACPI: ISA IRQ overrides: 0->2 9->9(level,high)\n"));
	CHECK(unit_log_contains("tandem: ACPI: LAPIC NMI: all->LINT1\n"));
	CHECK(unit_log_contains("tandem: ACPI: PCIe ECAM: segment 0 buses 0-255 at 0xb0000000\n"));
	CHECK(unit_log_contains("tandem: ACPI: HPET at 0xfed00000\n"));
	CHECK(unit_log_contains("tandem: ACPI: PM timer at port 0x608 (24-bit), PM1a_CNT 0x604, "
	                        "SCI IRQ 9, reset: 0xf to I/O 0xcf9, DSDT at 0x180000\n"));
	CHECK(unit_log_contains("tandem: ACPI: DMAR: 39-bit DMA, interrupt remapping, x2APIC "
	                        "opt-out, 1 unit at 0xfed90000\n"));
	CHECK(!unit_log_contains("warning"));
}

/* ACPI 1.0 firmware: RSDP revision 0 in the EBDA, RSDT only, a 116-byte FADT. */
TEST(rsdt_only_v1_in_ebda)
{
	struct acpi_fadt f = {0};
	uint64_t tables[2];

	mem_reset();
	put16(ACPI_EBDA_PTR, Q35_EBDA >> 4);
	put_rsdp(Q35_EBDA + 0x20, 0, 0x100000, 0);

	f.dsdt = 0x105000;
	f.sci_int = 9;
	f.pm_tmr_blk = 0x408;
	f.pm1a_cnt_blk = 0x404;
	/* RESET_REG_SUP set, but a 1.0 FADT has no reset register to go with it. */
	f.flags = ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_RESET_REG_SUP;
	t_begin(0x101000, ACPI_SIG_FADT, 1);
	t_put((const uint8_t *)&f + sizeof(f.hdr), ACPI_FADT_V1_LEN - sizeof(f.hdr));
	tables[0] = t_end();

	madt_begin(0x102000, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
	e_lapic(0, 0, ACPI_LAPIC_ENABLED);
	e_lapic(1, 1, ACPI_LAPIC_ENABLED);
	e_ioapic(2, 0xfec00000, 0);
	tables[1] = t_end();
	put_root(0x100000, false, tables, 2);

	REQUIRE(parse() == 0);
	CHECK(!unit_log_contains("warning"));
	CHECK_EQ(ai.rsdp_addr, Q35_EBDA + 0x20);
	CHECK_EQ(ai.revision, 0);
	CHECK(!ai.via_xsdt);
	CHECK(ai.found.madt && ai.found.fadt);
	CHECK(!ai.found.mcfg && !ai.found.hpet && !ai.found.dmar);
	CHECK_EQ(ai.ncpus, 2);
	CHECK_EQ(ai.ioapics[0].id, 2);
	CHECK_EQ(ai.fadt.pm_tmr_port, 0x408);
	CHECK(ai.fadt.pm_tmr_32bit);
	CHECK_EQ(ai.fadt.pm1a_cnt_port, 0x404);
	CHECK_EQ(ai.fadt.dsdt, 0x105000);
	CHECK(!ai.fadt.reset_supported);

	unit_log_clear();
	acpi_print(&ai);
	CHECK(unit_log_contains("tables via RSDT"));
	CHECK(unit_log_contains("PM timer at port 0x408 (32-bit)"));
	CHECK(unit_log_contains("no reset register"));
	CHECK(unit_log_contains("ACPI: no MCFG"));
	CHECK(unit_log_contains("ACPI: no HPET"));
	CHECK(unit_log_contains("ACPI: no DMAR"));
}

/* Only the EBDA's first KiB and 0xe0000-0xfffff are searched, on 16-byte boundaries. */
TEST(rsdp_scan_bounds)
{
	mem_reset();
	put16(ACPI_EBDA_PTR, Q35_EBDA >> 4);
	put_rsdp(Q35_EBDA + 0x400, 0, 0x100000, 0);
	put_rsdp(0xdfff0, 0, 0x100000, 0);
	put_rsdp(0xe1008, 0, 0x100000, 0);
	CHECK_EQ(parse(), -ERR_NOENT);

	put_rsdp(0xfffe0, 0, 0x100000, 0);
	madt_begin(0x101000, 0xfee00000, 0);
	e_lapic(0, 0, ACPI_LAPIC_ENABLED);
	put_root(0x100000, false, (uint64_t[]){t_end()}, 1);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(ai.rsdp_addr, 0xfffe0);
}

/* A bad-checksum "RSD PTR " is passed over and the scan goes on. */
TEST(rsdp_bad_checksum_scan_continues)
{
	put_q35();
	put_rsdp(0xe0000, 2, Q35_RSDT, Q35_XSDT);
	mem[0xe0000 + 8] ^= 0x55;
	REQUIRE(parse() == 0);
	CHECK(unit_log_contains(
	    "tandem: warning: the RSDP at 0xe0000 has a bad checksum; ignoring it\n"));
	CHECK_EQ(ai.rsdp_addr, Q35_RSDP);
	CHECK(ai.found.madt);

	/* With the good one gone the scan fails cleanly. */
	memset(mem + Q35_RSDP, 0, ACPI_RSDP_V2_LEN);
	unit_log_clear();
	CHECK_EQ(parse(), -ERR_NOENT);
	CHECK(unit_log_contains("no ACPI tables (no RSDP found)"));
	CHECK(!ai.found.madt && ai.ncpus == 0);
}

/* A v2 RSDP whose v1 part holds but whose extended checksum fails: RSDT only. */
TEST(rsdp_bad_extended_checksum)
{
	put_q35();
	mem[Q35_RSDP + offsetof(struct acpi_rsdp, extended_checksum)] ^= 1;
	REQUIRE(parse() == 0);
	CHECK(unit_log_contains(
	    "the RSDP at 0xf5a40 has a bad extended checksum; using its RSDT only"));
	CHECK(!ai.via_xsdt);
	CHECK(ai.found.madt && ai.found.fadt && ai.found.dmar);
}

TEST(xsdt_bad_falls_back_to_rsdt)
{
	put_q35();
	mem[Q35_XSDT + 40] ^= 1;
	REQUIRE(parse() == 0);
	CHECK(unit_log_contains("XSDT table at 0x100000 has a bad checksum; skipping it"));
	CHECK(unit_log_contains("falling back from the unusable XSDT to the RSDT at 0x170000"));
	CHECK(!ai.via_xsdt);
	CHECK(ai.found.madt && ai.ncpus == 4);
}

TEST(no_usable_root_table)
{
	mem_reset();
	put_rsdp(0xe0000, 2, 0, 0x7ff00000); /* XSDT outside memory, no RSDT */
	CHECK_EQ(parse(), -ERR_NOENT);
	CHECK(unit_log_contains("XSDT table at 0x7ff00000 is not in readable memory; skipping it"));
	CHECK(unit_log_contains(
	    "tandem: warning: no ACPI tables (the RSDP names no usable RSDT or XSDT); assuming a single CPU"));
}

/* A table failing its checksum is skipped; the others still count. */
TEST(table_bad_checksum)
{
	put_q35();
	hdr_at(Q35_MADT)->oem_revision ^= 1;
	REQUIRE(parse() == 0);
	CHECK(unit_log_contains(
	    "tandem: warning: APIC table at 0x120000 has a bad checksum; skipping it\n"));
	CHECK(unit_log_contains(
	    "tandem: warning: no usable MADT; assuming a single CPU, xAPIC at 0xfee00000, IOAPIC at 0xfec00000\n"));
	CHECK(!ai.found.madt);
	CHECK_EQ(ai.ncpus, 0);
	CHECK(ai.found.fadt && ai.found.mcfg && ai.found.hpet && ai.found.dmar);

	unit_log_clear();
	acpi_print(&ai);
	CHECK(unit_log_contains("tandem: ACPI: no MADT (CPUs and IOAPICs unknown)\n"));

	acpi_fallback(&ai);
	CHECK(ai.assumed);
	CHECK_EQ(ai.ncpus, 1);
	CHECK_EQ(ai.nmcfg, 1); /* untouched */
}

/* Lengths that are absurd, or that run off the end of memory. */
TEST(table_length_checks)
{
	uint64_t tables[] = {Q35_FADT, MEM_SIZE - 64, MEM_SIZE - 8, Q35_MADT, Q35_MCFG};

	put_q35();
	/* An HPET table near the end of memory claiming 4 KiB. */
	t_begin(MEM_SIZE - 64, ACPI_SIG_HPET, 1);
	hdr_at(MEM_SIZE - 64)->length = 4096;
	/* A header that does not even fit. */
	put_root(Q35_XSDT, true, tables, ARRAY_SIZE(tables));
	hdr_at(Q35_MADT)->length = 20;
	fix_sum(Q35_XSDT);
	hdr_at(Q35_MCFG)->length = 0xffffffff;

	REQUIRE(parse() == 0);
	CHECK(unit_log_contains(
	    "HPET table at 0x1fffc0 (4096 bytes) runs past readable memory; skipping it"));
	CHECK(unit_log_contains(
	    "XSDT entry 2 points at 0x1ffff8, outside readable memory; skipping it"));
	CHECK(unit_log_contains(
	    "APIC table at 0x120000 claims length 20 (expected 44 to 1048576); skipping it"));
	CHECK(unit_log_contains("MCFG table at 0x130000 claims length 4294967295"));
	CHECK(ai.found.fadt);
	CHECK(!ai.found.hpet && !ai.found.madt && !ai.found.mcfg);
}

TEST(no_rsdp_at_all)
{
	mem_reset();
	CHECK_EQ(parse(), -ERR_NOENT);
	CHECK_STR(
	    unit_log(),
	    "tandem: warning: no ACPI tables (no RSDP found); assuming a single CPU, xAPIC at 0xfee00000, IOAPIC at 0xfec00000\n");

	acpi_fallback(&ai);
	CHECK(ai.assumed);
	CHECK_EQ(ai.ncpus, 1);
	CHECK(ai.cpus[0].enabled);
	CHECK_EQ(ai.lapic_addr, ACPI_DEFAULT_LAPIC_ADDR);
	CHECK_EQ(ai.nioapics, 1);
	CHECK_EQ(ai.ioapics[0].addr, ACPI_DEFAULT_IOAPIC_ADDR);
	CHECK_EQ(ai.ioapics[0].gsi_base, 0);
	CHECK(ai.pcat_compat);
	CHECK_EQ(ai.noverrides + ai.nlapic_nmis + ai.nmcfg, 0);
	CHECK(!ai.found.madt && !ai.found.fadt);

	unit_log_clear();
	acpi_print(&ai);
	CHECK(unit_log_contains("ACPI: no tables read\n"));
	CHECK(unit_log_contains(
	    "ACPI: 1 CPU assumed (1 enabled), LAPIC at 0xfee00000, dual 8259, APIC IDs 0\n"));
	CHECK(unit_log_contains("ACPI: no FADT"));
}

TEST(rsdp_copy_from_loader)
{
	struct acpi_rsdp copy;
	void *cut;

	put_q35();
	memset(mem + Q35_RSDP, 0, ACPI_RSDP_V2_LEN); /* UEFI: nothing to scan for */
	make_rsdp(&copy, 2, Q35_RSDT, Q35_XSDT);
	REQUIRE(acpi_parse(&pv, &copy, sizeof(copy), &ai) == 0);
	CHECK(!unit_log_contains("warning"));
	CHECK_EQ(ai.rsdp_addr, 0);
	CHECK(ai.via_xsdt);
	CHECK_EQ(ai.ncpus, 4);

	/* Multiboot 2's "old" tag holds a v1 copy: 20 bytes. */
	make_rsdp(&copy, 0, Q35_RSDT, 0);
	REQUIRE(acpi_parse(&pv, &copy, ACPI_RSDP_V1_LEN, &ai) == 0);
	CHECK(!ai.via_xsdt && ai.found.madt);

	/* A v2 copy cut to 20 bytes still yields its RSDT (and nothing past 20 is read). */
	make_rsdp(&copy, 2, Q35_RSDT, Q35_XSDT);
	cut = malloc(ACPI_RSDP_V1_LEN);
	REQUIRE(cut);
	memcpy(cut, &copy, ACPI_RSDP_V1_LEN);
	unit_log_clear();
	CHECK_EQ(acpi_parse(&pv, cut, ACPI_RSDP_V1_LEN, &ai), 0);
	free(cut);
	CHECK(unit_log_contains(
	    "the loader's RSDP copy (revision 2) has only 20 readable bytes; using its RSDT only"));
	CHECK(!ai.via_xsdt && ai.found.madt);

	/* A copy whose length field exceeds what the loader handed over. */
	copy.length = 40;
	copy.extended_checksum = 0;
	copy.extended_checksum = (uint8_t)-acpi_sum8(&copy, sizeof(copy));
	unit_log_clear();
	CHECK_EQ(acpi_parse(&pv, &copy, sizeof(copy), &ai), 0);
	CHECK(unit_log_contains(
	    "the loader's RSDP copy claims length 40 but 36 bytes are readable; using its RSDT only"));
	make_rsdp(&copy, 2, Q35_RSDT, Q35_XSDT);

	/* A corrupt copy: the memory scan is tried, and finds nothing here. */
	copy.checksum ^= 1;
	unit_log_clear();
	CHECK_EQ(acpi_parse(&pv, &copy, sizeof(copy), &ai), -ERR_NOENT);
	CHECK(unit_log_contains("the loader's RSDP copy has a bad checksum; ignoring it"));
	CHECK(
	    unit_log_contains("scanning the BIOS areas for an RSDP instead of the loader's copy"));
	CHECK(unit_log_contains("no ACPI tables (no RSDP found)"));

	/* ... and finds the one in memory when there is one. */
	put_rsdp(Q35_RSDP, 2, Q35_RSDT, Q35_XSDT);
	CHECK_EQ(acpi_parse(&pv, &copy, sizeof(copy), &ai), 0);
	CHECK_EQ(ai.rsdp_addr, Q35_RSDP);

	unit_log_clear();
	CHECK_EQ(acpi_parse(&pv, "RSD PTR", 8, &ai), 0);
	CHECK(
	    unit_log_contains("the loader's RSDP copy is 8 bytes, shorter than the 20 of an RSDP"));
	CHECK_EQ(acpi_parse(NULL, NULL, 0, &ai), -ERR_INVAL);
}

TEST(fadt_address_choices)
{
	struct acpi_fadt *f;

	put_q35();
	f = (struct acpi_fadt *)(mem + Q35_FADT);
	f->x_pm_tmr_blk.address = 0x1608; /* disagrees with PM_TMR_BLK */
	f->x_pm1a_cnt_blk.space_id = ACPI_GAS_SYSTEM_MEMORY;
	f->x_dsdt = 0x190000;
	f->flags |= ACPI_FADT_TMR_VAL_EXT;
	fix_sum(Q35_FADT);
	REQUIRE(parse() == 0);
	CHECK_EQ(ai.fadt.pm_tmr_port, 0x1608);
	CHECK(ai.fadt.pm_tmr_32bit);
	CHECK(unit_log_contains(
	    "FADT PM_TMR_BLK (0x608) and X_PM_TMR_BLK (0x1608) differ; using X_PM_TMR_BLK"));
	CHECK_EQ(ai.fadt.pm1a_cnt_port, 0x604);
	CHECK(unit_log_contains(
	    "FADT X_PM1a_CNT_BLK is in address space 0, not system I/O; using PM1a_CNT_BLK 0x604"));
	CHECK_EQ(ai.fadt.dsdt, 0x190000);
	CHECK(unit_log_contains("FADT DSDT (0x180000) and X_DSDT (0x190000) differ; using X_DSDT"));

	/* No 32-bit DSDT: the 64-bit one, silently. A port beyond 0xffff is none. */
	put_q35();
	f->dsdt = 0;
	f->pm_tmr_blk = 0x10000;
	f->x_pm_tmr_blk.address = 0;
	f->reset_reg.space_id = 0x7f; /* functional fixed hardware: not allowed */
	fix_sum(Q35_FADT);
	unit_log_clear();
	REQUIRE(parse() == 0);
	CHECK_EQ(ai.fadt.dsdt, Q35_DSDT);
	CHECK_EQ(ai.fadt.pm_tmr_port, 0);
	CHECK(unit_log_contains(
	    "FADT PM_TMR_BLK 0x10000 is beyond the I/O port space; assuming there is none"));
	CHECK(!ai.fadt.reset_supported);
	CHECK(unit_log_contains(
	    "FADT reset register is in address space 127; assuming no reset register"));

	/* Hardware-reduced ACPI: the fixed blocks are not there whatever they say. */
	put_q35();
	f->flags |= ACPI_FADT_HW_REDUCED;
	fix_sum(Q35_FADT);
	REQUIRE(parse() == 0);
	CHECK(ai.fadt.hw_reduced);
	CHECK_EQ(ai.fadt.pm_tmr_port, 0);
	CHECK_EQ(ai.fadt.pm1a_cnt_port, 0);
	unit_log_clear();
	acpi_print(&ai);
	CHECK(unit_log_contains("ACPI: no PM timer (hardware-reduced)"));
}

TEST(mcfg_hpet_dmar_malformed)
{
	struct acpi_mcfg_alloc *m;
	struct acpi_hpet *hp;
	struct acpi_dmar_drhd *d;

	put_q35();
	m = (struct acpi_mcfg_alloc *)(mem + Q35_MCFG + sizeof(struct acpi_mcfg));
	hp = (struct acpi_hpet *)(mem + Q35_HPET);
	d = (struct acpi_dmar_drhd *)(mem + Q35_DMAR + sizeof(struct acpi_dmar));
	m->start_bus = 10;
	m->end_bus = 5;
	hdr_at(Q35_MCFG)->length += 3; /* stray bytes */
	fix_sum(Q35_MCFG);
	hp->base.space_id = ACPI_GAS_SYSTEM_IO;
	fix_sum(Q35_HPET);
	d->h.length = 0; /* the DRHD itself cannot be stepped over */
	fix_sum(Q35_DMAR);
	REQUIRE(parse() == 0);
	CHECK(unit_log_contains("MCFG has 3 stray bytes after its 1 entries; ignoring them"));
	CHECK(unit_log_contains(
	    "MCFG entry 0 (segment 0, buses 10-5, base 0xb0000000) is invalid; ignoring it"));
	CHECK(unit_log_contains("MCFG lists no usable ECAM window; assuming none"));
	CHECK(!ai.found.mcfg && ai.nmcfg == 0);
	CHECK(unit_log_contains(
	    "HPET table gives base 0xfed00000 in address space 1, not memory; assuming no HPET"));
	CHECK(!ai.found.hpet);
	CHECK(unit_log_contains(
	    "DMAR structure at offset 48 (type 0) has length 0, too short to step over; ignoring it and the rest of the table"));
	CHECK(unit_log_contains("DMAR lists no usable remapping unit; assuming no IOMMU"));
	CHECK(!ai.found.dmar && !ai.dmar.intr_remap && ai.dmar.ndrhd == 0);
}

TEST(duplicate_tables)
{
	uint64_t tables[] = {Q35_MADT, Q35_FADT, 0, Q35_MADT};

	put_q35();
	put_root(Q35_XSDT, true, tables, ARRAY_SIZE(tables));
	REQUIRE(parse() == 0);
	CHECK(unit_log_contains("another APIC table at 0x120000; keeping the first"));
	CHECK_EQ(ai.ncpus, 4);
	CHECK(!ai.found.dmar);
}

/*
 * Random corruption of the q35 tables, with checksums repaired so the damage
 * reaches the parsers. Nothing may crash, hang or read outside memory (ASan).
 */
TEST(fuzz_q35)
{
	static const uint64_t all[] = {Q35_XSDT, Q35_FADT, Q35_MADT, Q35_MCFG, Q35_HPET, Q35_DMAR};
	uint32_t seed = 12345;

	for (int iter = 0; iter < 1500; iter++) {
		put_q35();
		for (int k = 0; k < 1 + iter % 8; k++) {
			uint64_t pa;

			seed = seed * 1103515245u + 12345u;
			pa = all[(seed >> 8) % ARRAY_SIZE(all)];
			seed = seed * 1103515245u + 12345u;
			mem[pa + (seed >> 8) % 320] = (uint8_t)(seed >> 24);
		}
		for (size_t i = 0; i < ARRAY_SIZE(all); i++)
			fix_sum(all[i]);
		unit_log_clear();
		if (parse() == 0) {
			CHECK(ai.ncpus <= ACPI_MAX_CPUS && ai.nioapics <= ACPI_MAX_IOAPICS);
			CHECK(ai.nmcfg <= ACPI_MAX_MCFG && ai.dmar.ndrhd <= ACPI_MAX_DRHD);
			CHECK(!ai.found.madt || ai.lapic_addr != 0);
			acpi_print(&ai);
		}
	}
}
