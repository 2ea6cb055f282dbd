/*
 * linux_load() into fake guest RAM: gmem over a heap arena (so ASan sees any
 * write past it), optionally split into 8 MiB regions that are not
 * host-adjacent, so copies must cross region boundaries. The kernel is the
 * fake bzImage of bzimage_fixture.h. What the loader leaves in guest memory
 * is read back and decoded the way the CPU and the kernel would: boot_params
 * and the e820 map, the command line, the kernel and initrd bytes, a
 * four-level page walk, and the GDT descriptors behind the selectors.
 */
#include <hw/acpi_tables.h>
#include <linux_load.h>

#include "bzimage_fixture.h"

#define ARENA_BASE (1ull << 32) /* host-physical, 2 MiB aligned */
#define ARENA_SIZE (96 * MiB)
#define MEM        (64 * MiB)
#define CMDLINE    "console=ttyS0 root=/dev/ram0 quiet"

static uint8_t *arena;
static struct {
	uint64_t next;  /* bump pointer, host-physical */
	size_t max_run; /* frames per run; 0: any */
} al;

static uint64_t fake_alloc(void *ctx, size_t n, size_t align)
{
	uint64_t pa = ALIGN_UP(al.next, align * 4096ull);

	if ((al.max_run && n > al.max_run) || pa + n * 4096ull > ARENA_BASE + ARENA_SIZE)
		return 0;
	/* Split runs leave a 2 MiB gap, so gmem cannot merge them into one region. */
	al.next = pa + n * 4096ull + (al.max_run ? 2 * MiB : 0);
	return pa;
}

static void fake_free(void *ctx, uint64_t pa, size_t n)
{
	/* Nothing: the arena is reset per guest. */
}

static void *fake_virt(void *ctx, uint64_t pa)
{
	if (pa < ARENA_BASE || pa >= ARENA_BASE + ARENA_SIZE)
		return NULL;
	return arena + (pa - ARENA_BASE);
}

static const struct gmem_ops ops = {fake_alloc, fake_free, fake_virt, NULL};
static struct gmem gm;
static struct guest_acpi_cfg acfg;
static struct linux_boot lb;

/* Fresh guest RAM of size bytes over an arena full of garbage; split: 8 MiB regions. */
static bool guest(uint64_t size, bool split)
{
	if (!arena)
		arena = aligned_alloc(2 * MiB, ARENA_SIZE); /* kept for the run: not a leak */
	gmem_destroy(&gm);
	memset(arena, 0xa5, ARENA_SIZE);
	al.next = ARENA_BASE;
	al.max_run = split ? 8 * MiB / 4096 : 0;
	guest_acpi_cfg_init(&acfg, 2);
	make_image();
	return gmem_create(&gm, size, &ops) == 0 && (!split || gm.nregions > 1);
}

static int load(const void *initrd, size_t initrd_len, const char *cmdline)
{
	struct linux_image li = {img, sizeof(img), initrd, initrd_len, cmdline};

	unit_log_clear();
	return linux_load(&gm, &li, &acfg, &lb);
}

static uint64_t rd64(uint64_t gpa)
{
	uint64_t v = 0;

	if (gmem_copy_from(&gm, &v, gpa, 8) != 0)
		unit_fail(__FILE__, __LINE__, "read of %#llx outside guest RAM",
		          (unsigned long long)gpa);
	return v;
}

static const struct linux_boot_params *boot_params(void)
{
	return gmem_ptr(&gm, BZIMAGE_PARAMS_GPA, 4096);
}

/*
 * An initrd of len patterned bytes in an exactly-sized heap buffer. The
 * previous one is freed here, not by the test, so a REQUIRE that ends a test
 * early leaks nothing.
 */
static uint8_t *initrd_buf;

static uint8_t *make_initrd(size_t len)
{
	free(initrd_buf);
	initrd_buf = malloc(len);
	for (size_t i = 0; i < len; i++)
		initrd_buf[i] = (uint8_t)(i * 13 + 1);
	return initrd_buf;
}

static bool guest_equals(uint64_t gpa, const void *src, size_t len)
{
	uint8_t *copy = malloc(len);
	bool same = gmem_copy_from(&gm, copy, gpa, len) == 0 && memcmp(copy, src, len) == 0;

	free(copy);
	return same;
}

/* ---- entry state ----------------------------------------------------------------------- */

TEST(entry_registers)
{
	const struct linux_boot_params *bp;

	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 0, CMDLINE) == 0);
	CHECK_STR(unit_log(), "");
	bp = boot_params();
	REQUIRE(bp);
	/* boot.rst "64-bit Boot Protocol": enter at the load address + 0x200, %rsi = boot_params. */
	CHECK_EQ(lb.rip, 16 * MiB + 0x200);
	CHECK_EQ(lb.rip, bp->hdr.code32_start + LINUX_ENTRY64_OFFSET);
	CHECK_EQ(lb.rip, bzimage_entry64(&lb.lay));
	CHECK_EQ(lb.rsi, 0x7000);
	CHECK_EQ(lb.rsi, lb.lay.params_gpa);
	CHECK_EQ(bp->hdr.header, LINUX_HDRS_MAGIC);
	CHECK_EQ(lb.cr3, 0x9000);
	CHECK_EQ(lb.gdt, 0x6000);
	CHECK_EQ(lb.gdt_limit, 4 * 8 - 1);
	CHECK_EQ(lb.cs, 0x10);
	CHECK_EQ(lb.ds, 0x18);
	/* The stack page [0x8000, 0x9000) is free RAM, 16-byte aligned at the top. */
	CHECK_EQ(lb.rsp, 0x9000);
	CHECK_EQ(lb.rsp % 16, 0);
	CHECK_EQ(rd64(lb.rsp - 8), 0);
	/* What was parsed and planned comes back for the log. */
	CHECK_EQ(lb.info.kernel_size, KSIZE);
	CHECK_STR(lb.info.kernel_version, VERSION);
	CHECK_EQ(lb.lay.kernel_gpa, 16 * MiB);
	CHECK_EQ(lb.lay.acpi_base, 0xe0000);
	CHECK_EQ(lb.lay.acpi_len, 0x10000);
}

TEST(gdt_flat_64bit_code_and_data)
{
	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 0, CMDLINE) == 0);
	CHECK_EQ(rd64(0x6000), 0); /* the null descriptor */
	CHECK_EQ(rd64(0x6008), 0);

	/* SDM Vol. 3A 3.4.5: base 31:24|23:0, limit 19:16|15:0, type, S, DPL, P, L, D/B, G. */
	for (unsigned int sel = lb.cs; sel <= lb.ds; sel += 8) {
		uint64_t d = rd64(lb.gdt + sel);
		uint32_t base = (uint32_t)(((d >> 16) & 0xffffff) | ((d >> 56) << 24));
		uint32_t limit = (uint32_t)((d & 0xffff) | (((d >> 48) & 0xf) << 16));
		bool code = sel == lb.cs;

		CHECK(sel + 7 <= lb.gdt_limit);
		CHECK_EQ(sel & 7, 0); /* GDT, RPL 0 */
		CHECK_EQ(base, 0);
		CHECK_EQ(limit, 0xfffff);
		CHECK_EQ((d >> 55) & 1, 1); /* G: 4 KiB granularity, flat 4 GiB */
		CHECK_EQ((d >> 47) & 1, 1); /* P */
		CHECK_EQ((d >> 45) & 3, 0); /* DPL 0 */
		CHECK_EQ((d >> 44) & 1, 1); /* S: code or data */
		if (code) {
			CHECK_EQ((d >> 40) & 0xf, 0xb); /* execute/read, accessed */
			CHECK_EQ((d >> 53) & 1, 1);     /* L: 64-bit */
			CHECK_EQ((d >> 54) & 1, 0);     /* D must be 0 with L */
		} else {
			CHECK_EQ((d >> 40) & 0xf, 0x3); /* read/write, accessed */
			CHECK_EQ((d >> 53) & 1, 0);
			CHECK_EQ((d >> 54) & 1, 1); /* B: 32-bit stack */
		}
	}
}

/* A four-level walk from cr3 with 2 MiB leaves (SDM Vol. 3A 4.5); ~0 when unmapped. */
static uint64_t walk(uint64_t cr3, uint64_t va)
{
	uint64_t e = cr3;

	for (int level = 3; level >= 1; level--) {
		e = rd64((e & 0x000ffffffffff000ull) + ((va >> (12 + 9 * level)) & 511) * 8);
		if ((e & 3) != 3 || (e >> 63)) /* present, writable, executable */
			return ~0ull;
		if (level == 1)
			return (e & 0x8000000000000080ull) == 0x80
			           ? (e & 0x000fffffffe00000ull) | (va & 0x1fffff)
			           : ~0ull;
		if (e & 0x80) /* no 1 GiB pages where the loader puts tables */
			return ~0ull;
	}
	return ~0ull;
}

TEST(page_tables_identity_map_4g)
{
	/* Low pages, command line, ACPI, the kernel's entry and init_size end, top of RAM, LAPIC. */
	static const uint64_t probes[] = {0,         0x6000,    0x7000,    0x20000,    0xe0000,
	                                  0x1000200, 0x17fffff, 0x3f00005, 0xfee00000, 0xffffffff};

	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 0, CMDLINE) == 0);
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		CHECK_EQ(walk(lb.cr3, probes[i]), probes[i]);
	for (uint64_t va = 0; va < 4 * GiB; va += 2 * MiB)
		if (walk(lb.cr3, va + 0x1234) != va + 0x1234) {
			unit_fail(__FILE__, __LINE__, "%#llx not identity-mapped",
			          (unsigned long long)va);
			break;
		}
	CHECK_EQ(walk(lb.cr3, 4 * GiB), ~0ull); /* only the low 4 GiB */

	/* Exactly: PML4[0] -> PDPT, PDPT[0..3] -> four PDs, 2048 2 MiB leaves, nothing else. */
	CHECK_EQ(rd64(LINUX_PML4_GPA), LINUX_PDPT_GPA | 3);
	for (uint64_t i = 1; i < 512; i++)
		CHECK_EQ(rd64(LINUX_PML4_GPA + i * 8), 0);
	for (uint64_t i = 0; i < 512; i++)
		CHECK_EQ(rd64(LINUX_PDPT_GPA + i * 8), i < 4 ? (LINUX_PD_GPA + i * 4096) | 3 : 0);
	for (uint64_t i = 0; i < 4 * 512; i++)
		CHECK_EQ(rd64(LINUX_PD_GPA + i * 8), (i << 21) | 0x83);
	CHECK_EQ(LINUX_PD_GPA + 4 * 4096, 0xf000); /* below the command line and ACPI */
}

/* ---- boot_params ---------------------------------------------------------------------- */

TEST(boot_params_from_the_setup_header)
{
	const struct linux_boot_params *bp;
	const struct linux_setup_header *h;
	uint8_t *rd = make_initrd(3 * MiB + 5);

	REQUIRE(guest(MEM, false));
	hdr(img)->type_of_loader = 0x42; /* the loader's to write */
	REQUIRE(load(rd, 3 * MiB + 5, CMDLINE) == 0);
	bp = boot_params();
	REQUIRE(bp);
	h = &bp->hdr;
	/* Copied from the image. */
	CHECK(memcmp((const uint8_t *)bp + 0x1f1, img + 0x1f1, 0x210 - 0x1f1) == 0);
	CHECK_EQ(h->boot_flag, LINUX_BOOT_FLAG);
	CHECK_EQ(h->version, LINUX_PROTO(2, 15));
	CHECK_EQ(h->setup_sects, SECTS);
	CHECK_EQ(h->init_size, INIT_SIZE);
	CHECK_EQ(h->kernel_alignment, 2 * MiB);
	CHECK_EQ(h->pref_address, 16 * MiB);
	CHECK_EQ(h->initrd_addr_max, 0x7fffffff);
	CHECK_EQ(h->cmdline_size, 0x7ff);
	CHECK_EQ(h->xloadflags, LINUX_XLF_KERNEL_64);
	CHECK_EQ(h->kernel_info_offset, 0x1000);
	CHECK_EQ(bp->sentinel, 0); /* exactly the header, not the byte before it */
	/* Written by the loader. */
	CHECK_EQ(h->type_of_loader, 0xff);
	CHECK_EQ(h->loadflags, LINUX_LF_LOADED_HIGH | LINUX_LF_CAN_USE_HEAP);
	CHECK_EQ(h->code32_start, 16 * MiB);
	CHECK_EQ(h->cmd_line_ptr, 0x20000);
	CHECK_EQ(bp->ext_cmd_line_ptr, 0);
	CHECK_EQ(h->ramdisk_image, 61 * MiB - 4096);
	CHECK_EQ(h->ramdisk_size, 3 * MiB + 5);
	CHECK_EQ(bp->ext_ramdisk_image, 0);
	CHECK_EQ(bp->ext_ramdisk_size, 0);
	CHECK_EQ(h->setup_data, 0);
}

TEST(boot_params_e820_covers_ram_around_the_holes)
{
	const struct linux_boot_params *bp;
	uint64_t end = 0;

	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 0, CMDLINE) == 0);
	bp = boot_params();
	REQUIRE(bp);
	REQUIRE(bp->e820_entries == 3);
	CHECK(memcmp(bp->e820_table, lb.lay.e820, 3 * sizeof(bp->e820_table[0])) == 0);
	/* Conventional RAM, the EBDA/VGA/BIOS hole (holding the ACPI tables), RAM above 1 MiB. */
	CHECK_EQ(bp->e820_table[0].addr, 0);
	CHECK_EQ(bp->e820_table[0].size, 0x9fc00);
	CHECK_EQ(bp->e820_table[0].type, MB_MEM_AVAILABLE);
	CHECK_EQ(bp->e820_table[1].addr, 0x9fc00);
	CHECK_EQ(bp->e820_table[1].size, 0x100000 - 0x9fc00);
	CHECK_EQ(bp->e820_table[1].type, MB_MEM_RESERVED);
	CHECK_EQ(bp->e820_table[2].addr, MiB);
	CHECK_EQ(bp->e820_table[2].size, MEM - MiB);
	CHECK_EQ(bp->e820_table[2].type, MB_MEM_AVAILABLE);
	/* Sorted, gapless, exactly guest RAM. */
	for (unsigned int i = 0; i < bp->e820_entries; i++) {
		CHECK_EQ(bp->e820_table[i].addr, end);
		end = bp->e820_table[i].addr + bp->e820_table[i].size;
	}
	CHECK_EQ(end, gm.size);
	/* The ACPI tables sit inside the reserved entry; the loader's own pages in RAM. */
	CHECK(LINUX_ACPI_GPA >= 0x9fc00 && LINUX_ACPI_GPA + LINUX_ACPI_LEN <= MiB);
	CHECK(0xf000 <= bp->e820_table[0].size);
}

TEST(boot_params_rsdp)
{
	const struct linux_boot_params *bp;
	const uint8_t *r;
	uint8_t sum = 0;

	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 0, CMDLINE) == 0);
	bp = boot_params();
	REQUIRE(bp);
	CHECK_EQ(bp->acpi_rsdp_addr, lb.acpi.rsdp_gpa);
	CHECK_EQ(lb.lay.acpi_rsdp_addr, lb.acpi.rsdp_gpa);
	/* Where a kernel that ignores acpi_rsdp_addr scans for it (ACPI 6.5 5.2.5.1). */
	CHECK(lb.acpi.rsdp_gpa >= 0xe0000 && lb.acpi.rsdp_gpa < 0x100000);
	CHECK_EQ(lb.acpi.rsdp_gpa % 16, 0);
	CHECK(lb.acpi.len > 0 && lb.acpi.len <= LINUX_ACPI_LEN);
	r = gmem_ptr(&gm, lb.acpi.rsdp_gpa, ACPI_RSDP_V2_LEN);
	REQUIRE(r);
	CHECK(memcmp(r, ACPI_SIG_RSDP, 8) == 0);
	for (int i = 0; i < ACPI_RSDP_V1_LEN; i++)
		sum = (uint8_t)(sum + r[i]);
	CHECK_EQ(sum, 0);

	/* Protocol 2.13 has no acpi_rsdp_addr: 0, and the scan finds the same RSDP. */
	REQUIRE(guest(MEM, false));
	hdr(img)->version = LINUX_PROTO(2, 13);
	REQUIRE(load(NULL, 0, CMDLINE) == 0);
	bp = boot_params();
	REQUIRE(bp);
	CHECK_EQ(bp->acpi_rsdp_addr, 0);
	CHECK(lb.acpi.rsdp_gpa >= 0xe0000 && lb.acpi.rsdp_gpa < 0x100000);
}

/* ---- what lands in guest RAM ---------------------------------------------------------------- */

TEST(cmdline_string)
{
	const char *s;
	static char longest[0x7ff + 1];

	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 0, CMDLINE) == 0);
	s = gmem_ptr(&gm, boot_params()->hdr.cmd_line_ptr, sizeof(CMDLINE));
	REQUIRE(s);
	CHECK_STR(s, CMDLINE);
	CHECK_EQ(lb.lay.cmdline_len, strlen(CMDLINE));

	/* cmdline_size characters fit, with the NUL after them. */
	memset(longest, 'x', 0x7ff);
	longest[0x7ff] = '\0';
	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 0, longest) == 0);
	CHECK(guest_equals(0x20000, longest, 0x7ff + 1));

	/* An empty command line is an empty string, not a null pointer. */
	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 0, "") == 0);
	CHECK_EQ(boot_params()->hdr.cmd_line_ptr, 0x20000);
	CHECK_EQ(*(const char *)gmem_ptr(&gm, 0x20000, 1), '\0');
}

TEST(kernel_and_initrd_bytes_across_regions)
{
	size_t len = 10 * MiB + 5;
	uint8_t *rd = make_initrd(len);
	const struct linux_boot_params *bp;

	REQUIRE(guest(MEM, true));
	REQUIRE(load(rd, len, CMDLINE) == 0);
	bp = boot_params();
	REQUIRE(bp);
	/* The protected-mode kernel, file [setup, end), at its load address. */
	CHECK(guest_equals(16 * MiB, img + SETUP, KSIZE));
	CHECK_EQ(rd64(16 * MiB + KSIZE), 0); /* the rest of init_size is the kernel's to fill */
	/* The initrd straddles the 56 MiB region boundary. */
	CHECK_EQ(bp->hdr.ramdisk_image, 54 * MiB - 4096);
	CHECK(bp->hdr.ramdisk_image < 56 * MiB && bp->hdr.ramdisk_image + len > 56 * MiB);
	CHECK(guest_equals(bp->hdr.ramdisk_image, rd, len));
	CHECK_EQ(bp->hdr.ramdisk_size, len);
}

/* Everything outside the pieces the loader places is still the zeroes gmem_create left. */
TEST(nothing_else_written)
{
	size_t len = 3 * MiB + 5;
	uint8_t *rd = make_initrd(len);
	static uint8_t copy[MEM];
	struct {
		uint64_t base, len;
	} pieces[] = {
	    {0x6000, 32},               /* GDT */
	    {0x7000, 4096},             /* boot_params */
	    {0x9000, 0xf000 - 0x9000},  /* page tables */
	    {0x20000, sizeof(CMDLINE)}, /* command line */
	    {LINUX_ACPI_GPA, 0},        /* ACPI tables: lb.acpi.len */
	    {16 * MiB, KSIZE},          /* kernel */
	    {61 * MiB - 4096, len},     /* initrd */
	};
	uint64_t i;

	REQUIRE(guest(MEM, true));
	REQUIRE(load(rd, len, CMDLINE) == 0);
	pieces[4].len = lb.acpi.len;
	REQUIRE(gmem_copy_from(&gm, copy, 0, MEM) == 0);
	for (size_t p = 0; p < ARRAY_SIZE(pieces); p++)
		memset(copy + pieces[p].base, 0, pieces[p].len);
	for (i = 0; i < MEM && !copy[i]; i++)
		;
	if (i < MEM)
		unit_fail(__FILE__, __LINE__, "stray byte %#x at %#llx", copy[i],
		          (unsigned long long)i);
}

/* ---- placement ---------------------------------------------------------------------------- */

TEST(initrd_page_aligned_below_initrd_addr_max)
{
	uint8_t *rd = make_initrd(3 * MiB);
	const struct linux_boot_params *bp;

	REQUIRE(guest(MEM, false));
	hdr(img)->initrd_addr_max = 32 * MiB - 1;
	REQUIRE(load(rd, 3 * MiB, CMDLINE) == 0);
	bp = boot_params();
	REQUIRE(bp);
	CHECK_EQ(bp->hdr.ramdisk_image, 29 * MiB);
	CHECK_EQ(bp->hdr.ramdisk_image % 4096, 0);
	CHECK(bp->hdr.ramdisk_image + bp->hdr.ramdisk_size - 1 <= bp->hdr.initrd_addr_max);
	CHECK(bp->hdr.ramdisk_image >= lb.lay.kernel_gpa + INIT_SIZE);
	CHECK(guest_equals(29 * MiB, rd, 3 * MiB));
}

TEST(initrd_largest_that_fits)
{
	size_t room = MEM - (16 * MiB + INIT_SIZE); /* between the kernel's end and the top */
	uint8_t *rd = make_initrd(room + 1);

	REQUIRE(guest(MEM, false));
	REQUIRE(load(rd, room, CMDLINE) == 0);
	CHECK_EQ(boot_params()->hdr.ramdisk_image, 16 * MiB + INIT_SIZE);
	CHECK(guest_equals(16 * MiB + INIT_SIZE, rd, room));

	REQUIRE(guest(MEM, false));
	CHECK_EQ(load(rd, room + 1, CMDLINE), -ERR_NOMEM);
	CHECK_EQ(log_lines(), 1);
	CHECK(unit_log_contains("an initrd of 41943041 bytes does not fit"));
}

TEST(no_initrd)
{
	REQUIRE(guest(MEM, false));
	REQUIRE(load(NULL, 12345, CMDLINE) == 0); /* a length without an initrd means none */
	CHECK_EQ(boot_params()->hdr.ramdisk_image, 0);
	CHECK_EQ(boot_params()->hdr.ramdisk_size, 0);
	CHECK_EQ(lb.lay.initrd_size, 0);
}

TEST(fixed_kernel_at_1mib)
{
	REQUIRE(guest(32 * MiB, false));
	hdr(img)->relocatable_kernel = 0;
	hdr(img)->pref_address = 0;
	REQUIRE(load(NULL, 0, CMDLINE) == 0);
	CHECK_EQ(lb.lay.kernel_gpa, MiB);
	CHECK_EQ(lb.rip, MiB + 0x200);
	CHECK_EQ(boot_params()->hdr.code32_start, MiB);
	CHECK(guest_equals(MiB, img + SETUP, KSIZE));
	CHECK_EQ(walk(lb.cr3, lb.rip), lb.rip);
}

/* ---- refusals ------------------------------------------------------------------------------ */

static void expect_refused(int ret, int err, const char *why, int line)
{
	if (ret != err || log_lines() != 1 || !unit_log_contains(why))
		unit_fail(__FILE__, line, "got %d, expected %d with \"%s\"; log: %s", ret, err, why,
		          unit_log());
}

TEST(refusals)
{
	static char toolong[0x800 + 1];
	static uint8_t rd[4096];
	struct linux_image li = {img, 0x100, NULL, 0, CMDLINE};

	REQUIRE(guest(MEM, false));
	hdr(img)->boot_flag = 0x1234;
	expect_refused(load(NULL, 0, CMDLINE), -ERR_INVAL, "not a bzImage", __LINE__);

	REQUIRE(guest(MEM, false));
	unit_log_clear();
	expect_refused(linux_load(&gm, &li, &acfg, &lb), -ERR_INVAL, "truncated", __LINE__);

	REQUIRE(guest(MEM, false));
	memset(toolong, 'x', 0x800);
	expect_refused(load(NULL, 0, toolong), -ERR_INVAL,
	               "command line of 2048 bytes exceeds cmdline_size 2047", __LINE__);

	REQUIRE(guest(20 * MiB, false));
	expect_refused(load(NULL, 0, CMDLINE), -ERR_NOMEM,
	               "runs past the end of guest RAM at 0x1400000", __LINE__);

	/* Larger than guest RAM: refused before a byte of it is read (ASan would see). */
	REQUIRE(guest(MEM, false));
	expect_refused(load(rd, 2 * MEM, CMDLINE), -ERR_NOMEM, "does not fit between", __LINE__);

	REQUIRE(guest(512 * 1024, false));
	expect_refused(load(NULL, 0, CMDLINE), -ERR_NOMEM, "no room for ACPI tables at 0xe0000",
	               __LINE__);

	REQUIRE(guest(MEM, false));
	acfg.n_vcpus = 0;
	expect_refused(load(NULL, 0, CMDLINE), -ERR_INVAL, "guest ACPI: 0 vCPUs", __LINE__);
}
