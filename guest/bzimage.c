/*
 * bzImage parsing, placement and boot_params for the 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst; section names are quoted below). The
 * image is hostile: every offset is checked against its length before it is
 * read, and every size before it is added to.
 */
#include <bzimage.h>
#include <compiler.h>
#include <errcode.h>
#include <log.h>
#include <multiboot.h>
#include <string.h>

/* The header of protocol 2.12 runs through handover_offset (0x264/4). */
#define HDR_END_2_12 0x268
#define ALIGN_MIN    0x1000u
#define ALIGN_MAX    0x40000000u
#define PA_LIMIT     (1ull << 52) /* no physical address on x86-64 reaches this (SDM 4.1.4) */
#define GiB4         (1ull << 32)
#define PAGE         0x1000ull
/* boot.rst "Sample Boot Configuration": heap up to 0xe000 for 2.02+ with LOADED_HIGH. */
#define HEAP_END     0xe000

static bool truncated(size_t len, size_t need, const char *what)
{
	if (len >= need)
		return false;
	log_err("bzImage: truncated: %zu bytes end before the %s (needs %#zx)", len, what, need);
	return true;
}

/* The version string (boot.rst "kernel_version": at file offset value + 0x200, in the setup). */
static void copy_version(const uint8_t *b, size_t setup, uint16_t ptr, char *out, size_t size)
{
	size_t off = (size_t)ptr + 0x200, n = 0;

	out[0] = '\0';
	if (!ptr || off >= setup)
		return;
	while (n < size - 1 && off + n < setup && b[off + n] >= 0x20 && b[off + n] < 0x7f)
		n++;
	if (n == 0 || (n < size - 1 && (off + n >= setup || b[off + n] != '\0')))
		return; /* unterminated or garbled: better none than garbage in logs */
	memcpy(out, b + off, n);
	out[n] = '\0';
}

/* Reads the fixed part up to the version and the header length; 0 or -ERR_INVAL. */
static int check_magic(const uint8_t *b, size_t len, uint32_t *hdr_end)
{
	uint16_t flag, version;
	uint32_t magic;

	if (truncated(len, 0x200, "boot flag at 0x1fe"))
		return -ERR_INVAL;
	memcpy(&flag, b + 0x1fe, sizeof(flag));
	if (flag != LINUX_BOOT_FLAG) {
		log_err("not a bzImage: boot flag at 0x1fe is %#x, not 0xaa55", flag);
		return -ERR_INVAL;
	}
	if (truncated(len, 0x206, "HdrS magic at 0x202"))
		return -ERR_INVAL;
	memcpy(&magic, b + 0x202, sizeof(magic));
	if (magic != LINUX_HDRS_MAGIC) {
		log_err("not a bzImage: no HdrS magic at 0x202 (a pre-2.00 kernel or not Linux)");
		return -ERR_INVAL;
	}
	if (truncated(len, 0x208, "protocol version at 0x206"))
		return -ERR_INVAL;
	memcpy(&version, b + 0x206, sizeof(version));
	if (version < LINUX_PROTO_2_12) {
		log_err(
		    "bzImage: boot protocol %u.%02u is too old (need 2.12 for the 64-bit entry)",
		    version >> 8, version & 0xff);
		return -ERR_INVAL;
	}
	/* boot.rst "64-bit Boot Protocol": the header ends at 0x202 + the byte at 0x201. */
	*hdr_end = 0x202 + b[LINUX_HDR_LEN_OFFSET];
	if (*hdr_end < HDR_END_2_12 || *hdr_end > LINUX_HDR_END_MAX) {
		log_err(
		    "bzImage: setup header ends at %#x, outside [%#x, %#x] for protocol %u.%02u",
		    *hdr_end, HDR_END_2_12, LINUX_HDR_END_MAX, version >> 8, version & 0xff);
		return -ERR_INVAL;
	}
	if (truncated(len, *hdr_end, "end of the setup header"))
		return -ERR_INVAL;
	return 0;
}

/* The header's own claims: flags, sizes, alignment, addresses. */
static int check_header(const struct linux_setup_header *h, size_t len, size_t setup)
{
	uint32_t align = h->kernel_alignment;
	size_t ksize;

	if (!(h->loadflags & LINUX_LF_LOADED_HIGH)) {
		log_err("not a bzImage: loadflags %#x lack LOADED_HIGH (a zImage)", h->loadflags);
		return -ERR_INVAL;
	}
	if (!(h->xloadflags & LINUX_XLF_KERNEL_64)) {
		log_err("bzImage: no 64-bit entry point (XLF_KERNEL_64 clear in xloadflags %#x)",
		        h->xloadflags);
		return -ERR_INVAL;
	}
	/* boot.rst "Loading The Rest of The Kernel": the kernel starts at (setup_sects + 1) * 512. */
	if (setup >= len || len - setup <= LINUX_ENTRY64_OFFSET) {
		log_err(
		    "bzImage: setup_sects %u puts the kernel at %#zx, past the end of the %zu-byte "
		    "file or its 64-bit entry",
		    h->setup_sects, setup, len);
		return -ERR_INVAL;
	}
	ksize = len - setup;
	/* syssize counts 16-byte paragraphs; real images may carry trailing bytes beyond it. */
	if ((uint64_t)h->syssize * 16 > ksize) {
		log_err(
		    "bzImage: truncated: syssize promises %#lx bytes of kernel, the file has %#zx",
		    (uint64_t)h->syssize * 16, ksize);
		return -ERR_INVAL;
	}
	if (align < ALIGN_MIN || align > ALIGN_MAX || (align & (align - 1))) {
		log_err("bzImage: kernel_alignment %#x is not a power of two in [4 KiB, 1 GiB]",
		        align);
		return -ERR_INVAL;
	}
	/* boot.rst "init_size": the decompressor copies the image inside this, so it holds it. */
	if (h->init_size < ksize) {
		log_err("bzImage: init_size %#x is smaller than the %#zx-byte kernel", h->init_size,
		        ksize);
		return -ERR_INVAL;
	}
	if (h->pref_address >= PA_LIMIT ||
	    (!h->relocatable_kernel && h->pref_address && h->pref_address < BZIMAGE_HIGH_RAM)) {
		log_err("bzImage: pref_address %#lx is no place for a%s kernel", h->pref_address,
		        h->relocatable_kernel ? "" : " non-relocatable");
		return -ERR_INVAL;
	}
	return 0;
}

int bzimage_parse(const void *img, size_t len, struct bzimage_info *out)
{
	const uint8_t *b = img;
	struct linux_setup_header h;
	uint32_t hdr_end;
	size_t setup;
	int err;

	if (!img) {
		log_err("bzImage: no image");
		return -ERR_INVAL;
	}
	err = check_magic(b, len, &hdr_end);
	if (err)
		return err;
	/* A header shorter than ours leaves the later fields 0; a longer one is cut to ours. */
	memset(&h, 0, sizeof(h));
	memcpy(&h, b + LINUX_HDR_OFFSET, MIN(hdr_end - LINUX_HDR_OFFSET, (uint32_t)sizeof(h)));
	setup =
	    ((size_t)(h.setup_sects ? h.setup_sects : LINUX_SETUP_SECTS_0) + 1) * LINUX_SECTOR_SIZE;
	err = check_header(&h, len, setup);
	if (err)
		return err;

	memset(out, 0, sizeof(*out));
	out->version = h.version;
	out->loadflags = h.loadflags;
	out->xloadflags = h.xloadflags;
	out->relocatable = h.relocatable_kernel != 0;
	out->hdr_end = hdr_end;
	out->kernel_offset = setup;
	out->kernel_size = len - setup;
	out->kernel_alignment = h.kernel_alignment;
	out->pref_address = h.pref_address;
	out->init_size = h.init_size;
	out->cmdline_size = h.cmdline_size;
	out->initrd_addr_max = h.initrd_addr_max;
	out->handover_offset = h.handover_offset;
	copy_version(b, setup, h.kernel_version, out->kernel_version, sizeof(out->kernel_version));
	return 0;
}

static bool overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
	return a < b + b_len && b < a + a_len;
}

/* Where a fixed (non-relocatable) kernel must go: pref_address, else 1 MiB (LOADED_HIGH). */
static uint64_t fixed_address(const struct bzimage_info *bi)
{
	return bi->pref_address ? bi->pref_address : BZIMAGE_HIGH_RAM;
}

/* The page-aligned start of len bytes ending at or below top, or 0 when they do not fit. */
static uint64_t place_below(uint64_t top, uint64_t len)
{
	return len > top ? 0 : ALIGN_DOWN(top - len, PAGE);
}

static void add_e820(struct bzimage_layout *lay, uint64_t addr, uint64_t end, uint32_t type)
{
	if (end > addr)
		lay->e820[lay->e820_count++] = (struct linux_e820_entry){addr, end - addr, type};
}

int bzimage_plan(const struct bzimage_info *bi, uint64_t mem_size, size_t cmdline_len,
                 size_t initrd_len, struct bzimage_layout *lay)
{
	uint64_t abase = lay->acpi_base, alen = lay->acpi_len, kgpa, kend, igpa = 0, top;
	bool split = false;

	if (cmdline_len > bi->cmdline_size ||
	    cmdline_len >= BZIMAGE_LOW_RAM_END - BZIMAGE_CMDLINE_GPA) {
		log_err(
		    "bzImage: command line of %zu bytes exceeds cmdline_size %u or the room below 0x9fc00",
		    cmdline_len, bi->cmdline_size);
		return -ERR_INVAL;
	}
	if (alen) {
		split = abase >= BZIMAGE_HIGH_RAM && abase < mem_size && alen <= mem_size - abase;
		if (!split && !(abase >= BZIMAGE_LOW_RAM_END && abase < BZIMAGE_HIGH_RAM &&
		                alen <= BZIMAGE_HIGH_RAM - abase)) {
			log_err(
			    "bzImage: ACPI range %#lx+%#lx is neither in [0x9fc00, 1 MiB) nor in RAM "
			    "above 1 MiB",
			    abase, alen);
			return -ERR_INVAL;
		}
	}
	/* boot.rst "init_size": a relocatable kernel runs at its aligned load address. */
	if (bi->relocatable)
		kgpa = ALIGN_UP(MAX(bi->pref_address, BZIMAGE_KERNEL_MIN),
		                (uint64_t)bi->kernel_alignment);
	else
		kgpa = fixed_address(bi);
	kend = kgpa + bi->init_size;
	if (kend > mem_size || (split && overlaps(kgpa, bi->init_size, abase, alen))) {
		log_err("bzImage: the kernel needs [%#lx, %#lx) (init_size %#x), which %s %#lx",
		        kgpa, kend, bi->init_size,
		        kend > mem_size ? "runs past the end of guest RAM at" : "overlaps ACPI at",
		        kend > mem_size ? mem_size : abase);
		return -ERR_NOMEM;
	}
	if (initrd_len) {
		top = mem_size;
		if (!(bi->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G))
			top = MIN(top, (uint64_t)bi->initrd_addr_max + 1);
		igpa = place_below(top, initrd_len);
		if (igpa && split && overlaps(igpa, initrd_len, abase, alen))
			igpa = place_below(MIN(top, abase), initrd_len);
		if (igpa < kend) {
			log_err(
			    "bzImage: an initrd of %zu bytes does not fit between the kernel's end "
			    "%#lx and %#lx",
			    initrd_len, kend, top);
			return -ERR_NOMEM;
		}
	}

	lay->params_gpa = BZIMAGE_PARAMS_GPA;
	lay->cmdline_gpa = BZIMAGE_CMDLINE_GPA;
	lay->cmdline_len = (uint32_t)cmdline_len;
	lay->kernel_gpa = kgpa;
	lay->initrd_gpa = igpa;
	lay->initrd_size = initrd_len;
	lay->e820_count = 0;
	add_e820(lay, 0, BZIMAGE_LOW_RAM_END, MB_MEM_AVAILABLE);
	add_e820(lay, BZIMAGE_LOW_RAM_END, BZIMAGE_HIGH_RAM, MB_MEM_RESERVED);
	if (split) {
		add_e820(lay, BZIMAGE_HIGH_RAM, abase, MB_MEM_AVAILABLE);
		add_e820(lay, abase, abase + alen, MB_MEM_ACPI);
		add_e820(lay, abase + alen, mem_size, MB_MEM_AVAILABLE);
	} else {
		add_e820(lay, BZIMAGE_HIGH_RAM, mem_size, MB_MEM_AVAILABLE);
	}
	return 0;
}

static int check_e820(const struct bzimage_layout *lay)
{
	uint64_t end = 0;

	if (lay->e820_count > LINUX_E820_MAX) {
		log_err("bzImage: %u e820 entries, boot_params holds %u", lay->e820_count,
		        LINUX_E820_MAX);
		return -ERR_INVAL;
	}
	for (uint32_t i = 0; i < lay->e820_count; i++) {
		const struct linux_e820_entry *e = &lay->e820[i];
		uint64_t addr = e->addr, size = e->size;
		const char *bad = !size                      ? "is empty"
		                  : addr > UINT64_MAX - size ? "wraps around"
		                  : !e->type                 ? "has no type"
		                  : i && addr < end ? "overlaps or precedes the entry before"
		                                    : NULL;

		if (bad) {
			log_err("bzImage: e820 entry %u (%#lx+%#lx type %u) %s", i, addr, size,
			        e->type, bad);
			return -ERR_INVAL;
		}
		end = addr + size;
	}
	return 0;
}

/* True when [base, base + len) lies inside one RAM entry (e820 already checked). */
static bool in_ram(const struct bzimage_layout *lay, uint64_t base, uint64_t len)
{
	for (uint32_t i = 0; i < lay->e820_count; i++) {
		uint64_t addr = lay->e820[i].addr, size = lay->e820[i].size;

		if (lay->e820[i].type == MB_MEM_AVAILABLE && base >= addr && base - addr <= size &&
		    len <= size - (base - addr))
			return true;
	}
	return false;
}

static int check_layout(const struct bzimage_info *bi, const struct bzimage_layout *lay)
{
	bool above_4g = bi->xloadflags & LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	const struct {
		const char *name;
		uint64_t base, len;
	} p[] = {
	    {"boot_params", lay->params_gpa, sizeof(struct linux_boot_params)},
	    {"command line", lay->cmdline_gpa, (uint64_t)lay->cmdline_len + 1},
	    {"kernel", lay->kernel_gpa, bi->init_size},
	    {"initrd", lay->initrd_gpa, lay->initrd_size},
	};
	unsigned int n = lay->initrd_size ? 4 : 3;

	if (bi->hdr_end < HDR_END_2_12 || bi->hdr_end > LINUX_HDR_END_MAX) {
		log_err("bzImage: bzimage_info has a header end of %#x: not from bzimage_parse",
		        bi->hdr_end);
		return -ERR_INVAL;
	}
	if (check_e820(lay))
		return -ERR_INVAL;
	if (lay->cmdline_len > bi->cmdline_size || !lay->cmdline_gpa) {
		log_err("bzImage: command line of %u bytes at %#lx (the kernel takes %u, not at 0)",
		        lay->cmdline_len, lay->cmdline_gpa, bi->cmdline_size);
		return -ERR_INVAL;
	}
	/* boot.rst "relocatable_kernel": any kernel_alignment multiple, else where it will run. */
	if (bi->relocatable ? !IS_ALIGNED(lay->kernel_gpa, (uint64_t)bi->kernel_alignment)
	                    : lay->kernel_gpa != fixed_address(bi)) {
		log_err("bzImage: kernel at %#lx, but it must be %s %#lx", lay->kernel_gpa,
		        bi->relocatable ? "aligned to" : "loaded at",
		        bi->relocatable ? bi->kernel_alignment : fixed_address(bi));
		return -ERR_INVAL;
	}
	/* boot.rst "initrd_addr_max": the highest byte, unless XLF_CAN_BE_LOADED_ABOVE_4G. */
	if (lay->initrd_size && !above_4g &&
	    lay->initrd_gpa + lay->initrd_size - 1 > bi->initrd_addr_max) {
		log_err("bzImage: initrd [%#lx, %#lx) ends above initrd_addr_max %#x",
		        lay->initrd_gpa, (lay->initrd_gpa + lay->initrd_size), bi->initrd_addr_max);
		return -ERR_INVAL;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (!in_ram(lay, p[i].base, p[i].len) ||
		    (!above_4g && p[i].base + p[i].len > GiB4)) {
			log_err("bzImage: %s [%#lx, +%#lx) is not inside one RAM entry%s",
			        p[i].name, p[i].base, p[i].len, above_4g ? "" : " below 4 GiB");
			return -ERR_INVAL;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (overlaps(p[i].base, p[i].len, p[j].base, p[j].len)) {
				log_err("bzImage: %s at %#lx overlaps %s at %#lx", p[i].name,
				        p[i].base, p[j].name, p[j].base);
				return -ERR_INVAL;
			}
		}
	}
	return 0;
}

int bzimage_build_params(const struct bzimage_info *bi, const void *img,
                         const struct bzimage_layout *lay, void *params_4k)
{
	struct linux_boot_params *bp = params_4k;
	struct linux_setup_header *h = &bp->hdr;

	if (check_layout(bi, lay))
		return -ERR_INVAL;

	/* boot.rst "64-bit Boot Protocol": a zeroed boot_params, then exactly the setup header. */
	memset(bp, 0, sizeof(*bp));
	memcpy((uint8_t *)bp + LINUX_HDR_OFFSET, (const uint8_t *)img + LINUX_HDR_OFFSET,
	       bi->hdr_end - LINUX_HDR_OFFSET);

	/* The fields boot.rst marks "write (obligatory)"; vid_mode keeps the image's default. */
	h->type_of_loader = LINUX_LOADER_UNDEFINED;
	h->ext_loader_ver = 0;
	h->ext_loader_type = 0;
	/* Only the real-mode setup, which the 64-bit entry skips, uses the heap. */
	h->loadflags |= LINUX_LF_CAN_USE_HEAP;
	h->heap_end_ptr = HEAP_END - 0x200;
	h->cmd_line_ptr = (uint32_t)lay->cmdline_gpa;
	bp->ext_cmd_line_ptr = (uint32_t)(lay->cmdline_gpa >> 32);
	h->ramdisk_image = (uint32_t)lay->initrd_gpa;
	bp->ext_ramdisk_image = (uint32_t)(lay->initrd_gpa >> 32);
	h->ramdisk_size = (uint32_t)lay->initrd_size;
	bp->ext_ramdisk_size = (uint32_t)(lay->initrd_size >> 32);
	if (!lay->initrd_size)
		h->ramdisk_image = bp->ext_ramdisk_image = 0;
	/* boot.rst "code32_start": a relocated kernel's load address, where it fits 32 bits. */
	if (lay->kernel_gpa < GiB4)
		h->code32_start = (uint32_t)lay->kernel_gpa;
	/* Loader-written pointers the image must not supply: no setup_data list, plain PC. */
	h->setup_data = 0;
	h->hardware_subarch = 0;
	h->hardware_subarch_data = 0;
	/* Older kernels ignore 0x70 and find the RSDP by scanning 0xe0000..0xfffff instead. */
	if (bi->version >= LINUX_PROTO_2_14)
		bp->acpi_rsdp_addr = lay->acpi_rsdp_addr;
	bp->e820_entries = (uint8_t)lay->e820_count;
	memcpy(bp->e820_table, lay->e820, lay->e820_count * sizeof(lay->e820[0]));
	return 0;
}
