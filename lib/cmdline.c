/*
 * Tandem's command line: the tokenizer (shared with lib/modcmd.c), the value
 * parsers, and applying tokens to a table of boot options. Pure: the table
 * is a parameter, so host tests pass their own (lib/bootopts.c passes the
 * linked ".bootopts" section).
 */
#include <cmdline.h>
#include <errcode.h>
#include <format.h>
#include <log.h>
#include <string.h>

bool cmdline_isspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int cmdline_next_token(const char **pos, char *buf, size_t size, struct cmdline_token *t)
{
	const char *p = *pos;
	bool quoted = false, too_long = false;
	size_t n = 0;

	while (cmdline_isspace(*p))
		p++;
	*pos = p;
	if (*p == '\0')
		return 0;
	t->raw = p;
	t->key = buf;
	t->value = NULL;
	for (; *p && (quoted || !cmdline_isspace(*p)); p++) {
		char c = *p;
		bool split = false;

		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (c == '=' && !quoted && !t->value && !too_long) {
			c = '\0';
			split = true;
		}
		if (n + 1 >= size) {
			too_long = true;
			continue;
		}
		buf[n++] = c;
		if (split)
			t->value = &buf[n];
	}
	buf[n] = '\0';
	t->raw_len = (size_t)(p - t->raw);
	*pos = p;
	if (quoted)
		return -ERR_INVAL;
	if (too_long)
		return -ERR_RANGE;
	return 1;
}

/* ---- Values ---------------------------------------------------------------- */

bool cmdline_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "on", "yes", "true"};
	static const char *const no[] = {"0", "off", "no", "false"};

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	return false;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* Parses the number at the start of s; *end is where it stopped. */
static bool parse_prefix(const char *s, uint64_t *out, const char **end)
{
	unsigned int base = 10;
	uint64_t v = 0;
	const char *p = s;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	if (digit_value(*p) >= (int)base)
		return false;
	for (; digit_value(*p) < (int)base; p++) {
		unsigned int d = (unsigned int)digit_value(*p);

		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	*end = p;
	return true;
}

bool cmdline_parse_uint(const char *s, uint64_t *out)
{
	const char *end;
	uint64_t v;

	if (!parse_prefix(s, &v, &end) || *end != '\0')
		return false;
	*out = v;
	return true;
}

bool cmdline_parse_size(const char *s, uint64_t *out)
{
	unsigned int shift = 0;
	const char *end;
	uint64_t v;

	if (!parse_prefix(s, &v, &end))
		return false;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return false;
	}
	if (shift && end[1] != '\0')
		return false;
	if (v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

/* ---- Options --------------------------------------------------------------- */

static uint64_t read_uint(const struct boot_option *o)
{
	switch (o->size) {
	case 1:
		return *(const uint8_t *)o->var;
	case 2:
		return *(const uint16_t *)o->var;
	case 4:
		return *(const uint32_t *)o->var;
	default:
		return *(const uint64_t *)o->var;
	}
}

static void write_uint(const struct boot_option *o, uint64_t v)
{
	switch (o->size) {
	case 1:
		*(uint8_t *)o->var = (uint8_t)v;
		break;
	case 2:
		*(uint16_t *)o->var = (uint16_t)v;
		break;
	case 4:
		*(uint32_t *)o->var = (uint32_t)v;
		break;
	default:
		*(uint64_t *)o->var = v;
		break;
	}
}

static void format_size(char *buf, size_t n, uint64_t v)
{
	if (v && (v & ((1ull << 30) - 1)) == 0)
		ksnprintf(buf, n, "%luG", v >> 30);
	else if (v && (v & ((1ull << 20) - 1)) == 0)
		ksnprintf(buf, n, "%luM", v >> 20);
	else if (v && (v & ((1ull << 10) - 1)) == 0)
		ksnprintf(buf, n, "%luK", v >> 10);
	else
		ksnprintf(buf, n, "%lu", v);
}

/* The option's current value as it would be written on the command line. */
static void format_value(const struct boot_option *o, char *buf, size_t n)
{
	unsigned int idx;

	switch (o->type) {
	case BOOT_OPT_BOOL:
		ksnprintf(buf, n, "%s", *(const bool *)o->var ? "on" : "off");
		break;
	case BOOT_OPT_UINT:
		ksnprintf(buf, n, "%lu", read_uint(o));
		break;
	case BOOT_OPT_SIZE:
		format_size(buf, n, read_uint(o));
		break;
	case BOOT_OPT_STRING:
		ksnprintf(buf, n, "\"%.*s\"", (int)o->size, (const char *)o->var);
		break;
	case BOOT_OPT_ENUM:
		idx = *(const unsigned int *)o->var;
		ksnprintf(buf, n, "%s", idx < o->count ? o->names[idx] : "?");
		break;
	}
}

/* What a valid value looks like, for messages and the option list. */
static void describe(const struct boot_option *o, char *buf, size_t n)
{
	char lo[24], hi[24];
	size_t len;

	switch (o->type) {
	case BOOT_OPT_BOOL:
		ksnprintf(buf, n, "on/off, yes/no, true/false or 1/0");
		break;
	case BOOT_OPT_UINT:
		ksnprintf(buf, n, "an unsigned integer in %lu..%lu", o->min, o->max);
		break;
	case BOOT_OPT_SIZE:
		format_size(lo, sizeof(lo), o->min);
		format_size(hi, sizeof(hi), o->max);
		ksnprintf(buf, n, "a size in %s..%s, K/M/G suffix allowed", lo, hi);
		break;
	case BOOT_OPT_STRING:
		ksnprintf(buf, n, "a string of at most %u characters", o->size - 1);
		break;
	case BOOT_OPT_ENUM:
		len = ksnprintf(buf, n, "one of");
		for (uint32_t i = 0; i < o->count && len < n; i++)
			len += ksnprintf(buf + len, n - len, "%s %s", i ? "," : "", o->names[i]);
		break;
	}
}

/* Sets o from value; false when value does not parse or is out of range. */
static bool set_value(const struct boot_option *o, const char *value)
{
	uint64_t v;
	bool b;
	size_t len;

	switch (o->type) {
	case BOOT_OPT_BOOL:
		if (!cmdline_parse_bool(value, &b))
			return false;
		*(bool *)o->var = b;
		return true;
	case BOOT_OPT_UINT:
	case BOOT_OPT_SIZE:
		if (o->type == BOOT_OPT_UINT ? !cmdline_parse_uint(value, &v)
		                             : !cmdline_parse_size(value, &v))
			return false;
		if (v < o->min || v > o->max)
			return false;
		write_uint(o, v);
		return true;
	case BOOT_OPT_STRING:
		len = strlen(value);
		if (len >= o->size)
			return false;
		memcpy(o->var, value, len + 1);
		return true;
	case BOOT_OPT_ENUM:
		for (uint32_t i = 0; i < o->count; i++) {
			if (strcmp(value, o->names[i]) == 0) {
				*(unsigned int *)o->var = i;
				return true;
			}
		}
		return false;
	}
	return false;
}

static const struct boot_option *find(const struct boot_option *opts, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(opts[i].name, key) == 0)
			return &opts[i];
	return NULL;
}

/* Longest token Tandem's options take; a string option's value is shorter. */
#define TOKEN_MAX 256

int cmdline_apply(const char *cmdline, const struct boot_option *opts, size_t n)
{
	const char *pos = cmdline ? cmdline : "";
	struct cmdline_token t;
	char buf[TOKEN_MAX];
	int problems = 0, r;

	while ((r = cmdline_next_token(&pos, buf, sizeof(buf), &t)) != 0) {
		const struct boot_option *o;
		char cur[96], want[160];

		if (r == -ERR_INVAL) {
			log_warn(
			    "unbalanced quote in '%.*s%s'; the rest of the command line is ignored",
			    CMDLINE_SHOW(&t));
			problems++;
			break;
		}
		if (r < 0) {
			log_warn("option '%.*s%s' is longer than %d characters; ignored",
			         CMDLINE_SHOW(&t), TOKEN_MAX - 1);
			problems++;
			continue;
		}
		o = find(opts, n, t.key);
		if (!o) {
			log_warn("unknown option '%.*s%s' ignored", CMDLINE_SHOW(&t));
			problems++;
			continue;
		}
		if (!t.value && o->type == BOOT_OPT_BOOL) {
			*(bool *)o->var = true;
			continue;
		}
		format_value(o, cur, sizeof(cur));
		if (!t.value) {
			log_warn("option '%s' needs a value (%s=...); keeping %s", o->name, o->name,
			         cur);
			problems++;
			continue;
		}
		if (!set_value(o, t.value)) {
			describe(o, want, sizeof(want));
			log_warn("option '%s': invalid value '%s' (expected %s); keeping %s",
			         o->name, t.value, want, cur);
			problems++;
		}
	}
	return problems;
}

static const char *const type_names[] = {
    [BOOT_OPT_BOOL] = "bool",     [BOOT_OPT_UINT] = "uint", [BOOT_OPT_SIZE] = "size",
    [BOOT_OPT_STRING] = "string", [BOOT_OPT_ENUM] = "enum",
};

void cmdline_print_options(const struct boot_option *opts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct boot_option *o = &opts[i];
		char cur[96], want[160];

		format_value(o, cur, sizeof(cur));
		describe(o, want, sizeof(want));
		log_info("option %s=%s (%s: %s): %s", o->name, cur, type_names[o->type], want,
		         o->help);
	}
}

const char *cmdline_skip_image_path(const char *cmdline)
{
	const char *p = cmdline ? cmdline : "";
	bool path = false;

	while (cmdline_isspace(*p))
		p++;
	for (const char *q = p; *q && !cmdline_isspace(*q); q++) {
		if (*q == '=' || *q == '"')
			return p;
		if (*q == '/' || *q == '.')
			path = true;
	}
	if (!path)
		return p;
	while (*p && !cmdline_isspace(*p))
		p++;
	return p;
}
