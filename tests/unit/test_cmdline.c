/* Tandem's command line (cmdline_apply on a test table) and module command lines. */
#include <cmdline.h>
#include <errcode.h>
#include <string.h>

#include "unit.h"

/* ---- Tokenizer ------------------------------------------------------------- */

TEST(tokenizer)
{
	const char *pos = "  a=1\tb \"c d\"=\"e f\" g=\"\" h=x=y\n";
	struct cmdline_token t;
	char buf[32];

	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 1);
	CHECK_STR(t.key, "a");
	CHECK_STR(t.value, "1");
	CHECK_EQ(t.raw_len, 3);
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 1);
	CHECK_STR(t.key, "b");
	CHECK(t.value == NULL);
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 1);
	CHECK_STR(t.key, "c d");
	CHECK_STR(t.value, "e f");
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 1);
	CHECK_STR(t.key, "g");
	CHECK_STR(t.value, "");
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 1);
	CHECK_STR(t.key, "h");
	CHECK_STR(t.value, "x=y");
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 0);
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 0);
}

TEST(tokenizer_errors)
{
	const char *pos = "abcdefgh ok \"open rest";
	struct cmdline_token t;
	char buf[5];

	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), -ERR_RANGE);
	CHECK_EQ(t.raw_len, 8);
	CHECK_STR(buf, "abcd");
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 1);
	CHECK_STR(t.key, "ok");
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), -ERR_INVAL);
	CHECK_EQ(t.raw_len, 10);
	CHECK_EQ(*pos, '\0');
	CHECK_EQ(cmdline_next_token(&pos, buf, sizeof(buf), &t), 0);
}

/* ---- Value parsers --------------------------------------------------------- */

TEST(parse_values)
{
	uint64_t v;
	bool b;

	CHECK(cmdline_parse_uint("0", &v) && v == 0);
	CHECK(cmdline_parse_uint("18446744073709551615", &v) && v == UINT64_MAX);
	CHECK(!cmdline_parse_uint("18446744073709551616", &v));
	CHECK(cmdline_parse_uint("0x1F", &v) && v == 31);
	CHECK(cmdline_parse_uint("0XfFfFfFfFfFfFfFfF", &v) && v == UINT64_MAX);
	CHECK(!cmdline_parse_uint("0x10000000000000000", &v));
	CHECK(!cmdline_parse_uint("0x", &v));
	CHECK(!cmdline_parse_uint("", &v));
	CHECK(!cmdline_parse_uint("-1", &v));
	CHECK(!cmdline_parse_uint("12a", &v));
	CHECK(!cmdline_parse_uint(" 1", &v));
	CHECK(cmdline_parse_size("64M", &v) && v == 64ull << 20);
	CHECK(cmdline_parse_size("4k", &v) && v == 4096);
	CHECK(cmdline_parse_size("0x10G", &v) && v == 16ull << 30);
	CHECK(cmdline_parse_size("123", &v) && v == 123);
	CHECK(!cmdline_parse_size("1MB", &v));
	CHECK(!cmdline_parse_size("1T", &v));
	CHECK(!cmdline_parse_size("M", &v));
	CHECK(!cmdline_parse_size("17179869184G", &v));
	CHECK(cmdline_parse_size("17179869183G", &v) && v == 17179869183ull << 30);
	CHECK(cmdline_parse_bool("on", &b) && b);
	CHECK(cmdline_parse_bool("0", &b) && !b);
	CHECK(cmdline_parse_bool("false", &b) && !b);
	CHECK(cmdline_parse_bool("yes", &b) && b);
	CHECK(!cmdline_parse_bool("On", &b));
	CHECK(!cmdline_parse_bool("", &b));
}

/* ---- Tandem's options ------------------------------------------------------ */

static bool opt_x2apic;
static unsigned int opt_vcpus;
static uint8_t opt_small;
static uint64_t opt_heap;
static char opt_console[16];
static unsigned int opt_level;
static const char *const level_names[] = {"err", "warn", "info", "debug"};

static const struct boot_option table[] = {
    BOOT_OPTION_INIT_BOOL("x2apic", opt_x2apic, "use x2APIC mode when present"),
    BOOT_OPTION_INIT_UINT("vcpus", opt_vcpus, 1, 64, "vCPUs per guest"),
    BOOT_OPTION_INIT_UINT("small", opt_small, 0, 255, "an 8-bit value"),
    BOOT_OPTION_INIT_SIZE("heap", opt_heap, 1 << 20, 1ull << 32, "hypervisor heap size"),
    BOOT_OPTION_INIT_STRING("console", opt_console, "console device"),
    BOOT_OPTION_INIT_ENUM("log", opt_level, level_names, "log level"),
};

static void defaults(void)
{
	opt_x2apic = true;
	opt_vcpus = 4;
	opt_small = 7;
	opt_heap = 16 << 20;
	strcpy(opt_console, "com1");
	opt_level = 2;
	unit_log_clear();
}

static int apply(const char *s)
{
	return cmdline_apply(s, table, ARRAY_SIZE(table));
}

TEST(apply_valid)
{
	defaults();
	CHECK_EQ(apply("x2apic=off vcpus=0x10 small=255 heap=64M console=\"com 2\" log=debug"), 0);
	CHECK(!opt_x2apic);
	CHECK_EQ(opt_vcpus, 16);
	CHECK_EQ(opt_small, 255);
	CHECK_EQ(opt_heap, 64 << 20);
	CHECK_STR(opt_console, "com 2");
	CHECK_EQ(opt_level, 3);
	CHECK_STR(unit_log(), "");

	CHECK_EQ(apply("x2apic vcpus=1 vcpus=64 heap=4G console= log=err"), 0);
	CHECK(opt_x2apic);
	CHECK_EQ(opt_vcpus, 64);
	CHECK_EQ(opt_heap, 4ull << 30);
	CHECK_STR(opt_console, "");
	CHECK_EQ(opt_level, 0);
	CHECK_EQ(apply(NULL), 0);
	CHECK_EQ(apply("   \t\n"), 0);
	CHECK_STR(unit_log(), "");
}

TEST(apply_unknown)
{
	defaults();
	CHECK_EQ(apply("foo=bar vcpus=2 baz"), 2);
	CHECK(unit_log_contains("tandem: warning: unknown option 'foo=bar' ignored\n"));
	CHECK(unit_log_contains("tandem: warning: unknown option 'baz' ignored\n"));
	CHECK_EQ(opt_vcpus, 2);
}

TEST(apply_bad_bool)
{
	defaults();
	CHECK_EQ(apply("x2apic=maybe"), 1);
	CHECK(opt_x2apic);
	CHECK(unit_log_contains(
	    "tandem: warning: option 'x2apic': invalid value 'maybe' (expected on/off, yes/no, true/false or 1/0); keeping on\n"));
}

TEST(apply_bad_uint)
{
	defaults();
	CHECK_EQ(apply("vcpus=65 vcpus=0 vcpus=-1 vcpus=4x vcpus= vcpus=99999999999999999999"), 6);
	CHECK_EQ(opt_vcpus, 4);
	CHECK(unit_log_contains(
	    "option 'vcpus': invalid value '65' (expected an unsigned integer in 1..64); keeping 4\n"));
	CHECK(unit_log_contains("option 'vcpus': invalid value '0' "));
	CHECK(unit_log_contains("option 'vcpus': invalid value '-1' "));
	CHECK(unit_log_contains("option 'vcpus': invalid value '4x' "));
	CHECK(unit_log_contains("option 'vcpus': invalid value '' "));
	CHECK(unit_log_contains("option 'vcpus': invalid value '99999999999999999999' "));
	CHECK_EQ(apply("small=256"), 1);
	CHECK_EQ(opt_small, 7);
}

TEST(apply_needs_value)
{
	defaults();
	CHECK_EQ(apply("vcpus heap log console"), 4);
	CHECK(unit_log_contains("option 'vcpus' needs a value (vcpus=...); keeping 4\n"));
	CHECK(unit_log_contains("option 'heap' needs a value (heap=...); keeping 16M\n"));
	CHECK(unit_log_contains("option 'log' needs a value (log=...); keeping info\n"));
	CHECK(
	    unit_log_contains("option 'console' needs a value (console=...); keeping \"com1\"\n"));
}

TEST(apply_bad_size)
{
	defaults();
	CHECK_EQ(apply("heap=64X heap=512K heap=8G heap=0xffffffffffffffffK"), 4);
	CHECK_EQ(opt_heap, 16 << 20);
	CHECK(unit_log_contains(
	    "option 'heap': invalid value '64X' (expected a size in 1M..4G, K/M/G suffix allowed); keeping 16M\n"));
	CHECK(unit_log_contains("option 'heap': invalid value '512K' "));
	CHECK(unit_log_contains("option 'heap': invalid value '8G' "));
}

TEST(apply_bad_string_and_enum)
{
	defaults();
	CHECK_EQ(apply("console=0123456789abcdef log=trace"), 2);
	CHECK_STR(opt_console, "com1");
	CHECK_EQ(opt_level, 2);
	CHECK(unit_log_contains(
	    "option 'console': invalid value '0123456789abcdef' (expected a string of at most 15 characters); keeping \"com1\"\n"));
	CHECK(unit_log_contains(
	    "option 'log': invalid value 'trace' (expected one of err, warn, info, debug); keeping info\n"));
	CHECK_EQ(apply("console=0123456789abcde"), 0);
	CHECK_STR(opt_console, "0123456789abcde");
}

TEST(apply_unbalanced_quote)
{
	defaults();
	CHECK_EQ(apply("vcpus=2 console=\"com2 vcpus=3"), 1);
	CHECK_EQ(opt_vcpus, 2);
	CHECK_STR(opt_console, "com1");
	CHECK(unit_log_contains(
	    "warning: unbalanced quote in 'console=\"com2 vcpus=3'; the rest of the command line is ignored\n"));
}

TEST(apply_token_too_long)
{
	char s[400];

	defaults();
	memset(s, 'a', sizeof(s));
	memcpy(s, "console=", 8);
	strcpy(s + 300, " vcpus=8");
	CHECK_EQ(apply(s), 1);
	CHECK_EQ(opt_vcpus, 8);
	CHECK(unit_log_contains(
	    "warning: option 'console=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is longer than 255 characters; ignored\n"));
}

TEST(print_options)
{
	defaults();
	cmdline_print_options(table, ARRAY_SIZE(table));
	CHECK(unit_log_contains(
	    "tandem: option x2apic=on (bool: on/off, yes/no, true/false or 1/0): use x2APIC mode when present\n"));
	CHECK(unit_log_contains(
	    "tandem: option vcpus=4 (uint: an unsigned integer in 1..64): vCPUs per guest\n"));
	CHECK(unit_log_contains("tandem: option heap=16M (size: "));
	CHECK(unit_log_contains("tandem: option console=\"com1\" (string: "));
	CHECK(unit_log_contains(
	    "tandem: option log=info (enum: one of err, warn, info, debug): log level\n"));
}

TEST(skip_image_path)
{
	CHECK_STR(cmdline_skip_image_path("/boot/tandem.elf x2apic=0"), " x2apic=0");
	CHECK_STR(cmdline_skip_image_path("  build/tandem.elf"), "");
	CHECK_STR(cmdline_skip_image_path("tandem.elf"), "");
	CHECK_STR(cmdline_skip_image_path("x2apic vcpus=2"), "x2apic vcpus=2");
	CHECK_STR(cmdline_skip_image_path("console=/dev/x"), "console=/dev/x");
	CHECK_STR(cmdline_skip_image_path(""), "");
	CHECK_STR(cmdline_skip_image_path(NULL), "");
	defaults();
	CHECK_EQ(apply(cmdline_skip_image_path("/boot/tandem.elf vcpus=3")), 0);
	CHECK_EQ(opt_vcpus, 3);
}

/* ---- Module command lines -------------------------------------------------- */

static struct modcmd mc;

TEST(modcmd_valid)
{
	CHECK_EQ(modcmd_parse("guest=web kernel vcpus=2 mem=256M pcpus=\"1-3,5\" weight=200 -- "
	                      " console=ttyS0 root=\"/dev/vda 1\"  quiet  ",
	                      &mc),
	         0);
	CHECK_EQ(mc.count, 6);
	CHECK_STR(modcmd_get(&mc, "guest"), "web");
	CHECK(modcmd_has(&mc, "kernel"));
	CHECK_STR(modcmd_get(&mc, "kernel"), "");
	CHECK(!mc.args[1].has_value);
	CHECK_STR(modcmd_get(&mc, "vcpus"), "2");
	CHECK_STR(modcmd_get(&mc, "mem"), "256M");
	CHECK_STR(modcmd_get(&mc, "pcpus"), "1-3,5");
	CHECK_STR(modcmd_get(&mc, "weight"), "200");
	CHECK(modcmd_get(&mc, "initrd") == NULL);
	CHECK(!modcmd_has(&mc, "initrd"));
	CHECK(mc.has_tail);
	CHECK_STR(mc.tail, "console=ttyS0 root=\"/dev/vda 1\"  quiet");
	CHECK_STR(unit_log(), "");
}

TEST(modcmd_tail_forms)
{
	CHECK_EQ(modcmd_parse("guest=a initrd", &mc), 0);
	CHECK(!mc.has_tail);
	CHECK_STR(mc.tail, "");
	CHECK_EQ(modcmd_parse("guest=a --", &mc), 0);
	CHECK(mc.has_tail);
	CHECK_STR(mc.tail, "");
	/* Only a standalone, unquoted "--" separates; the tail is not tokenized. */
	CHECK_EQ(modcmd_parse("--x=1 \"--\" -- a \"unbalanced -- b", &mc), 0);
	CHECK_EQ(mc.count, 2);
	CHECK_STR(modcmd_get(&mc, "--x"), "1");
	CHECK(modcmd_has(&mc, "--"));
	CHECK_STR(mc.tail, "a \"unbalanced -- b");
	CHECK_EQ(modcmd_parse(NULL, &mc), 0);
	CHECK_EQ(mc.count, 0);
	CHECK_EQ(modcmd_parse("   ", &mc), 0);
	CHECK_EQ(mc.count, 0);
}

TEST(modcmd_unbalanced_quote)
{
	CHECK_EQ(modcmd_parse("guest=a name=\"x y -- quiet", &mc), -ERR_INVAL);
	CHECK(unit_log_contains("module command line: unbalanced quote in 'name=\"x y -- quiet'"));
	CHECK_EQ(mc.count, 0);
}

TEST(modcmd_empty_key)
{
	CHECK_EQ(modcmd_parse("guest=a =x", &mc), -ERR_INVAL);
	CHECK(unit_log_contains("tandem: error: lib/modcmd.c:"));
	CHECK(unit_log_contains("module command line: empty key in '=x'\n"));
	CHECK_EQ(mc.count, 0);
	unit_log_clear();
	CHECK_EQ(modcmd_parse("\"\"", &mc), -ERR_INVAL);
	CHECK(unit_log_contains("empty key in '\"\"'"));
}

TEST(modcmd_too_long)
{
	char s[300];

	memset(s, 'k', 40);
	strcpy(s + 40, "=1");
	CHECK_EQ(modcmd_parse(s, &mc), -ERR_RANGE);
	CHECK(unit_log_contains(
	    "module command line: token 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk=1' is too long (keys up to 31, values up to 127 characters)"));
	unit_log_clear();
	strcpy(s, "cmd=");
	memset(s + 4, 'v', 128);
	s[132] = '\0';
	CHECK_EQ(modcmd_parse(s, &mc), -ERR_RANGE);
	CHECK(unit_log_contains(
	    "module command line: token 'cmd=vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv...' is too long"));
	s[131] = '\0'; /* 127 characters: fits */
	CHECK_EQ(modcmd_parse(s, &mc), 0);
	CHECK_EQ(strlen(modcmd_get(&mc, "cmd")), 127);
	memset(s, 'x', 290); /* longer than the tokenizer's buffer */
	s[290] = '\0';
	CHECK_EQ(modcmd_parse(s, &mc), -ERR_RANGE);
}

TEST(modcmd_too_many)
{
	CHECK_EQ(modcmd_parse("a b c d e f g h i j k l m n o p -- tail", &mc), 0);
	CHECK_EQ(mc.count, 16);
	CHECK_EQ(modcmd_parse("a b c d e f g h i j k l m n o p q=1 -- tail", &mc), -ERR_RANGE);
	CHECK(unit_log_contains(
	    "module command line: more than 16 options before '--'; 'q=1' is one too many"));
	CHECK_EQ(mc.count, 0);
}

TEST(modcmd_duplicate)
{
	CHECK_EQ(modcmd_parse("guest=a vcpus=1 vcpus=2", &mc), -ERR_INVAL);
	CHECK(unit_log_contains("module command line: duplicate key 'vcpus' in 'vcpus=2'"));
	CHECK_EQ(modcmd_parse("kernel \"kernel\"", &mc), -ERR_INVAL);
}

TEST(modcmd_tail_too_long)
{
	static char s[MODCMD_TAIL_MAX + 16];

	strcpy(s, "guest=a -- ");
	memset(s + 11, 'z', MODCMD_TAIL_MAX);
	s[11 + MODCMD_TAIL_MAX] = '\0';
	CHECK_EQ(modcmd_parse(s, &mc), -ERR_RANGE);
	CHECK(unit_log_contains(
	    "module command line: the text after '--' is 2048 characters; at most 2047 fit"));
	s[11 + MODCMD_TAIL_MAX - 1] = '\0';
	CHECK_EQ(modcmd_parse(s, &mc), 0);
	CHECK_EQ(strlen(mc.tail), MODCMD_TAIL_MAX - 1);
}

/* ---- Hostile input ---------------------------------------------------------- */

static uint32_t rng = 777;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

TEST(fuzz)
{
	static const char alphabet[] = "ab=\" \t-0x1Kvcpusheaplogconsole";
	char s[600];

	for (int iter = 0; iter < 5000; iter++) {
		size_t n = rnd() % (sizeof(s) - 1);

		for (size_t i = 0; i < n; i++)
			s[i] = rnd() % 8 ? alphabet[rnd() % (sizeof(alphabet) - 1)] : (char)rnd();
		s[n] = '\0';
		defaults();
		(void)apply(s);
		CHECK(opt_vcpus >= 1 && opt_vcpus <= 64);
		CHECK(strlen(opt_console) < sizeof(opt_console));
		CHECK(opt_level < ARRAY_SIZE(level_names));
		if (modcmd_parse(s, &mc) == 0)
			CHECK(mc.count <= MODCMD_MAX_ARGS);
		unit_log_clear();
	}
}
