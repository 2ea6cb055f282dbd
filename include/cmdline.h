/*
 * Command lines: Tandem's own options and the per-module command lines the
 * guest loader reads.
 *
 * Both use one token syntax: tokens are separated by unquoted whitespace; a
 * token is `key` or `key=value` (split at the first unquoted '='); double
 * quotes may appear anywhere in a token, group whitespace, and are removed
 * (`key="a b"` has the value `a b`). There is no escape character.
 *
 * Tandem's options are declared next to the code they configure:
 *
 *	static bool use_x2apic = true;
 *	BOOT_OPTION_BOOL("x2apic", use_x2apic, "use x2APIC mode when the CPU has it");
 *
 * which places a struct boot_option in the ".bootopts" section; boot code
 * calls cmdline_apply_boot(bi->cmdline) once, before the options are read.
 */
#ifndef TANDEM_CMDLINE_H
#define TANDEM_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <compiler.h>

/* ---- Tandem's options ------------------------------------------------------ */

enum boot_option_type {
	BOOT_OPT_BOOL,   /* bool; 1/0, on/off, yes/no, true/false; bare `name` sets it */
	BOOT_OPT_UINT,   /* unsigned integer of any width; decimal or 0x hex; min..max */
	BOOT_OPT_SIZE,   /* like UINT, with an optional K/M/G (binary) suffix */
	BOOT_OPT_STRING, /* char array; the value must fit with its NUL */
	BOOT_OPT_ENUM,   /* unsigned int index into names[] */
};

struct boot_option {
	const char *name;
	const char *help;
	void *var;
	uint64_t min, max;        /* UINT, SIZE */
	const char *const *names; /* ENUM */
	uint32_t count;           /* ENUM: entries in names */
	uint32_t size;            /* sizeof the variable (STRING: of the array) */
	enum boot_option_type type;
};

/* A compile-time check usable inside an initializer: 0, or a build error when e. */
#define BOOTOPT_CHECK_(e)    ((uint32_t)sizeof(struct { int : (-!!(e)); }))
#define BOOTOPT_UNSIGNED_(v) ((__typeof__(v))-1 > 0)

/*
 * Initializers, for tables passed to cmdline_apply() directly (host tests);
 * min and max must be constants that the variable can hold.
 */
#define BOOT_OPTION_INIT_BOOL(nm, v, hlp)                                                          \
	{                                                                                          \
		.name = (nm), .help = (hlp), .var = &(v), .type = BOOT_OPT_BOOL,                   \
		.size =                                                                            \
		    sizeof(v) + BOOTOPT_CHECK_(!__builtin_types_compatible_p(__typeof__(v), bool)) \
	}
#define BOOTOPT_INIT_NUM_(nm, v, lo, hi, hlp, t)                                                   \
	{                                                                                          \
		.name = (nm), .help = (hlp), .var = &(v), .min = (lo), .max = (hi), .type = (t),   \
		.size = sizeof(v) + BOOTOPT_CHECK_(!BOOTOPT_UNSIGNED_(v)) +                        \
		        BOOTOPT_CHECK_((uint64_t)(lo) > (uint64_t)(hi)) +                          \
		        BOOTOPT_CHECK_((uint64_t)(hi) > (uint64_t)(__typeof__(v))-1)               \
	}
#define BOOT_OPTION_INIT_UINT(nm, v, lo, hi, hlp)                                                  \
	BOOTOPT_INIT_NUM_(nm, v, lo, hi, hlp, BOOT_OPT_UINT)
#define BOOT_OPTION_INIT_SIZE(nm, v, lo, hi, hlp)                                                  \
	BOOTOPT_INIT_NUM_(nm, v, lo, hi, hlp, BOOT_OPT_SIZE)
#define BOOT_OPTION_INIT_STRING(nm, buf, hlp)                                                      \
	{                                                                                          \
		.name = (nm), .help = (hlp), .var = (buf), .type = BOOT_OPT_STRING,                \
		.size = sizeof(buf) +                                                              \
		        BOOTOPT_CHECK_(__builtin_types_compatible_p(__typeof__(buf),               \
		                                                    __typeof__(&(buf)[0])) ||      \
		                       sizeof((buf)[0]) != 1)                                      \
	}
#define BOOT_OPTION_INIT_ENUM(nm, v, nms, hlp)                                                     \
	{                                                                                          \
		.name = (nm), .help = (hlp), .var = &(v), .names = (nms),                          \
		.count = ARRAY_SIZE(nms), .type = BOOT_OPT_ENUM,                                   \
		.size = sizeof(v) +                                                                \
		        BOOTOPT_CHECK_(!__builtin_types_compatible_p(__typeof__(v), unsigned int)) \
	}

#define BOOTOPT_CAT2_(a, b) a##b
#define BOOTOPT_CAT_(a, b)  BOOTOPT_CAT2_(a, b)
/* Explicitly aligned so GCC does not pad the section with its larger data alignment. */
#define BOOTOPT_DECL_                                                                              \
	static const struct boot_option BOOTOPT_CAT_(bootopt_, __COUNTER__) __section(".bootopts") \
	    __attribute__((used)) __aligned(8) =

/* Declarations placing an option in ".bootopts"; name is a string literal. */
#define BOOT_OPTION_BOOL(nm, v, hlp)         BOOTOPT_DECL_ BOOT_OPTION_INIT_BOOL(nm, v, hlp)
#define BOOT_OPTION_UINT(nm, v, lo, hi, hlp) BOOTOPT_DECL_ BOOT_OPTION_INIT_UINT(nm, v, lo, hi, hlp)
#define BOOT_OPTION_SIZE(nm, v, lo, hi, hlp) BOOTOPT_DECL_ BOOT_OPTION_INIT_SIZE(nm, v, lo, hi, hlp)
#define BOOT_OPTION_STRING(nm, buf, hlp)     BOOTOPT_DECL_ BOOT_OPTION_INIT_STRING(nm, buf, hlp)
#define BOOT_OPTION_ENUM(nm, v, nms, hlp)    BOOTOPT_DECL_ BOOT_OPTION_INIT_ENUM(nm, v, nms, hlp)

/*
 * Applies cmdline (NULL: empty) to the n options in opts. Unknown options
 * and bad values are logged as warnings and leave the variable as it was.
 * Later occurrences of an option override earlier ones. Returns the number
 * of problems, 0 for a clean command line.
 */
int cmdline_apply(const char *cmdline, const struct boot_option *opts, size_t n);

/* Logs every option with its current value, type and help. */
void cmdline_print_options(const struct boot_option *opts, size_t n);

/*
 * Loaders put the image path first (GRUB, QEMU -kernel: "/boot/tandem.elf
 * x2apic=0"); returns cmdline past such a first word (no '=', has '/' or '.').
 */
const char *cmdline_skip_image_path(const char *cmdline);

/* Kernel only (lib/bootopts.c): the same over the linked ".bootopts" section. */
int cmdline_apply_boot(const char *cmdline);
void cmdline_print_boot_options(void);

/* Value parsers, shared with the module command line's users. */
bool cmdline_parse_bool(const char *s, bool *out);
/* Decimal or 0x hex, no sign; false on junk or overflow. */
bool cmdline_parse_uint(const char *s, uint64_t *out);
/* As cmdline_parse_uint, then an optional K, M or G (x 2^10, 2^20, 2^30). */
bool cmdline_parse_size(const char *s, uint64_t *out);

/* ---- The tokenizer ---------------------------------------------------------- */

struct cmdline_token {
	const char *raw; /* the token as written, quotes included; not NUL-terminated */
	size_t raw_len;
	const char *key;   /* unquoted, in the caller's buffer */
	const char *value; /* after the first unquoted '='; NULL for a bare key */
};

/*
 * Reads the token at *pos into buf (size > 0) and advances *pos past it.
 * Returns 1 for a token, 0 at the end of the string, -ERR_INVAL for an
 * unbalanced quote (the token then runs to the end of the string) or
 * -ERR_RANGE when the unquoted token does not fit in buf. raw and raw_len
 * are set in every case but 0, for the caller's message.
 */
int cmdline_next_token(const char **pos, char *buf, size_t size, struct cmdline_token *t);

bool cmdline_isspace(char c);

/* For messages: `'%.*s%s'` with CMDLINE_SHOW(tok) prints a raw token, capped. */
#define CMDLINE_SHOW_MAX 64
#define CMDLINE_SHOW(t)                                                                            \
	(int)MIN((t)->raw_len, (size_t)CMDLINE_SHOW_MAX), (t)->raw,                                \
	    (t)->raw_len > CMDLINE_SHOW_MAX ? "..." : ""

/* ---- Module command lines ------------------------------------------------- */

/*
 * `guest=NAME kernel vcpus=N mem=SIZE [pcpus=LIST] [weight=W] -- <linux cmdline>`:
 * up to MODCMD_MAX_ARGS key[=value] tokens, then optionally a standalone "--"
 * after which everything is kept verbatim (trimmed) as the tail. Storage is
 * inside the struct, so it may be copied freely.
 */
#define MODCMD_MAX_ARGS  16
#define MODCMD_KEY_MAX   32   /* including the NUL */
#define MODCMD_VALUE_MAX 128  /* including the NUL */
#define MODCMD_TAIL_MAX  2048 /* including the NUL; Linux's COMMAND_LINE_SIZE on x86 */

struct modcmd_arg {
	char key[MODCMD_KEY_MAX];
	char value[MODCMD_VALUE_MAX]; /* "" for a bare key */
	bool has_value;
};

struct modcmd {
	uint32_t count;
	struct modcmd_arg args[MODCMD_MAX_ARGS];
	bool has_tail; /* a "--" was present (the tail may still be "") */
	char tail[MODCMD_TAIL_MAX];
};

/*
 * Parses s (NULL: empty). Returns 0, or -ERR_INVAL (unbalanced quote, empty
 * key, duplicate key) / -ERR_RANGE (token or tail too long, too many
 * tokens) after one log line naming the offending token; *out is then
 * empty. The caller's own message should name the module.
 */
int modcmd_parse(const char *s, struct modcmd *out);

/* The value of key: "" for a bare key, NULL when key is absent. */
const char *modcmd_get(const struct modcmd *mc, const char *key);
bool modcmd_has(const struct modcmd *mc, const char *key);

#endif
