/*
 * bootinfo_parse against canned Multiboot 1 info blocks (bootinfo_fixture.h):
 * memory maps, strings, modules, and damaged or unreadable input.
 */
#include <bootinfo.h>
#include <errcode.h>
#include <multiboot.h>
#include <string.h>

#include "bootinfo_fixture.h"
#include "unit.h"

static struct mb1_info mb1_basic(void)
{
	struct mb1_info info;

	memset(&info, 0, sizeof(info));
	info.flags = MB1_INFO_MEM;
	info.mem_lower = 639;
	info.mem_upper = 130048;
	return info;
}

/* An E820-style map: 3 entries, the middle one with 4 extra bytes (size 24). */
static void mb1_add_mmap(struct mb1_info *info)
{
	uint8_t buf[3 * 24 + 4];
	struct mb1_mmap_entry e;
	size_t o = 0;

	e = (struct mb1_mmap_entry){20, 0, 0x9fc00, MB_MEM_AVAILABLE};
	memcpy(buf + o, &e, 24);
	o += 24;
	e = (struct mb1_mmap_entry){24, 0xf0000, 0x10000, MB_MEM_RESERVED};
	memcpy(buf + o, &e, 24);
	memset(buf + o + 24, 0xee, 4);
	o += 28;
	e = (struct mb1_mmap_entry){20, 0x100000, 0x7ee0000, MB_MEM_AVAILABLE};
	memcpy(buf + o, &e, 24);
	o += 24;
	info->flags |= MB1_INFO_MMAP;
	info->mmap_addr = (uint32_t)put(buf, o);
	info->mmap_length = (uint32_t)o;
}

static uint64_t mb1_put(const struct mb1_info *info)
{
	return put(info, sizeof(*info));
}

TEST(mb1_valid)
{
	struct mb1_module mods[2] = {
	    {0x200000, 0x280000, 0, 0},
	    {0x300000, 0x300800, 0, 0},
	};
	struct mb1_info info;
	uint64_t pa;

	reset();
	info = mb1_basic();
	info.flags |= MB1_INFO_CMDLINE | MB1_INFO_LOADER | MB1_INFO_MODS;
	info.cmdline = put_str("tandem.elf x2apic=0 log=debug");
	info.boot_loader_name = put_str("qemu");
	mods[0].string = put_str("guest=a kernel vcpus=1 mem=64M -- console=ttyS0");
	mods[1].string = put_str("guest=a initrd");
	info.mods_count = 2;
	info.mods_addr = (uint32_t)put(mods, sizeof(mods));
	mb1_add_mmap(&info);
	pa = mb1_put(&info);

	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.protocol, 1);
	CHECK_EQ(bi.problems, 0);
	CHECK_STR(bi.cmdline, "tandem.elf x2apic=0 log=debug");
	CHECK_STR(bi.loader_name, "qemu");
	CHECK(bi.has_meminfo);
	CHECK_EQ(bi.mem_lower, 639);
	CHECK_EQ(bi.mem_upper, 130048);
	REQUIRE(bi.mmap_count == 3);
	CHECK(!bi.mmap_synthesized);
	CHECK_EQ(bi.mmap[0].base, 0);
	CHECK_EQ(bi.mmap[0].len, 0x9fc00);
	CHECK_EQ(bi.mmap[1].base, 0xf0000);
	CHECK_EQ(bi.mmap[1].type, MB_MEM_RESERVED);
	CHECK_EQ(bi.mmap[2].base, 0x100000);
	CHECK_EQ(bi.mmap[2].len, 0x7ee0000);
	CHECK_EQ(bi.mmap[2].type, MB_MEM_AVAILABLE);
	REQUIRE(bi.module_count == 2);
	CHECK_EQ(bi.modules[0].start, 0x200000);
	CHECK_EQ(bi.modules[0].end, 0x280000);
	CHECK_STR(bi.modules[0].cmdline, "guest=a kernel vcpus=1 mem=64M -- console=ttyS0");
	CHECK_EQ(bi.modules[1].index, 1);
	CHECK_STR(bi.modules[1].cmdline, "guest=a initrd");
	CHECK(!bi.has_rsdp);
	CHECK_EQ(bi.info_pa, pa);
	CHECK_EQ(bi.info_size, sizeof(struct mb1_info));
	CHECK(!unit_log_contains("warning"));
	CHECK(!unit_log_contains("error"));
}

TEST(mb1_absent_strings_are_empty)
{
	struct mb1_info info;
	uint64_t pa;

	reset();
	info = mb1_basic();
	mb1_add_mmap(&info);
	info.flags |= MB1_INFO_CMDLINE; /* flag set, pointer 0: treated as absent */
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_STR(bi.cmdline, "");
	CHECK_STR(bi.loader_name, "");
	CHECK_EQ(bi.module_count, 0);
	CHECK_EQ(bi.problems, 0);
}

TEST(mb1_mmap_entry_size_zero)
{
	struct mb1_info info;
	struct mb1_mmap_entry *e;
	uint64_t pa;

	reset();
	info = mb1_basic();
	mb1_add_mmap(&info);
	e = at(info.mmap_addr + 24); /* second entry */
	e->size = 0;
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.mmap_count, 1);
	CHECK(!bi.mmap_synthesized);
	CHECK(unit_log_contains(
	    "warning: mb1: memory map entry 1 has size 0 (< 20); ignoring it and the rest of the map"));
	CHECK_EQ(bi.problems, 1);
}

TEST(mb1_mmap_entry_size_huge)
{
	struct mb1_info info;
	struct mb1_mmap_entry *e;
	uint64_t pa;

	reset();
	info = mb1_basic();
	mb1_add_mmap(&info);
	e = at(info.mmap_addr + 24 + 28);
	e->size = 0xfffffff0;
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.mmap_count, 2);
	CHECK(
	    unit_log_contains("mb1: memory map entry 2 has size 4294967280, past mmap_length 76"));
}

TEST(mb1_mmap_unreadable_synthesizes)
{
	struct mb1_info info;
	uint64_t pa;

	reset();
	info = mb1_basic();
	info.flags |= MB1_INFO_MMAP;
	info.mmap_addr = 0x10;
	info.mmap_length = 48;
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK(unit_log_contains("mb1: memory map at 0x10 (48 bytes) is unreadable; ignoring it"));
	CHECK(bi.mmap_synthesized);
}

TEST(mb1_unterminated_string)
{
	struct mb1_info info;
	uint64_t pa;

	reset();
	info = mb1_basic();
	mb1_add_mmap(&info);
	/* The loader name runs into the end of readable memory without a NUL. */
	info.flags |= MB1_INFO_LOADER | MB1_INFO_CMDLINE;
	info.cmdline = put_str("ok");
	pa = mb1_put(&info);
	memcpy(mem + cursor, "GRUBGRUB", 8);
	info.boot_loader_name = (uint32_t)(BASE + cursor);
	memcpy(at(pa), &info, sizeof(info));
	mem_size = cursor + 8;

	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_STR(bi.loader_name, "");
	CHECK_STR(bi.cmdline, "ok");
	CHECK(unit_log_contains("warning: mb1: boot loader name at 0x"));
	CHECK(unit_log_contains("before its NUL; using \"\""));
	CHECK_EQ(bi.problems, 1);
}

TEST(mb1_overlong_cmdline_truncated)
{
	static char longstr[6000];
	struct mb1_info info;
	uint64_t pa;

	reset();
	memset(longstr, 'x', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	info = mb1_basic();
	mb1_add_mmap(&info);
	info.flags |= MB1_INFO_CMDLINE;
	info.cmdline = put_str(longstr);
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(strlen(bi.cmdline), BOOTINFO_STR_MAX - 1);
	CHECK(unit_log_contains("mb1: cmdline at 0x"));
	CHECK(unit_log_contains("has no NUL within 4096 bytes; truncated to 4095 characters"));
}

TEST(mb1_string_exactly_at_limit)
{
	static char s[BOOTINFO_STR_MAX];
	struct mb1_info info;
	uint64_t pa;

	reset();
	memset(s, 'y', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0'; /* 4095 characters + NUL: fits */
	info = mb1_basic();
	mb1_add_mmap(&info);
	info.flags |= MB1_INFO_CMDLINE;
	info.cmdline = put_str(s);
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_STR(bi.cmdline, s);
	CHECK_EQ(bi.problems, 0);
}

TEST(mb1_meminfo_only_synthesizes_map)
{
	struct mb1_info info;
	uint64_t pa;

	reset();
	info = mb1_basic();
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK(bi.mmap_synthesized);
	REQUIRE(bi.mmap_count == 2);
	CHECK_EQ(bi.mmap[0].base, 0);
	CHECK_EQ(bi.mmap[0].len, 639 * 1024);
	CHECK_EQ(bi.mmap[1].base, 0x100000);
	CHECK_EQ(bi.mmap[1].len, 130048ull * 1024);
	CHECK_EQ(bi.mmap[1].type, MB_MEM_AVAILABLE);
	CHECK(unit_log_contains(
	    "warning: mb1: no memory map from the loader; synthesizing one from mem_lower=639 KiB and mem_upper=130048 KiB"));
}

TEST(mb1_mem_lower_clamped)
{
	struct mb1_info info;
	uint64_t pa;

	reset();
	info = mb1_basic();
	info.mem_lower = 4000;
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.mmap[0].len, 640 * 1024);
	CHECK(unit_log_contains("mem_lower 4000 KiB exceeds 640 KiB; assuming 640"));
}

TEST(mb1_no_memory_info_fails)
{
	struct mb1_info info;
	uint64_t pa;

	reset();
	memset(&info, 0, sizeof(info));
	pa = mb1_put(&info);
	CHECK_EQ(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi), -ERR_INVAL);
	CHECK(unit_log_contains("error: boot/bootinfo.c:"));
	CHECK(unit_log_contains("mb1: no memory map and no usable mem_lower/mem_upper"));
}

TEST(mb1_info_unreadable)
{
	CHECK_EQ(bootinfo_parse(MB1_BOOT_MAGIC, 0x1000, &pv, &bi), -ERR_TRUNC);
	CHECK(unit_log_contains("mb1: info structure at 0x1000 (72 bytes) is unreadable"));
}

TEST(mb1_too_many_modules)
{
	static struct mb1_module mods[40];
	struct mb1_info info;
	uint64_t pa;

	reset();
	for (int i = 0; i < 40; i++)
		mods[i] = (struct mb1_module){0x200000 + i * 0x1000, 0x200800 + i * 0x1000, 0, 0};
	mods[3].string = put_str("third");
	info = mb1_basic();
	mb1_add_mmap(&info);
	info.flags |= MB1_INFO_MODS;
	info.mods_count = 40;
	info.mods_addr = (uint32_t)put(mods, sizeof(mods));
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.module_count, BOOTINFO_MAX_MODULES);
	CHECK_STR(bi.modules[3].cmdline, "third");
	CHECK_EQ(bi.modules[31].start, 0x200000 + 31 * 0x1000);
	CHECK(unit_log_contains(
	    "warning: mb1: loader passed 40 modules; only the first 32 are used"));
}

TEST(mb1_bad_module_and_unreadable_list)
{
	struct mb1_module mods[2] = {
	    {0x300000, 0x200000, 0, 0}, /* end < start */
	    {0x400000, 0x401000, 0, 0},
	};
	struct mb1_info info;
	uint64_t pa;

	reset();
	info = mb1_basic();
	mb1_add_mmap(&info);
	info.flags |= MB1_INFO_MODS;
	info.mods_count = 2;
	info.mods_addr = (uint32_t)put(mods, sizeof(mods));
	pa = mb1_put(&info);
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	REQUIRE(bi.module_count == 1);
	CHECK_EQ(bi.modules[0].index, 1);
	CHECK(unit_log_contains(
	    "mb1: module 0: end 0x200000 is below start 0x300000; module skipped"));

	info.mods_addr = 0x20;
	memcpy(at(pa), &info, sizeof(info));
	unit_log_clear();
	REQUIRE(bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi) == 0);
	CHECK_EQ(bi.module_count, 0);
	CHECK(unit_log_contains(
	    "mb1: module list at 0x20 (2 entries) is unreadable; no modules used"));
}

TEST(unknown_magic)
{
	reset();
	CHECK_EQ(bootinfo_parse(0xdeadbeef, BASE, &pv, &bi), -ERR_INVAL);
	CHECK(unit_log_contains("multiboot: unknown boot magic 0xdeadbeef"));
	/* The boot_info is still safe to print. */
	CHECK_STR(bi.cmdline, "");
}

/* ---- Hostile input: random damage must never crash or read out of bounds. */

TEST(fuzz_mb1)
{
	for (int iter = 0; iter < 3000; iter++) {
		struct mb1_module mods[2] = {{0x200000, 0x280000, 0, 0},
		                             {0x300000, 0x300800, 0, 0}};
		struct mb1_info info;
		uint64_t pa;

		reset();
		info = mb1_basic();
		info.flags |= MB1_INFO_CMDLINE | MB1_INFO_MODS;
		info.cmdline = put_str("x");
		mods[0].string = put_str("m0");
		info.mods_count = 2;
		info.mods_addr = (uint32_t)put(mods, sizeof(mods));
		mb1_add_mmap(&info);
		pa = mb1_put(&info);
		for (int k = 0; k < 1 + (int)(rnd() % 8); k++)
			mem[rnd() % cursor] = (uint8_t)rnd();
		if (rnd() % 4 == 0)
			mem_size = rnd() % (cursor + 1);
		unit_log_clear();
		(void)bootinfo_parse(MB1_BOOT_MAGIC, pa, &pv, &bi);
		CHECK(bi.mmap_count <= BOOTINFO_MAX_MMAP);
		CHECK(bi.module_count <= BOOTINFO_MAX_MODULES);
	}
}
