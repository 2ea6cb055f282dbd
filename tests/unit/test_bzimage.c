/*
 * bzImage parsing, placement and boot_params on fake images built in memory:
 * a setup header at 0x1f1 with the fields a 6.x kernel has, four setup
 * sectors and a small patterned "kernel". Malformed variants must fail with
 * one log line; truncated copies live in exactly-sized heap buffers so ASan
 * catches any read past their end. When a real kernel is around
 * (/boot/vmlinuz-*, or the one scripts/linux-guest.sh caches) it is parsed
 * too.
 */
#include <bzimage.h>
#include <errcode.h>
#include <glob.h>
#include <multiboot.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

#define SECTS     4
#define SETUP     ((SECTS + 1) * 512)
#define KSIZE     0x3000
#define IMG_LEN   (SETUP + KSIZE)
#define HDR_END   0x26c /* protocol 2.15: through kernel_info_offset */
#define INIT_SIZE (8 * MiB)
#define VERSION   "6.1.0-fake (tandem@test) #1 SMP"

static uint8_t img[IMG_LEN];
static uint8_t params[4096];

static struct linux_setup_header *hdr(uint8_t *b)
{
	return (struct linux_setup_header *)(b + LINUX_HDR_OFFSET);
}

/* A protocol 2.15, relocatable, 64-bit bzImage like Debian's 6.1 kernel, shrunk. */
static void make_image(void)
{
	struct linux_setup_header *h = hdr(img);

	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i * 7 + 3);
	memset(h, 0, sizeof(*h));
	memset(img + HDR_END, 0xee, LINUX_HDR_END_MAX - HDR_END); /* code after the header */
	img[0x1ef] = 0xff;                                        /* boot_params.sentinel */
	h->setup_sects = SECTS;
	h->syssize = KSIZE / 16;
	h->vid_mode = 0xffff;
	h->boot_flag = LINUX_BOOT_FLAG;
	h->jump[0] = 0xeb;
	h->jump[1] = HDR_END - 0x202;
	h->header = LINUX_HDRS_MAGIC;
	h->version = LINUX_PROTO(2, 15);
	h->kernel_version = 0x600 - 0x200;
	memcpy(img + 0x600, VERSION, sizeof(VERSION));
	h->loadflags = LINUX_LF_LOADED_HIGH;
	h->code32_start = 0x100000;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 2 * MiB;
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = LINUX_XLF_KERNEL_64;
	h->cmdline_size = 0x7ff;
	h->pref_address = 16 * MiB;
	h->init_size = INIT_SIZE;
	h->handover_offset = 0x190;
	h->kernel_info_offset = 0x1000;
}

static unsigned int log_lines(void)
{
	unsigned int n = 0;

	for (const char *p = unit_log(); (p = strstr(p, "tandem: ")); p++)
		n++;
	return n;
}

/* Parses img (len bytes) from an exactly-sized copy; expects failure with one line naming why. */
static void expect_bad(size_t len, const char *why)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct bzimage_info bi;

	memcpy(copy, img, len);
	unit_log_clear();
	CHECK_EQ(bzimage_parse(copy, len, &bi), -ERR_INVAL);
	if (log_lines() != 1 || (why && !unit_log_contains(why)))
		unit_fail(__FILE__, __LINE__, "len %#zx: expected one line with \"%s\", got: %s",
		          len, why ? why : "", unit_log());
	free(copy);
}

static int parse_img(struct bzimage_info *bi)
{
	unit_log_clear();
	return bzimage_parse(img, sizeof(img), bi);
}

TEST(parse_valid_2_15)
{
	struct bzimage_info bi;

	make_image();
	REQUIRE(parse_img(&bi) == 0);
	CHECK_STR(unit_log(), "");
	CHECK_EQ(bi.version, 0x20f);
	CHECK_EQ(bi.hdr_end, HDR_END);
	CHECK_EQ(bi.kernel_offset, SETUP);
	CHECK_EQ(bi.kernel_size, KSIZE);
	CHECK_EQ(bi.kernel_alignment, 2 * MiB);
	CHECK_EQ(bi.pref_address, 16 * MiB);
	CHECK_EQ(bi.init_size, INIT_SIZE);
	CHECK(bi.relocatable);
	CHECK_EQ(bi.cmdline_size, 0x7ff);
	CHECK_EQ(bi.initrd_addr_max, 0x7fffffff);
	CHECK_EQ(bi.xloadflags, LINUX_XLF_KERNEL_64);
	CHECK_EQ(bi.loadflags, LINUX_LF_LOADED_HIGH);
	CHECK_EQ(bi.handover_offset, 0x190);
	CHECK_STR(bi.kernel_version, VERSION);
}

TEST(parse_setup_sects_zero_means_four)
{
	struct bzimage_info bi;

	make_image();
	hdr(img)->setup_sects = 0;
	REQUIRE(parse_img(&bi) == 0);
	CHECK_EQ(bi.kernel_offset, 5 * 512);
}

TEST(parse_version_string_garbled_or_absent)
{
	struct bzimage_info bi;

	make_image();
	hdr(img)->kernel_version = 0;
	REQUIRE(parse_img(&bi) == 0);
	CHECK_STR(bi.kernel_version, "");
	hdr(img)->kernel_version = 0x7000; /* beyond the setup */
	REQUIRE(parse_img(&bi) == 0);
	CHECK_STR(bi.kernel_version, "");
	make_image();
	img[0x605] = 0x01; /* control byte inside the string */
	REQUIRE(parse_img(&bi) == 0);
	CHECK_STR(bi.kernel_version, "");
	make_image();
	memset(img + 0x600, 'A', SETUP - 0x600); /* runs to the end of the setup */
	REQUIRE(parse_img(&bi) == 0);
	CHECK_EQ(strlen(bi.kernel_version), sizeof(bi.kernel_version) - 1);
}

TEST(parse_rejects_malformed)
{
	make_image();
	img[0x1fe] = 0x54;
	expect_bad(IMG_LEN, "boot flag at 0x1fe is 0xaa54, not 0xaa55");

	make_image();
	hdr(img)->header = 0x53726449;
	expect_bad(IMG_LEN, "not a bzImage: no HdrS magic");

	make_image();
	hdr(img)->version = LINUX_PROTO(2, 10);
	expect_bad(IMG_LEN, "boot protocol 2.10 is too old (need 2.12 for the 64-bit entry)");

	make_image();
	hdr(img)->xloadflags = LINUX_XLF_CAN_BE_LOADED_ABOVE_4G;
	expect_bad(IMG_LEN, "no 64-bit entry point (XLF_KERNEL_64 clear");

	make_image();
	hdr(img)->loadflags = 0;
	expect_bad(IMG_LEN, "lack LOADED_HIGH");

	make_image();
	hdr(img)->setup_sects = 200;
	expect_bad(IMG_LEN, "setup_sects 200 puts the kernel at 0x19200, past the end");

	make_image();
	hdr(img)->setup_sects = (IMG_LEN - 0x200) / 512 - 1; /* kernel of exactly 0x200 bytes */
	expect_bad(IMG_LEN, "past the end of the");

	make_image();
	hdr(img)->syssize = KSIZE / 16 + 1;
	expect_bad(IMG_LEN, "syssize promises 0x3010 bytes of kernel, the file has 0x3000");

	make_image();
	hdr(img)->init_size = KSIZE - 1;
	expect_bad(IMG_LEN, "init_size 0x2fff is smaller than the 0x3000-byte kernel");

	make_image();
	hdr(img)->pref_address = 1ull << 60;
	expect_bad(IMG_LEN, "pref_address 0x1000000000000000 is no place for a kernel");

	make_image();
	hdr(img)->relocatable_kernel = 0;
	hdr(img)->pref_address = 0x90000;
	expect_bad(IMG_LEN, "is no place for a non-relocatable kernel");
}

TEST(parse_rejects_bad_alignment)
{
	static const uint32_t bad[] = {0, 1, 0x800, 0x300000, 0x80000000u};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		make_image();
		hdr(img)->kernel_alignment = bad[i];
		expect_bad(IMG_LEN, "is not a power of two in [4 KiB, 1 GiB]");
	}
}

TEST(parse_rejects_header_length)
{
	make_image();
	img[LINUX_HDR_LEN_OFFSET] = 0x10; /* ends at 0x212: no xloadflags, no init_size */
	expect_bad(IMG_LEN, "setup header ends at 0x212, outside [0x268, 0x290]");
	img[LINUX_HDR_LEN_OFFSET] = 0x8f; /* 0x291: into edd_mbr_sig_buffer */
	expect_bad(IMG_LEN, "setup header ends at 0x291");
	img[LINUX_HDR_LEN_OFFSET] = 0xff;
	expect_bad(IMG_LEN, "setup header ends at 0x301");
}

/* A 2.12 header ends at 0x268: kernel_info_offset is absent, and nothing past 0x268 is copied. */
TEST(parse_short_2_12_header)
{
	struct bzimage_info bi;
	struct bzimage_layout lay = {0};
	struct linux_boot_params *bp = (struct linux_boot_params *)params;

	make_image();
	hdr(img)->version = LINUX_PROTO(2, 12);
	img[LINUX_HDR_LEN_OFFSET] = 0x268 - 0x202;
	REQUIRE(parse_img(&bi) == 0);
	CHECK_EQ(bi.hdr_end, 0x268);
	REQUIRE(bzimage_plan(&bi, 64 * MiB, 0, 0, &lay) == 0);
	REQUIRE(bzimage_build_params(&bi, img, &lay, params) == 0);
	CHECK_EQ(bp->hdr.kernel_info_offset, 0);
	CHECK_EQ(bp->hdr.init_size, INIT_SIZE);
}

/* Every prefix of a valid image is refused with one line, reading nothing past its end. */
TEST(parse_truncated_at_every_length)
{
	make_image();
	for (size_t len = 0; len < IMG_LEN; len++) {
		const char *why = len < 0x200     ? "truncated: "
		                  : len < 0x206   ? "before the HdrS magic"
		                  : len < 0x208   ? "before the protocol version"
		                  : len < HDR_END ? "before the end of the setup header"
		                  : len <= SETUP + LINUX_ENTRY64_OFFSET ? "past the end of the"
		                                                        : "syssize promises";

		expect_bad(len, why);
	}
	expect_bad(0, "0 bytes end before the boot flag");
}

/*
 * Random corruption of the header region, each image in an exactly-sized
 * buffer: never a fault, one line per refusal, and what is accepted keeps
 * the documented invariants.
 */
TEST(parse_fuzzed_headers)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	unsigned int accepted = 0;

	for (int iter = 0; iter < 20000; iter++) {
		struct bzimage_info bi;
		size_t len = IMG_LEN;
		uint8_t *copy;
		int flips, ret;

		make_image();
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		flips = 1 + (int)(seed >> 60);
		for (int i = 0; i < flips; i++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			img[0x1f1 + (seed >> 33) % (LINUX_HDR_END_MAX - 0x1f1)] =
			    (uint8_t)(seed >> 20);
		}
		if (iter & 1)
			len = (size_t)(seed >> 40) % (IMG_LEN + 1);
		copy = malloc(len ? len : 1);
		memcpy(copy, img, len);
		unit_log_clear();
		ret = bzimage_parse(copy, len, &bi);
		if (ret == 0) {
			accepted++;
			CHECK_STR(unit_log(), "");
			CHECK_EQ(bi.kernel_offset + bi.kernel_size, len);
			CHECK(bi.kernel_size > LINUX_ENTRY64_OFFSET);
			CHECK(bi.init_size >= bi.kernel_size);
			CHECK((bi.kernel_alignment & (bi.kernel_alignment - 1)) == 0);
			CHECK(bi.hdr_end >= 0x268 && bi.hdr_end <= LINUX_HDR_END_MAX);
			CHECK(bi.version >= LINUX_PROTO_2_12);
			CHECK(strlen(bi.kernel_version) < sizeof(bi.kernel_version));
		} else {
			CHECK_EQ(ret, -ERR_INVAL);
			CHECK_EQ(log_lines(), 1);
		}
		free(copy);
	}
	CHECK(accepted > 100); /* the corruption left plenty of headers valid */
}

/* ---- placement ---------------------------------------------------------------- */

static void parse_ok(struct bzimage_info *bi)
{
	unit_log_clear();
	if (bzimage_parse(img, sizeof(img), bi) != 0)
		unit_fail(__FILE__, __LINE__, "parse failed: %s", unit_log());
}

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

/* ---- boot_params ------------------------------------------------------------------ */

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

/* ---- a real kernel, when this machine has one ------------------------------------ */

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

TEST(real_kernel_if_present)
{
	glob_t g;
	if (glob("/boot/vmlinuz-*", 0, NULL, &g) != 0)
		g.gl_pathc = 0;
	if (glob("cache/linux/*/vmlinuz", g.gl_pathc ? GLOB_APPEND : 0, NULL, &g) != 0 &&
	    !g.gl_pathc) {
		globfree(&g);
		return; /* no kernel here: nothing to check */
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct bzimage_info bi;
		struct bzimage_layout lay = {0};
		size_t len;
		uint8_t *k = read_file(g.gl_pathv[i], &len);

		if (!k)
			continue; /* unreadable (not root): skip */
		unit_log_clear();
		if (bzimage_parse(k, len, &bi) != 0) {
			unit_fail(__FILE__, __LINE__, "%s: %s", g.gl_pathv[i], unit_log());
			free(k);
			continue;
		}
		CHECK(bi.version >= LINUX_PROTO_2_12);
		CHECK(bi.relocatable);
		CHECK(bi.kernel_version[0] != '\0');
		CHECK(bzimage_plan(&bi, 512 * MiB, 64, 8 * MiB, &lay) == 0);
		CHECK(bzimage_build_params(&bi, k, &lay, params) == 0);
		CHECK_EQ(((struct linux_boot_params *)params)->hdr.header, LINUX_HDRS_MAGIC);
		if (getenv("UNIT_VERBOSE"))
			printf("  %s: protocol %#x, \"%s\", kernel %#zx bytes, init_size %#x\n",
			       g.gl_pathv[i], bi.version, bi.kernel_version, bi.kernel_size,
			       bi.init_size);
		free(k);
	}
	globfree(&g);
}
