/*
 * The Multiboot 1 (0.6.96) and Multiboot 2 (2.0) ABI: header and boot-info
 * layouts as the two specifications define them. Usable from assembly for the
 * header constants.
 */
#ifndef TANDEM_MULTIBOOT_H
#define TANDEM_MULTIBOOT_H

/* Multiboot 1 header (spec 3.1.1) and loader handoff. */
#define MB1_HEADER_MAGIC   0x1BADB002
#define MB1_BOOT_MAGIC     0x2BADB002
#define MB1_HDR_PAGE_ALIGN (1 << 0)  /* modules on 4 KiB boundaries */
#define MB1_HDR_MEMINFO    (1 << 1)  /* mem_* and mmap_* wanted */
#define MB1_HDR_ADDRESS    (1 << 16) /* header carries load addresses (a.out kludge) */

/* Multiboot 2 header (spec 3.1) and loader handoff. */
#define MB2_HEADER_MAGIC      0xE85250D6
#define MB2_BOOT_MAGIC        0x36D76289
#define MB2_ARCH_I386         0
#define MB2_HTAG_END          0
#define MB2_HTAG_INFO_REQUEST 1
#define MB2_HTAG_MODULE_ALIGN 6

/* Multiboot 1 info flags (spec 3.3). */
#define MB1_INFO_MEM     (1 << 0)
#define MB1_INFO_CMDLINE (1 << 2)
#define MB1_INFO_MODS    (1 << 3)
#define MB1_INFO_MMAP    (1 << 6)
#define MB1_INFO_LOADER  (1 << 9)

/* Multiboot 2 info tag types (spec 3.6). */
#define MB2_TAG_END      0
#define MB2_TAG_CMDLINE  1
#define MB2_TAG_LOADER   2
#define MB2_TAG_MODULE   3
#define MB2_TAG_MEMINFO  4
#define MB2_TAG_MMAP     6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

/* Memory map entry types, shared by both (and by the E820 map). */
#define MB_MEM_AVAILABLE 1
#define MB_MEM_RESERVED  2
#define MB_MEM_ACPI      3
#define MB_MEM_NVS       4
#define MB_MEM_BAD       5

#ifndef __ASSEMBLER__
#include <stdint.h>

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 1 MiB / above 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
} __attribute__((packed));

struct mb1_module {
	uint32_t mod_start, mod_end;
	uint32_t string;
	uint32_t reserved;
} __attribute__((packed));

/* "size" counts the bytes after itself; entries are not necessarily 24 bytes. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

struct mb2_info_header {
	uint32_t total_size;
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size; /* including this header; the next tag starts 8-aligned */
};

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start, mod_end;
	char cmdline[];
};

struct mb2_tag_meminfo {
	struct mb2_tag tag;
	uint32_t mem_lower, mem_upper;
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size, entry_version;
	/* entries follow */
};

struct mb2_mmap_entry {
	uint64_t addr, len;
	uint32_t type, reserved;
};
#endif

#endif
