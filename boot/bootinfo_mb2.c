/*
 * Multiboot 2 (2.0, section 3.6): one block of total_size bytes holding an
 * 8-byte header and a list of tags, each 8-byte aligned, ended by a tag of
 * type 0. The block is mapped once and every tag is checked against it.
 */
#include <bootinfo.h>
#include <compiler.h>
#include <errcode.h>
#include <format.h>
#include <string.h>

struct mb2_walk {
	struct boot_info *bi;
	uint32_t modules_seen;
	bool seen_cmdline, seen_loader, seen_mmap;
};

/* 3.6.8: entry_size is at least 24 and may grow; entries are read as version 0. */
static void parse_mmap(struct mb2_walk *w, const uint8_t *tag, uint32_t size, uint32_t off)
{
	struct boot_info *bi = w->bi;
	struct mb2_tag_mmap hdr;
	uint32_t n;

	if (size < sizeof(hdr)) {
		bootinfo_warn(bi, "mb2: memory map tag at offset %#x has size %u (< %zu); ignored",
		              off, size, sizeof(hdr));
		return;
	}
	memcpy(&hdr, tag, sizeof(hdr));
	if (hdr.entry_size < sizeof(struct mb2_mmap_entry)) {
		bootinfo_warn(bi, "mb2: memory map tag has entry_size %u (< %zu); ignoring the map",
		              hdr.entry_size, sizeof(struct mb2_mmap_entry));
		return;
	}
	if (hdr.entry_version != 0)
		bootinfo_warn(bi,
		              "mb2: memory map entry_version %u (expected 0); reading as version 0",
		              hdr.entry_version);
	w->seen_mmap = true;
	n = (size - sizeof(hdr)) / hdr.entry_size;
	for (uint32_t i = 0; i < n; i++) {
		struct mb2_mmap_entry e;

		memcpy(&e, tag + sizeof(hdr) + (size_t)i * hdr.entry_size, sizeof(e));
		if (!bootinfo_add_region(bi, i, e.addr, e.len, e.type)) {
			bootinfo_warn(
			    bi,
			    "mb2: memory map has more than %u entries; ignoring entry %u and later",
			    BOOTINFO_MAX_MMAP, i);
			break;
		}
	}
}

static void parse_module(struct mb2_walk *w, const uint8_t *tag, uint32_t size, uint32_t off)
{
	struct boot_info *bi = w->bi;
	struct mb2_tag_module mod;
	struct boot_module *m;
	uint32_t idx;
	char what[32];

	if (size < sizeof(mod)) {
		bootinfo_warn(bi, "mb2: module tag at offset %#x has size %u (< %zu); skipped", off,
		              size, sizeof(mod));
		return;
	}
	idx = w->modules_seen++;
	if (idx >= BOOTINFO_MAX_MODULES)
		return;
	memcpy(&mod, tag, sizeof(mod));
	m = bootinfo_add_module(bi, idx, mod.mod_start, mod.mod_end);
	if (!m)
		return;
	ksnprintf(what, sizeof(what), "module %u cmdline", idx);
	m->cmdline =
	    bootinfo_str_from_buf(bi, what, (const char *)tag + sizeof(mod), size - sizeof(mod));
}

/*
 * 3.6.11/3.6.12: tags 14 and 15 carry a copy of the ACPI 1.0 (20-byte) or
 * 2.0+ (36-byte, ACPI 6.5 5.2.5.3) RSDP. The 2.0 one wins when both appear.
 */
static void parse_rsdp(struct mb2_walk *w, const uint8_t *tag, uint32_t size, uint32_t type)
{
	struct boot_info *bi = w->bi;
	bool is_new = type == MB2_TAG_ACPI_NEW;
	uint32_t want = is_new ? BOOTINFO_RSDP_MAX : 20;
	uint32_t have = size - sizeof(struct mb2_tag);

	if (have < want) {
		bootinfo_warn(bi, "mb2: ACPI %s RSDP tag carries %u bytes (< %u); ignored",
		              is_new ? "new" : "old", have, want);
		return;
	}
	if (!is_new && bi->has_rsdp)
		return;
	memcpy(bi->rsdp, tag + sizeof(struct mb2_tag), want);
	bi->rsdp_len = (uint8_t)want;
	bi->has_rsdp = true;
}

static const char *parse_string(struct mb2_walk *w, bool *seen, const char *what,
                                const uint8_t *tag, uint32_t size, uint32_t off, const char *cur)
{
	if (*seen) {
		bootinfo_warn(w->bi, "mb2: second %s tag at offset %#x; keeping the first", what,
		              off);
		return cur;
	}
	*seen = true;
	return bootinfo_str_from_buf(w->bi, what, (const char *)tag + sizeof(struct mb2_tag),
	                             size - sizeof(struct mb2_tag));
}

static void parse_tag(struct mb2_walk *w, const uint8_t *tag, uint32_t type, uint32_t size,
                      uint32_t off)
{
	struct boot_info *bi = w->bi;
	struct mb2_tag_meminfo mem;

	switch (type) {
	case MB2_TAG_CMDLINE:
		bi->cmdline =
		    parse_string(w, &w->seen_cmdline, "cmdline", tag, size, off, bi->cmdline);
		break;
	case MB2_TAG_LOADER:
		bi->loader_name = parse_string(w, &w->seen_loader, "boot loader name", tag, size,
		                               off, bi->loader_name);
		break;
	case MB2_TAG_MODULE:
		parse_module(w, tag, size, off);
		break;
	case MB2_TAG_MEMINFO:
		if (size < sizeof(mem)) {
			bootinfo_warn(bi,
			              "mb2: meminfo tag at offset %#x has size %u (< %zu); ignored",
			              off, size, sizeof(mem));
			break;
		}
		memcpy(&mem, tag, sizeof(mem));
		bi->has_meminfo = true;
		bi->mem_lower = mem.mem_lower;
		bi->mem_upper = mem.mem_upper;
		break;
	case MB2_TAG_MMAP:
		if (w->seen_mmap) {
			bootinfo_warn(
			    bi, "mb2: second memory map tag at offset %#x; keeping the first", off);
			break;
		}
		parse_mmap(w, tag, size, off);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		parse_rsdp(w, tag, size, type);
		break;
	default:
		/* Framebuffer, EFI, SMBIOS, ...: not Tandem's business (yet). */
		break;
	}
}

int bootinfo_parse_mb2(uint64_t info_pa, const struct phys_view *pv, struct boot_info *bi)
{
	struct mb2_walk w = {.bi = bi};
	struct mb2_info_header hdr;
	struct mb2_tag tag = {0, 0};
	const uint8_t *info;
	uint32_t total, off;

	info = phys_map(pv, info_pa, sizeof(hdr));
	if (!info) {
		log_err("mb2: info header at %#lx is unreadable; no boot information", info_pa);
		return -ERR_TRUNC;
	}
	memcpy(&hdr, info, sizeof(hdr));
	total = hdr.total_size;
	if (total < sizeof(hdr) + sizeof(struct mb2_tag)) {
		log_err(
		    "mb2: total_size %u is below the 16 bytes of header and end tag; no boot information",
		    total);
		return -ERR_TRUNC;
	}
	if (total > BOOTINFO_MB2_MAX) {
		log_err("mb2: total_size %u exceeds the %u-byte bound; no boot information", total,
		        BOOTINFO_MB2_MAX);
		return -ERR_TRUNC;
	}
	info = phys_map(pv, info_pa, total);
	if (!info) {
		log_err(
		    "mb2: info at %#lx claims total_size %u but is not readable that far (truncated?); no boot information",
		    info_pa, total);
		return -ERR_TRUNC;
	}
	bi->info_size = total;
	/* 3.6.1: the info block itself is 8-byte aligned; tags are aligned relative to it. */
	if (!IS_ALIGNED(info_pa, 8))
		bootinfo_warn(bi, "mb2: info at %#lx is not 8-byte aligned; parsing it anyway",
		              info_pa);

	for (off = sizeof(hdr);; off += ALIGN_UP(tag.size, 8)) {
		if (off >= total) {
			bootinfo_warn(
			    bi, "mb2: no end tag within total_size %u; using the tags before it",
			    total);
			break;
		}
		if (total - off < sizeof(tag)) {
			bootinfo_warn(
			    bi,
			    "mb2: tag header at offset %#x runs past total_size %u; ignoring the rest",
			    off, total);
			break;
		}
		memcpy(&tag, info + off, sizeof(tag));
		if (tag.size < sizeof(tag)) {
			bootinfo_warn(
			    bi,
			    "mb2: tag type %u at offset %#x has size %u (< 8); ignoring it and the rest",
			    tag.type, off, tag.size);
			break;
		}
		if (tag.size > total - off) {
			bootinfo_warn(
			    bi,
			    "mb2: tag type %u at offset %#x has size %u, past total_size %u; ignoring it and the rest",
			    tag.type, off, tag.size, total);
			break;
		}
		if (tag.type == MB2_TAG_END)
			break;
		parse_tag(&w, info + off, tag.type, tag.size, off);
	}
	if (w.modules_seen > BOOTINFO_MAX_MODULES)
		bootinfo_warn(bi, "mb2: loader passed %u modules; only the first %u are used",
		              w.modules_seen, BOOTINFO_MAX_MODULES);
	return 0;
}
