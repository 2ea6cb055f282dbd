/*
 * bzimage_plan(): where boot_params, the command line, the kernel and the
 * initrd go in guest RAM, the e820 map around the ACPI range, and the
 * refusals when they do not fit; what it plans, bzimage_build_params() must
 * accept.
 */
#include "bzimage_fixture.h"

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

TEST(plan_default_layout)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};

	make_image();
	parse_ok(&bi);
	unit_log_clear();
	REQUIRE(bzimage_plan(&bi, 256 * MiB, 30, 3 * MiB + 5, &lay) == 0);
	CHECK_STR(unit_log(), "");
	CHECK_EQ(lay.params_gpa, 0x7000);
	CHECK_EQ(lay.cmdline_gpa, 0x20000);
	CHECK_EQ(lay.cmdline_len, 30);
	CHECK_EQ(lay.kernel_gpa, 16 * MiB);
	CHECK_EQ(bzimage_entry64(&lay), 16 * MiB + 0x200);
	CHECK_EQ(lay.initrd_size, 3 * MiB + 5);
	CHECK_EQ(lay.initrd_gpa, 253 * MiB - 4096); /* page-aligned down from the top */
	CHECK(!ranges_overlap(lay.initrd_gpa, lay.initrd_size, lay.kernel_gpa, INIT_SIZE));
	REQUIRE(lay.e820_count == 3);
	CHECK_EQ(lay.e820[0].addr, 0);
	CHECK_EQ(lay.e820[0].size, 0x9fc00);
	CHECK_EQ(lay.e820[0].type, MB_MEM_AVAILABLE);
	CHECK_EQ(lay.e820[1].addr, 0x9fc00);
	CHECK_EQ(lay.e820[1].size, 0x100000 - 0x9fc00);
	CHECK_EQ(lay.e820[1].type, MB_MEM_RESERVED);
	CHECK_EQ(lay.e820[2].addr, MiB);
	CHECK_EQ(lay.e820[2].size, 255 * MiB);
	CHECK_EQ(lay.e820[2].type, MB_MEM_AVAILABLE);
}

TEST(plan_kernel_address)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};

	make_image();
	hdr(img)->pref_address = 17 * MiB; /* relocatable: rounded up to 2 MiB */
	parse_ok(&bi);
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, 0, &lay) == 0);
	CHECK_EQ(lay.kernel_gpa, 18 * MiB);
	CHECK_EQ(lay.initrd_gpa, 0);
	CHECK_EQ(lay.initrd_size, 0);

	hdr(img)->pref_address = 2 * MiB; /* below 16 MiB: raised */
	parse_ok(&bi);
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, 0, &lay) == 0);
	CHECK_EQ(lay.kernel_gpa, 16 * MiB);

	hdr(img)->relocatable_kernel = 0; /* fixed: exactly pref_address */
	parse_ok(&bi);
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, 0, &lay) == 0);
	CHECK_EQ(lay.kernel_gpa, 2 * MiB);

	hdr(img)->pref_address = 0; /* fixed without pref_address: 1 MiB (LOADED_HIGH) */
	parse_ok(&bi);
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, 0, &lay) == 0);
	CHECK_EQ(lay.kernel_gpa, MiB);
}

TEST(plan_small_ram_refused)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};

	make_image();
	parse_ok(&bi);
	unit_log_clear();
	CHECK_EQ(bzimage_plan(&bi, 24 * MiB - 4096, 0, 0, &lay), -ERR_NOMEM);
	CHECK(unit_log_contains("the kernel needs [0x1000000, 0x1800000) (init_size 0x800000), "
	                        "which runs past the end of guest RAM at 0x17ff000"));
	CHECK_EQ(log_lines(), 1);
	CHECK_EQ(lay.e820_count, 0); /* nothing written */
	unit_log_clear();
	CHECK_EQ(bzimage_plan(&bi, 24 * MiB, 0, 0, &lay), 0);
	CHECK_EQ(bzimage_plan(&bi, 24 * MiB + 64 * 1024, 0, 128 * 1024, &lay), -ERR_NOMEM);
	CHECK(unit_log_contains("an initrd of 131072 bytes does not fit between the kernel's end "
	                        "0x1800000 and 0x1810000"));
}

TEST(plan_initrd_below_initrd_addr_max)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};

	make_image();
	hdr(img)->initrd_addr_max = 0x37ffffff; /* the pre-2.03 default, as a test limit */
	parse_ok(&bi);
	REQUIRE(bzimage_plan(&bi, 4 * GiB, 10, 20 * MiB + 1, &lay) == 0);
	CHECK(lay.initrd_gpa + lay.initrd_size - 1 <= 0x37ffffff);
	CHECK_EQ(lay.initrd_gpa, 0x38000000 - 20 * MiB - 4096);
	CHECK_EQ(lay.initrd_gpa % 4096, 0);

	/* The limit leaves less room than the initrd needs above the kernel. */
	hdr(img)->initrd_addr_max = 24 * MiB + 2 * MiB - 1;
	parse_ok(&bi);
	unit_log_clear();
	CHECK_EQ(bzimage_plan(&bi, 4 * GiB, 10, 3 * MiB, &lay), -ERR_NOMEM);
	CHECK_EQ(log_lines(), 1);

	/* An above-4G kernel ignores initrd_addr_max: top of RAM. */
	hdr(img)->xloadflags |= LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	parse_ok(&bi);
	REQUIRE(bzimage_plan(&bi, 6 * GiB, 10, 3 * MiB, &lay) == 0);
	CHECK_EQ(lay.initrd_gpa, 6 * GiB - 3 * MiB);
}

TEST(plan_acpi_ranges)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};

	make_image();
	parse_ok(&bi);

	/* In the BIOS area: the reserved entry covers it. */
	lay.acpi_base = 0xe0000;
	lay.acpi_len = 0x10000;
	lay.acpi_rsdp_addr = 0xe0000;
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, MiB, &lay) == 0);
	CHECK_EQ(lay.e820_count, 3);
	CHECK_EQ(lay.acpi_base, 0xe0000);
	CHECK_EQ(lay.acpi_rsdp_addr, 0xe0000);

	/* At the top of RAM: its own entry, and the initrd moves below it. */
	lay.acpi_base = 64 * MiB - 0x10000;
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, MiB, &lay) == 0);
	REQUIRE(lay.e820_count == 4);
	CHECK_EQ(lay.e820[2].addr, MiB);
	CHECK_EQ(lay.e820[2].size, 63 * MiB - 0x10000);
	CHECK_EQ(lay.e820[3].addr, 64 * MiB - 0x10000);
	CHECK_EQ(lay.e820[3].size, 0x10000);
	CHECK_EQ(lay.e820[3].type, MB_MEM_ACPI);
	CHECK_EQ(lay.initrd_gpa, 64 * MiB - 0x10000 - MiB);

	/* In the middle: RAM on both sides. */
	lay.acpi_base = 40 * MiB;
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, MiB, &lay) == 0);
	REQUIRE(lay.e820_count == 5);
	CHECK_EQ(lay.e820[4].addr, 40 * MiB + 0x10000);
	CHECK_EQ(lay.e820[4].size, 24 * MiB - 0x10000);
	CHECK_EQ(lay.initrd_gpa, 63 * MiB);

	/* Inside the kernel's init_size, in low RAM, straddling 1 MiB, past RAM. */
	lay.acpi_base = 20 * MiB;
	unit_log_clear();
	CHECK_EQ(bzimage_plan(&bi, 64 * MiB, 0, MiB, &lay), -ERR_NOMEM);
	CHECK(unit_log_contains("which overlaps ACPI at 0x1400000"));
	static const uint64_t bad[] = {0x50000, 0xf8000, 64 * MiB - 0x8000, UINT64_MAX - 4};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		lay.acpi_base = bad[i];
		unit_log_clear();
		CHECK_EQ(bzimage_plan(&bi, 64 * MiB, 0, MiB, &lay), -ERR_INVAL);
		CHECK(unit_log_contains("is neither in [0x9fc00, 1 MiB) nor in RAM above 1 MiB"));
	}
}

TEST(plan_cmdline_limits)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};

	make_image();
	parse_ok(&bi);
	CHECK_EQ(bzimage_plan(&bi, 64 * MiB, 0x7ff, 0, &lay), 0); /* cmdline_size chars fit */
	unit_log_clear();
	CHECK_EQ(bzimage_plan(&bi, 64 * MiB, 0x800, 0, &lay), -ERR_INVAL);
	CHECK(unit_log_contains("command line of 2048 bytes exceeds cmdline_size 2047"));
	hdr(img)->cmdline_size = 0xffffffff; /* still has to fit below the EBDA */
	parse_ok(&bi);
	CHECK_EQ(bzimage_plan(&bi, 64 * MiB, 0x9fc00 - 0x20000, 0, &lay), -ERR_INVAL);
	CHECK_EQ(bzimage_plan(&bi, 64 * MiB, 0x9fc00 - 0x20000 - 1, 0, &lay), 0);
}

/* Whatever the planner accepts, the parameter builder accepts too, with no overlaps. */
TEST(plan_then_build_consistent)
{
	static const uint64_t mems[] = {24 * MiB, 25 * MiB, 32 * MiB, 100 * MiB + 4096,
	                                2 * GiB,  4 * GiB,  5 * GiB};
	static const size_t initrds[] = {0, 1, 4096, 4097, MiB, 30 * MiB, 1500 * MiB};
	unsigned int ok = 0;

	for (int above = 0; above < 2; above++) {
		struct bzimage_info bi;

		make_image();
		if (above)
			hdr(img)->xloadflags |= LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
		parse_ok(&bi);
		for (size_t m = 0; m < ARRAY_SIZE(mems); m++) {
			for (size_t r = 0; r < ARRAY_SIZE(initrds); r++) {
				struct bzimage_layout lay = {0};
				int ret = bzimage_plan(&bi, mems[m], 100, initrds[r], &lay);

				if (ret != 0) {
					CHECK_EQ(ret, -ERR_NOMEM);
					continue;
				}
				ok++;
				unit_log_clear();
				CHECK_EQ(bzimage_build_params(&bi, img, &lay, params), 0);
				CHECK_STR(unit_log(), "");
				CHECK(lay.initrd_gpa + lay.initrd_size <= mems[m]);
				CHECK(!initrds[r] || lay.initrd_gpa >= lay.kernel_gpa + INIT_SIZE);
			}
		}
	}
	CHECK(ok > 40);
}
