/*
 * Building a guest's ACPI tables (ACPI 6.5 chapter 5). Two passes over one
 * layout: the first checks the configuration and places every table at its
 * guest-physical alignment, so a buffer that is too small is refused before a
 * byte is written; the second fills the tables in and checksums them. The
 * layouts are hw/acpi_tables.h's, the ones Tandem's own parser reads, so the
 * host tests parse what is built here with that parser.
 */
#include <aml.h>
#include <compiler.h>
#include <errcode.h>
#include <guest_acpi.h>
#include <hw/acpi_tables.h>
#include <log.h>
#include <string.h>

#define OEM_ID           "TANDEM"
#define OEM_TABLE_ID     "TANDEMVM"
#define OEM_REVISION     1
#define CREATOR_ID       "TNDM"
#define CREATOR_REVISION 1

/* Table revisions: ACPI 6.5's FADT (6.5), MADT with online-capable CPUs (5). */
#define XSDT_REVISION       1
#define FADT_REVISION       6
#define FADT_MINOR_REVISION 5
#define MADT_REVISION       5
#define DSDT_REVISION       2 /* 2 and up: AML integers are 64 bits (19.6.28) */
#define FACS_VERSION        2

#define SDT_ALIGN 8
#define PORT_END  0x10000

/* 5.2.12.2: IDs up to 254 take a LAPIC structure; 255 and up an x2APIC one. */
#define XAPIC_ID_MAX 254

/* The PC wiring the MADT describes: the PIT on IOAPIC pin 2, NMIs on LINT1. */
#define ISA_IRQ_PIT  0
#define GSI_PIT      2
#define ISA_IRQ_CASC 2
#define ISA_IRQ_MAX  15
#define LINT_NMI     1

#define SCI_FLAGS (ACPI_INTI_ACTIVE_HIGH | ACPI_INTI_LEVEL << 2) /* 5.2.9: SCI is level */

/* The XSDT lists the FADT and MADT; the FADT names the FACS and DSDT. */
enum {
	XSDT_FADT,
	XSDT_MADT,
	XSDT_ENTRIES
};

/* Offsets into buf of each table, and the bytes used. */
struct layout {
	size_t rsdp, xsdt, fadt, facs, dsdt, madt, end;
	size_t dsdt_len, madt_len;
	unsigned int n_xapic, n_x2apic;
};

void guest_acpi_cfg_init(struct guest_acpi_cfg *cfg, unsigned int n_vcpus)
{
	*cfg = (struct guest_acpi_cfg){
	    .n_vcpus = n_vcpus,
	    .lapic_addr = GUEST_ACPI_LAPIC_ADDR,
	    .ioapic_addr = GUEST_ACPI_IOAPIC_ADDR,
	    .ioapic_id = n_vcpus <= XAPIC_ID_MAX ? (uint8_t)n_vcpus : 0,
	    .pm1a_evt_port = GUEST_ACPI_PM1A_EVT,
	    .pm1a_cnt_port = GUEST_ACPI_PM1A_CNT,
	    .pm_tmr_port = GUEST_ACPI_PM_TMR,
	    .sci_irq = GUEST_ACPI_SCI_IRQ,
	    .reset_port = GUEST_ACPI_RESET_PORT,
	    .reset_value = GUEST_ACPI_RESET_VALUE,
	    .s5_slp_typ = GUEST_ACPI_S5_SLP_TYP,
	    .iapc_boot_arch = ACPI_IAPC_BOOT_NO_VGA,
	};
}

/* ---- checking and placing ----------------------------------------------- */

static int cfg_check(const struct guest_acpi_cfg *c)
{
	const struct {
		const char *name;
		uint16_t port, len;
	} blk[] = {
	    {"PM1a_EVT", c->pm1a_evt_port, ACPI_FADT_PM1_EVT_LEN},
	    {"PM1a_CNT", c->pm1a_cnt_port, ACPI_FADT_PM1_CNT_LEN},
	    {"PM_TMR", c->pm_tmr_port, ACPI_FADT_PM_TMR_LEN},
	    {"reset", c->reset_port, 1},
	};

	if (c->n_vcpus == 0 || c->n_vcpus > GUEST_ACPI_MAX_VCPUS) {
		log_err("guest ACPI: %u vCPUs (must be 1 to %u)", c->n_vcpus, GUEST_ACPI_MAX_VCPUS);
		return -ERR_INVAL;
	}
	if (!c->lapic_addr || !c->ioapic_addr) {
		log_err("guest ACPI: LAPIC address %#x, IOAPIC address %#x (0 is none)",
		        c->lapic_addr, c->ioapic_addr);
		return -ERR_INVAL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(blk); i++) {
		if (!blk[i].port || blk[i].port + blk[i].len > PORT_END) {
			log_err("guest ACPI: %s block at port %#x (%u ports) is not in I/O space",
			        blk[i].name, blk[i].port, blk[i].len);
			return -ERR_INVAL;
		}
		for (size_t j = 0; j < i; j++) {
			if (blk[i].port < blk[j].port + blk[j].len &&
			    blk[j].port < blk[i].port + blk[i].len) {
				log_err("guest ACPI: %s block at port %#x overlaps %s at %#x",
				        blk[i].name, blk[i].port, blk[j].name, blk[j].port);
				return -ERR_INVAL;
			}
		}
	}
	/* The SCI gets its own ISA override; IRQ 0 and 2 are the PIT's and the cascade. */
	if (c->sci_irq == ISA_IRQ_PIT || c->sci_irq == ISA_IRQ_CASC || c->sci_irq > ISA_IRQ_MAX) {
		log_err("guest ACPI: SCI on IRQ %u (must be an ISA IRQ other than 0 and 2)",
		        c->sci_irq);
		return -ERR_INVAL;
	}
	if (c->s5_slp_typ > (ACPI_PM1_CNT_SLP_TYP_MASK >> ACPI_PM1_CNT_SLP_TYP_SHIFT)) {
		log_err("guest ACPI: S5 SLP_TYP %u does not fit the 3-bit field", c->s5_slp_typ);
		return -ERR_INVAL;
	}
	return 0;
}

/* The DSDT's AML: Name (\_S5, Package () { typ, typ, 0, 0 }), PM1a and PM1b (7.4.2). */
static void dsdt_aml(struct aml *a, uint8_t s5_slp_typ)
{
	const uint64_t s5[4] = {s5_slp_typ, s5_slp_typ, 0, 0};

	aml_name(a, "\\_S5_");
	aml_package_ints(a, s5, ARRAY_SIZE(s5));
}

/*
 * Places len bytes after *cur so that their guest-physical address is
 * aligned to align; false when that would wrap the address space.
 */
static bool place(uint64_t gpa, size_t *cur, size_t len, size_t align, size_t *off)
{
	uint64_t at = gpa + *cur, start = ALIGN_UP(at, (uint64_t)align), end = start + len;

	if (at < gpa || start < at || end < start)
		return false;
	*off = (size_t)(start - gpa);
	*cur = *off + len;
	return true;
}

static int layout_make(const struct guest_acpi_cfg *c, uint64_t gpa, struct layout *l)
{
	struct aml a;
	size_t cur = 0;
	bool ok;

	aml_init(&a, NULL, 0);
	dsdt_aml(&a, c->s5_slp_typ);
	l->dsdt_len = sizeof(struct acpi_sdt_header) + a.len;
	l->n_xapic = MIN(c->n_vcpus, XAPIC_ID_MAX + 1);
	l->n_x2apic = c->n_vcpus - l->n_xapic;
	l->madt_len = sizeof(struct acpi_madt) + l->n_xapic * sizeof(struct acpi_madt_lapic) +
	              l->n_x2apic * sizeof(struct acpi_madt_x2apic) +
	              sizeof(struct acpi_madt_ioapic) + 2 * sizeof(struct acpi_madt_iso) +
	              sizeof(struct acpi_madt_lapic_nmi) +
	              (l->n_x2apic ? sizeof(struct acpi_madt_x2apic_nmi) : 0);

	ok = place(gpa, &cur, ACPI_RSDP_V2_LEN, ACPI_RSDP_ALIGN, &l->rsdp) &&
	     place(gpa, &cur, sizeof(struct acpi_xsdt) + XSDT_ENTRIES * sizeof(uint64_t), SDT_ALIGN,
	           &l->xsdt) &&
	     place(gpa, &cur, sizeof(struct acpi_fadt), SDT_ALIGN, &l->fadt) &&
	     place(gpa, &cur, sizeof(struct acpi_facs), ACPI_FACS_ALIGN, &l->facs) &&
	     place(gpa, &cur, l->dsdt_len, SDT_ALIGN, &l->dsdt) &&
	     place(gpa, &cur, l->madt_len, SDT_ALIGN, &l->madt);
	if (!ok) {
		log_err("guest ACPI: tables at %#lx would wrap the address space", gpa);
		return -ERR_INVAL;
	}
	l->end = cur;
	return 0;
}

/* ---- filling in --------------------------------------------------------- */

static void sdt_begin(void *p, const char *sig, size_t len, uint8_t rev)
{
	struct acpi_sdt_header *h = p;

	memcpy(h->signature, sig, sizeof(h->signature));
	h->length = (uint32_t)len;
	h->revision = rev;
	memcpy(h->oem_id, OEM_ID, sizeof(h->oem_id));
	memcpy(h->oem_table_id, OEM_TABLE_ID, sizeof(h->oem_table_id));
	h->oem_revision = OEM_REVISION;
	memcpy(&h->creator_id, CREATOR_ID, sizeof(h->creator_id));
	h->creator_revision = CREATOR_REVISION;
}

static void sdt_end(void *p)
{
	struct acpi_sdt_header *h = p;

	h->checksum = 0;
	h->checksum = (uint8_t)-acpi_sum8(h, h->length);
}

static struct acpi_gas gas_io(uint16_t port, uint8_t bytes, uint8_t access)
{
	return (struct acpi_gas){
	    .space_id = ACPI_GAS_SYSTEM_IO,
	    .bit_width = (uint8_t)(bytes * 8),
	    .access_size = access,
	    .address = port,
	};
}

static void rsdp_fill(struct acpi_rsdp *r, uint64_t xsdt_gpa)
{
	memcpy(r->signature, ACPI_SIG_RSDP, sizeof(r->signature));
	memcpy(r->oem_id, OEM_ID, sizeof(r->oem_id));
	r->revision = 2;
	r->rsdt_address = 0; /* no RSDT: an ACPI 2.0+ OS reads the XSDT (5.2.5.3) */
	r->length = ACPI_RSDP_V2_LEN;
	r->xsdt_address = xsdt_gpa;
	r->checksum = (uint8_t)-acpi_sum8(r, ACPI_RSDP_V1_LEN);
	r->extended_checksum = (uint8_t)-acpi_sum8(r, ACPI_RSDP_V2_LEN);
}

static void xsdt_fill(struct acpi_xsdt *x, uint64_t fadt_gpa, uint64_t madt_gpa)
{
	const uint64_t entry[XSDT_ENTRIES] = {[XSDT_FADT] = fadt_gpa, [XSDT_MADT] = madt_gpa};

	sdt_begin(x, ACPI_SIG_XSDT, sizeof(*x) + sizeof(entry), XSDT_REVISION);
	memcpy(x->entry, entry, sizeof(entry)); /* x->entry is unaligned */
	sdt_end(x);
}

/*
 * Full fixed hardware, no SMI_CMD: 5.2.9 makes that an ACPI-only platform,
 * so the OS never tries an ACPI-enable handshake and PM1a_CNT.SCI_EN reads
 * as set. A power button as a fixed feature (PM1 PWRBTN), no sleep button,
 * no GPE blocks. 32-bit and X_ blocks agree; the FACS is named by
 * FIRMWARE_CTRL below 4 GiB and X_FIRMWARE_CTRL above, never both (5.2.9).
 */
static void fadt_fill(struct acpi_fadt *f, const struct guest_acpi_cfg *c, uint64_t facs_gpa,
                      uint64_t dsdt_gpa)
{
	sdt_begin(f, ACPI_SIG_FADT, sizeof(*f), FADT_REVISION);
	f->fadt_minor_version = FADT_MINOR_REVISION;
	if (facs_gpa <= UINT32_MAX)
		f->firmware_ctrl = (uint32_t)facs_gpa;
	else
		f->x_firmware_ctrl = facs_gpa;
	f->dsdt = dsdt_gpa <= UINT32_MAX ? (uint32_t)dsdt_gpa : 0;
	f->x_dsdt = dsdt_gpa;
	f->sci_int = c->sci_irq;

	f->pm1a_evt_blk = c->pm1a_evt_port;
	f->pm1a_cnt_blk = c->pm1a_cnt_port;
	f->pm_tmr_blk = c->pm_tmr_port;
	f->pm1_evt_len = ACPI_FADT_PM1_EVT_LEN;
	f->pm1_cnt_len = ACPI_FADT_PM1_CNT_LEN;
	f->pm_tmr_len = ACPI_FADT_PM_TMR_LEN;
	/* PM1_STS and PM1_EN are 16-bit registers, each half of the event block. */
	f->x_pm1a_evt_blk = gas_io(c->pm1a_evt_port, ACPI_FADT_PM1_EVT_LEN, ACPI_GAS_ACCESS_WORD);
	f->x_pm1a_cnt_blk = gas_io(c->pm1a_cnt_port, ACPI_FADT_PM1_CNT_LEN, ACPI_GAS_ACCESS_WORD);
	f->x_pm_tmr_blk = gas_io(c->pm_tmr_port, ACPI_FADT_PM_TMR_LEN, ACPI_GAS_ACCESS_DWORD);

	/* 5.2.9: latencies above 100 and 1000 us say C2 and C3 are unsupported. */
	f->p_lvl2_lat = 101;
	f->p_lvl3_lat = 1001;
	f->iapc_boot_arch = c->iapc_boot_arch;
	f->flags = ACPI_FADT_WBINVD | ACPI_FADT_PROC_C1 | ACPI_FADT_SLP_BUTTON |
	           ACPI_FADT_TMR_VAL_EXT | ACPI_FADT_RESET_REG_SUP;
	f->reset_reg = gas_io(c->reset_port, 1, ACPI_GAS_ACCESS_BYTE);
	f->reset_value = c->reset_value;
	sdt_end(f);
}

static void facs_fill(struct acpi_facs *f)
{
	memcpy(f->signature, ACPI_SIG_FACS, sizeof(f->signature));
	f->length = sizeof(*f);
	f->version = FACS_VERSION;
}

static void dsdt_fill(void *p, size_t len, uint8_t s5_slp_typ)
{
	size_t hdr = sizeof(struct acpi_sdt_header);
	struct aml a;

	sdt_begin(p, ACPI_SIG_DSDT, len, DSDT_REVISION);
	aml_init(&a, (uint8_t *)p + hdr, len - hdr);
	dsdt_aml(&a, s5_slp_typ);
	ASSERT(!a.err && a.len == len - hdr); /* the same calls measured it */
	sdt_end(p);
}

/* Appends one MADT structure of len bytes at *pos. */
static void madt_put(uint8_t **pos, const void *e, size_t len)
{
	memcpy(*pos, e, len);
	*pos += len;
}

/*
 * One LAPIC structure per vCPU, then the PC's wiring: one IOAPIC at GSI 0,
 * the PIT's IRQ 0 on pin 2 and the SCI level, active high (5.2.12.5), NMI
 * on LINT1 of every processor; processors declared by x2APIC structures
 * need the x2APIC form of that too (5.2.12.13).
 */
static void madt_fill(uint8_t *p, const struct guest_acpi_cfg *c, const struct layout *l)
{
	struct acpi_madt *m = (struct acpi_madt *)p;
	struct acpi_madt_ioapic io = {
	    {ACPI_MADT_IOAPIC, sizeof(io)}, c->ioapic_id, 0, c->ioapic_addr, 0};
	struct acpi_madt_iso pit = {
	    {ACPI_MADT_ISO, sizeof(pit)}, ACPI_ISO_BUS_ISA, ISA_IRQ_PIT, GSI_PIT, 0};
	struct acpi_madt_iso sci = {
	    {ACPI_MADT_ISO, sizeof(sci)}, ACPI_ISO_BUS_ISA, c->sci_irq, c->sci_irq, SCI_FLAGS};
	struct acpi_madt_lapic_nmi nmi = {
	    {ACPI_MADT_LAPIC_NMI, sizeof(nmi)}, ACPI_LAPIC_NMI_ALL, 0, LINT_NMI};
	struct acpi_madt_x2apic_nmi x2nmi = {
	    {ACPI_MADT_X2APIC_NMI, sizeof(x2nmi)}, 0, ACPI_X2APIC_NMI_ALL, LINT_NMI, {0}};
	uint8_t *pos = p + sizeof(*m);

	sdt_begin(m, ACPI_SIG_MADT, l->madt_len, MADT_REVISION);
	m->lapic_address = c->lapic_addr;
	m->flags = c->pcat_compat ? ACPI_MADT_PCAT_COMPAT : 0;

	for (unsigned int i = 0; i < c->n_vcpus; i++) {
		if (i <= XAPIC_ID_MAX) {
			struct acpi_madt_lapic e = {{ACPI_MADT_LAPIC, sizeof(e)},
			                            (uint8_t)i,
			                            (uint8_t)i,
			                            ACPI_LAPIC_ENABLED};

			madt_put(&pos, &e, sizeof(e));
		} else {
			struct acpi_madt_x2apic e = {
			    {ACPI_MADT_X2APIC, sizeof(e)}, 0, i, ACPI_LAPIC_ENABLED, i};

			madt_put(&pos, &e, sizeof(e));
		}
	}
	madt_put(&pos, &io, sizeof(io));
	madt_put(&pos, &pit, sizeof(pit));
	madt_put(&pos, &sci, sizeof(sci));
	madt_put(&pos, &nmi, sizeof(nmi));
	if (l->n_x2apic)
		madt_put(&pos, &x2nmi, sizeof(x2nmi));
	ASSERT((size_t)(pos - p) == l->madt_len);
	sdt_end(m);
}

int guest_acpi_build(const struct guest_acpi_cfg *cfg, void *buf, size_t buf_len, uint64_t buf_gpa,
                     struct guest_acpi_out *out)
{
	uint8_t *b = buf;
	struct layout l;
	int err;

	if (!cfg || !out || (!buf && buf_len)) {
		log_err("guest ACPI: no configuration, output or buffer");
		return -ERR_INVAL;
	}
	*out = (struct guest_acpi_out){0};
	err = cfg_check(cfg);
	if (!err)
		err = layout_make(cfg, buf_gpa, &l);
	if (err)
		return err;
	if (buf_len < l.end) {
		log_err("guest ACPI: tables for %u vCPUs need %zu bytes, the buffer has %zu",
		        cfg->n_vcpus, l.end, buf_len);
		out->len = l.end;
		return -ERR_NOMEM;
	}

	memset(b, 0, l.end);
	rsdp_fill((struct acpi_rsdp *)(b + l.rsdp), buf_gpa + l.xsdt);
	xsdt_fill((struct acpi_xsdt *)(b + l.xsdt), buf_gpa + l.fadt, buf_gpa + l.madt);
	fadt_fill((struct acpi_fadt *)(b + l.fadt), cfg, buf_gpa + l.facs, buf_gpa + l.dsdt);
	facs_fill((struct acpi_facs *)(b + l.facs));
	dsdt_fill(b + l.dsdt, l.dsdt_len, cfg->s5_slp_typ);
	madt_fill(b + l.madt, cfg, &l);

	out->rsdp_gpa = buf_gpa + l.rsdp;
	out->len = l.end;
	out->s5_slp_typ = cfg->s5_slp_typ;
	return 0;
}
