/*
 * bootinfo_parse: the magic dispatch, the string pool and the checks both
 * Multiboot versions share (strings, memory map entries, modules), plus the
 * fallback map built from mem_lower/mem_upper.
 */
#include <bootinfo.h>
#include <compiler.h>
#include <errcode.h>
#include <format.h>
#include <log.h>
#include <string.h>

static const char *proto(const struct boot_info *bi)
{
	return bi->protocol == 1 ? "mb1" : "mb2";
}

/* A string being appended to the pool; pool[0] is always "". */
struct strbuild {
	struct boot_info *bi;
	uint32_t start;
	size_t len;
	bool pool_full;
};

static void sb_begin(struct strbuild *sb, struct boot_info *bi)
{
	sb->bi = bi;
	sb->start = bi->pool_used;
	sb->len = 0;
	sb->pool_full = false;
}

static void sb_put(struct strbuild *sb, char c)
{
	/* Room for c and the terminating NUL. */
	if (sb->start + sb->len + 2 > BOOTINFO_POOL_SIZE) {
		sb->pool_full = true;
		return;
	}
	sb->bi->pool[sb->start + sb->len++] = c;
}

static const char *sb_end(struct strbuild *sb, const char *what)
{
	struct boot_info *bi = sb->bi;

	if (sb->pool_full)
		bootinfo_warn(bi,
		              "%s: %s: string pool (%u bytes) full; truncated to %zu characters",
		              proto(bi), what, BOOTINFO_POOL_SIZE, sb->len);
	if (sb->start >= BOOTINFO_POOL_SIZE)
		return bi->pool;
	bi->pool[sb->start + sb->len] = '\0';
	bi->pool_used = sb->start + sb->len + 1;
	return &bi->pool[sb->start];
}

const char *bootinfo_str_from_buf(struct boot_info *bi, const char *what, const char *src,
                                  size_t avail)
{
	size_t limit = MIN(avail, (size_t)BOOTINFO_STR_MAX);
	size_t n = strnlen(src, limit);
	struct strbuild sb;

	if (n == limit && limit == avail) {
		bootinfo_warn(bi,
		              "%s: %s is not NUL-terminated within its %zu bytes; using them as is",
		              proto(bi), what, avail);
	} else if (n == limit) {
		n = BOOTINFO_STR_MAX - 1;
		bootinfo_warn(bi, "%s: %s has no NUL within %u bytes; truncated to %zu characters",
		              proto(bi), what, BOOTINFO_STR_MAX, n);
	}
	sb_begin(&sb, bi);
	for (size_t i = 0; i < n; i++)
		sb_put(&sb, src[i]);
	return sb_end(&sb, what);
}

/*
 * Maps a string piecewise, up to 64-byte boundaries, since its length is not
 * known and the window may end anywhere (phys.h promises contiguity only
 * within one mapping); a piece that does not map is retried byte by byte to
 * find exactly where readable memory ends.
 */
const char *bootinfo_str_from_phys(struct boot_info *bi, const char *what,
                                   const struct phys_view *pv, uint64_t pa)
{
	struct strbuild sb;
	size_t i = 0;

	if (pa == 0)
		return bi->pool;
	sb_begin(&sb, bi);
	while (i < BOOTINFO_STR_MAX) {
		uint64_t at = pa + i;
		size_t chunk = MIN((size_t)(64 - (at & 63)), BOOTINFO_STR_MAX - i);
		const char *p = phys_map(pv, at, chunk);

		if (!p) {
			chunk = 1;
			p = phys_map(pv, at, 1);
		}
		if (!p) {
			bootinfo_warn(
			    bi, "%s: %s at %#lx is unreadable at %#lx before its NUL; using \"\"",
			    proto(bi), what, pa, at);
			return bi->pool;
		}
		for (size_t j = 0; j < chunk; j++) {
			if (p[j] == '\0')
				return sb_end(&sb, what);
			if (i + j < BOOTINFO_STR_MAX - 1)
				sb_put(&sb, p[j]);
		}
		i += chunk;
	}
	bootinfo_warn(bi, "%s: %s at %#lx has no NUL within %u bytes; truncated to %u characters",
	              proto(bi), what, pa, BOOTINFO_STR_MAX, BOOTINFO_STR_MAX - 1);
	return sb_end(&sb, what);
}

bool bootinfo_add_region(struct boot_info *bi, uint32_t idx, uint64_t base, uint64_t len,
                         uint32_t type)
{
	struct boot_mem_region *r;

	/* Zero-length entries occur in real E820 maps and describe nothing. */
	if (len == 0)
		return true;
	if (bi->mmap_count == BOOTINFO_MAX_MMAP)
		return false;
	if (base + len < base) {
		bootinfo_warn(bi, "%s: memory map entry %u [%#lx, +%#lx) wraps past 2^64; clipped",
		              proto(bi), idx, base, len);
		len = 0 - base;
	}
	if (type < MB_MEM_AVAILABLE || type > MB_MEM_BAD) {
		/* ACPI 6.5 15.1: an OS treats unknown range types as reserved. */
		bootinfo_warn(bi,
		              "%s: memory map entry %u has unknown type %u; treated as reserved",
		              proto(bi), idx, type);
		type = MB_MEM_RESERVED;
	}
	r = &bi->mmap[bi->mmap_count++];
	r->base = base;
	r->len = len;
	r->type = type;
	return true;
}

struct boot_module *bootinfo_add_module(struct boot_info *bi, uint32_t idx, uint64_t start,
                                        uint64_t end)
{
	struct boot_module *m;

	if (end < start) {
		bootinfo_warn(bi, "%s: module %u: end %#lx is below start %#lx; module skipped",
		              proto(bi), idx, end, start);
		return NULL;
	}
	if (end > BOOTINFO_PA_LIMIT) {
		bootinfo_warn(bi, "%s: module %u: end %#lx is beyond 2^52; module skipped",
		              proto(bi), idx, end);
		return NULL;
	}
	if (bi->module_count == BOOTINFO_MAX_MODULES)
		return NULL;
	m = &bi->modules[bi->module_count++];
	m->start = start;
	m->end = end;
	m->cmdline = bi->pool;
	m->index = idx;
	return m;
}

/*
 * Without a map, MB1 3.3 still gives the amount of conventional memory
 * (below 640 KiB) and of contiguous memory from 1 MiB up; both start at a
 * known address, so they make a usable, if conservative, map.
 */
static void synthesize_map(struct boot_info *bi)
{
	uint32_t lower = bi->mem_lower;

	bootinfo_warn(
	    bi,
	    "%s: no memory map from the loader; synthesizing one from mem_lower=%u KiB and mem_upper=%u KiB",
	    proto(bi), bi->mem_lower, bi->mem_upper);
	if (lower > 640) {
		bootinfo_warn(bi, "%s: mem_lower %u KiB exceeds 640 KiB; assuming 640", proto(bi),
		              lower);
		lower = 640;
	}
	bootinfo_add_region(bi, 0, 0, (uint64_t)lower << 10, MB_MEM_AVAILABLE);
	bootinfo_add_region(bi, 1, 1ull << 20, (uint64_t)bi->mem_upper << 10, MB_MEM_AVAILABLE);
	bi->mmap_synthesized = true;
}

int bootinfo_parse(uint32_t magic, uint64_t info_pa, const struct phys_view *pv,
                   struct boot_info *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->pool_used = 1;
	out->cmdline = out->pool;
	out->loader_name = out->pool;
	out->info_pa = info_pa;

	switch (magic) {
	case MB1_BOOT_MAGIC:
		out->protocol = 1;
		err = bootinfo_parse_mb1(info_pa, pv, out);
		break;
	case MB2_BOOT_MAGIC:
		out->protocol = 2;
		err = bootinfo_parse_mb2(info_pa, pv, out);
		break;
	default:
		log_err(
		    "multiboot: unknown boot magic %#x (Multiboot 1 passes %#x, Multiboot 2 %#x); no boot information",
		    magic, MB1_BOOT_MAGIC, MB2_BOOT_MAGIC);
		return -ERR_INVAL;
	}
	if (err)
		return err;

	if (out->mmap_count == 0 && out->has_meminfo)
		synthesize_map(out);
	if (out->mmap_count == 0) {
		log_err(
		    "%s: no memory map and no usable mem_lower/mem_upper; cannot tell where RAM is",
		    proto(out));
		return -ERR_INVAL;
	}
	return 0;
}

const char *bootinfo_mem_type_name(uint32_t type)
{
	switch (type) {
	case MB_MEM_AVAILABLE:
		return "available";
	case MB_MEM_RESERVED:
		return "reserved";
	case MB_MEM_ACPI:
		return "ACPI reclaimable";
	case MB_MEM_NVS:
		return "ACPI NVS";
	case MB_MEM_BAD:
		return "bad";
	}
	return "unknown";
}

/* Console lines are bounded (lib/printk.c), so long strings go out in pieces. */
static void print_long(const char *label, const char *s)
{
	size_t len = strlen(s);
	const int piece = 384;

	if (len <= (size_t)piece) {
		log_info("boot: %s '%s'", label, s);
		return;
	}
	for (size_t off = 0; off < len; off += piece)
		log_info("boot: %s [%zu..] '%.*s'", label, off, piece, s + off);
}

void bootinfo_print(const struct boot_info *bi)
{
	log_info("boot: Multiboot %u from '%s', info at %#lx (%#lx bytes), %u problem(s)",
	         bi->protocol, bi->loader_name, bi->info_pa, bi->info_size, bi->problems);
	print_long("cmdline", bi->cmdline);
	if (bi->has_meminfo)
		log_info("boot: mem_lower %u KiB, mem_upper %u KiB", bi->mem_lower, bi->mem_upper);
	log_info("boot: memory map, %u entries%s:", bi->mmap_count,
	         bi->mmap_synthesized ? " (synthesized from mem_lower/mem_upper)" : "");
	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		const struct boot_mem_region *r = &bi->mmap[i];

		log_info("boot:   [0x%012lx-0x%012lx] %s", r->base, r->base + r->len - 1,
		         bootinfo_mem_type_name(r->type));
	}
	for (uint32_t i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		char label[24];

		ksnprintf(label, sizeof(label), "module %u", m->index);
		log_info("boot: %s at [%#lx, %#lx) (%lu KiB)", label, m->start, m->end,
		         (m->end - m->start) >> 10);
		print_long(label, m->cmdline);
	}
	if (bi->has_rsdp)
		log_info("boot: RSDP copy from the loader (%u bytes, ACPI %s)", bi->rsdp_len,
		         bi->rsdp_len >= BOOTINFO_RSDP_MAX ? "2.0+" : "1.0");
	else
		log_info("boot: no RSDP from the loader; ACPI will search the BIOS areas");
}
