/*
 * Shared by the test_acpi_*.c tests: a fake physical memory, a builder for
 * ACPI tables whose checksums are computed here (so each test breaks exactly
 * what it means to), MADT entry writers, and a QEMU q35-like table set.
 * Each test binary includes it once.
 */
#ifndef ACPI_FIXTURE_H
#define ACPI_FIXTURE_H

#include <stdlib.h>
#include <errcode.h>
#include <x86/acpi.h>

#include "unit.h"

/* Fake physical memory: phys 0 .. MEM_SIZE, heap-allocated so ASan sees overruns. */
#define MEM_SIZE 0x200000u

static uint8_t *mem;

static inline const void *fake_map(const struct phys_view *v, uint64_t pa, uint64_t len)
{
	(void)v;
	if (pa >= MEM_SIZE || len > MEM_SIZE - pa)
		return NULL;
	return mem + pa;
}

static const struct phys_view pv = {.map = fake_map};
static struct acpi_info ai;

static inline void mem_reset(void)
{
	if (!mem)
		mem = calloc(1, MEM_SIZE); /* kept for the whole run: not a leak */
	memset(mem, 0, MEM_SIZE);
	memset(&ai, 0, sizeof(ai));
}

static inline void put16(uint64_t pa, uint16_t v)
{
	memcpy(mem + pa, &v, sizeof(v));
}

/* ---- table builder ------------------------------------------------------ */

static uint64_t t_pa;
static uint32_t t_len;

static inline void t_put(const void *p, size_t n)
{
	memcpy(mem + t_pa + t_len, p, n);
	t_len += (uint32_t)n;
}

static inline struct acpi_sdt_header *hdr_at(uint64_t pa)
{
	return (struct acpi_sdt_header *)(mem + pa);
}

/* Recomputes the checksum of the table at pa (after a test edits it), if it fits. */
static inline void fix_sum(uint64_t pa)
{
	struct acpi_sdt_header *h = hdr_at(pa);

	if (h->length < sizeof(*h) || h->length > MEM_SIZE - pa)
		return;
	h->checksum = 0;
	h->checksum = (uint8_t)-acpi_sum8(h, h->length);
}

static inline void t_begin(uint64_t pa, const char *sig, uint8_t rev)
{
	struct acpi_sdt_header h = {.revision = rev};

	memcpy(h.signature, sig, 4);
	memcpy(h.oem_id, "BOCHS ", 6);
	memcpy(h.oem_table_id, "BXPC    ", 8);
	t_pa = pa;
	t_len = 0;
	t_put(&h, sizeof(h));
}

static inline uint64_t t_end(void)
{
	hdr_at(t_pa)->length = t_len;
	fix_sum(t_pa);
	return t_pa;
}

static inline void make_rsdp(struct acpi_rsdp *r, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->signature, ACPI_SIG_RSDP, 8);
	memcpy(r->oem_id, "BOCHS ", 6);
	r->revision = rev;
	r->rsdt_address = rsdt;
	r->checksum = (uint8_t)-acpi_sum8(r, ACPI_RSDP_V1_LEN);
	if (rev >= 2) {
		r->length = ACPI_RSDP_V2_LEN;
		r->xsdt_address = xsdt;
		r->extended_checksum = (uint8_t)-acpi_sum8(r, ACPI_RSDP_V2_LEN);
	}
}

static inline void put_rsdp(uint64_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	struct acpi_rsdp r;

	make_rsdp(&r, rev, rsdt, xsdt);
	memcpy(mem + pa, &r, rev >= 2 ? ACPI_RSDP_V2_LEN : ACPI_RSDP_V1_LEN);
}

static inline void put_root(uint64_t pa, bool xsdt, const uint64_t *entries, size_t n)
{
	t_begin(pa, xsdt ? ACPI_SIG_XSDT : ACPI_SIG_RSDT, 1);
	for (size_t i = 0; i < n; i++) {
		uint32_t e32 = (uint32_t)entries[i];

		if (xsdt)
			t_put(&entries[i], 8);
		else
			t_put(&e32, 4);
	}
	t_end();
}

static inline void madt_begin(uint64_t pa, uint32_t lapic, uint32_t flags)
{
	t_begin(pa, ACPI_SIG_MADT, 3);
	t_put(&lapic, 4);
	t_put(&flags, 4);
}

static inline void e_lapic(uint8_t uid, uint8_t id, uint32_t flags)
{
	struct acpi_madt_lapic e = {{ACPI_MADT_LAPIC, sizeof(e)}, uid, id, flags};

	t_put(&e, sizeof(e));
}

static inline void e_x2apic(uint32_t id, uint32_t uid, uint32_t flags)
{
	struct acpi_madt_x2apic e = {{ACPI_MADT_X2APIC, sizeof(e)}, 0, id, flags, uid};

	t_put(&e, sizeof(e));
}

static inline void e_ioapic(uint8_t id, uint32_t addr, uint32_t gsi)
{
	struct acpi_madt_ioapic e = {{ACPI_MADT_IOAPIC, sizeof(e)}, id, 0, addr, gsi};

	t_put(&e, sizeof(e));
}

static inline void e_iso(uint8_t irq, uint32_t gsi, uint16_t flags)
{
	struct acpi_madt_iso e = {{ACPI_MADT_ISO, sizeof(e)}, 0, irq, gsi, flags};

	t_put(&e, sizeof(e));
}

static inline void e_lapic_nmi(uint8_t uid, uint16_t flags, uint8_t lint)
{
	struct acpi_madt_lapic_nmi e = {{ACPI_MADT_LAPIC_NMI, sizeof(e)}, uid, flags, lint};

	t_put(&e, sizeof(e));
}

/* ---- a QEMU q35-like machine -------------------------------------------- */

#define Q35_RSDP 0xf5a40
#define Q35_EBDA 0x9fc00
#define Q35_XSDT 0x100000
#define Q35_FADT 0x110000
#define Q35_MADT 0x120000
#define Q35_MCFG 0x130000
#define Q35_HPET 0x140000
#define Q35_DMAR 0x150000
#define Q35_WAET 0x160000
#define Q35_RSDT 0x170000
#define Q35_DSDT 0x180000

static const uint64_t q35_tables[] = {Q35_FADT, Q35_MADT, Q35_HPET, Q35_MCFG, Q35_WAET, Q35_DMAR};

static inline struct acpi_gas gas_io(uint64_t port, uint8_t bits)
{
	return (struct acpi_gas){
	    .space_id = ACPI_GAS_SYSTEM_IO, .bit_width = bits, .address = port};
}

static inline void put_q35_fadt(void)
{
	struct acpi_fadt f = {0};

	f.dsdt = Q35_DSDT;
	f.x_dsdt = Q35_DSDT;
	f.sci_int = 9;
	f.smi_cmd = 0xb2;
	f.pm1a_evt_blk = 0x600;
	f.pm1a_cnt_blk = 0x604;
	f.pm_tmr_blk = 0x608;
	f.gpe0_blk = 0x620;
	f.pm1_evt_len = 4;
	f.pm1_cnt_len = 2;
	f.pm_tmr_len = 4;
	f.gpe0_blk_len = 16;
	f.iapc_boot_arch = ACPI_IAPC_BOOT_8042;
	f.flags = ACPI_FADT_WBINVD | ACPI_FADT_RESET_REG_SUP | BIT(2) | BIT(5) | BIT(7) | BIT(15);
	f.reset_reg = gas_io(0xcf9, 8);
	f.reset_value = 0xf;
	f.x_pm1a_evt_blk = gas_io(0x600, 32);
	f.x_pm1a_cnt_blk = gas_io(0x604, 16);
	f.x_pm_tmr_blk = gas_io(0x608, 32);
	f.x_gpe0_blk = gas_io(0x620, 128);

	t_begin(Q35_FADT, ACPI_SIG_FADT, 3);
	t_put((const uint8_t *)&f + sizeof(f.hdr),
	      offsetof(struct acpi_fadt, sleep_control_reg) - sizeof(f.hdr)); /* rev 3: 244 bytes */
	t_end();
}

static inline void put_q35_madt(void)
{
	madt_begin(Q35_MADT, 0xfee00000, ACPI_MADT_PCAT_COMPAT);
	e_lapic(0, 0, ACPI_LAPIC_ENABLED);
	e_lapic(1, 1, ACPI_LAPIC_ENABLED);
	e_lapic(2, 2, 0); /* not present */
	e_lapic(3, 3, ACPI_LAPIC_ENABLED);
	e_ioapic(0, 0xfec00000, 0);
	e_iso(0, 2, 0);
	e_iso(9, 9, 0xd); /* level, active high: the SCI */
	e_lapic_nmi(ACPI_LAPIC_NMI_ALL, 0, 1);
	t_end();
}

static inline void put_q35_dmar(void)
{
	struct acpi_dmar_drhd d = {
	    {ACPI_DMAR_TYPE_DRHD, sizeof(d) + 8}, ACPI_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed90000};
	/* An IOAPIC device scope (VT-d 8.3.1): type 3, length 8, id 0, bus 0xff, path 0:0. */
	static const uint8_t scope[8] = {3, 8, 0, 0, 0, 0xff, 0, 0};
	/* An RMRR (8.4), stepped over: type 1, length 24, segment 0, base, limit. */
	struct {
		struct acpi_dmar_entry h;
		uint16_t reserved, segment;
		uint64_t base, limit;
	} __packed rmrr = {{ACPI_DMAR_TYPE_RMRR, 24}, 0, 0, 0xe0000, 0xfffff};
	uint8_t haw = 38, flags = ACPI_DMAR_INTR_REMAP | ACPI_DMAR_X2APIC_OPT_OUT;
	uint8_t reserved[10] = {0};

	t_begin(Q35_DMAR, ACPI_SIG_DMAR, 1);
	t_put(&haw, 1);
	t_put(&flags, 1);
	t_put(reserved, sizeof(reserved));
	t_put(&d, sizeof(d));
	t_put(scope, sizeof(scope));
	t_put(&rmrr, sizeof(rmrr));
	t_end();
}

static inline void put_q35(void)
{
	struct acpi_mcfg_alloc m = {0xb0000000, 0, 0, 255, 0};
	uint8_t reserved[8] = {0};
	struct acpi_hpet hp = {0};

	mem_reset();
	put16(ACPI_EBDA_PTR, Q35_EBDA >> 4); /* an EBDA without an RSDP in it */
	put_rsdp(Q35_RSDP, 2, Q35_RSDT, Q35_XSDT);
	put_root(Q35_XSDT, true, q35_tables, ARRAY_SIZE(q35_tables));
	put_root(Q35_RSDT, false, q35_tables, ARRAY_SIZE(q35_tables));
	put_q35_fadt();
	put_q35_madt();

	t_begin(Q35_MCFG, ACPI_SIG_MCFG, 1);
	t_put(reserved, sizeof(reserved));
	t_put(&m, sizeof(m));
	t_end();

	hp.event_timer_block_id = 0x8086a201;
	hp.base = (struct acpi_gas){.space_id = ACPI_GAS_SYSTEM_MEMORY, .address = 0xfed00000};
	hp.min_clock_tick = 0x80;
	t_begin(Q35_HPET, ACPI_SIG_HPET, 1);
	t_put((const uint8_t *)&hp + sizeof(hp.hdr), sizeof(hp) - sizeof(hp.hdr));
	t_end();

	t_begin(Q35_WAET, "WAET", 1);
	t_put(reserved, 4);
	t_end();

	put_q35_dmar();
}

static inline int parse(void)
{
	return acpi_parse(&pv, NULL, 0, &ai);
}

#endif
