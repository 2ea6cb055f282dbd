/*
 * Module command lines: `key[=value]...` tokens, then optionally a standalone
 * "--" and a tail kept verbatim (the guest kernel's own command line, which
 * Linux parses itself, quotes and all). Unlike Tandem's command line, any
 * malformation is an error: a guest started from a misread line is worse
 * than a guest not started.
 */
#include <cmdline.h>
#include <errcode.h>
#include <log.h>
#include <string.h>

static int fail(struct modcmd *out, int err)
{
	memset(out, 0, sizeof(*out));
	return err;
}

static const char *trim_tail(const char *s, size_t *len)
{
	size_t n;

	while (cmdline_isspace(*s))
		s++;
	n = strlen(s);
	while (n && cmdline_isspace(s[n - 1]))
		n--;
	*len = n;
	return s;
}

int modcmd_parse(const char *s, struct modcmd *out)
{
	char buf[MODCMD_KEY_MAX + MODCMD_VALUE_MAX];
	const char *pos = s ? s : "";
	struct cmdline_token t;
	int r;

	memset(out, 0, sizeof(*out));
	while ((r = cmdline_next_token(&pos, buf, sizeof(buf), &t)) != 0) {
		struct modcmd_arg *a;
		size_t klen;

		if (r == -ERR_INVAL) {
			log_err("module command line: unbalanced quote in '%.*s%s'",
			        CMDLINE_SHOW(&t));
			return fail(out, -ERR_INVAL);
		}
		if (t.raw_len == 2 && t.raw[0] == '-' && t.raw[1] == '-') {
			const char *tail;
			size_t len;

			tail = trim_tail(pos, &len);
			if (len >= MODCMD_TAIL_MAX) {
				log_err(
				    "module command line: the text after '--' is %zu characters; at most %d fit",
				    len, MODCMD_TAIL_MAX - 1);
				return fail(out, -ERR_RANGE);
			}
			memcpy(out->tail, tail, len);
			out->tail[len] = '\0';
			out->has_tail = true;
			return 0;
		}
		klen = r > 0 ? strlen(t.key) : 0;
		if (r < 0 || klen >= MODCMD_KEY_MAX ||
		    (t.value && strlen(t.value) >= MODCMD_VALUE_MAX)) {
			log_err(
			    "module command line: token '%.*s%s' is too long (keys up to %d, values up to %d characters)",
			    CMDLINE_SHOW(&t), MODCMD_KEY_MAX - 1, MODCMD_VALUE_MAX - 1);
			return fail(out, -ERR_RANGE);
		}
		if (klen == 0) {
			log_err("module command line: empty key in '%.*s%s'", CMDLINE_SHOW(&t));
			return fail(out, -ERR_INVAL);
		}
		if (modcmd_has(out, t.key)) {
			log_err("module command line: duplicate key '%s' in '%.*s%s'", t.key,
			        CMDLINE_SHOW(&t));
			return fail(out, -ERR_INVAL);
		}
		if (out->count == MODCMD_MAX_ARGS) {
			log_err(
			    "module command line: more than %d options before '--'; '%.*s%s' is one too many",
			    MODCMD_MAX_ARGS, CMDLINE_SHOW(&t));
			return fail(out, -ERR_RANGE);
		}
		a = &out->args[out->count++];
		memcpy(a->key, t.key, klen + 1);
		if (t.value) {
			memcpy(a->value, t.value, strlen(t.value) + 1);
			a->has_value = true;
		}
	}
	return 0;
}

static const struct modcmd_arg *lookup(const struct modcmd *mc, const char *key)
{
	for (uint32_t i = 0; i < mc->count; i++)
		if (strcmp(mc->args[i].key, key) == 0)
			return &mc->args[i];
	return NULL;
}

const char *modcmd_get(const struct modcmd *mc, const char *key)
{
	const struct modcmd_arg *a = lookup(mc, key);

	return a ? a->value : NULL;
}

bool modcmd_has(const struct modcmd *mc, const char *key)
{
	return lookup(mc, key) != NULL;
}
