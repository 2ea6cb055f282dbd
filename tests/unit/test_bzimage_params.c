/*
 * bzimage_build_params(): the boot_params page built from the fake image's
 * setup header and a layout, the loader-owned fields it overrides, and each
 * broken layout it refuses without touching the page.
 */
#include "bzimage_fixture.h"

static void plan_default(struct bzimage_info *bi, struct bzimage_layout *lay)
{
	parse_ok(bi);
	memset(lay, 0, sizeof(*lay));
	if (bzimage_plan(bi, 256 * MiB, 12, 2 * MiB, lay) != 0)
		unit_fail(__FILE__, __LINE__, "plan failed: %s", unit_log());
}

TEST(params_filled)
{
	struct bzimage_info bi;
	struct bzimage_layout lay;
	const struct linux_boot_params *bp = (const struct linux_boot_params *)params;
	const struct linux_setup_header *h = &bp->hdr;

	make_image();
	/* Loader-owned fields the image must not get to choose. */
	hdr(img)->type_of_loader = 0x42;
	hdr(img)->setup_data = 0xdeadbeef000ull;
	hdr(img)->hardware_subarch = 2;
	hdr(img)->hardware_subarch_data = 0x1234;
	hdr(img)->ramdisk_image = 0x5555;
	plan_default(&bi, &lay);
	lay.acpi_rsdp_addr = 0xe0010;
	memset(params, 0x5a, sizeof(params));
	unit_log_clear();
	REQUIRE(bzimage_build_params(&bi, img, &lay, params) == 0);
	CHECK_STR(unit_log(), "");

	/* Zero outside the header, the e820 table and the few fields set. */
	for (size_t i = 0; i < 0x1f1; i++) {
		if ((i >= 0x70 && i < 0x78) || i == 0x1e8)
			continue; /* acpi_rsdp_addr, e820_entries */
		if (params[i]) {
			unit_fail(__FILE__, __LINE__, "boot_params[%#zx] = %#x", i, params[i]);
			break;
		}
	}
	CHECK_EQ(bp->sentinel, 0);
	for (size_t i = HDR_END; i < 0x2d0; i++)
		CHECK_EQ(params[i], 0);
	for (size_t i = 0x2d0 + 3 * 20; i < 4096; i++) {
		if (params[i]) {
			unit_fail(__FILE__, __LINE__, "boot_params[%#zx] = %#x", i, params[i]);
			break;
		}
	}

	/* The header as the image has it ... */
	CHECK(memcmp(params + 0x1f1, img + 0x1f1, 0x210 - 0x1f1) == 0);
	CHECK(memcmp(params + 0x22c, img + 0x22c, 0x23c - 0x22c) == 0);
	CHECK(memcmp(params + 0x248, img + 0x248, 0x250 - 0x248) == 0);
	CHECK(memcmp(params + 0x258, img + 0x258, HDR_END - 0x258) == 0);
	CHECK_EQ(h->vid_mode, 0xffff);
	CHECK_EQ(h->init_size, INIT_SIZE);
	CHECK_EQ(h->kernel_info_offset, 0x1000);
	/* ... and the loader's fields. */
	CHECK_EQ(h->type_of_loader, 0xff);
	CHECK_EQ(h->loadflags, LINUX_LF_LOADED_HIGH | LINUX_LF_CAN_USE_HEAP);
	CHECK_EQ(h->heap_end_ptr, 0xde00);
	CHECK_EQ(h->cmd_line_ptr, 0x20000);
	CHECK_EQ(bp->ext_cmd_line_ptr, 0);
	CHECK_EQ(h->ramdisk_image, 254 * MiB);
	CHECK_EQ(h->ramdisk_size, 2 * MiB);
	CHECK_EQ(bp->ext_ramdisk_image, 0);
	CHECK_EQ(bp->ext_ramdisk_size, 0);
	CHECK_EQ(h->code32_start, 16 * MiB);
	CHECK_EQ(h->setup_data, 0);
	CHECK_EQ(h->hardware_subarch, 0);
	CHECK_EQ(h->hardware_subarch_data, 0);
	CHECK_EQ(bp->acpi_rsdp_addr, 0xe0010);

	REQUIRE(bp->e820_entries == 3);
	CHECK_EQ(bp->e820_table[0].addr, 0);
	CHECK_EQ(bp->e820_table[0].size, 0x9fc00);
	CHECK_EQ(bp->e820_table[0].type, MB_MEM_AVAILABLE);
	CHECK_EQ(bp->e820_table[1].addr, 0x9fc00);
	CHECK_EQ(bp->e820_table[1].type, MB_MEM_RESERVED);
	CHECK_EQ(bp->e820_table[2].addr, MiB);
	CHECK_EQ(bp->e820_table[2].size, 255 * MiB);
	CHECK_EQ(bp->e820_table[2].type, MB_MEM_AVAILABLE);
	CHECK(memcmp(params + 0x2d0, lay.e820, 3 * 20) == 0);
}

TEST(params_no_initrd)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};
	const struct linux_boot_params *bp = (const struct linux_boot_params *)params;

	make_image();
	hdr(img)->ramdisk_image = 0x5555; /* not the loader's: cleared */
	hdr(img)->ramdisk_size = 0x6666;
	parse_ok(&bi);
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, 0, &lay) == 0);
	REQUIRE(bzimage_build_params(&bi, img, &lay, params) == 0);
	CHECK_EQ(bp->hdr.ramdisk_image, 0);
	CHECK_EQ(bp->hdr.ramdisk_size, 0);
	CHECK_EQ(bp->hdr.cmd_line_ptr, 0x20000);
}

TEST(params_rsdp_needs_2_14)
{
	struct bzimage_info bi;
	struct bzimage_layout lay;
	const struct linux_boot_params *bp = (const struct linux_boot_params *)params;

	make_image();
	hdr(img)->version = LINUX_PROTO(2, 13);
	plan_default(&bi, &lay);
	lay.acpi_rsdp_addr = 0xe0010;
	REQUIRE(bzimage_build_params(&bi, img, &lay, params) == 0);
	CHECK_EQ(bp->acpi_rsdp_addr, 0);

	hdr(img)->version = LINUX_PROTO(2, 14);
	plan_default(&bi, &lay);
	lay.acpi_rsdp_addr = 0xe0010;
	REQUIRE(bzimage_build_params(&bi, img, &lay, params) == 0);
	CHECK_EQ(bp->acpi_rsdp_addr, 0xe0010);
}

TEST(params_high_bits_above_4g)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};
	const struct linux_boot_params *bp = (const struct linux_boot_params *)params;

	make_image();
	hdr(img)->xloadflags |= LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	parse_ok(&bi);
	REQUIRE(bzimage_plan(&bi, 6 * GiB, 5, 5 * MiB, &lay) == 0);
	CHECK_EQ(lay.initrd_gpa, 6 * GiB - 5 * MiB);
	lay.cmdline_gpa = 5 * GiB + 0x1234; /* the kernel takes a command line up there too */
	REQUIRE(bzimage_build_params(&bi, img, &lay, params) == 0);
	CHECK_EQ(bp->hdr.ramdisk_image, (uint32_t)(6 * GiB - 5 * MiB));
	CHECK_EQ(bp->ext_ramdisk_image, 1);
	CHECK_EQ(bp->hdr.ramdisk_size, 5 * MiB);
	CHECK_EQ(bp->ext_ramdisk_size, 0);
	CHECK_EQ(bp->hdr.cmd_line_ptr, 1 * GiB + 0x1234);
	CHECK_EQ(bp->ext_cmd_line_ptr, 1);

	/* A kernel above 4 GiB: code32_start cannot say so and keeps the image's value. */
	lay.kernel_gpa = 4 * GiB;
	REQUIRE(bzimage_build_params(&bi, img, &lay, params) == 0);
	CHECK_EQ(bp->hdr.code32_start, 0x100000);
}

/* Each broken layout is refused with one line and leaves the page as it was. */
static void expect_refused(const struct bzimage_info *bi, const struct bzimage_layout *lay,
                           const char *why, int line)
{
	static uint8_t before[4096];

	memset(params, 0x5a, sizeof(params));
	memcpy(before, params, sizeof(params));
	unit_log_clear();
	if (bzimage_build_params(bi, img, lay, params) != -ERR_INVAL || log_lines() != 1 ||
	    !unit_log_contains(why) || memcmp(before, params, sizeof(params)) != 0)
		unit_fail(__FILE__, line, "expected a refusal with \"%s\", log: %s", why,
		          unit_log());
}

TEST(params_refuse_bad_layouts)
{
	struct bzimage_info bi;
	struct bzimage_layout good, lay;

	make_image();
	plan_default(&bi, &good);

	lay = good;
	lay.kernel_gpa += MiB;
	expect_refused(&bi, &lay, "kernel at 0x1100000, but it must be aligned to 0x200000",
	               __LINE__);

	lay = good;
	lay.initrd_gpa = 0x7fffffff - 2 * MiB + 2; /* last byte at initrd_addr_max + 1 */
	expect_refused(&bi, &lay, "ends above initrd_addr_max 0x7fffffff", __LINE__);

	lay = good;
	lay.cmdline_len = 0x800;
	expect_refused(&bi, &lay, "command line of 2048 bytes", __LINE__);

	lay = good;
	lay.cmdline_gpa = 0;
	expect_refused(&bi, &lay, "command line of 12 bytes at 0", __LINE__);

	lay = good;
	lay.initrd_gpa = 20 * MiB;
	expect_refused(&bi, &lay, "initrd at 0x1400000 overlaps kernel at 0x1000000", __LINE__);

	lay = good;
	lay.cmdline_gpa = 0x7ff8;
	expect_refused(&bi, &lay, "command line at 0x7ff8 overlaps boot_params at 0x7000",
	               __LINE__);

	lay = good;
	lay.initrd_gpa = 255 * MiB; /* runs past the end of RAM */
	expect_refused(&bi, &lay, "initrd [0xff00000, +0x200000) is not inside one RAM entry",
	               __LINE__);

	lay = good;
	lay.cmdline_gpa = 0x9fc00 - 4; /* runs into the reserved entry */
	expect_refused(&bi, &lay, "command line [0x9fbfc, +0xd) is not inside one RAM entry",
	               __LINE__);

	lay = good; /* above 4 GiB without XLF_CAN_BE_LOADED_ABOVE_4G */
	lay.e820[2].size = 8 * GiB;
	lay.cmdline_gpa = 5 * GiB;
	expect_refused(&bi, &lay,
	               "command line [0x140000000, +0xd) is not inside one RAM entry below 4 GiB",
	               __LINE__);

	lay = good;
	lay.e820_count = LINUX_E820_MAX + 1;
	expect_refused(&bi, &lay, "129 e820 entries, boot_params holds 128", __LINE__);

	lay = good;
	lay.e820[1].addr = 0x9f000; /* overlaps entry 0 */
	expect_refused(&bi, &lay, "e820 entry 1 (0x9f000+0x60400 type 2) overlaps or precedes",
	               __LINE__);

	lay = good;
	lay.e820[2].size = 0;
	expect_refused(&bi, &lay, "e820 entry 2 (0x100000+0 type 1) is empty", __LINE__);

	lay = good;
	lay.e820[2].addr = UINT64_MAX - 10;
	expect_refused(&bi, &lay, "(0xfffffffffffffff5+0xff00000 type 1) wraps around", __LINE__);

	lay = good;
	lay.e820[0].type = 0;
	expect_refused(&bi, &lay, "e820 entry 0 (0+0x9fc00 type 0) has no type", __LINE__);

	/* A non-relocatable kernel must sit at pref_address. */
	hdr(img)->relocatable_kernel = 0;
	plan_default(&bi, &good);
	lay = good;
	lay.kernel_gpa = 18 * MiB;
	expect_refused(&bi, &lay, "kernel at 0x1200000, but it must be loaded at 0x1000000",
	               __LINE__);

	/* A forged bzimage_info cannot make the header copy overrun. */
	lay = good;
	bi.hdr_end = 0x1000;
	expect_refused(&bi, &lay, "not from bzimage_parse", __LINE__);
}

TEST(params_full_e820_table)
{
	struct bzimage_info bi;
	struct bzimage_layout lay;
	const struct linux_boot_params *bp = (const struct linux_boot_params *)params;

	make_image();
	plan_default(&bi, &lay);
	/* 125 reserved pages above RAM make 128 entries. */
	for (uint32_t i = 3; i < LINUX_E820_MAX; i++)
		lay.e820[i] =
		    (struct linux_e820_entry){4 * GiB + i * 8192ull, 4096, MB_MEM_RESERVED};
	lay.e820_count = LINUX_E820_MAX;
	REQUIRE(bzimage_build_params(&bi, img, &lay, params) == 0);
	CHECK_EQ(bp->e820_entries, 128);
	CHECK_EQ(bp->e820_table[127].addr, 4 * GiB + 127 * 8192ull);
	CHECK_EQ(bp->e820_table[127].type, MB_MEM_RESERVED);
	CHECK_EQ(bp->eddbuf[0], 0);
}
