/*
 * Multiboot 1 (0.6.96, section 3.3): a fixed info structure whose flags say
 * which fields are valid. The memory map, the module list and every string
 * live elsewhere, wherever the loader put them, so each is mapped and
 * bounds-checked on its own.
 */
#include <bootinfo.h>
#include <compiler.h>
#include <errcode.h>
#include <format.h>
#include <string.h>

static void parse_modules(struct boot_info *bi, const struct phys_view *pv,
                          const struct mb1_info *info)
{
	uint32_t n = info->mods_count;
	const uint8_t *list;

	if (n == 0)
		return;
	if (n > BOOTINFO_MAX_MODULES) {
		bootinfo_warn(bi, "mb1: loader passed %u modules; only the first %u are used", n,
		              BOOTINFO_MAX_MODULES);
		n = BOOTINFO_MAX_MODULES;
	}
	list = phys_map(pv, info->mods_addr, (uint64_t)n * sizeof(struct mb1_module));
	if (!list) {
		bootinfo_warn(bi,
		              "mb1: module list at %#x (%u entries) is unreadable; no modules used",
		              info->mods_addr, n);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct mb1_module mod;
		struct boot_module *m;
		char what[32];

		memcpy(&mod, list + i * sizeof(mod), sizeof(mod));
		m = bootinfo_add_module(bi, i, mod.mod_start, mod.mod_end);
		if (!m)
			continue;
		ksnprintf(what, sizeof(what), "module %u cmdline", i);
		m->cmdline = bootinfo_str_from_phys(bi, what, pv, mod.string);
	}
}

/*
 * Each entry starts with a size counting the bytes after itself (3.3:
 * "size is the size of the associated structure in bytes, which can be
 * greater than the minimum of 20 bytes"); the next entry is at +size+4.
 */
static void parse_mmap(struct boot_info *bi, const struct phys_view *pv,
                       const struct mb1_info *info)
{
	const uint32_t min = sizeof(struct mb1_mmap_entry) - sizeof(uint32_t);
	uint32_t length = info->mmap_length, off = 0, idx = 0;
	const uint8_t *map;

	if (length == 0)
		return;
	map = phys_map(pv, info->mmap_addr, length);
	if (!map) {
		bootinfo_warn(bi, "mb1: memory map at %#x (%u bytes) is unreadable; ignoring it",
		              info->mmap_addr, length);
		return;
	}
	for (; off < length; idx++) {
		struct mb1_mmap_entry e;
		uint32_t size;

		if (length - off < sizeof(size)) {
			bootinfo_warn(bi,
			              "mb1: %u stray bytes at the end of the memory map; ignored",
			              length - off);
			break;
		}
		memcpy(&size, map + off, sizeof(size));
		if (size < min) {
			bootinfo_warn(
			    bi,
			    "mb1: memory map entry %u has size %u (< %u); ignoring it and the rest of the map",
			    idx, size, min);
			break;
		}
		if (size > length - off - sizeof(size)) {
			bootinfo_warn(
			    bi,
			    "mb1: memory map entry %u has size %u, past mmap_length %u; ignoring it and the rest of the map",
			    idx, size, length);
			break;
		}
		memcpy(&e, map + off, sizeof(e));
		if (!bootinfo_add_region(bi, idx, e.addr, e.len, e.type)) {
			bootinfo_warn(
			    bi,
			    "mb1: memory map has more than %u entries; ignoring entry %u and later",
			    BOOTINFO_MAX_MMAP, idx);
			break;
		}
		off += sizeof(size) + size;
	}
}

int bootinfo_parse_mb1(uint64_t info_pa, const struct phys_view *pv, struct boot_info *bi)
{
	const void *p = phys_map(pv, info_pa, sizeof(struct mb1_info));
	struct mb1_info info;

	if (!p) {
		log_err(
		    "mb1: info structure at %#lx (%zu bytes) is unreadable; no boot information",
		    info_pa, sizeof(info));
		return -ERR_TRUNC;
	}
	memcpy(&info, p, sizeof(info));
	bi->info_size = sizeof(info);

	if (info.flags & MB1_INFO_MEM) {
		bi->has_meminfo = true;
		bi->mem_lower = info.mem_lower;
		bi->mem_upper = info.mem_upper;
	}
	if (info.flags & MB1_INFO_CMDLINE)
		bi->cmdline = bootinfo_str_from_phys(bi, "cmdline", pv, info.cmdline);
	if (info.flags & MB1_INFO_LOADER)
		bi->loader_name =
		    bootinfo_str_from_phys(bi, "boot loader name", pv, info.boot_loader_name);
	if (info.flags & MB1_INFO_MODS)
		parse_modules(bi, pv, &info);
	if (info.flags & MB1_INFO_MMAP)
		parse_mmap(bi, pv, &info);
	return 0;
}
