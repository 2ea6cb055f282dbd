/*
 * Multiboot 1 and 2 headers, first in the image. The Multiboot 1 header
 * carries load addresses (flag 16) so QEMU's -kernel, which refuses 64-bit
 * ELF files, loads the image as a flat binary; GRUB's multiboot2 loads the
 * ELF program headers. scripts/check-image.sh verifies the file layout this
 * relies on (every PT_LOAD at the same file-offset-to-address distance).
 */
#include <multiboot.h>

#define MB1_FLAGS (MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMINFO | MB1_HDR_ADDRESS)

	.section .multiboot, "a"
	.balign 8
mb1_header:
	.long MB1_HEADER_MAGIC
	.long MB1_FLAGS
	.long -(MB1_HEADER_MAGIC + MB1_FLAGS)
	.long mb1_header	/* header_addr */
	.long __image_start	/* load_addr */
	.long __load_end	/* load_end_addr */
	.long __image_end	/* bss_end_addr */
	.long _start		/* entry_addr */

	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	.balign 8
	.short MB2_HTAG_MODULE_ALIGN, 0
	.long 8
	.balign 8
	.short MB2_HTAG_END, 0
	.long 8
mb2_header_end:
