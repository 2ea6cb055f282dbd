/*
 * Loading a Linux bzImage through the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"). Pure: the
 * image is a buffer, guest memory is described by addresses only; the
 * guest loader copies the bytes and builds the page tables and GDT.
 *
 * The three steps:
 *
 *   bzimage_parse()        checks the image (hostile input) and extracts
 *                          what a loader needs;
 *   bzimage_plan()         picks guest-physical addresses for boot_params,
 *                          command line, kernel and initrd, and an e820 map;
 *   bzimage_build_params() checks a layout against the kernel's limits and
 *                          fills the 4 KiB boot_params ("zero page").
 *
 * The loader then copies file [kernel_offset, kernel_offset + kernel_size)
 * to kernel_gpa, the command line (NUL-terminated) to cmdline_gpa, the
 * initrd to initrd_gpa and boot_params to params_gpa, identity-maps
 * [kernel_gpa, kernel_gpa + init_size), boot_params and the command line,
 * and enters at kernel_gpa + LINUX_ENTRY64_OFFSET in 64-bit mode with %rsi
 * = params_gpa, interrupts off and flat __BOOT_CS (0x10) / __BOOT_DS (0x18)
 * descriptors loaded.
 *
 * Every refusal returns -ERR_INVAL or -ERR_NOMEM after one log line naming
 * the problem; nothing is written on failure.
 */
#ifndef TANDEM_BZIMAGE_H
#define TANDEM_BZIMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hw/linux_boot.h>

/* What a loader needs from the image's setup header, checked against the file. */
struct bzimage_info {
	uint16_t version;     /* boot protocol, LINUX_PROTO(major, minor); >= 2.12 */
	uint8_t loadflags;    /* LINUX_LF_*; LOADED_HIGH is set */
	uint16_t xloadflags;  /* LINUX_XLF_*; KERNEL_64 is set */
	bool relocatable;     /* may load at any kernel_alignment multiple, else at pref_address */
	uint32_t hdr_end;     /* the setup header is file [0x1f1, hdr_end), hdr_end <= 0x290 */
	size_t kernel_offset; /* protected-mode kernel: file [kernel_offset, + kernel_size) */
	size_t kernel_size;   /* > 0x200, so the 64-bit entry lies inside it */
	uint32_t kernel_alignment; /* a power of two in [4 KiB, 1 GiB] */
	uint64_t pref_address;     /* below 2^52; 0 if the image has none */
	uint32_t init_size;        /* >= kernel_size */
	uint32_t cmdline_size;     /* max command line length, NUL excluded */
	uint32_t initrd_addr_max;  /* highest byte an initrd may use (unless above-4G capable) */
	uint32_t handover_offset;  /* EFI handover entry; informational */
	char kernel_version[64];   /* the image's version string, "" when absent or garbled */
};

/*
 * Where things go in guest-physical memory. acpi_base, acpi_len and
 * acpi_rsdp_addr are inputs: bzimage_plan() keeps them and fills the rest.
 */
struct bzimage_layout {
	/* Inputs */
	uint64_t acpi_base, acpi_len; /* where the caller puts ACPI tables; len 0: none */
	uint64_t acpi_rsdp_addr;      /* 0: let the kernel scan 0xe0000..0xfffff for it */

	uint64_t params_gpa;  /* boot_params, 4 KiB */
	uint64_t cmdline_gpa; /* cmdline_len bytes and a NUL */
	uint32_t cmdline_len;
	uint64_t kernel_gpa; /* load address; [kernel_gpa, + init_size) is the kernel's */
	uint64_t initrd_gpa; /* 0 and 0 when there is no initrd */
	uint64_t initrd_size;

	/* Sorted by addr, disjoint, non-empty; types are MB_MEM_* (the e820 values). */
	uint32_t e820_count;
	struct linux_e820_entry e820[LINUX_E820_MAX];
};

/* The default placement (bzimage_plan). */
#define BZIMAGE_PARAMS_GPA  0x7000ull
#define BZIMAGE_CMDLINE_GPA 0x20000ull
#define BZIMAGE_LOW_RAM_END 0x9fc00ull  /* conventional RAM; the EBDA would follow */
#define BZIMAGE_HIGH_RAM    0x100000ull /* 1 MiB */
#define BZIMAGE_KERNEL_MIN  (16ull << 20)

/*
 * Checks the len bytes at img as a bzImage with the 64-bit entry point
 * (protocol 2.12+, LOADED_HIGH, XLF_KERNEL_64) and fills out. Reads no
 * byte outside [img, img + len). 0, or -ERR_INVAL with one log line.
 */
int bzimage_parse(const void *img, size_t len, struct bzimage_info *out);

/*
 * A default layout for a guest with RAM [0, mem_size):
 *   boot_params at 0x7000, the command line at 0x20000;
 *   a relocatable kernel at max(pref_address, 16 MiB) rounded up to
 *   kernel_alignment, a fixed one at pref_address (1 MiB if it has none),
 *   owning init_size bytes from there;
 *   the initrd page-aligned at the top of RAM, below initrd_addr_max + 1
 *   unless the kernel takes it above 4 GiB, above the kernel and off the
 *   ACPI range;
 *   e820: [0, 0x9fc00) RAM, [0x9fc00, 1 MiB) reserved, [1 MiB, mem_size) RAM.
 * The ACPI range (lay->acpi_base/acpi_len, in) is either inside
 * [0x9fc00, 1 MiB), which the reserved entry already covers (the legacy
 * BIOS area, where a kernel without acpi_rsdp_addr looks for the RSDP), or
 * inside [1 MiB, mem_size), where it becomes an MB_MEM_ACPI entry that
 * splits the RAM. -ERR_INVAL for an ACPI range elsewhere or a command line
 * longer than cmdline_size; -ERR_NOMEM when kernel and initrd do not fit.
 */
int bzimage_plan(const struct bzimage_info *bi, uint64_t mem_size, size_t cmdline_len,
                 size_t initrd_len, struct bzimage_layout *lay);

/*
 * Checks lay against the kernel's limits (alignment or fixed address,
 * initrd_addr_max, the above-4 GiB flag, cmdline_size, e820 well-formed,
 * every piece inside one RAM entry and no two overlapping), then zeroes
 * params_4k and fills it as boot_params: the setup header copied from img
 * (parsed into bi), the loader's fields and the e820 table. 0, or
 * -ERR_INVAL with one log line and params_4k untouched.
 */
int bzimage_build_params(const struct bzimage_info *bi, const void *img,
                         const struct bzimage_layout *lay, void *params_4k);

/* The 64-bit entry point of a kernel loaded per lay. */
static inline uint64_t bzimage_entry64(const struct bzimage_layout *lay)
{
	return lay->kernel_gpa + LINUX_ENTRY64_OFFSET;
}

#endif
