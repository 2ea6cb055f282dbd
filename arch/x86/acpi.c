/*
 * Finding the ACPI tables: the RSDP (the loader's copy, else a scan of the
 * BIOS areas, ACPI 6.5 5.2.5.1), the root table (XSDT, else RSDT, 5.2.7-8)
 * and through it each table acpi_info is made from. Every table is checked
 * before a parser sees it: header readable, signature, a sane length, the
 * whole length readable, checksum (5.2.6).
 */
#include <errcode.h>
#include <format.h>
#include <log.h>
#include <string.h>
#include <x86/acpi.h>

/* The largest table Tandem believes; real MADTs/DMARs are a few KiB. */
#define ACPI_TABLE_MAX_LEN (1u << 20)

/* An RSDP's length field beyond this is corruption (ACPI 6.5 defines 36). */
#define ACPI_RSDP_MAX_LEN 4096

/* The lowest plausible EBDA: below it sit the IVT and the BIOS data area. */
#define EBDA_MIN 0x400
#define EBDA_MAX 0xa0000

/* A 4-byte signature as a printable string for log lines. */
static const char *acpi_sig_str(const char *sig, char buf[5])
{
	for (int i = 0; i < 4; i++)
		buf[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? sig[i] : '?';
	buf[4] = '\0';
	return buf;
}

/* What an RSDP says, once checked. */
struct rsdp_info {
	uint8_t revision;
	char oem_id[6];
	uint32_t rsdt;
	uint64_t xsdt; /* 0 unless revision >= 2 and the extended checksum holds */
};

/*
 * Checks an RSDP of which `avail` bytes are readable; `where` names it in log
 * lines. The v1 part (20 bytes) must be whole and sum to zero, or the RSDP is
 * rejected. A v2 part that is cut short or fails its extended checksum costs
 * only the XSDT: the RSDT address is covered by the v1 checksum.
 */
static bool rsdp_check(const void *p, size_t avail, const char *where, struct rsdp_info *ri)
{
	const struct acpi_rsdp *r = p;

	if (avail < ACPI_RSDP_V1_LEN) {
		log_warn("%s is %zu bytes, shorter than the 20 of an RSDP; ignoring it", where,
		         avail);
		return false;
	}
	if (memcmp(r->signature, ACPI_SIG_RSDP, sizeof(r->signature)) != 0) {
		log_warn("%s has no \"RSD PTR \" signature; ignoring it", where);
		return false;
	}
	if (acpi_sum8(r, ACPI_RSDP_V1_LEN) != 0) {
		log_warn("%s has a bad checksum; ignoring it", where);
		return false;
	}
	ri->revision = r->revision;
	memcpy(ri->oem_id, r->oem_id, sizeof(ri->oem_id));
	ri->rsdt = r->rsdt_address;
	ri->xsdt = 0;
	if (r->revision < 2)
		return true;
	if (avail < ACPI_RSDP_V2_LEN) {
		log_warn("%s (revision %u) has only %zu readable bytes; using its RSDT only", where,
		         r->revision, avail);
		return true;
	}
	if (r->length < ACPI_RSDP_V2_LEN || r->length > avail) {
		log_warn("%s claims length %u but %zu bytes are readable; using its RSDT only",
		         where, r->length, avail);
		return true;
	}
	if (acpi_sum8(r, r->length) != 0) {
		log_warn("%s has a bad extended checksum; using its RSDT only", where);
		return true;
	}
	ri->xsdt = r->xsdt_address;
	return true;
}

/* Looks for a valid RSDP in [start, end) on 16-byte boundaries; returns its address or 0. */
static uint64_t rsdp_scan(const struct phys_view *pv, uint64_t start, uint64_t end,
                          struct rsdp_info *ri)
{
	for (uint64_t pa = start; pa + ACPI_RSDP_V1_LEN <= end; pa += ACPI_RSDP_ALIGN) {
		const struct acpi_rsdp *r = phys_map(pv, pa, ACPI_RSDP_V1_LEN), *v2;
		size_t avail = ACPI_RSDP_V1_LEN;
		char where[40];

		if (!r || memcmp(r->signature, ACPI_SIG_RSDP, sizeof(r->signature)) != 0)
			continue;
		/* A v2 RSDP is read as far as its length says, when that much is readable. */
		if (r->revision >= 2 && (v2 = phys_map(pv, pa, ACPI_RSDP_V2_LEN))) {
			uint32_t want = MIN(v2->length, ACPI_RSDP_MAX_LEN);

			r = v2;
			avail = ACPI_RSDP_V2_LEN;
			if (want > ACPI_RSDP_V2_LEN && (v2 = phys_map(pv, pa, want))) {
				r = v2;
				avail = want;
			}
		}
		ksnprintf(where, sizeof(where), "the RSDP at %#lx", pa);
		if (rsdp_check(r, avail, where, ri))
			return pa;
	}
	return 0;
}

/*
 * The loader's copy first; then the first KiB of the EBDA, whose segment the
 * BIOS data area holds at 0x40e, then the BIOS ROM area (5.2.5.1). Returns
 * false when none is found; *pa is 0 for the copy.
 */
static bool rsdp_find(const struct phys_view *pv, const void *copy, size_t copy_len,
                      struct rsdp_info *ri, uint64_t *pa)
{
	const uint8_t *seg;

	*pa = 0;
	if (copy) {
		if (rsdp_check(copy, copy_len, "the loader's RSDP copy", ri))
			return true;
		log_warn("scanning the BIOS areas for an RSDP instead of the loader's copy");
	}
	seg = phys_map(pv, ACPI_EBDA_PTR, 2);
	if (seg) {
		uint64_t ebda = (uint64_t)(seg[0] | seg[1] << 8) << 4;

		/* No EBDA (0) or a garbage pointer: nothing there to scan. */
		if (ebda >= EBDA_MIN && ebda < EBDA_MAX)
			*pa = rsdp_scan(pv, ebda, ebda + ACPI_EBDA_SCAN_LEN, ri);
	}
	if (!*pa)
		*pa = rsdp_scan(pv, ACPI_BIOS_ROM_START, ACPI_BIOS_ROM_END, ri);
	return *pa != 0;
}

/*
 * Maps the table at pa whole once its header holds up: signature `sig`,
 * length in [min_len, ACPI_TABLE_MAX_LEN], every byte readable, checksum.
 * Otherwise logs why, naming the table, and returns NULL.
 */
static const struct acpi_sdt_header *table_map(const struct phys_view *pv, uint64_t pa,
                                               const char *sig, uint32_t min_len)
{
	const struct acpi_sdt_header *h = phys_map(pv, pa, sizeof(*h));
	char name[5];
	uint32_t len;

	if (!h) {
		log_warn("%s table at %#lx is not in readable memory; skipping it", sig, pa);
		return NULL;
	}
	if (memcmp(h->signature, sig, 4) != 0) {
		log_warn("expected the %s table at %#lx but found \"%s\"; skipping it", sig, pa,
		         acpi_sig_str(h->signature, name));
		return NULL;
	}
	len = h->length;
	if (len < min_len || len > ACPI_TABLE_MAX_LEN) {
		log_warn("%s table at %#lx claims length %u (expected %u to %u); skipping it", sig,
		         pa, len, min_len, ACPI_TABLE_MAX_LEN);
		return NULL;
	}
	h = phys_map(pv, pa, len);
	if (!h) {
		log_warn("%s table at %#lx (%u bytes) runs past readable memory; skipping it", sig,
		         pa, len);
		return NULL;
	}
	if (acpi_sum8(h, len) != 0) {
		log_warn("%s table at %#lx has a bad checksum; skipping it", sig, pa);
		return NULL;
	}
	return h;
}

/* The tables acpi_info is made from; any other signature is stepped over unread. */
static const struct table_kind {
	const char *sig;
	uint32_t min_len; /* the fixed part the parser reads unconditionally */
	size_t found;     /* offset of the bool in acpi_info.found */
	bool (*parse)(const struct acpi_sdt_header *h, struct acpi_info *out);
} table_kinds[] = {
    {ACPI_SIG_MADT, sizeof(struct acpi_madt), offsetof(struct acpi_info, found.madt),
     acpi_parse_madt},
    {ACPI_SIG_FADT, ACPI_FADT_V1_LEN, offsetof(struct acpi_info, found.fadt), acpi_parse_fadt},
    {ACPI_SIG_MCFG, sizeof(struct acpi_mcfg), offsetof(struct acpi_info, found.mcfg),
     acpi_parse_mcfg},
    {ACPI_SIG_HPET, sizeof(struct acpi_hpet), offsetof(struct acpi_info, found.hpet),
     acpi_parse_hpet},
    {ACPI_SIG_DMAR, sizeof(struct acpi_dmar), offsetof(struct acpi_info, found.dmar),
     acpi_parse_dmar},
};

static void table_use(const struct phys_view *pv, const char *root, unsigned int i, uint64_t pa,
                      struct acpi_info *out)
{
	const struct acpi_sdt_header *h = phys_map(pv, pa, sizeof(*h));

	if (!h) {
		log_warn("%s entry %u points at %#lx, outside readable memory; skipping it", root,
		         i, pa);
		return;
	}
	for (size_t k = 0; k < ARRAY_SIZE(table_kinds); k++) {
		const struct table_kind *tk = &table_kinds[k];
		bool *found = (bool *)((char *)out + tk->found);

		if (memcmp(h->signature, tk->sig, 4) != 0)
			continue;
		/* Only one of each is defined; a later HPET is a second timer block. */
		if (*found) {
			log_warn("another %s table at %#lx; keeping the first", tk->sig, pa);
			return;
		}
		h = table_map(pv, pa, tk->sig, tk->min_len);
		if (h)
			*found = tk->parse(h, out);
		return;
	}
}

/* Reads the RSDT (4-byte entries) or XSDT (8-byte entries) at pa and every table it lists. */
static int root_walk(const struct phys_view *pv, uint64_t pa, bool xsdt, struct acpi_info *out)
{
	const char *sig = xsdt ? ACPI_SIG_XSDT : ACPI_SIG_RSDT;
	const struct acpi_sdt_header *h = table_map(pv, pa, sig, sizeof(*h));
	size_t esz = xsdt ? sizeof(uint64_t) : sizeof(uint32_t);
	size_t bytes, n;

	if (!h)
		return -ERR_NOENT;
	bytes = h->length - sizeof(*h);
	n = bytes / esz;
	if (bytes % esz)
		log_warn("%s at %#lx has %zu stray bytes after its %zu entries; ignoring them", sig,
		         pa, bytes % esz, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t entry = xsdt ? ((const struct acpi_xsdt *)h)->entry[i]
		                      : ((const struct acpi_rsdt *)h)->entry[i];

		if (entry)
			table_use(pv, sig, (unsigned int)i, entry, out);
	}
	return 0;
}

static void oem_copy(char dst[7], const char src[6])
{
	int n = 6;

	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	for (int i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[n] = '\0';
}

#define FALLBACK_TEXT "assuming a single CPU, xAPIC at 0xfee00000, IOAPIC at 0xfec00000"

int acpi_parse(const struct phys_view *pv, const void *rsdp_copy, size_t rsdp_len,
               struct acpi_info *out)
{
	struct rsdp_info ri;
	uint64_t rsdp_pa;

	if (!pv || !out)
		return -ERR_INVAL;
	memset(out, 0, sizeof(*out));
	if (!rsdp_find(pv, rsdp_copy, rsdp_len, &ri, &rsdp_pa)) {
		log_warn("no ACPI tables (no RSDP found); " FALLBACK_TEXT);
		return -ERR_NOENT;
	}
	out->revision = ri.revision;
	out->rsdp_addr = rsdp_pa;
	oem_copy(out->oem_id, ri.oem_id);

	/* 5.2.5.3: an OS uses the XSDT when there is one; the RSDT is for ACPI 1.0 readers. */
	if (ri.xsdt && root_walk(pv, ri.xsdt, true, out) == 0) {
		out->via_xsdt = true;
	} else {
		if (ri.xsdt && ri.rsdt)
			log_warn("falling back from the unusable XSDT to the RSDT at %#x", ri.rsdt);
		if (!ri.rsdt || root_walk(pv, ri.rsdt, false, out) < 0) {
			log_warn(
			    "no ACPI tables (the RSDP names no usable RSDT or XSDT); " FALLBACK_TEXT);
			return -ERR_NOENT;
		}
	}
	if (!out->found.madt)
		log_warn("no usable MADT; " FALLBACK_TEXT);
	return 0;
}
