/*
 * acpi_parse() on the MADT (acpi_fixture.h): x2APIC entries, more CPUs than
 * fit, and malformed entries (zero length, past the table's end, bad
 * fields), and a MADT without an enabled CPU.
 */
#include <x86/acpi.h>

#include "acpi_fixture.h"
#include "unit.h"

TEST(x2apic_entries)
{
	struct acpi_madt_lapic_override ov = {
	    {ACPI_MADT_LAPIC_OVERRIDE, sizeof(ov)}, 0, 0x1fee00000ull};
	struct acpi_madt_x2apic_nmi all = {
	    {ACPI_MADT_X2APIC_NMI, sizeof(all)}, 0, ACPI_X2APIC_NMI_ALL, 1, {0}};
	struct acpi_madt_x2apic_nmi one = {{ACPI_MADT_X2APIC_NMI, sizeof(one)}, 0xf, 0x100, 0, {0}};

	put_q35();
	madt_begin(Q35_MADT, 0xfee00000, 0);
	e_lapic(0, 0, ACPI_LAPIC_ENABLED);
	e_x2apic(0x100, 0x100, ACPI_LAPIC_ENABLED);
	e_x2apic(0x101, 0x101, ACPI_LAPIC_ONLINE_CAPABLE);
	e_x2apic(0x102, 0x102, ACPI_LAPIC_ENABLED | ACPI_LAPIC_ONLINE_CAPABLE);
	e_x2apic(0, 0, ACPI_LAPIC_ENABLED);          /* same CPU as the xAPIC entry */
	e_x2apic(0xffffffff, 7, ACPI_LAPIC_ENABLED); /* placeholder */
	t_put(&ov, sizeof(ov));
	t_put(&all, sizeof(all));
	t_put(&one, sizeof(one));
	e_ioapic(0, 0xfec00000, 0);
	e_ioapic(1, 0xfec01000, 24);
	t_end();

	REQUIRE(parse() == 0);
	CHECK(ai.found.madt);
	CHECK(!ai.pcat_compat);
	CHECK_EQ(ai.lapic_addr, 0x1fee00000ull);
	REQUIRE(ai.ncpus == 4);
	CHECK(!ai.cpus[0].x2apic);
	CHECK_EQ(ai.cpus[1].apic_id, 0x100);
	CHECK_EQ(ai.cpus[1].uid, 0x100);
	CHECK(ai.cpus[1].x2apic && ai.cpus[1].enabled && !ai.cpus[1].online_capable);
	CHECK(!ai.cpus[2].enabled && ai.cpus[2].online_capable);
	CHECK(ai.cpus[3].enabled && !ai.cpus[3].online_capable);
	CHECK(unit_log_contains("MADT lists APIC ID 0 twice; ignoring the second entry"));
	REQUIRE(ai.nlapic_nmis == 2);
	CHECK_EQ(ai.lapic_nmis[0].uid, ACPI_UID_ALL);
	CHECK_EQ(ai.lapic_nmis[0].lint, 1);
	CHECK_EQ(ai.lapic_nmis[1].uid, 0x100);
	CHECK_EQ(ai.lapic_nmis[1].lint, 0);
	CHECK_EQ(ai.lapic_nmis[1].polarity, ACPI_INTI_ACTIVE_LOW);
	CHECK_EQ(ai.lapic_nmis[1].trigger, ACPI_INTI_LEVEL);
	REQUIRE(ai.nioapics == 2);
	CHECK_EQ(ai.ioapics[1].gsi_base, 24);

	unit_log_clear();
	acpi_print(&ai);
	CHECK(unit_log_contains(
	    "4 CPUs (3 enabled, 1 hot-pluggable), LAPIC at 0x1fee00000, APIC IDs 0 256 258\n"));
	CHECK(unit_log_contains("LAPIC NMI: all->LINT1 uid 256->LINT0\n"));
}

/* 300 x2APIC CPUs: the first 256 are kept and the rest counted, with one warning. */
TEST(cpu_overflow)
{
	put_q35();
	madt_begin(Q35_MADT, 0xfee00000, 0);
	for (uint32_t i = 0; i < 300; i++)
		e_x2apic(i, i, ACPI_LAPIC_ENABLED);
	t_end();
	REQUIRE(parse() == 0);
	CHECK_EQ(ai.ncpus, ACPI_MAX_CPUS);
	CHECK_EQ(ai.cpus_dropped, 44);
	CHECK_EQ(ai.cpus[255].apic_id, 255);
	CHECK(
	    unit_log_contains("MADT lists 44 CPUs more than the 256 Tandem tracks; ignoring them"));
	unit_log_clear();
	acpi_print(&ai);
	CHECK(unit_log_contains("256 CPUs (256 enabled, 44 more ignored)"));
	CHECK(unit_log_contains("...\n")); /* the APIC ID list is cut, not overflowed */
}

/* An entry of length 0 would loop forever if the walk trusted it. */
TEST(madt_zero_length_entry)
{
	uint8_t zero[2] = {ACPI_MADT_LAPIC, 0};

	put_q35();
	madt_begin(Q35_MADT, 0xfee00000, 0);
	e_lapic(0, 0, ACPI_LAPIC_ENABLED);
	t_put(zero, 2);
	e_lapic(1, 1, ACPI_LAPIC_ENABLED);
	t_end();
	REQUIRE(parse() == 0);
	CHECK(ai.found.madt);
	CHECK_EQ(ai.ncpus, 1);
	CHECK(unit_log_contains(
	    "MADT entry at offset 52 (type 0) has length 0, too short to step over; ignoring it and the rest of the table"));
}

TEST(madt_entry_past_end)
{
	struct acpi_madt_lapic big = {{ACPI_MADT_LAPIC, 40}, 1, 1, ACPI_LAPIC_ENABLED};
	uint8_t odd = 9;

	put_q35();
	madt_begin(Q35_MADT, 0xfee00000, 0);
	e_lapic(0, 0, ACPI_LAPIC_ENABLED);
	e_lapic(1, 1, ACPI_LAPIC_ENABLED);
	t_put(&big, sizeof(big));
	t_end();
	REQUIRE(parse() == 0);
	CHECK_EQ(ai.ncpus, 2);
	CHECK(unit_log_contains(
	    "MADT entry at offset 60 (type 0) has length 40, running past the table end; ignoring it and the rest of the table"));

	/* A lone trailing byte, and an entry too short for its type, skipped alone. */
	madt_begin(Q35_MADT, 0, 0);
	big.h.length = 4;
	t_put(&big, 4);
	e_lapic(0, 0, ACPI_LAPIC_ENABLED);
	t_put(&odd, 1);
	t_end();
	unit_log_clear();
	REQUIRE(parse() == 0);
	CHECK_EQ(ai.ncpus, 1);
	CHECK(unit_log_contains(
	    "MADT entry at offset 44 (type 0) is 4 bytes, expected 8; skipping it"));
	CHECK(unit_log_contains("MADT has 1 stray bytes at offset 56; ignoring them"));
	CHECK(unit_log_contains("MADT gives local APIC address 0; assuming 0xfee00000"));
	CHECK_EQ(ai.lapic_addr, 0xfee00000);
}

/* A MADT without one enabled CPU is no MADT: the caller falls back. */
TEST(madt_no_enabled_cpu)
{
	put_q35();
	madt_begin(Q35_MADT, 0xfee00000, 0);
	e_lapic(0, 0, 0);
	e_lapic(1, 0xff, ACPI_LAPIC_ENABLED);
	e_ioapic(0, 0xfec00000, 0);
	t_end();
	REQUIRE(parse() == 0);
	CHECK(!ai.found.madt);
	CHECK_EQ(ai.ncpus, 0);
	CHECK_EQ(ai.nioapics, 0);
	CHECK(unit_log_contains(
	    "MADT marks a CPU with APIC ID 0xff (broadcast) enabled; ignoring it"));
	CHECK(unit_log_contains("MADT lists no enabled CPU; ignoring the table"));
	CHECK(unit_log_contains("no usable MADT; assuming a single CPU"));
}

TEST(madt_bad_entries)
{
	struct acpi_madt_iso pci = {{ACPI_MADT_ISO, sizeof(pci)}, 1, 5, 5, 0};

	put_q35();
	madt_begin(Q35_MADT, 0xfee00000, 0);
	e_lapic(0, 0, ACPI_LAPIC_ENABLED);
	e_ioapic(0, 0, 0);
	e_iso(5, 5, 0x2 | 0x4); /* reserved polarity, edge */
	t_put(&pci, sizeof(pci));
	e_lapic_nmi(0, 0, 3);
	t_end();
	REQUIRE(parse() == 0);
	CHECK_EQ(ai.nioapics, 0);
	CHECK(unit_log_contains("MADT I/O APIC 0 has address 0; ignoring it"));
	REQUIRE(ai.noverrides == 1);
	CHECK_EQ(ai.overrides[0].polarity, ACPI_INTI_CONFORMS);
	CHECK_EQ(ai.overrides[0].trigger, ACPI_INTI_EDGE);
	CHECK(unit_log_contains(
	    "MADT override for IRQ 5 has reserved polarity/trigger flags 0x6; assuming the bus default"));
	CHECK(unit_log_contains(
	    "MADT interrupt override for IRQ 5 names bus 1, not ISA (0); ignoring it"));
	CHECK(unit_log_contains(
	    "MADT LAPIC NMI entry names LINT3 (only 0 and 1 exist); ignoring it"));
	CHECK_EQ(ai.nlapic_nmis, 0);
}
