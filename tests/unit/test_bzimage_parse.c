/*
 * bzimage_parse() on the fake image of bzimage_fixture.h and on malformed
 * variants of it, which must fail with one log line; truncated copies live in
 * exactly-sized heap buffers so ASan catches any read past their end. When a
 * real kernel is around (/boot/vmlinuz-*, or the one scripts/linux-guest.sh
 * caches) it is parsed, placed and given boot_params too.
 */
#include <glob.h>
#include <stdio.h>

#include "bzimage_fixture.h"

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
