/* Guest configuration from Multiboot module command lines. */
#include <guest_config.h>
#include <string.h>

#include "unit.h"

#define MIB (1ull << 20)

static struct modcmd cmds[8];
static struct guest_module mods[8];
static struct guest_cfg out[GUEST_MAX];

/* Parses each line into a module; NULL lines stand for malformed ones. */
static unsigned int setup(const char *const *lines, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		mods[i].index = i;
		mods[i].path = "/boot/x";
		mods[i].cmd = NULL;
		if (lines[i] && modcmd_parse(lines[i], &cmds[i]) == 0)
			mods[i].cmd = &cmds[i];
	}
	unit_log_clear();
	return n;
}

TEST(two_guests_with_initrds)
{
	const char *l[] = {
	    "guest=a kernel vcpus=2 mem=64M pcpus=0-1 weight=512 -- console=ttyS0 quiet",
	    "guest=a initrd", "guest=b kernel mem=32M -- console=ttyS0", "guest=b initrd"};
	unsigned int n = guest_config_build(mods, setup(l, 4), 2, 512 * MIB, out);

	REQUIRE(n == 2);
	CHECK_STR(out[0].name, "a");
	CHECK_EQ(out[0].vcpus, 2);
	CHECK_EQ(out[0].mem, 64 * MIB);
	CHECK_EQ(out[0].pcpus, 3);
	CHECK_EQ(out[0].weight, 512);
	CHECK_EQ(out[0].kernel, 0);
	CHECK_EQ(out[0].initrd, 1);
	CHECK_STR(out[0].cmdline, "console=ttyS0 quiet");
	CHECK_STR(out[1].name, "b");
	CHECK_EQ(out[1].vcpus, 1);
	CHECK_EQ(out[1].initrd, 3);
	CHECK_EQ(out[1].weight, GUEST_DEFAULT_WEIGHT);
}

TEST(lone_kernel_gets_default_guest)
{
	const char *l[] = {""};
	unsigned int n = guest_config_build(mods, setup(l, 1), 4, 1024 * MIB, out);

	REQUIRE(n == 1);
	CHECK_STR(out[0].name, "linux");
	CHECK_EQ(out[0].mem, GUEST_DEFAULT_MEM);
	CHECK_EQ(out[0].pcpus, 0xf);
	CHECK_EQ(out[0].initrd, -1);
}

TEST(no_kernel_for_initrd_is_refused_others_start)
{
	const char *l[] = {"guest=ghost initrd", "guest=real kernel", "guest=real initrd"};
	unsigned int n = guest_config_build(mods, setup(l, 3), 1, 512 * MIB, out);

	CHECK_EQ(n, 1);
	CHECK_STR(out[0].name, "real");
	CHECK(unit_log_contains(
	    "module 0 (/boot/x): initrd for guest 'ghost', which has no kernel module"));
}

TEST(memory_beyond_free_ram_is_refused)
{
	const char *l[] = {"guest=big kernel mem=300M", "guest=small kernel mem=100M",
	                   "guest=late kernel mem=200M"};
	unsigned int n = guest_config_build(mods, setup(l, 3), 1, 350 * MIB, out);

	REQUIRE(n == 1);
	CHECK_STR(out[0].name, "big");
	CHECK(unit_log_contains("guest 'small' refused: mem 100 MiB is more than the 50 MiB left"));
	CHECK(unit_log_contains("guest 'late' refused: mem 200 MiB is more than the 50 MiB left"));
}

TEST(pcpus_out_of_range_and_malformed)
{
	const char *l[] = {"guest=a kernel pcpus=0,4", "guest=b kernel pcpus=1-",
	                   "guest=c kernel pcpus=1"};
	unsigned int n = guest_config_build(mods, setup(l, 3), 2, 512 * MIB, out);

	REQUIRE(n == 1);
	CHECK_STR(out[0].name, "c");
	CHECK_EQ(out[0].pcpus, 2);
	CHECK(unit_log_contains("pcpus=0,4 names pCPU 4, but only 0..1 exist"));
	CHECK(unit_log_contains("pcpus=1- is not a list"));
}

TEST(soft_affinity_parsed_and_checked)
{
	const char *l[] = {"guest=a kernel pcpus=0-3 soft=2-3", "guest=b kernel soft=7",
	                   "guest=c kernel soft=x", "guest=d kernel"};
	unsigned int n = guest_config_build(mods, setup(l, 4), 4, 512 * MIB, out);

	REQUIRE(n == 2);
	CHECK_STR(out[0].name, "a");
	CHECK_EQ(out[0].pcpus, 0xf);
	CHECK_EQ(out[0].soft, 0xc);
	CHECK_STR(out[1].name, "d");
	CHECK_EQ(out[1].soft, 0); /* none by default */
	CHECK(unit_log_contains("guest 'b' refused: soft=7 names pCPU 7, but only 0..3 exist"));
	CHECK(unit_log_contains("guest 'c' refused: soft=x is not a list"));
}

TEST(bad_numbers_and_duplicates)
{
	const char *l[] = {"guest=a kernel vcpus=0",  "guest=b kernel mem=1M",
	                   "guest=c kernel weight=0", "guest=d kernel",
	                   "guest=d kernel",          "guest=e kernel",
	                   "guest=e initrd",          "guest=e initrd"};
	unsigned int n = guest_config_build(mods, setup(l, 8), 4, 4096 * MIB, out);

	CHECK_EQ(n, 0);
	CHECK(unit_log_contains("vcpus=0 is not 1..64"));
	CHECK(unit_log_contains("mem=1M is not a size"));
	CHECK(unit_log_contains("weight=0 is not 1..65535"));
	CHECK(unit_log_contains("guest 'd' already has a kernel (module 3)"));
	CHECK(unit_log_contains("guest 'e' already has an initrd"));
}

TEST(scheduler_settings_checked)
{
	const char *l[] = {"guest=a kernel vcpus=2 cap=201", "guest=b kernel vcpus=2 cap=200",
	                   "guest=c kernel cap=x", "guest=d kernel cap=0 weight=3"};
	unsigned int n = guest_config_build(mods, setup(l, 4), 4, 4096 * MIB, out);

	REQUIRE(n == 2);
	CHECK(unit_log_contains("guest 'a' refused: cap: above 100 x vcpus"));
	CHECK(unit_log_contains("cap=x is not a percentage"));
	CHECK_STR(out[0].name, "b");
	CHECK_EQ(out[0].cap, 200);
	CHECK_EQ(out[1].cap, 0);
	CHECK_EQ(out[1].weight, 3);
}

TEST(malformed_and_purposeless_modules)
{
	const char *l[] = {NULL, "guest=x", "guest=y kernel"};
	unsigned int n = guest_config_build(mods, setup(l, 3), 1, 512 * MIB, out);

	REQUIRE(n == 1);
	CHECK_STR(out[0].name, "y");
	CHECK(unit_log_contains("module 1 (/boot/x): neither 'kernel' nor 'initrd'; ignored"));
}
