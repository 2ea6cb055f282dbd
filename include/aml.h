/*
 * A tiny AML byte emitter (ACPI 6.5 chapter 20) for the definition blocks
 * Tandem hands its guests: names, integers and packages of integers, which
 * is all a DSDT needs to declare sleep states. One emitter both measures and
 * writes: with no buffer it only counts, so a builder sizes a block with the
 * same calls that later fill it. Nothing is written past `cap`; an overflow
 * or a malformed name sets `err`, and the caller checks it once at the end.
 */
#ifndef TANDEM_AML_H
#define TANDEM_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf; /* NULL: count only */
	size_t cap;   /* bytes writable at buf */
	size_t len;   /* bytes emitted (or counted) so far */
	bool err;     /* an emit did not fit, or was malformed: the output is unusable */
};

/* Starts an emitter over buf[cap]; buf NULL (cap ignored) measures only. */
void aml_init(struct aml *a, void *buf, size_t cap);

/*
 * NameOp and a single-segment NameString (20.2.2): "\\_S5_" for a name in
 * the root scope, "_S5_" relative to the current one. A segment is four
 * characters, a lead of A-Z or '_' and then A-Z, 0-9 or '_'; shorter ones
 * are padded with '_' as ASL does. The object the name denotes is emitted
 * next.
 */
void aml_name(struct aml *a, const char *path);

/* An Integer as ZeroOp, OneOp, or the shortest Byte/Word/DWord/QWord constant. */
void aml_int(struct aml *a, uint64_t v);

/* Package (n) { v[0], ..., v[n-1] } (20.2.5.4 DefPackage); n at most 255. */
void aml_package_ints(struct aml *a, const uint64_t *v, unsigned int n);

/* AML opcodes and prefixes the emitter uses (20.2.3, 20.2.5.4). */
#define AML_ZERO_OP      0x00
#define AML_ONE_OP       0x01
#define AML_NAME_OP      0x08
#define AML_BYTE_PREFIX  0x0a
#define AML_WORD_PREFIX  0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP   0x12
#define AML_ROOT_CHAR    '\\'

#endif
