/*
 * What the boot loader told us, normalized. bootinfo_parse() reads a
 * Multiboot 1 (0.6.96) or Multiboot 2 (2.0) information structure through a
 * phys_view, checks every length and pointer in it, and copies what Tandem
 * needs into a fixed-size struct boot_info. Afterwards nothing refers to the
 * loader's memory any more, so only the modules themselves must be kept away
 * from the frame allocator.
 *
 * Malformed input never faults: each problem is logged once (naming what is
 * wrong and what was assumed instead) and counted in boot_info.problems; only
 * a wrong magic, an unreadable info structure or the absence of any memory
 * information makes the parse fail.
 */
#ifndef TANDEM_BOOTINFO_H
#define TANDEM_BOOTINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <log.h>
#include <multiboot.h>
#include <phys.h>

#define BOOTINFO_MAX_MMAP    128
#define BOOTINFO_MAX_MODULES 32
/* A loader string without a NUL in its first 4 KiB is truncated to 4095 chars. */
#define BOOTINFO_STR_MAX     4096
/* Bound on a Multiboot 2 info structure; real ones are a few KiB. */
#define BOOTINFO_MB2_MAX     (64 * 1024)
#define BOOTINFO_POOL_SIZE   (16 * 1024)
/* An ACPI 2.0 RSDP is 36 bytes, a 1.0 one 20 (ACPI 6.5, 5.2.5.3). */
#define BOOTINFO_RSDP_MAX    36
/* Module addresses beyond this are no physical address on x86-64 (SDM 4.1.4). */
#define BOOTINFO_PA_LIMIT    (1ull << 52)

struct boot_mem_region {
	uint64_t base, len;
	uint32_t type; /* MB_MEM_*; unknown loader types become MB_MEM_RESERVED */
};

struct boot_module {
	uint64_t start, end; /* physical, [start, end) */
	const char *cmdline; /* in the pool; "" when none */
	uint32_t index;      /* position in the loader's list, for messages */
};

/*
 * Strings point into pool[], so a boot_info must not be copied by value
 * after the parse (the copy's strings would point into the original). At
 * ~22 KiB it belongs in static storage, not on a stack.
 */
struct boot_info {
	uint32_t protocol;       /* 1 or 2 */
	const char *cmdline;     /* never NULL; "" when absent */
	const char *loader_name; /* never NULL; "" when absent */

	bool has_meminfo;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB / above 1 MiB */

	bool mmap_synthesized; /* built from mem_lower/mem_upper */
	uint32_t mmap_count;
	struct boot_mem_region mmap[BOOTINFO_MAX_MMAP];

	uint32_t module_count;
	struct boot_module modules[BOOTINFO_MAX_MODULES];

	/* Copy of the RSDP from MB2 tag 15 (preferred) or 14; MB1 never has one. */
	bool has_rsdp;
	uint8_t rsdp_len;
	uint8_t rsdp[BOOTINFO_RSDP_MAX];

	/* The info structure itself (MB1: the fixed part only), [pa, pa + size). */
	uint64_t info_pa, info_size;

	uint32_t problems; /* warnings logged while parsing */

	uint32_t pool_used;
	char pool[BOOTINFO_POOL_SIZE];
};

/*
 * Parses the information at info_pa handed over with magic. Returns 0 (out
 * filled, possibly with problems logged) or -ERR_INVAL for a wrong magic or
 * no memory information at all, -ERR_TRUNC for an info structure that is
 * unreadable or whose size is out of bounds.
 */
int bootinfo_parse(uint32_t magic, uint64_t info_pa, const struct phys_view *pv,
                   struct boot_info *out);

/* Logs protocol, loader, cmdline, memory map, modules and RSDP presence. */
void bootinfo_print(const struct boot_info *bi);

/* "available", "reserved", ... for an MB_MEM_* type. */
const char *bootinfo_mem_type_name(uint32_t type);

/* ---- Internal: shared by boot/bootinfo*.c only ---------------------------- */

int bootinfo_parse_mb1(uint64_t info_pa, const struct phys_view *pv, struct boot_info *bi);
int bootinfo_parse_mb2(uint64_t info_pa, const struct phys_view *pv, struct boot_info *bi);

/* Logs a parse warning and counts it. */
#define bootinfo_warn(bi, fmt, ...)                                                                \
	do {                                                                                       \
		(bi)->problems++;                                                                  \
		log_warn(fmt, ##__VA_ARGS__);                                                      \
	} while (0)

/* Copies a string found inside an already mapped buffer of avail bytes. */
const char *bootinfo_str_from_buf(struct boot_info *bi, const char *what, const char *src,
                                  size_t avail);
/* Copies a NUL-terminated string at physical address pa (0: absent, ""). */
const char *bootinfo_str_from_phys(struct boot_info *bi, const char *what,
                                   const struct phys_view *pv, uint64_t pa);
/* Appends a memory map entry (idx names it in messages); false when the map is full. */
bool bootinfo_add_region(struct boot_info *bi, uint32_t idx, uint64_t base, uint64_t len,
                         uint32_t type);
/*
 * Appends a module with cmdline "" after checking its range. Returns it, or
 * NULL when the range is bad (skipped with a warning) or the array is full.
 */
struct boot_module *bootinfo_add_module(struct boot_info *bi, uint32_t idx, uint64_t start,
                                        uint64_t end);

#endif
