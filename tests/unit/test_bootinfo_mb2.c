/*
 * bootinfo_parse against canned Multiboot 2 tag blocks (bootinfo_fixture.h):
 * tags, memory maps, ACPI RSDPs, modules and the string pool, damaged or
 * truncated input, and bootinfo_print.
 */
#include <bootinfo.h>
#include <errcode.h>
#include <multiboot.h>
#include <string.h>

#include "bootinfo_fixture.h"
#include "unit.h"

static uint64_t mb2_start;

static void mb2_begin(void)
{
	struct mb2_info_header h = {0, 0};

	mb2_start = put(&h, sizeof(h));
}

/* Appends a tag; size_override != 0 writes that size instead of the real one. */
static uint64_t mb2_tag_sized(uint32_t type, const void *payload, size_t len,
                              uint32_t size_override)
{
	struct mb2_tag t = {type, (uint32_t)(sizeof(t) + len)};
	uint64_t pa = put(&t, sizeof(t));

	if (len)
		memcpy(mem + cursor, payload, len);
	cursor += len;
	if (size_override)
		((struct mb2_tag *)at(pa))->size = size_override;
	return pa;
}

static uint64_t mb2_tag(uint32_t type, const void *payload, size_t len)
{
	return mb2_tag_sized(type, payload, len, 0);
}

static void mb2_str_tag(uint32_t type, const char *s)
{
	mb2_tag(type, s, strlen(s) + 1);
}

static void mb2_module(uint32_t start, uint32_t end, const char *cmdline)
{
	uint8_t buf[512];
	size_t n = strlen(cmdline) + 1;

	memcpy(buf, &start, 4);
	memcpy(buf + 4, &end, 4);
	memcpy(buf + 8, cmdline, n);
	mb2_tag(MB2_TAG_MODULE, buf, 8 + n);
}

static void mb2_meminfo(void)
{
	uint32_t m[2] = {639, 130048};

	mb2_tag(MB2_TAG_MEMINFO, m, sizeof(m));
}

static void mb2_mmap_n(uint32_t entry_size, const struct mb2_mmap_entry *e, size_t n)
{
	static uint8_t buf[8 + 256 * 32];
	uint32_t hdr[2] = {entry_size, 0};

	memset(buf, 0, sizeof(buf));
	memcpy(buf, hdr, 8);
	for (size_t i = 0; i < n; i++)
		memcpy(buf + 8 + i * entry_size, &e[i], sizeof(e[i]));
	mb2_tag(MB2_TAG_MMAP, buf, 8 + n * entry_size);
}

static const struct mb2_mmap_entry std_map[] = {
    {0, 0x9fc00, MB_MEM_AVAILABLE, 0},
    {0xf0000, 0x10000, MB_MEM_RESERVED, 0},
    {0x100000, 0x7ee0000, MB_MEM_AVAILABLE, 0},
    {0x7fe0000, 0x20000, MB_MEM_ACPI, 0},
};

static void mb2_mmap(void)
{
	mb2_mmap_n(24, std_map, ARRAY_SIZE(std_map));
}

/* Closes the block: end tag and total_size. */
static uint64_t mb2_end(void)
{
	struct mb2_info_header *h;

	mb2_tag(MB2_TAG_END, NULL, 0);
	h = at(mb2_start);
	h->total_size = (uint32_t)(BASE + cursor - mb2_start);
	return mb2_start;
}

static void fill_rsdp(uint8_t *r, size_t n, uint8_t rev)
{
	memset(r, 0, n);
	memcpy(r, "RSD PTR ", 8);
	r[15] = rev;
	if (n > 20)
		r[20] = (uint8_t)n;
}

TEST(mb2_valid)
{
	uint8_t old[20], nw[36], fb[24] = {0};
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_str_tag(MB2_TAG_CMDLINE, "tandem.elf x2apic=0");
	mb2_str_tag(MB2_TAG_LOADER, "GRUB 2.06");
	mb2_module(0x200000, 0x280000, "guest=a kernel vcpus=2 mem=128M -- console=ttyS0 quiet");
	mb2_module(0x300000, 0x380000, "");
	mb2_meminfo();
	mb2_tag(8, fb, sizeof(fb)); /* framebuffer: ignored */
	mb2_mmap();
	fill_rsdp(old, sizeof(old), 0);
	mb2_tag(MB2_TAG_ACPI_OLD, old, sizeof(old));
	fill_rsdp(nw, sizeof(nw), 2);
	mb2_tag(MB2_TAG_ACPI_NEW, nw, sizeof(nw));
	pa = mb2_end();

	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.protocol, 2);
	CHECK_EQ(bi.problems, 0);
	CHECK_STR(bi.cmdline, "tandem.elf x2apic=0");
	CHECK_STR(bi.loader_name, "GRUB 2.06");
	CHECK(bi.has_meminfo);
	CHECK_EQ(bi.mem_upper, 130048);
	REQUIRE(bi.mmap_count == 4);
	CHECK_EQ(bi.mmap[3].base, 0x7fe0000);
	CHECK_EQ(bi.mmap[3].type, MB_MEM_ACPI);
	REQUIRE(bi.module_count == 2);
	CHECK_EQ(bi.modules[0].start, 0x200000);
	CHECK_EQ(bi.modules[0].end, 0x280000);
	CHECK_STR(bi.modules[0].cmdline, "guest=a kernel vcpus=2 mem=128M -- console=ttyS0 quiet");
	CHECK_STR(bi.modules[1].cmdline, "");
	REQUIRE(bi.has_rsdp);
	CHECK_EQ(bi.rsdp_len, 36);
	CHECK(memcmp(bi.rsdp, nw, 36) == 0);
	CHECK_EQ(bi.info_pa, pa);
	CHECK_EQ(bi.info_size, cursor - (pa - BASE));
	CHECK(!unit_log_contains("warning"));
}

TEST(mb2_acpi_new_before_old_wins)
{
	uint8_t old[20], nw[36];
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_mmap();
	fill_rsdp(nw, sizeof(nw), 2);
	mb2_tag(MB2_TAG_ACPI_NEW, nw, sizeof(nw));
	fill_rsdp(old, sizeof(old), 0);
	mb2_tag(MB2_TAG_ACPI_OLD, old, sizeof(old));
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.rsdp_len, 36);
	CHECK_EQ(bi.rsdp[15], 2);
}

TEST(mb2_acpi_old_only_and_short)
{
	uint8_t old[20], nw[36];
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_mmap();
	fill_rsdp(old, sizeof(old), 0);
	mb2_tag(MB2_TAG_ACPI_OLD, old, sizeof(old));
	fill_rsdp(nw, sizeof(nw), 2);
	mb2_tag(MB2_TAG_ACPI_NEW, nw, 30); /* short: ignored */
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK(bi.has_rsdp);
	CHECK_EQ(bi.rsdp_len, 20);
	CHECK(memcmp(bi.rsdp, "RSD PTR ", 8) == 0);
	CHECK(unit_log_contains("mb2: ACPI new RSDP tag carries 30 bytes (< 36); ignored"));
}

TEST(mb2_truncated)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_str_tag(MB2_TAG_CMDLINE, "x");
	mb2_mmap();
	pa = mb2_end();
	mem_size = cursor - 16; /* the loader's block claims more than is there */
	CHECK_EQ(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi), -ERR_TRUNC);
	CHECK(unit_log_contains("but is not readable that far (truncated?)"));

	unit_log_clear();
	CHECK_EQ(bootinfo_parse(MB2_BOOT_MAGIC, BASE + sizeof(mem), &pv, &bi), -ERR_TRUNC);
	CHECK(unit_log_contains("mb2: info header at 0x30000 is unreadable"));
}

TEST(mb2_total_size_bounds)
{
	struct mb2_info_header *h;
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_mmap();
	pa = mb2_end();
	h = at(pa);
	h->total_size = 8;
	CHECK_EQ(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi), -ERR_TRUNC);
	CHECK(unit_log_contains("mb2: total_size 8 is below the 16 bytes of header and end tag"));
	h->total_size = 100000;
	CHECK_EQ(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi), -ERR_TRUNC);
	CHECK(unit_log_contains("mb2: total_size 100000 exceeds the 65536-byte bound"));
}

TEST(mb2_tag_runs_past_total)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_mmap();
	mb2_tag_sized(MB2_TAG_CMDLINE, "abc", 4, 0x1000);
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.mmap_count, 4); /* tags before the bad one are kept */
	CHECK_STR(bi.cmdline, "");
	CHECK(unit_log_contains(
	    "warning: mb2: tag type 1 at offset 0x78 has size 4096, past total_size"));
	CHECK(unit_log_contains("ignoring it and the rest"));
	CHECK(!unit_log_contains("no end tag"));
	CHECK_EQ(bi.problems, 1);
}

TEST(mb2_tag_size_too_small)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_mmap();
	mb2_tag_sized(MB2_TAG_CMDLINE, "abc", 4, 4);
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK(unit_log_contains("mb2: tag type 1 at offset 0x78 has size 4 (< 8)"));
}

TEST(mb2_missing_end_tag)
{
	struct mb2_info_header *h;
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_str_tag(MB2_TAG_CMDLINE, "noend");
	mb2_mmap();
	h = at(mb2_start);
	h->total_size = (uint32_t)(BASE + cursor - mb2_start);
	pa = mb2_start;
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_STR(bi.cmdline, "noend");
	CHECK_EQ(bi.mmap_count, 4);
	CHECK(unit_log_contains("warning: mb2: no end tag within total_size"));
	CHECK_EQ(bi.problems, 1);
}

TEST(mb2_stray_bytes_before_end)
{
	struct mb2_info_header *h;

	reset();
	mb2_begin();
	mb2_mmap();
	cursor += 4; /* 4 bytes: not even a tag header */
	h = at(mb2_start);
	h->total_size = (uint32_t)(BASE + cursor - mb2_start);
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, mb2_start, &pv, &bi) == 0);
	CHECK(unit_log_contains("runs past total_size"));
}

TEST(mb2_mmap_bad_entry_size_and_meminfo)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_meminfo();
	mb2_mmap_n(16, std_map, 2);
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK(unit_log_contains("mb2: memory map tag has entry_size 16 (< 24); ignoring the map"));
	CHECK(unit_log_contains("synthesizing one from mem_lower=639 KiB"));
	CHECK(bi.mmap_synthesized);
	CHECK_EQ(bi.mmap_count, 2);
}

TEST(mb2_mmap_larger_entries)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_mmap_n(32, std_map, ARRAY_SIZE(std_map));
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	REQUIRE(bi.mmap_count == 4);
	CHECK_EQ(bi.mmap[2].len, 0x7ee0000);
	CHECK_EQ(bi.problems, 0);
}

TEST(mb2_mmap_overflow_and_odd_entries)
{
	static struct mb2_mmap_entry e[140];
	uint64_t pa;

	reset();
	for (int i = 0; i < 140; i++)
		e[i] = (struct mb2_mmap_entry){(uint64_t)i << 20, 1 << 20, MB_MEM_AVAILABLE, 0};
	e[1].type = 12;                    /* unknown: reserved */
	e[2].len = 0;                      /* empty: dropped quietly */
	e[3].addr = 0xfffffffffff00000ull; /* wraps: clipped */
	e[3].len = 0x200000;
	mb2_begin();
	mb2_mmap_n(24, e, 140);
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.mmap_count, BOOTINFO_MAX_MMAP);
	CHECK_EQ(bi.mmap[1].type, MB_MEM_RESERVED);
	CHECK_EQ(bi.mmap[2].len, 0x100000);
	CHECK_EQ(bi.mmap[2].base, 0xfffffffffff00000ull);
	CHECK(
	    unit_log_contains("mb2: memory map entry 1 has unknown type 12; treated as reserved"));
	CHECK(unit_log_contains(
	    "mb2: memory map entry 3 [0xfffffffffff00000, +0x200000) wraps past 2^64; clipped"));
	CHECK(unit_log_contains(
	    "mb2: memory map has more than 128 entries; ignoring entry 129 and later"));
}

TEST(mb2_unterminated_cmdline)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_tag(MB2_TAG_CMDLINE, "abcdef", 6); /* no NUL inside the tag */
	mb2_mmap();
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_STR(bi.cmdline, "abcdef");
	CHECK(unit_log_contains(
	    "warning: mb2: cmdline is not NUL-terminated within its 6 bytes; using them as is"));
}

TEST(mb2_duplicate_tags)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_str_tag(MB2_TAG_CMDLINE, "first");
	mb2_str_tag(MB2_TAG_CMDLINE, "second");
	mb2_mmap();
	mb2_mmap();
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_STR(bi.cmdline, "first");
	CHECK_EQ(bi.mmap_count, 4);
	CHECK(unit_log_contains("mb2: second cmdline tag at offset"));
	CHECK(unit_log_contains("mb2: second memory map tag at offset"));
}

TEST(mb2_too_many_modules)
{
	char s[32];
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_mmap();
	for (int i = 0; i < 40; i++) {
		snprintf(s, sizeof(s), "m%d", i);
		mb2_module(0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + 0x1000, s);
	}
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.module_count, BOOTINFO_MAX_MODULES);
	CHECK_STR(bi.modules[31].cmdline, "m31");
	CHECK(unit_log_contains(
	    "warning: mb2: loader passed 40 modules; only the first 32 are used"));
	CHECK_EQ(bi.problems, 1);
}

TEST(mb2_bad_modules)
{
	uint8_t tiny[4] = {0};
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_mmap();
	mb2_module(0x300000, 0x2fffff, "backwards");
	mb2_tag(MB2_TAG_MODULE, tiny, sizeof(tiny));
	mb2_module(0x400000, 0x400000, "empty is fine");
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	REQUIRE(bi.module_count == 1);
	CHECK_EQ(bi.modules[0].index, 1);
	CHECK_STR(bi.modules[0].cmdline, "empty is fine");
	CHECK(unit_log_contains(
	    "mb2: module 0: end 0x2fffff is below start 0x300000; module skipped"));
	CHECK(unit_log_contains("mb2: module tag at offset"));
	CHECK(unit_log_contains("has size 12 (< 16); skipped"));
}

TEST(module_beyond_52_bits)
{
	/* Neither protocol can express it (32-bit fields); check the shared helper. */
	memset(&bi, 0, sizeof(bi));
	bi.protocol = 2;
	CHECK(bootinfo_add_module(&bi, 7, 0x1000, (1ull << 52) + 1) == NULL);
	CHECK(unit_log_contains(
	    "mb2: module 7: end 0x10000000000001 is beyond 2^52; module skipped"));
	CHECK(bootinfo_add_module(&bi, 8, 0x1000, 1ull << 52) != NULL);
}

TEST(mb2_pool_exhaustion)
{
	static char s[1001];
	uint64_t pa;

	reset();
	memset(s, 'p', 1000);
	mb2_begin();
	mb2_mmap();
	for (int i = 0; i < 20; i++) {
		uint8_t buf[8 + sizeof(s)];
		uint32_t se[2] = {0x1000000, 0x1001000};

		memcpy(buf, se, 8);
		memcpy(buf + 8, s, sizeof(s));
		mb2_tag(MB2_TAG_MODULE, buf, sizeof(buf));
	}
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.module_count, 20);
	CHECK_EQ(strlen(bi.modules[0].cmdline), 1000);
	CHECK_EQ(strlen(bi.modules[19].cmdline), 0);
	CHECK(bi.pool_used <= BOOTINFO_POOL_SIZE);
	CHECK(unit_log_contains(
	    "mb2: module 16 cmdline: string pool (16384 bytes) full; truncated to"));
}

TEST(mb2_no_memory_info_fails)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_str_tag(MB2_TAG_CMDLINE, "x");
	pa = mb2_end();
	CHECK_EQ(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi), -ERR_INVAL);
	CHECK(unit_log_contains("mb2: no memory map and no usable mem_lower/mem_upper"));
}

TEST(mb2_misaligned_info)
{
	uint8_t copy[512];
	uint64_t pa;
	size_t len;

	reset();
	mb2_begin();
	mb2_mmap();
	pa = mb2_end();
	len = cursor - (pa - BASE);
	REQUIRE(len <= sizeof(copy));
	memcpy(copy, at(pa), len);
	memcpy(mem + cursor + 4, copy, len);
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, BASE + cursor + 4, &pv, &bi) == 0);
	CHECK_EQ(bi.mmap_count, 4);
	CHECK(unit_log_contains("is not 8-byte aligned; parsing it anyway"));
}

TEST(print)
{
	uint64_t pa;

	reset();
	mb2_begin();
	mb2_str_tag(MB2_TAG_CMDLINE, "x2apic=0");
	mb2_module(0x200000, 0x280000, "guest=a kernel");
	mb2_mmap();
	pa = mb2_end();
	REQUIRE(bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi) == 0);
	unit_log_clear();
	bootinfo_print(&bi);
	CHECK(unit_log_contains("tandem: boot: Multiboot 2 from ''"));
	CHECK(unit_log_contains("boot: cmdline 'x2apic=0'"));
	CHECK(unit_log_contains("boot: memory map, 4 entries:"));
	CHECK(unit_log_contains("[0x000000100000-0x000007fdffff] available"));
	CHECK(unit_log_contains("boot: module 0 at [0x200000, 0x280000) (512 KiB)"));
	CHECK(unit_log_contains("boot: module 0 'guest=a kernel'"));
	CHECK(unit_log_contains("no RSDP from the loader"));
}

/* ---- Hostile input: random damage must never crash or read out of bounds. */

TEST(fuzz_mb2)
{
	for (int iter = 0; iter < 3000; iter++) {
		uint64_t pa;
		size_t len;

		reset();
		mb2_begin();
		mb2_str_tag(MB2_TAG_CMDLINE, "a=b c");
		mb2_module(0x200000, 0x280000, "guest=a");
		mb2_meminfo();
		mb2_mmap();
		pa = mb2_end();
		len = cursor - (pa - BASE);
		for (int k = 0; k < 1 + (int)(rnd() % 8); k++)
			mem[(pa - BASE) + rnd() % len] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			mem_size = (pa - BASE) + rnd() % (len + 1);
		unit_log_clear();
		(void)bootinfo_parse(MB2_BOOT_MAGIC, pa, &pv, &bi);
		CHECK(bi.mmap_count <= BOOTINFO_MAX_MMAP);
		CHECK(bi.pool_used <= BOOTINFO_POOL_SIZE);
	}
}
