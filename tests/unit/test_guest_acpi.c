/*
 * guest_acpi_build() checked by the reader that matters most here, Tandem's
 * own ACPI parser: the tables are built into a heap buffer (so ASan sees any
 * byte written past it), a phys_view places that buffer at its guest-physical
 * address, and acpi_parse() must read it without a single warning. What the
 * parser does not read (FACS, DSDT, the 32-bit/X_ agreement, the AML of
 * \_S5) is decoded here. Also: sizing and every too-small buffer, refused
 * configurations, and the AML emitter's encodings.
 */
#include <stdlib.h>
#include <aml.h>
#include <errcode.h>
#include <guest_acpi.h>
#include <x86/acpi.h>

#include "unit.h"

#define GPA_LOW  0x7ff00000ull  /* where a VMM might put them below 4 GiB */
#define GPA_BIOS 0xe0003ull     /* odd, inside the BIOS area the parser scans */
#define GPA_HIGH 0x100001008ull /* above 4 GiB: only X_ fields can name tables */

static uint8_t *buf;
static size_t buf_len;
static uint64_t buf_gpa;
static struct guest_acpi_out out;
static struct acpi_info ai;

static const void *buf_map(const struct phys_view *v, uint64_t pa, uint64_t len)
{
	(void)v;
	if (pa < buf_gpa || pa - buf_gpa >= buf_len || len > buf_len - (pa - buf_gpa))
		return NULL;
	return buf + (pa - buf_gpa);
}

static const struct phys_view pv = {.map = buf_map};

/* A table inside the buffer by GPA, or NULL. */
static const void *at(uint64_t gpa, size_t len)
{
	return phys_map(&pv, gpa, len);
}

/* Builds cfg's tables into a buffer of exactly the size asked for. */
static int build(const struct guest_acpi_cfg *cfg, uint64_t gpa)
{
	int err;

	free(buf);
	buf = NULL;
	buf_len = 0;
	buf_gpa = gpa;
	err = guest_acpi_build(cfg, NULL, 0, gpa, &out);
	if (err != -ERR_NOMEM)
		return err;
	buf_len = out.len;
	buf = malloc(buf_len);
	memset(buf, 0xa5, buf_len);
	unit_log_clear();
	return guest_acpi_build(cfg, buf, buf_len, gpa, &out);
}

static bool hdr_ok(const struct acpi_sdt_header *h, const char *sig)
{
	return h && memcmp(h->signature, sig, 4) == 0 && acpi_sum8(h, h->length) == 0 &&
	       memcmp(h->oem_id, "TANDEM", 6) == 0 && memcmp(h->oem_table_id, "TANDEMVM", 8) == 0;
}

static const struct acpi_sdt_header *table(uint64_t gpa, const char *sig)
{
	const struct acpi_sdt_header *h = at(gpa, sizeof(*h));

	h = h ? at(gpa, h->length) : NULL;
	return hdr_ok(h, sig) ? h : NULL;
}

/* The XSDT's entry i (0: FADT, 1: MADT) through the RSDP, or 0. */
static uint64_t xsdt_entry(unsigned int i)
{
	const struct acpi_rsdp *r = at(out.rsdp_gpa, ACPI_RSDP_V2_LEN);
	const struct acpi_sdt_header *x = r ? table(r->xsdt_address, ACPI_SIG_XSDT) : NULL;
	uint64_t e = 0;

	if (x && x->length >= sizeof(*x) + 8 * (i + 1))
		memcpy(&e, (const uint8_t *)(x + 1) + 8 * i, sizeof(e));
	return e;
}

/* ---- decoding the DSDT's \_S5 ------------------------------------------- */

/* One AML integer at *p (ZeroOp, OneOp, Byte/Word/DWord/QWord); false if it is none. */
static bool aml_int_decode(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned int n;

	if (*p >= end)
		return false;
	switch (*(*p)++) {
	case AML_ZERO_OP:
		*v = 0;
		return true;
	case AML_ONE_OP:
		*v = 1;
		return true;
	case AML_BYTE_PREFIX:
		n = 1;
		break;
	case AML_WORD_PREFIX:
		n = 2;
		break;
	case AML_DWORD_PREFIX:
		n = 4;
		break;
	case AML_QWORD_PREFIX:
		n = 8;
		break;
	default:
		return false;
	}
	if (end - *p < n)
		return false;
	*v = 0;
	for (unsigned int i = 0; i < n; i++)
		*v |= (uint64_t)(*p)[i] << (8 * i);
	*p += n;
	return true;
}

/* A PkgLength (ACPI 6.5 20.2.4) at *p; its value counts its own bytes. */
static bool pkg_len_decode(const uint8_t **p, const uint8_t *end, size_t *len)
{
	unsigned int extra;

	if (*p >= end)
		return false;
	extra = **p >> 6;
	if (end - *p < 1 + extra)
		return false;
	*len = extra ? (**p & 0xf) : (**p & 0x3f);
	for (unsigned int i = 0; i < extra; i++)
		*len |= (size_t)(*p)[1 + i] << (4 + 8 * i);
	*p += 1 + extra;
	return true;
}

/*
 * Finds "NameOp \_S5_ Package" in aml[len] and decodes the package into
 * v[4]. Returns the number of elements, or -1 when it is not well formed or
 * not the last thing in the block.
 */
static int s5_decode(const uint8_t *aml, size_t len, uint64_t v[4])
{
	const uint8_t *end = aml + len, *p = NULL, *pkg;
	size_t plen;
	int n;

	for (size_t i = 2; i + 4 <= len; i++) {
		if (memcmp(aml + i, "_S5_", 4) == 0 && aml[i - 2] == AML_NAME_OP &&
		    aml[i - 1] == AML_ROOT_CHAR) {
			p = aml + i + 4;
			break;
		}
	}
	if (!p || p >= end || *p++ != AML_PACKAGE_OP)
		return -1;
	pkg = p;
	if (!pkg_len_decode(&p, end, &plen) || plen > (size_t)(end - pkg) || p >= end)
		return -1;
	end = pkg + plen;
	n = *p++;
	if (n > 4)
		return -1;
	for (int i = 0; i < n; i++)
		if (!aml_int_decode(&p, end, &v[i]))
			return -1;
	return p == end && end == aml + len ? n : -1;
}

/* ---- the full check ----------------------------------------------------- */

static void check_dsdt(uint64_t gpa, uint8_t typ)
{
	const struct acpi_sdt_header *d = table(gpa, ACPI_SIG_DSDT);
	uint64_t v[4] = {99, 99, 99, 99};

	REQUIRE(d);
	CHECK(d->revision >= 2);
	CHECK_EQ(s5_decode((const uint8_t *)(d + 1), d->length - sizeof(*d), v), 4);
	CHECK_EQ(v[0], typ);
	CHECK_EQ(v[1], typ);
	CHECK_EQ(v[2], 0);
	CHECK_EQ(v[3], 0);
}

/* What acpi_parse() does not look at: RSDP, XSDT, FACS, both address forms. */
static void check_raw(const struct guest_acpi_cfg *cfg)
{
	const struct acpi_rsdp *r = at(out.rsdp_gpa, ACPI_RSDP_V2_LEN);
	const struct acpi_sdt_header *x;
	const struct acpi_fadt *f;
	const struct acpi_facs *facs;
	uint64_t entry[2], facs_gpa;

	REQUIRE(r);
	CHECK_EQ(out.rsdp_gpa % 16, 0);
	CHECK(memcmp(r->signature, "RSD PTR ", 8) == 0);
	CHECK_EQ(acpi_sum8(r, ACPI_RSDP_V1_LEN), 0);
	CHECK_EQ(acpi_sum8(r, ACPI_RSDP_V2_LEN), 0);
	CHECK_EQ(r->revision, 2);
	CHECK_EQ(r->length, ACPI_RSDP_V2_LEN);
	CHECK(memcmp(r->oem_id, "TANDEM", 6) == 0);

	x = table(r->xsdt_address, ACPI_SIG_XSDT);
	REQUIRE(x);
	REQUIRE(x->length == sizeof(*x) + sizeof(entry));
	memcpy(entry, x + 1, sizeof(entry));
	f = (const void *)table(entry[0], ACPI_SIG_FADT);
	REQUIRE(f);
	CHECK(table(entry[1], ACPI_SIG_MADT));
	CHECK_EQ(f->hdr.length, sizeof(*f));
	CHECK_EQ(f->hdr.revision, 6);

	/* 5.2.9: FACS by exactly one of FIRMWARE_CTRL and X_FIRMWARE_CTRL. */
	facs_gpa = f->firmware_ctrl ? f->firmware_ctrl : f->x_firmware_ctrl;
	CHECK(!f->firmware_ctrl != !f->x_firmware_ctrl);
	CHECK_EQ(f->firmware_ctrl != 0, buf_gpa <= UINT32_MAX);
	CHECK_EQ(facs_gpa % 64, 0);
	facs = at(facs_gpa, sizeof(*facs));
	REQUIRE(facs);
	CHECK(memcmp(facs->signature, "FACS", 4) == 0);
	CHECK_EQ(facs->length, 64);

	CHECK(f->x_dsdt);
	CHECK_EQ(f->dsdt, buf_gpa <= UINT32_MAX ? f->x_dsdt : 0);
	check_dsdt(f->x_dsdt, cfg->s5_slp_typ);

	/* The 32-bit blocks and the X_ ones agree, widths included. */
	CHECK_EQ(f->pm1a_evt_blk, cfg->pm1a_evt_port);
	CHECK_EQ(f->x_pm1a_evt_blk.address, cfg->pm1a_evt_port);
	CHECK_EQ(f->x_pm1a_evt_blk.bit_width, 8 * f->pm1_evt_len);
	CHECK_EQ(f->pm1_evt_len, 4);
	CHECK_EQ(f->x_pm1a_cnt_blk.address, f->pm1a_cnt_blk);
	CHECK_EQ(f->x_pm1a_cnt_blk.bit_width, 8 * f->pm1_cnt_len);
	CHECK_EQ(f->pm1_cnt_len, 2);
	CHECK_EQ(f->x_pm_tmr_blk.address, f->pm_tmr_blk);
	CHECK_EQ(f->x_pm_tmr_blk.bit_width, 8 * f->pm_tmr_len);
	CHECK_EQ(f->x_pm1a_evt_blk.space_id, ACPI_GAS_SYSTEM_IO);
	CHECK_EQ(f->x_pm1a_cnt_blk.space_id, ACPI_GAS_SYSTEM_IO);
	CHECK_EQ(f->x_pm_tmr_blk.space_id, ACPI_GAS_SYSTEM_IO);
	CHECK_EQ(f->pm1b_evt_blk | f->pm1b_cnt_blk | f->gpe0_blk | f->smi_cmd, 0);
	CHECK_EQ(f->x_pm1b_evt_blk.address | f->x_gpe0_blk.address, 0);
}

/* Walks the MADT: every CPU in order, the right structure type for its ID. */
static void check_madt_raw(unsigned int n)
{
	const struct acpi_madt *m = (const void *)table(xsdt_entry(1), ACPI_SIG_MADT);
	const uint8_t *p, *end;
	unsigned int cpus = 0, x2nmi = 0, nmi = 0;

	REQUIRE(m);
	p = (const uint8_t *)(m + 1);
	end = (const uint8_t *)m + m->hdr.length;
	while (p < end) {
		const struct acpi_madt_entry *e = (const void *)p;

		REQUIRE(e->length >= 2 && e->length <= end - p);
		if (e->type == ACPI_MADT_LAPIC) {
			const struct acpi_madt_lapic *l = (const void *)p;

			CHECK_EQ(l->apic_id, cpus);
			CHECK_EQ(l->uid, cpus);
			CHECK(cpus <= 254);
			cpus++;
		} else if (e->type == ACPI_MADT_X2APIC) {
			struct acpi_madt_x2apic l;

			memcpy(&l, p, sizeof(l));
			CHECK_EQ(l.apic_id, cpus);
			CHECK_EQ(l.uid, cpus);
			CHECK_EQ(l.flags, ACPI_LAPIC_ENABLED);
			CHECK(cpus >= 255);
			cpus++;
		} else if (e->type == ACPI_MADT_X2APIC_NMI) {
			x2nmi++;
		} else if (e->type == ACPI_MADT_LAPIC_NMI) {
			nmi++;
		}
		p += e->length;
	}
	CHECK_EQ(p, end);
	CHECK_EQ(cpus, n);
	CHECK_EQ(nmi, 1);
	CHECK_EQ(x2nmi, n > 255);
}

static void check_parsed(const struct guest_acpi_cfg *cfg)
{
	unsigned int n = cfg->n_vcpus, tracked = n < ACPI_MAX_CPUS ? n : ACPI_MAX_CPUS;

	CHECK(ai.found.madt && ai.found.fadt);
	CHECK(!ai.found.mcfg && !ai.found.hpet && !ai.found.dmar);
	CHECK(ai.via_xsdt);
	CHECK_EQ(ai.revision, 2);
	CHECK_STR(ai.oem_id, "TANDEM");
	CHECK(!ai.assumed);

	CHECK_EQ(ai.lapic_addr, 0xfee00000);
	CHECK_EQ(ai.pcat_compat, cfg->pcat_compat);
	CHECK_EQ(ai.ncpus, tracked);
	CHECK_EQ(ai.cpus_dropped, n - tracked);
	for (unsigned int i = 0; i < ai.ncpus; i++) {
		CHECK_EQ(ai.cpus[i].apic_id, i);
		CHECK_EQ(ai.cpus[i].uid, i);
		CHECK(ai.cpus[i].enabled);
		CHECK_EQ(ai.cpus[i].x2apic, i > 254);
	}
	REQUIRE(ai.nioapics == 1);
	CHECK_EQ(ai.ioapics[0].id, cfg->ioapic_id);
	CHECK_EQ(ai.ioapics[0].addr, 0xfec00000);
	CHECK_EQ(ai.ioapics[0].gsi_base, 0);

	REQUIRE(ai.noverrides == 2);
	CHECK_EQ(ai.overrides[0].irq, 0);
	CHECK_EQ(ai.overrides[0].gsi, 2);
	CHECK_EQ(ai.overrides[0].polarity, ACPI_INTI_CONFORMS);
	CHECK_EQ(ai.overrides[0].trigger, ACPI_INTI_CONFORMS);
	CHECK_EQ(ai.overrides[1].irq, cfg->sci_irq);
	CHECK_EQ(ai.overrides[1].gsi, cfg->sci_irq);
	CHECK_EQ(ai.overrides[1].polarity, ACPI_INTI_ACTIVE_HIGH);
	CHECK_EQ(ai.overrides[1].trigger, ACPI_INTI_LEVEL);

	REQUIRE(ai.nlapic_nmis == 1 + (n > 255));
	for (unsigned int i = 0; i < ai.nlapic_nmis; i++) {
		CHECK_EQ(ai.lapic_nmis[i].uid, ACPI_UID_ALL);
		CHECK_EQ(ai.lapic_nmis[i].lint, 1);
	}

	CHECK_EQ(ai.fadt.pm_tmr_port, cfg->pm_tmr_port);
	CHECK(ai.fadt.pm_tmr_32bit);
	CHECK_EQ(ai.fadt.pm1a_cnt_port, cfg->pm1a_cnt_port);
	CHECK_EQ(ai.fadt.sci_irq, cfg->sci_irq);
	CHECK(!ai.fadt.hw_reduced);
	CHECK(ai.fadt.reset_supported);
	CHECK_EQ(ai.fadt.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	CHECK_EQ(ai.fadt.reset_reg.address, 0xcf9);
	CHECK_EQ(ai.fadt.reset_reg.bit_width, 8);
	CHECK_EQ(ai.fadt.reset_value, 0x06);
	CHECK(ai.fadt.flags & ACPI_FADT_RESET_REG_SUP);
	CHECK(ai.fadt.flags & ACPI_FADT_TMR_VAL_EXT);
	CHECK(!(ai.fadt.flags & ACPI_FADT_HW_REDUCED));
	CHECK(!(ai.fadt.iapc_boot_arch & ACPI_IAPC_BOOT_8042));
	CHECK(ai.fadt.iapc_boot_arch & ACPI_IAPC_BOOT_NO_VGA);
}

/*
 * Builds, parses through the loader's-copy path (rsdp_copy, as Linux gets
 * boot_params.acpi_rsdp_addr) or, with scan, the BIOS-area search; then
 * checks everything. Only the parser's own limit of ACPI_MAX_CPUS may warn.
 */
static void build_and_check(const struct guest_acpi_cfg *cfg, uint64_t gpa, bool scan)
{
	char dropped[96];
	const char *w;
	int err;

	REQUIRE(build(cfg, gpa) == 0);
	CHECK(!unit_log_contains("error"));
	CHECK_EQ(out.len, buf_len);
	CHECK_EQ(out.s5_slp_typ, cfg->s5_slp_typ);
	CHECK(out.rsdp_gpa >= gpa && out.rsdp_gpa + ACPI_RSDP_V2_LEN <= gpa + buf_len);
	if (scan)
		err = acpi_parse(&pv, NULL, 0, &ai);
	else
		err = acpi_parse(&pv, buf + (out.rsdp_gpa - gpa), ACPI_RSDP_V2_LEN, &ai);
	REQUIRE(err == 0);
	CHECK_EQ(ai.rsdp_addr, scan ? out.rsdp_gpa : 0);
	if (cfg->n_vcpus > ACPI_MAX_CPUS) {
		snprintf(dropped, sizeof(dropped),
		         "warning: MADT lists %u CPUs more than the %u Tandem tracks",
		         cfg->n_vcpus - ACPI_MAX_CPUS, ACPI_MAX_CPUS);
		/* That one warning, and no other. */
		w = strstr(unit_log(), "warning");
		CHECK(w && strncmp(w, dropped, strlen(dropped)) == 0);
		CHECK(w && !strstr(w + 1, "warning"));
	} else {
		CHECK(!unit_log_contains("warning"));
	}
	check_parsed(cfg);
	check_raw(cfg);
	check_madt_raw(cfg->n_vcpus);
}

static void check_vcpus(unsigned int n)
{
	struct guest_acpi_cfg cfg;

	guest_acpi_cfg_init(&cfg, n);
	build_and_check(&cfg, GPA_LOW, false);
}

TEST(one_vcpu)
{
	check_vcpus(1);
}

TEST(two_vcpus)
{
	check_vcpus(2);
}

/* IDs 0..254: the last count with only LAPIC structures; no 8-bit IOAPIC ID is free. */
TEST(vcpus_255_all_xapic)
{
	check_vcpus(255);
	CHECK_EQ(ai.ioapics[0].id, 0);
}

/* ID 255 is the xAPIC broadcast: the first x2APIC structure, and the x2APIC NMI. */
TEST(vcpus_256_first_x2apic)
{
	check_vcpus(256);
	CHECK(ai.cpus[255].x2apic);
	CHECK_EQ(ai.cpus[255].apic_id, 255);
}

/* More than the parser tracks: it warns about just those; the raw walk sees all 300. */
TEST(vcpus_300_x2apic)
{
	check_vcpus(300);
}

TEST(ioapic_id_clear_of_lapic_ids)
{
	struct guest_acpi_cfg cfg;

	guest_acpi_cfg_init(&cfg, 4);
	CHECK_EQ(cfg.ioapic_id, 4);
	guest_acpi_cfg_init(&cfg, 254);
	CHECK_EQ(cfg.ioapic_id, 254);
	guest_acpi_cfg_init(&cfg, 255);
	CHECK_EQ(cfg.ioapic_id, 0);
}

/* No loader copy: the parser must find the RSDP on a 16-byte boundary in the BIOS area. */
TEST(rsdp_found_by_bios_scan_odd_gpa)
{
	struct guest_acpi_cfg cfg;

	guest_acpi_cfg_init(&cfg, 2);
	build_and_check(&cfg, GPA_BIOS, true);
}

/* Above 4 GiB only X_FIRMWARE_CTRL and X_DSDT can name the FACS and DSDT. */
TEST(tables_above_4g)
{
	struct guest_acpi_cfg cfg;
	const struct acpi_fadt *f;

	guest_acpi_cfg_init(&cfg, 2);
	build_and_check(&cfg, GPA_HIGH, false);
	f = (const void *)table(xsdt_entry(0), ACPI_SIG_FADT);
	REQUIRE(f);
	CHECK_EQ(ai.fadt.dsdt, f->x_dsdt);
	CHECK(ai.fadt.dsdt > UINT32_MAX);
	CHECK(f->x_firmware_ctrl > UINT32_MAX);
}

/* Non-default ports, SCI, SLP_TYP and PCAT_COMPAT all reach the tables. */
TEST(custom_config)
{
	static const uint8_t typs[] = {0, 1, 2, 7};
	struct guest_acpi_cfg cfg;

	for (size_t i = 0; i < sizeof(typs); i++) {
		guest_acpi_cfg_init(&cfg, 3);
		cfg.pm1a_evt_port = 0xb000;
		cfg.pm1a_cnt_port = 0xb004;
		cfg.pm_tmr_port = 0xb008;
		cfg.sci_irq = 10;
		cfg.s5_slp_typ = typs[i];
		cfg.pcat_compat = true;
		build_and_check(&cfg, GPA_LOW, false);
	}
}

/* ---- failures ----------------------------------------------------------- */

/* Every length short of the size: refused, sized, and not one byte of buf written. */
static void check_too_small(unsigned int n)
{
	struct guest_acpi_cfg cfg;
	size_t need;

	guest_acpi_cfg_init(&cfg, n);
	REQUIRE(guest_acpi_build(&cfg, NULL, 0, GPA_LOW, &out) == -ERR_NOMEM);
	need = out.len;
	REQUIRE(need > 0);
	for (size_t len = 0; len < need; len++) {
		uint8_t *b = malloc(len ? len : 1);
		bool intact = true;

		memset(b, 0x5a, len);
		unit_log_clear();
		CHECK_EQ(guest_acpi_build(&cfg, b, len, GPA_LOW, &out), -ERR_NOMEM);
		CHECK_EQ(out.len, need);
		for (size_t i = 0; i < len; i++)
			intact &= b[i] == 0x5a;
		CHECK(intact);
		CHECK(unit_log_contains("error"));
		free(b);
	}
}

TEST(too_small_1_vcpu)
{
	check_too_small(1);
}

TEST(too_small_300_vcpus)
{
	check_too_small(300);
}

/* The size depends on where the buffer sits only through alignment padding. */
TEST(size_query_matches_use)
{
	struct guest_acpi_cfg cfg;

	guest_acpi_cfg_init(&cfg, 8);
	for (uint64_t gpa = 0x1000; gpa < 0x1000 + 70; gpa++) {
		REQUIRE(build(&cfg, gpa) == 0);
		CHECK_EQ(out.len, buf_len);
		CHECK_EQ(out.rsdp_gpa % 16, 0);
		CHECK(acpi_parse(&pv, buf + (out.rsdp_gpa - gpa), ACPI_RSDP_V2_LEN, &ai) == 0);
		CHECK(!unit_log_contains("warning"));
		CHECK_EQ(ai.ncpus, 8);
	}
}

static void expect_inval(const struct guest_acpi_cfg *cfg, const char *why)
{
	uint8_t b[8192];
	struct guest_acpi_out o = {.len = 1234};

	memset(b, 0x5a, sizeof(b));
	unit_log_clear();
	CHECK_EQ(guest_acpi_build(cfg, b, sizeof(b), GPA_LOW, &o), -ERR_INVAL);
	if (!unit_log_contains(why))
		unit_fail(__FILE__, __LINE__, "no \"%s\" in: %s", why, unit_log());
	CHECK(b[0] == 0x5a && b[sizeof(b) - 1] == 0x5a && b[100] == 0x5a);
}

TEST(bad_configs)
{
	struct guest_acpi_cfg c;

#define BAD(field, value, why)                                                                     \
	do {                                                                                       \
		guest_acpi_cfg_init(&c, 2);                                                        \
		c.field = value;                                                                   \
		expect_inval(&c, why);                                                             \
	} while (0)

	BAD(n_vcpus, 0, "0 vCPUs");
	BAD(n_vcpus, GUEST_ACPI_MAX_VCPUS + 1, "1025 vCPUs");
	BAD(lapic_addr, 0, "LAPIC address 0");
	BAD(ioapic_addr, 0, "IOAPIC address 0");
	BAD(pm1a_evt_port, 0, "PM1a_EVT block at port 0");
	BAD(pm_tmr_port, 0xfffd, "PM_TMR block at port 0xfffd");
	BAD(pm1a_cnt_port, 0x602, "PM1a_CNT block at port 0x602 overlaps PM1a_EVT");
	BAD(reset_port, 0x609, "reset block at port 0x609 overlaps PM_TMR");
	BAD(sci_irq, 0, "SCI on IRQ 0");
	BAD(sci_irq, 2, "SCI on IRQ 2");
	BAD(sci_irq, 16, "SCI on IRQ 16");
	BAD(s5_slp_typ, 8, "SLP_TYP 8");
#undef BAD
}

TEST(bad_arguments)
{
	struct guest_acpi_cfg cfg;
	uint8_t b[16];

	guest_acpi_cfg_init(&cfg, 1);
	CHECK_EQ(guest_acpi_build(NULL, b, sizeof(b), 0, &out), -ERR_INVAL);
	CHECK_EQ(guest_acpi_build(&cfg, b, sizeof(b), 0, NULL), -ERR_INVAL);
	CHECK_EQ(guest_acpi_build(&cfg, NULL, 16, 0, &out), -ERR_INVAL);
	unit_log_clear();
	CHECK_EQ(guest_acpi_build(&cfg, NULL, 0, UINT64_MAX - 100, &out), -ERR_INVAL);
	CHECK(unit_log_contains("wrap the address space"));
}

/* ---- the AML emitter ---------------------------------------------------- */

static size_t emit_int(uint64_t v, uint8_t *o)
{
	struct aml a;

	aml_init(&a, o, 16);
	aml_int(&a, v);
	CHECK(!a.err);
	return a.len;
}

TEST(aml_integers)
{
	uint8_t o[16];

	CHECK_EQ(emit_int(0, o), 1);
	CHECK_EQ(o[0], AML_ZERO_OP);
	CHECK_EQ(emit_int(1, o), 1);
	CHECK_EQ(o[0], AML_ONE_OP);
	CHECK_EQ(emit_int(5, o), 2);
	CHECK(o[0] == AML_BYTE_PREFIX && o[1] == 5);
	CHECK_EQ(emit_int(0x1234, o), 3);
	CHECK(o[0] == AML_WORD_PREFIX && o[1] == 0x34 && o[2] == 0x12);
	CHECK_EQ(emit_int(0x10000, o), 5);
	CHECK_EQ(o[0], AML_DWORD_PREFIX);
	CHECK_EQ(emit_int(0x100000000ull, o), 9);
	CHECK(o[0] == AML_QWORD_PREFIX && o[5] == 1);
}

/* iasl's bytes for Name (\_S5, Package (0x04) { 0x05, 0x05, Zero, Zero }). */
TEST(aml_s5_matches_iasl)
{
	static const uint8_t want[] = {0x08, 0x5c, '_',  'S',  '5',  '_',  0x12, 0x08,
	                               0x04, 0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00};
	const uint64_t v[4] = {5, 5, 0, 0};
	uint8_t o[32];
	struct aml a;

	aml_init(&a, o, sizeof(o));
	aml_name(&a, "\\_S5_");
	aml_package_ints(&a, v, 4);
	CHECK(!a.err);
	REQUIRE(a.len == sizeof(want));
	CHECK(memcmp(o, want, sizeof(want)) == 0);
}

/* Packages past 63 bytes take a 2-byte PkgLength, past 4095 a 3-byte one. */
TEST(aml_long_packages)
{
	static uint64_t v[255];
	static uint8_t o[4096 + 64];
	const size_t counts[] = {6, 7, 100, 255};
	const uint64_t vals[] = {0x1000, 0x100000000ull};

	for (size_t k = 0; k < ARRAY_SIZE(vals); k++) {
		for (size_t c = 0; c < ARRAY_SIZE(counts); c++) {
			size_t n = counts[c], plen;
			const uint8_t *p = o + 1;
			struct aml a, m;

			for (size_t i = 0; i < n; i++)
				v[i] = vals[k] + i;
			aml_init(&m, NULL, 0);
			aml_package_ints(&m, v, (unsigned int)n);
			aml_init(&a, o, sizeof(o));
			aml_package_ints(&a, v, (unsigned int)n);
			CHECK(!a.err && !m.err);
			CHECK_EQ(a.len, m.len);
			REQUIRE(pkg_len_decode(&p, o + a.len, &plen));
			CHECK_EQ(plen, a.len - 1); /* everything after PackageOp */
			CHECK_EQ(*p, n);
			p++;
			for (size_t i = 0; i < n; i++) {
				uint64_t got = 0;

				REQUIRE(aml_int_decode(&p, o + a.len, &got));
				CHECK_EQ(got, v[i]);
			}
			CHECK_EQ(p, o + a.len);
		}
	}
}

TEST(aml_errors)
{
	const uint64_t v[4] = {5, 5, 0, 0};
	uint8_t o[8] = {0};
	struct aml a;

	/* Overflow: counted on, flagged, nothing stored past cap. */
	aml_init(&a, o, 4);
	aml_name(&a, "\\_S5_");
	aml_package_ints(&a, v, 4);
	CHECK(a.err);
	CHECK_EQ(a.len, 15);
	CHECK(o[4] == 0 && o[7] == 0);

	aml_init(&a, NULL, 0);
	aml_name(&a, "_s5_");
	CHECK(a.err);
	aml_init(&a, NULL, 0);
	aml_name(&a, "\\TOOLONG");
	CHECK(a.err);
	aml_init(&a, NULL, 0);
	aml_name(&a, "9ABC");
	CHECK(a.err);
	aml_init(&a, NULL, 0);
	aml_name(&a, "");
	CHECK(a.err);
	aml_init(&a, NULL, 0);
	aml_package_ints(&a, v, 256);
	CHECK(a.err);

	/* Short names are padded as ASL pads them. */
	aml_init(&a, o, sizeof(o));
	aml_name(&a, "AB");
	CHECK(!a.err);
	CHECK(a.len == 5 && memcmp(o + 1, "AB__", 4) == 0);
}
