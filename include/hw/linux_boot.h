/*
 * The Linux/x86 boot protocol, byte for byte: the setup header a bzImage
 * carries at file offset 0x1f1 (Documentation/arch/x86/boot.rst, "The
 * Real-Mode Kernel Header") and the 4 KiB struct boot_params, the "zero
 * page", that a 32- or 64-bit boot loader fills and hands to the kernel in
 * %rsi (boot.rst "64-bit Boot Protocol"; Documentation/arch/x86/zero-page.rst
 * lists its fields). Offsets below are the documents'; the _Static_asserts
 * pin them. Every multi-byte field is little-endian and the header sits at
 * an odd offset, so both structures are packed.
 *
 * Only what a loader reads or writes is named; the parts Tandem leaves zero
 * (screen, APM, EDID, EDD, EFI information) are opaque byte arrays of the
 * documented size.
 */
#ifndef TANDEM_HW_LINUX_BOOT_H
#define TANDEM_HW_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>
#include <compiler.h>

/* Where the header lives in the image file and in boot_params alike. */
#define LINUX_HDR_OFFSET     0x1f1
#define LINUX_BOOT_FLAG      0xaa55     /* boot_flag at 0x1fe */
#define LINUX_HDRS_MAGIC     0x53726448 /* "HdrS" at 0x202 */
#define LINUX_HDR_LEN_OFFSET 0x201      /* the jump's offset byte: header ends at 0x202 + it */
#define LINUX_SECTOR_SIZE    512
#define LINUX_SETUP_SECTS_0  4 /* boot.rst note (1): setup_sects 0 means 4 */

/* Protocol versions, (major << 8) | minor (boot.rst, "version"). */
#define LINUX_PROTO(maj, min) (((maj) << 8) | (min))
#define LINUX_PROTO_2_12      LINUX_PROTO(2, 12) /* xloadflags, ext_* fields, 64-bit entry */
#define LINUX_PROTO_2_14      LINUX_PROTO(2, 14) /* kernels that read boot_params.acpi_rsdp_addr */

/* loadflags (boot.rst "loadflags"). */
#define LINUX_LF_LOADED_HIGH  (1u << 0) /* protected-mode code at 0x100000: a bzImage */
#define LINUX_LF_KASLR        (1u << 1) /* kernel internal */
#define LINUX_LF_QUIET        (1u << 5)
#define LINUX_LF_KEEP_SEGS    (1u << 6) /* obsolete */
#define LINUX_LF_CAN_USE_HEAP (1u << 7) /* heap_end_ptr is valid */

/* xloadflags, protocol 2.12+ (boot.rst "xloadflags"). */
#define LINUX_XLF_KERNEL_64              (1u << 0) /* 64-bit entry at load address + 0x200 */
#define LINUX_XLF_CAN_BE_LOADED_ABOVE_4G (1u << 1) /* kernel, boot_params, cmdline, initrd */
#define LINUX_XLF_EFI_HANDOVER_32        (1u << 2)
#define LINUX_XLF_EFI_HANDOVER_64        (1u << 3)
#define LINUX_XLF_EFI_KEXEC              (1u << 4)

/* boot.rst "64-bit Boot Protocol": entry is the loaded kernel's start plus this. */
#define LINUX_ENTRY64_OFFSET 0x200

/* boot.rst "type_of_loader": 0xff for a loader without an assigned ID. */
#define LINUX_LOADER_UNDEFINED 0xff

/* Number of e820_table slots in boot_params (zero-page.rst: 0x2d0/0xa00). */
#define LINUX_E820_MAX 128

/* The setup header; field names and the protocol that introduced each follow boot.rst. */
struct linux_setup_header {
	uint8_t setup_sects; /* 0x1f1: real-mode setup size in sectors; 0 means 4 */
	uint16_t root_flags;
	uint32_t syssize; /* 0x1f4: protected-mode code in 16-byte paragraphs (2.04+) */
	uint16_t ram_size;
	uint16_t vid_mode;
	uint16_t root_dev;
	uint16_t boot_flag; /* 0x1fe: 0xaa55 */
	uint8_t jump[2];    /* 0x200: 0xeb, then the header length beyond 0x202 */
	uint32_t header;    /* 0x202: "HdrS" */
	uint16_t version;   /* 0x206 */
	uint32_t realmode_swtch;
	uint16_t start_sys_seg;
	uint16_t kernel_version; /* 0x20e: version string at file offset this + 0x200 */
	uint8_t type_of_loader;  /* 0x210: write */
	uint8_t loadflags;       /* 0x211: modify */
	uint16_t setup_move_size;
	uint32_t code32_start;  /* 0x214: 32-bit load address (reloc) */
	uint32_t ramdisk_image; /* 0x218: write, low 32 bits */
	uint32_t ramdisk_size;  /* 0x21c: write, low 32 bits */
	uint32_t bootsect_kludge;
	uint16_t heap_end_ptr; /* 0x224: write, 2.01+ */
	uint8_t ext_loader_ver;
	uint8_t ext_loader_type;
	uint32_t cmd_line_ptr;      /* 0x228: write, low 32 bits, 2.02+ */
	uint32_t initrd_addr_max;   /* 0x22c: highest byte an initrd may occupy, 2.03+ */
	uint32_t kernel_alignment;  /* 0x230: 2.05+ */
	uint8_t relocatable_kernel; /* 0x234: 2.05+ */
	uint8_t min_alignment;      /* 0x235: log2, 2.10+ */
	uint16_t xloadflags;        /* 0x236: 2.12+ */
	uint32_t cmdline_size;      /* 0x238: max command line length without the NUL, 2.06+ */
	uint32_t hardware_subarch;  /* 0x23c: write, 0 = PC, 2.07+ */
	uint64_t hardware_subarch_data;
	uint32_t payload_offset;
	uint32_t payload_length;
	uint64_t setup_data;         /* 0x250: write (special), 2.09+ */
	uint64_t pref_address;       /* 0x258: 2.10+ */
	uint32_t init_size;          /* 0x260: memory needed from the runtime start, 2.10+ */
	uint32_t handover_offset;    /* 0x264: 2.11+ */
	uint32_t kernel_info_offset; /* 0x268: 2.15+ */
} __packed;

/* One boot_params.e820_table entry (zero-page.rst 0x2d0; types are MB_MEM_*). */
struct linux_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __packed;

/* The zero page (zero-page.rst). */
struct linux_boot_params {
	uint8_t screen_info[0x40];   /* 0x000 */
	uint8_t apm_bios_info[0x14]; /* 0x040 */
	uint8_t pad_054[4];
	uint64_t tboot_addr;     /* 0x058 */
	uint8_t ist_info[0x10];  /* 0x060 */
	uint64_t acpi_rsdp_addr; /* 0x070: read by kernels of protocol 2.14 and later */
	uint8_t pad_078[8];
	uint8_t hd0_info[0x10];        /* 0x080: obsolete */
	uint8_t hd1_info[0x10];        /* 0x090: obsolete */
	uint8_t sys_desc_table[0x10];  /* 0x0a0: obsolete */
	uint8_t olpc_ofw_header[0x10]; /* 0x0b0 */
	uint32_t ext_ramdisk_image;    /* 0x0c0: high 32 bits of hdr.ramdisk_image */
	uint32_t ext_ramdisk_size;     /* 0x0c4: high 32 bits of hdr.ramdisk_size */
	uint32_t ext_cmd_line_ptr;     /* 0x0c8: high 32 bits of hdr.cmd_line_ptr */
	uint8_t pad_0cc[0x13c - 0xcc];
	uint32_t cc_blob_address; /* 0x13c */
	uint8_t edid_info[0x80];  /* 0x140 */
	uint8_t efi_info[0x20];   /* 0x1c0 */
	uint32_t alt_mem_k;       /* 0x1e0 */
	uint32_t scratch;         /* 0x1e4 */
	uint8_t e820_entries;     /* 0x1e8 */
	uint8_t eddbuf_entries;
	uint8_t edd_mbr_sig_buf_entries;
	uint8_t kbd_status;
	uint8_t secure_boot;
	uint8_t pad_1ed[2];
	/*
	 * 0x1ef: the image has 0xff here. A loader that copies more than the
	 * setup header carries it over, and the kernel then distrusts the rest
	 * of boot_params; copying exactly the header leaves it 0.
	 */
	uint8_t sentinel;
	uint8_t pad_1f0;
	struct linux_setup_header hdr; /* 0x1f1 */
	/* The header may grow into this hole; 0x202 + 0x7f (the jump's reach) stays below 0x290. */
	uint8_t pad_hdr[0x290 - 0x1f1 - sizeof(struct linux_setup_header)];
	uint32_t edd_mbr_sig_buffer[16];                    /* 0x290 */
	struct linux_e820_entry e820_table[LINUX_E820_MAX]; /* 0x2d0 */
	uint8_t pad_cd0[0x30];
	uint8_t eddbuf[6 * 82]; /* 0xd00: six struct edd_info */
	uint8_t pad_eec[0x1000 - 0xeec];
} __packed;

/* The end of the hole the header is copied into (zero-page.rst: edd_mbr_sig_buffer follows). */
#define LINUX_HDR_END_MAX 0x290

_Static_assert(sizeof(struct linux_setup_header) == 0x26c - LINUX_HDR_OFFSET, "boot.rst header");
_Static_assert(offsetof(struct linux_setup_header, boot_flag) == 0x1fe - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, header) == 0x202 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, type_of_loader) == 0x210 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, code32_start) == 0x214 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, ramdisk_image) == 0x218 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, heap_end_ptr) == 0x224 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, cmd_line_ptr) == 0x228 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, kernel_alignment) == 0x230 - LINUX_HDR_OFFSET,
               "");
_Static_assert(offsetof(struct linux_setup_header, relocatable_kernel) == 0x234 - LINUX_HDR_OFFSET,
               "");
_Static_assert(offsetof(struct linux_setup_header, xloadflags) == 0x236 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, cmdline_size) == 0x238 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, setup_data) == 0x250 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, pref_address) == 0x258 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, init_size) == 0x260 - LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_setup_header, handover_offset) == 0x264 - LINUX_HDR_OFFSET,
               "");
_Static_assert(sizeof(struct linux_e820_entry) == 20, "zero-page.rst e820");
_Static_assert(sizeof(struct linux_boot_params) == 4096, "zero-page.rst");
_Static_assert(offsetof(struct linux_boot_params, acpi_rsdp_addr) == 0x070, "");
_Static_assert(offsetof(struct linux_boot_params, ext_ramdisk_image) == 0x0c0, "");
_Static_assert(offsetof(struct linux_boot_params, ext_ramdisk_size) == 0x0c4, "");
_Static_assert(offsetof(struct linux_boot_params, ext_cmd_line_ptr) == 0x0c8, "");
_Static_assert(offsetof(struct linux_boot_params, cc_blob_address) == 0x13c, "");
_Static_assert(offsetof(struct linux_boot_params, e820_entries) == 0x1e8, "");
_Static_assert(offsetof(struct linux_boot_params, sentinel) == 0x1ef, "");
_Static_assert(offsetof(struct linux_boot_params, hdr) == LINUX_HDR_OFFSET, "");
_Static_assert(offsetof(struct linux_boot_params, edd_mbr_sig_buffer) == LINUX_HDR_END_MAX, "");
_Static_assert(offsetof(struct linux_boot_params, e820_table) == 0x2d0, "");
_Static_assert(offsetof(struct linux_boot_params, eddbuf) == 0xd00, "");

#endif
