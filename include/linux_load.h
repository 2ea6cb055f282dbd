/*
 * Putting a Linux guest into its memory: the bzImage, initrd and command
 * line where bzimage_plan() says, boot_params, the ACPI tables in the
 * legacy BIOS area, and what the 64-bit boot protocol asks of the loader
 * (Documentation/arch/x86/boot.rst): a GDT with flat __BOOT_CS (0x10) and
 * __BOOT_DS (0x18), and page tables that identity-map the low 4 GiB. Pure:
 * it writes guest RAM through gmem only, and is host-tested.
 *
 * Guest-physical layout below 1 MiB (RAM in the e820 map: the kernel may
 * reuse all of it once it runs, so nothing here must survive the boot):
 *
 *   0x6000  GDT                  0x9000  PML4
 *   0x7000  boot_params          0xa000  PDPT
 *   0x8000  initial stack page   0xb000  four page directories (2 MiB pages)
 *   0x20000 command line         0xe0000 ACPI tables (reserved in the e820)
 */
#ifndef TANDEM_LINUX_LOAD_H
#define TANDEM_LINUX_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <bzimage.h>
#include <gmem.h>
#include <guest_acpi.h>

#define LINUX_GDT_GPA   0x6000ull
#define LINUX_STACK_TOP 0x9000ull
#define LINUX_PML4_GPA  0x9000ull
#define LINUX_PDPT_GPA  0xa000ull
#define LINUX_PD_GPA    0xb000ull /* four: 4 GiB */
#define LINUX_ACPI_GPA  0xe0000ull
#define LINUX_ACPI_LEN  0x10000ull

#define LINUX_BOOT_CS 0x10
#define LINUX_BOOT_DS 0x18

struct linux_image {
	const void *kernel;
	size_t kernel_len;
	const void *initrd; /* NULL: none */
	size_t initrd_len;
	const char *cmdline;
};

/* Where the boot vCPU starts, and what went where (for the log). */
struct linux_boot {
	uint64_t rip, rsp, rsi, cr3, gdt;
	uint16_t gdt_limit, cs, ds;
	struct bzimage_info info;
	struct bzimage_layout lay;
	struct guest_acpi_out acpi;
};

/*
 * Loads img into m (which must be zeroed guest RAM, as gmem_create leaves
 * it) with ACPI tables for acfg. 0, or a negative error after one log line
 * naming the problem (not a bzImage, does not fit, command line too long).
 */
int linux_load(struct gmem *m, const struct linux_image *img, const struct guest_acpi_cfg *acfg,
               struct linux_boot *out);

#endif
