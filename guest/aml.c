/*
 * AML encoding (ACPI 6.5 chapter 20). Every emit goes through aml_put(),
 * which counts always and stores only while the bytes fit, so a measuring
 * pass and a writing pass produce the same length.
 */
#include <aml.h>

/* A package's PkgLength (20.2.4) counts itself: at most 4 bytes, 28 bits. */
#define PKG_LEN_MAX ((1u << 28) - 1)

void aml_init(struct aml *a, void *buf, size_t cap)
{
	a->buf = buf;
	a->cap = buf ? cap : 0;
	a->len = 0;
	a->err = false;
}

static void aml_put(struct aml *a, uint8_t b)
{
	if (a->buf) {
		if (a->len < a->cap)
			a->buf[a->len] = b;
		else
			a->err = true;
	}
	a->len++;
}

static bool name_char_ok(char c, bool lead)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!lead && c >= '0' && c <= '9');
}

void aml_name(struct aml *a, const char *path)
{
	unsigned int i;

	aml_put(a, AML_NAME_OP);
	if (*path == AML_ROOT_CHAR)
		aml_put(a, (uint8_t)*path++);
	for (i = 0; i < 4 && path[i]; i++) {
		if (!name_char_ok(path[i], i == 0))
			a->err = true;
		aml_put(a, (uint8_t)path[i]);
	}
	if (i == 0 || path[i])
		a->err = true; /* empty, or more than one segment */
	for (; i < 4; i++)
		aml_put(a, '_');
}

void aml_int(struct aml *a, uint64_t v)
{
	unsigned int bytes;

	if (v <= 1) {
		aml_put(a, v ? AML_ONE_OP : AML_ZERO_OP);
		return;
	}
	if (v <= UINT8_MAX) {
		aml_put(a, AML_BYTE_PREFIX);
		bytes = 1;
	} else if (v <= UINT16_MAX) {
		aml_put(a, AML_WORD_PREFIX);
		bytes = 2;
	} else if (v <= UINT32_MAX) {
		aml_put(a, AML_DWORD_PREFIX);
		bytes = 4;
	} else {
		aml_put(a, AML_QWORD_PREFIX);
		bytes = 8;
	}
	for (unsigned int i = 0; i < bytes; i++)
		aml_put(a, (uint8_t)(v >> (8 * i)));
}

/*
 * PkgLength for `body` bytes that follow it: one byte up to 63 in all, else
 * a lead byte holding the count of following bytes (bits 7:6) and the low
 * nibble, then the rest of the value 8 bits at a time.
 */
static void aml_pkg_len(struct aml *a, size_t body)
{
	unsigned int extra = 0;
	size_t total = body + 1;

	if (total > 0x3f) {
		for (extra = 1; extra < 3 && body + 1 + extra > (1u << (4 + 8 * extra)) - 1;
		     extra++)
			;
		total = body + 1 + extra;
	}
	if (total > PKG_LEN_MAX) {
		a->err = true;
		return;
	}
	if (!extra) {
		aml_put(a, (uint8_t)total);
		return;
	}
	aml_put(a, (uint8_t)(extra << 6 | (total & 0xf)));
	for (unsigned int i = 0; i < extra; i++)
		aml_put(a, (uint8_t)(total >> (4 + 8 * i)));
}

void aml_package_ints(struct aml *a, const uint64_t *v, unsigned int n)
{
	struct aml body;

	if (n > UINT8_MAX) {
		a->err = true;
		return;
	}
	/* NumElements and the elements, measured first: PkgLength precedes them. */
	aml_init(&body, NULL, 0);
	aml_put(&body, (uint8_t)n);
	for (unsigned int i = 0; i < n; i++)
		aml_int(&body, v[i]);

	aml_put(a, AML_PACKAGE_OP);
	aml_pkg_len(a, body.len);
	aml_put(a, (uint8_t)n);
	for (unsigned int i = 0; i < n; i++)
		aml_int(a, v[i]);
}
