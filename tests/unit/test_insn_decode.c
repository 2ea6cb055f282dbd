/*
 * The MMIO instruction decoder and emulator against hand-checked encodings
 * (SDM Vol. 2 opcode tables; cross-checked with objdump), a fake device, and
 * a fuzzer that feeds exact-size heap buffers so ASan catches any over-read.
 */
#include <compiler.h>
#include <errcode.h>
#include <stdlib.h>
#include <string.h>
#include <x86/insn_decode.h>
#include <x86/mmio_emul.h>

#include "unit.h"

#define NONE     INSN_REG_NONE
#define ENC(...) .bytes = {__VA_ARGS__}, .len = sizeof((uint8_t[]){__VA_ARGS__})
#define P13      0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e

enum {
	RAX,
	RCX,
	RDX,
	RBX,
	RSP,
	RBP,
	RSI,
	RDI,
	R8,
	R12 = 12,
	R13,
	R15 = 15
};

struct good {
	const char *name;
	int mode;
	uint8_t bytes[INSN_MAX_LEN];
	uint8_t len;
	enum insn_op op;
	uint8_t op_size, mem_size, addr_size;
	uint8_t reg;
	bool high8;
	enum insn_ext ext;
};

static const struct good good[] = {
    {"mov eax,[rdi]", 64, ENC(0x8b, 0x07), INSN_LOAD, 4, 4, 8, RAX},
    {"mov rax,[rdi+8]", 64, ENC(0x48, 0x8b, 0x47, 0x08), INSN_LOAD, 8, 8, 8, RAX},
    {"mov [0xfeb00000],ecx", 64, ENC(0x89, 0x0c, 0x25, 0x00, 0x00, 0xb0, 0xfe), INSN_STORE, 4, 4, 8,
     RCX},
    {"mov dword [rax],0x12345678", 64, ENC(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), INSN_STORE_IMM, 4,
     4, 8, NONE},
    {"mov [rax],dx", 64, ENC(0x66, 0x89, 0x10), INSN_STORE, 2, 2, 8, RDX},
    {"mov [rax],ah", 64, ENC(0x88, 0x20), INSN_STORE, 1, 1, 8, RAX, true},
    {"mov [rax],spl", 64, ENC(0x40, 0x88, 0x20), INSN_STORE, 1, 1, 8, RSP},
    {"mov ah,[rax]", 64, ENC(0x8a, 0x20), INSN_LOAD, 1, 1, 8, RAX, true},
    {"mov bh,[rax]", 64, ENC(0x8a, 0x38), INSN_LOAD, 1, 1, 8, RBX, true},
    {"mov r15b,[rax]", 64, ENC(0x44, 0x8a, 0x38), INSN_LOAD, 1, 1, 8, R15},
    {"mov eax,[r12]", 64, ENC(0x41, 0x8b, 0x04, 0x24), INSN_LOAD, 4, 4, 8, RAX},
    {"mov eax,[r13+0]", 64, ENC(0x41, 0x8b, 0x45, 0x00), INSN_LOAD, 4, 4, 8, RAX},
    {"mov eax,[rip+x] (REX.B)", 64, ENC(0x41, 0x8b, 0x05, 0, 0, 0, 0), INSN_LOAD, 4, 4, 8, RAX},
    {"mov eax,[rax+r12*4]", 64, ENC(0x42, 0x8b, 0x04, 0xa0), INSN_LOAD, 4, 4, 8, RAX},
    {"mov r8,[rax+rcx*8+0x100]", 64, ENC(0x4c, 0x8b, 0x84, 0xc8, 0x00, 0x01, 0x00, 0x00), INSN_LOAD,
     8, 8, 8, R8},
    {"mov eax,[rsp+8]", 64, ENC(0x8b, 0x44, 0x24, 0x08), INSN_LOAD, 4, 4, 8, RAX},
    {"mov esp,[rax]", 64, ENC(0x8b, 0x20), INSN_LOAD, 4, 4, 8, RSP},
    {"movzx eax,byte [rax]", 64, ENC(0x0f, 0xb6, 0x00), INSN_LOAD, 4, 1, 8, RAX, false,
     INSN_EXT_ZERO},
    {"movzx eax,word [rax]", 64, ENC(0x0f, 0xb7, 0x00), INSN_LOAD, 4, 2, 8, RAX, false,
     INSN_EXT_ZERO},
    {"movzx ax,word [rax]", 64, ENC(0x66, 0x0f, 0xb7, 0x00), INSN_LOAD, 2, 2, 8, RAX},
    {"movsx rax,word [rax]", 64, ENC(0x48, 0x0f, 0xbf, 0x00), INSN_LOAD, 8, 2, 8, RAX, false,
     INSN_EXT_SIGN},
    {"movsx ax,byte [rax]", 64, ENC(0x66, 0x0f, 0xbe, 0x00), INSN_LOAD, 2, 1, 8, RAX, false,
     INSN_EXT_SIGN},
    {"movzx r9d,byte [rsi] (no AH)", 64, ENC(0x44, 0x0f, 0xb6, 0x0e), INSN_LOAD, 4, 1, 8, 9, false,
     INSN_EXT_ZERO},
    {"movsxd rax,[rax]", 64, ENC(0x48, 0x63, 0x00), INSN_LOAD, 8, 4, 8, RAX, false, INSN_EXT_SIGN},
    {"movsxd eax,[rax]", 64, ENC(0x63, 0x00), INSN_LOAD, 4, 4, 8, RAX},
    {"mov eax,[rip+0x12345678]", 64, ENC(0x8b, 0x05, 0x78, 0x56, 0x34, 0x12), INSN_LOAD, 4, 4, 8,
     RAX},
    {"mov eax,[moffs64]", 64, ENC(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), INSN_LOAD,
     4, 4, 8, RAX},
    {"mov [moffs64],rax", 64, ENC(0x48, 0xa3, 0, 0, 0xb0, 0xfe, 0, 0, 0, 0), INSN_STORE, 8, 8, 8,
     RAX},
    {"mov al,[moffs32]", 64, ENC(0x67, 0xa0, 0x00, 0x00, 0xb0, 0xfe), INSN_LOAD, 1, 1, 4, RAX},
    {"mov [moffs64],al", 64, ENC(0xa2, 1, 2, 3, 4, 5, 6, 7, 8), INSN_STORE, 1, 1, 8, RAX},
    {"mov qword [rax],-1", 64, ENC(0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), INSN_STORE_IMM, 8, 8,
     8, NONE},
    {"mov word [rax],0x1234", 64, ENC(0x66, 0xc7, 0x00, 0x34, 0x12), INSN_STORE_IMM, 2, 2, 8, NONE},
    {"mov byte [rax+16],0xab", 64, ENC(0xc6, 0x40, 0x10, 0xab), INSN_STORE_IMM, 1, 1, 8, NONE},
    {"mov eax,gs:[0x10]", 64, ENC(0x65, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0), INSN_LOAD, 4, 4, 8, RAX},
    {"mov eax,[edi]", 64, ENC(0x67, 0x8b, 0x07), INSN_LOAD, 4, 4, 4, RAX},
    {"REX then 66: REX ignored", 64, ENC(0x48, 0x66, 0x8b, 0x00), INSN_LOAD, 2, 2, 8, RAX},
    {"66 then REX.W: 64-bit", 64, ENC(0x66, 0x48, 0x8b, 0x00), INSN_LOAD, 8, 8, 8, RAX},
    {"REX REX: last counts", 64, ENC(0x4c, 0x40, 0x8a, 0x20), INSN_LOAD, 1, 1, 8, RSP},
    {"rep movsd", 64, ENC(0xf3, 0xa5), INSN_MOVS, 4, 4, 8, NONE},
    {"movsb", 64, ENC(0xa4), INSN_MOVS, 1, 1, 8, NONE},
    {"rep stosq", 64, ENC(0xf3, 0x48, 0xab), INSN_STOS, 8, 8, 8, RAX},
    {"stosb", 64, ENC(0xaa), INSN_STOS, 1, 1, 8, RAX},
    {"13 prefixes, 15 bytes", 64, ENC(P13, 0x8b, 0x00), INSN_LOAD, 4, 4, 8, RAX},
    {"32: mov eax,[edi]", 32, ENC(0x8b, 0x07), INSN_LOAD, 4, 4, 4, RAX},
    {"32: mov [0xfeb00000],ecx", 32, ENC(0x89, 0x0c, 0x25, 0x00, 0x00, 0xb0, 0xfe), INSN_STORE, 4,
     4, 4, RCX},
    {"32: mov eax,[0xfeb00000]", 32, ENC(0x8b, 0x05, 0x00, 0x00, 0xb0, 0xfe), INSN_LOAD, 4, 4, 4,
     RAX},
    {"32: mov eax,[moffs32]", 32, ENC(0xa1, 0x00, 0x00, 0xb0, 0xfe), INSN_LOAD, 4, 4, 4, RAX},
    {"32: mov ax,[moffs16]", 32, ENC(0x66, 0x67, 0xa1, 0x34, 0x12), INSN_LOAD, 2, 2, 2, RAX},
    {"32: mov eax,[bx]", 32, ENC(0x67, 0x8b, 0x07), INSN_LOAD, 4, 4, 2, RAX},
    {"32: mov [eax],ah", 32, ENC(0x88, 0x20), INSN_STORE, 1, 1, 4, RAX, true},
    {"16: mov ax,[bx+8]", 16, ENC(0x8b, 0x47, 0x08), INSN_LOAD, 2, 2, 2, RAX},
    {"16: mov ax,[bp+2]", 16, ENC(0x8b, 0x46, 0x02), INSN_LOAD, 2, 2, 2, RAX},
    {"16: mov ax,[0x1234]", 16, ENC(0x8b, 0x06, 0x34, 0x12), INSN_LOAD, 2, 2, 2, RAX},
    {"16: mov ax,[si+0x1000]", 16, ENC(0x8b, 0x84, 0x00, 0x10), INSN_LOAD, 2, 2, 2, RAX},
    {"16: mov eax,[bx]", 16, ENC(0x66, 0x8b, 0x07), INSN_LOAD, 4, 4, 2, RAX},
    {"16: mov ax,[edi]", 16, ENC(0x67, 0x8b, 0x07), INSN_LOAD, 2, 2, 4, RAX},
    {"16: mov word [bx],0x1234", 16, ENC(0xc7, 0x07, 0x34, 0x12), INSN_STORE_IMM, 2, 2, 2, NONE},
};

/* Decodes from a heap copy of exactly n bytes, so ASan sees any over-read. */
static int decode_n(const uint8_t *bytes, size_t n, int mode, struct insn *out)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, bytes, n);
	rc = insn_decode(copy, n, mode, out);
	free(copy);
	return rc;
}

static uint8_t dir_of(enum insn_op op)
{
	switch (op) {
	case INSN_LOAD:
		return INSN_DIR_READ;
	case INSN_MOVS:
		return INSN_DIR_READ | INSN_DIR_WRITE;
	default:
		return INSN_DIR_WRITE;
	}
}

TEST(good_encodings)
{
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		const struct good *g = &good[i];
		struct insn in;
		int rc = decode_n(g->bytes, g->len, g->mode, &in);

		if (rc != 0) {
			unit_fail(__FILE__, __LINE__, "%s: rc %d", g->name, rc);
			continue;
		}
		if (in.len != g->len || in.op != g->op || in.op_size != g->op_size ||
		    in.mem_size != g->mem_size || in.addr_size != g->addr_size ||
		    in.reg != g->reg || in.reg_high8 != g->high8 || in.ext != g->ext ||
		    in.dir != dir_of(g->op))
			unit_fail(__FILE__, __LINE__,
			          "%s: len %u op %d size %u/%u addr %u reg %u%s ext %d dir %u",
			          g->name, in.len, in.op, in.op_size, in.mem_size, in.addr_size,
			          in.reg, in.reg_high8 ? "h" : "", in.ext, in.dir);
	}
}

/* Every proper prefix of a valid instruction asks for more; trailing bytes are not consumed. */
TEST(truncated_at_every_length)
{
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		const struct good *g = &good[i];
		uint8_t padded[32];
		struct insn in;

		for (size_t n = 0; n < g->len; n++) {
			int rc = decode_n(g->bytes, n, g->mode, &in);

			if (rc != -ERR_TRUNC)
				unit_fail(__FILE__, __LINE__, "%s at %zu bytes: rc %d", g->name, n,
				          rc);
		}
		memset(padded, 0xcc, sizeof(padded));
		memcpy(padded, g->bytes, g->len);
		CHECK_EQ(insn_decode(padded, sizeof(padded), g->mode, &in), 0);
		CHECK_EQ(in.len, g->len);
	}
}

TEST(operands)
{
	struct insn in;

	REQUIRE(insn_decode((const uint8_t[]){0xc7, 0x00, 0x78, 0x56, 0x34, 0x12}, 6, 64, &in) ==
	        0);
	CHECK_EQ(in.imm, 0x12345678);
	CHECK_EQ(in.opcode, 0xc7);
	REQUIRE(insn_decode((const uint8_t[]){0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80}, 7, 64,
	                    &in) == 0);
	CHECK_EQ(in.imm, 0xffffffff80000000ull);
	REQUIRE(insn_decode((const uint8_t[]){0x66, 0xc7, 0x00, 0x34, 0x12}, 5, 64, &in) == 0);
	CHECK_EQ(in.imm & 0xffff, 0x1234);
	REQUIRE(insn_decode((const uint8_t[]){0x48, 0x0f, 0xbf, 0x00}, 4, 64, &in) == 0);
	CHECK_EQ(in.opcode, 0x0fbf);
	REQUIRE(insn_decode((const uint8_t[]){0xf3, 0xa5}, 2, 64, &in) == 0);
	CHECK(in.rep);
	CHECK_EQ(in.ea.base, RSI);
	CHECK_EQ(in.seg, INSN_SEG_DS);
	REQUIRE(insn_decode((const uint8_t[]){0x65, 0xab}, 2, 64, &in) == 0);
	CHECK(!in.rep);
	CHECK_EQ(in.ea.base, RDI);
	CHECK_EQ(in.seg, INSN_SEG_ES); /* STOS ignores the override */
	REQUIRE(insn_decode((const uint8_t[]){0x65, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0}, 8, 64, &in) ==
	        0);
	CHECK_EQ(in.seg, INSN_SEG_GS);
	REQUIRE(insn_decode((const uint8_t[]){0x64, 0x65, 0x8b, 0x00}, 4, 64, &in) == 0);
	CHECK_EQ(in.seg, INSN_SEG_GS); /* the last override counts */
	REQUIRE(insn_decode((const uint8_t[]){0x8b, 0x44, 0x24, 0x08}, 4, 64, &in) == 0);
	CHECK_EQ(in.seg, INSN_SEG_SS);
	REQUIRE(insn_decode((const uint8_t[]){0x8b, 0x46, 0x02}, 3, 16, &in) == 0);
	CHECK_EQ(in.seg, INSN_SEG_SS);
	REQUIRE(insn_decode((const uint8_t[]){0x8b, 0x07}, 2, 64, &in) == 0);
	CHECK_EQ(in.seg, INSN_SEG_DS);
}

static uint64_t ea_of(const uint8_t *bytes, size_t n, int mode, const uint64_t regs[16],
                      uint64_t rip, struct insn *in)
{
	if (insn_decode(bytes, n, mode, in) != 0)
		return 0xdead;
	return insn_effective_addr(in, regs, rip);
}

#define EA(mode, rip, ...)                                                                         \
	ea_of((const uint8_t[]){__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}), mode, regs, rip,   \
	      &in)

TEST(effective_address)
{
	uint64_t regs[16] = {0};
	struct insn in;

	regs[RAX] = 0x1000;
	regs[RCX] = 2;
	regs[R12] = 0x30;
	regs[R13] = 0x5000;
	regs[RBP] = 0x10;
	regs[RBX] = 0xffff;
	regs[RSI] = 2;
	regs[RDI] = 0x1234567800000040ull;

	/* SIB no base: disp32 is sign-extended in 64-bit mode, not in 32-bit mode. */
	CHECK_EQ(EA(64, 0, 0x89, 0x0c, 0x25, 0x00, 0x00, 0xb0, 0xfe), 0xfffffffffeb00000ull);
	CHECK_EQ(in.ea.base, NONE);
	CHECK_EQ(in.ea.index, NONE);
	CHECK_EQ(EA(32, 0, 0x89, 0x0c, 0x25, 0x00, 0x00, 0xb0, 0xfe), 0xfeb00000);
	/* SIB base 101 with mod 00 means "no base" even when REX.B makes it R13. */
	CHECK_EQ(EA(64, 0, 0x41, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00), 0x1000);
	CHECK_EQ(EA(64, 0, 0x41, 0x8b, 0x45, 0xf0), 0x4ff0);
	CHECK_EQ(in.ea.base, R13);
	CHECK_EQ(EA(64, 0, 0x4c, 0x8b, 0x84, 0xc8, 0x00, 0x01, 0x00, 0x00), 0x1110);
	CHECK_EQ(in.ea.scale, 8);
	CHECK_EQ(in.ea.index, RCX);
	CHECK_EQ(EA(64, 0, 0x42, 0x8b, 0x04, 0xa0), 0x10c0);
	CHECK_EQ(in.ea.index, R12);
	CHECK_EQ(EA(64, 0, 0x41, 0x8b, 0x04, 0x24), 0x30);
	CHECK_EQ(in.ea.base, R12);
	/* RIP-relative counts from the end of the instruction. */
	CHECK_EQ(EA(64, 0x400000, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), 0x400016);
	CHECK(in.ea.rip_rel);
	CHECK_EQ(EA(64, 0x400000, 0x8b, 0x05, 0xf0, 0xff, 0xff, 0xff), 0x400000 + 6 - 16);
	CHECK_EQ(EA(64, 0x400000, 0x41, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), 0x400017);
	CHECK(in.ea.rip_rel);
	/* 67 in 64-bit mode: EIP-relative, wrapping at 4 GiB. */
	CHECK_EQ(EA(64, 0xfffffff8, 0x67, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00), 0xf);
	CHECK_EQ(EA(64, 0, 0x67, 0x8b, 0x07), 0x40);
	CHECK_EQ(EA(32, 0, 0x8b, 0x05, 0x00, 0x00, 0xb0, 0xfe), 0xfeb00000);
	CHECK(!in.ea.rip_rel);
	/* moffs: zero-extended, address-size wide. */
	CHECK_EQ(EA(64, 0, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	         0x1122334455667788ull);
	CHECK_EQ(EA(64, 0, 0x67, 0xa1, 0x00, 0x00, 0xb0, 0xfe), 0xfeb00000);
	/* 16-bit addressing wraps at 64 KiB. */
	CHECK_EQ(EA(16, 0, 0x8b, 0x00), 1);          /* [bx+si] */
	CHECK_EQ(EA(16, 0, 0x8b, 0x46, 0xfe), 0x0e); /* [bp-2] */
	CHECK_EQ(EA(16, 0, 0x8b, 0x06, 0x34, 0x12), 0x1234);
	CHECK_EQ(EA(16, 0, 0x8b, 0x84, 0x00, 0x80), 0x8002); /* [si+0x8000] */
}

struct bad {
	const char *name;
	int mode;
	int err;
	size_t avail; /* 0: len */
	uint8_t bytes[24];
	uint8_t len;
};

#define P16                                                                                        \
	0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,  \
	    0x66

static const struct bad bad[] = {
    {"lock mov", 64, -ERR_INVAL, 0, ENC(0xf0, 0x89, 0x00)},
    {"lock movs", 64, -ERR_INVAL, 0, ENC(0xf0, 0xa5)},
    {"repne mov", 64, -ERR_INVAL, 0, ENC(0xf2, 0x89, 0x00)},
    {"repne movs", 64, -ERR_INVAL, 0, ENC(0xf2, 0xa5)},
    {"rep mov", 64, -ERR_INVAL, 0, ENC(0xf3, 0x89, 0x00)},
    {"rep movzx", 64, -ERR_INVAL, 0, ENC(0xf3, 0x0f, 0xb6, 0x00)},
    {"mov eax,eax (mod 3)", 64, -ERR_INVAL, 0, ENC(0x8b, 0xc0)},
    {"mov eax,imm (mod 3)", 64, -ERR_INVAL, 0, ENC(0xc7, 0xc0, 0, 0, 0, 0)},
    {"movzx eax,al (mod 3)", 64, -ERR_INVAL, 0, ENC(0x0f, 0xb6, 0xc0)},
    {"c6 /1", 64, -ERR_INVAL, 0, ENC(0xc6, 0x08, 0x00)},
    {"c7 /7 xbegin", 64, -ERR_INVAL, 0, ENC(0xc7, 0xf8, 0, 0, 0, 0)},
    {"add [rax],eax", 64, -ERR_INVAL, 0, ENC(0x01, 0x00)},
    {"test [rax],eax", 64, -ERR_INVAL, 0, ENC(0x85, 0x00)},
    {"xchg [rax],eax", 64, -ERR_INVAL, 0, ENC(0x87, 0x00)},
    {"mov [rax],es", 64, -ERR_INVAL, 0, ENC(0x8c, 0x00)},
    {"lodsb", 64, -ERR_INVAL, 0, ENC(0xac)},
    {"syscall", 64, -ERR_INVAL, 0, ENC(0x0f, 0x05)},
    {"movd xmm0,[rax] (VEX)", 64, -ERR_INVAL, 0, ENC(0xc5, 0xf9, 0x6e, 0x00)},
    {"arpl in 32-bit mode", 32, -ERR_INVAL, 0, ENC(0x63, 0x00)},
    {"inc eax in 32-bit mode", 32, -ERR_INVAL, 0, ENC(0x40, 0x8b, 0x00)},
    {"mode 48", 48, -ERR_INVAL, 0, ENC(0x8b, 0x07)},
    {"16 prefixes", 64, -ERR_RANGE, 0, ENC(P16, 0x8b, 0x00)},
    {"16 prefixes, 16 available", 64, -ERR_RANGE, 16, ENC(P16, 0x8b, 0x00)},
    {"15 prefixes", 64, -ERR_RANGE, 0, ENC(P16)},
    {"14 prefixes + 2 bytes", 64, -ERR_RANGE, 0, ENC(P13, 0x3e, 0x8b, 0x00)},
    {"8 prefixes + 8 bytes", 64, -ERR_RANGE, 0,
     ENC(0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0x4c, 0x8b, 0x84, 0xc8, 0x00, 0x01, 0x00,
         0x00)},
    {"prefixes only", 64, -ERR_TRUNC, 0, ENC(0x66, 0x48)},
};

TEST(bad_encodings)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const struct bad *b = &bad[i];
		size_t n = b->avail ? b->avail : b->len;
		struct insn in;
		int rc;

		rc = decode_n(b->bytes, n, b->mode, &in);
		if (rc != b->err)
			unit_fail(__FILE__, __LINE__, "%s: rc %d, want %d", b->name, rc, b->err);
	}
	CHECK_EQ(insn_decode(NULL, 0, 64, &(struct insn){0}), -ERR_TRUNC);
	CHECK_EQ(decode_n((const uint8_t[]){0x8b}, 0, 64, &(struct insn){0}), -ERR_TRUNC);
}

/* A fake device: a register window, a log of the last access, and a failure switch. */
struct fake_dev {
	uint64_t read_val;
	bool fail;
	unsigned reads, writes;
	uint64_t gpa, val;
	unsigned size;
};

static bool fake_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct fake_dev *d = ctx;

	d->reads++;
	d->gpa = gpa;
	d->size = size;
	*val = d->read_val;
	return !d->fail;
}

static bool fake_write(void *ctx, uint64_t gpa, unsigned size, uint64_t val)
{
	struct fake_dev *d = ctx;

	d->writes++;
	d->gpa = gpa;
	d->size = size;
	d->val = val;
	return !d->fail;
}

static struct fake_dev dev;
static const struct mmio_ops ops = {fake_read, fake_write, &dev};
static uint64_t regs[16];

/* Decodes the bytes (64-bit mode), emulates at gpa 0xfeb00000, returns the rc. */
#define EMUL(...) emul((const uint8_t[]){__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__}))

static int emul(const uint8_t *bytes, size_t n)
{
	struct insn in;
	int rc = insn_decode(bytes, n, 64, &in);

	if (rc)
		return rc;
	return mmio_emulate(&in, 0xfeb00000, regs, &ops);
}

static void reset(uint64_t fill, uint64_t read_val)
{
	for (int i = 0; i < 16; i++)
		regs[i] = fill + (uint64_t)i;
	dev = (struct fake_dev){.read_val = read_val};
}

TEST(emulate_loads)
{
	reset(0xffffffffffffff00ull, 0x12345678);
	CHECK_EQ(EMUL(0x8b, 0x07), 0); /* mov eax,[rdi]: zero-extends */
	CHECK_EQ(regs[RAX], 0x12345678);
	CHECK_EQ(dev.gpa, 0xfeb00000);
	CHECK_EQ(dev.size, 4);
	CHECK_EQ(regs[RCX], 0xffffffffffffff01ull);

	reset(0x1111111111111111ull, 0xffffffffffffabcdull);
	CHECK_EQ(EMUL(0x66, 0x8b, 0x07), 0); /* mov ax: merges; device garbage masked */
	CHECK_EQ(regs[RAX], 0x111111111111abcdull);
	CHECK_EQ(EMUL(0x8a, 0x07), 0); /* mov al */
	CHECK_EQ(regs[RAX], 0x111111111111abcdull);
	dev.read_val = 0x5a;
	CHECK_EQ(EMUL(0x8a, 0x20), 0); /* mov ah */
	CHECK_EQ(regs[RAX], 0x1111111111115acdull);
	CHECK_EQ(dev.size, 1);
	CHECK_EQ(EMUL(0x8a, 0x38), 0); /* mov bh */
	CHECK_EQ(regs[RBX], 0x1111111111115a14ull);
	CHECK_EQ(EMUL(0x40, 0x8a, 0x38), 0); /* mov dil */
	CHECK_EQ(regs[RDI], 0x111111111111115aull);
	CHECK_EQ(EMUL(0x44, 0x8a, 0x38), 0); /* mov r15b */
	CHECK_EQ(regs[R15], 0x111111111111115aull);

	reset(0, 0x8877665544332211ull);
	CHECK_EQ(EMUL(0x48, 0x8b, 0x47, 0x08), 0);
	CHECK_EQ(regs[RAX], 0x8877665544332211ull);
	CHECK_EQ(dev.size, 8);
	CHECK_EQ(EMUL(0x8b, 0x20), 0); /* mov esp,[rax]: lands in slot 4 */
	CHECK_EQ(regs[RSP], 0x44332211);
	CHECK_EQ(EMUL(0x45, 0x8b, 0x45, 0x00), 0); /* mov r8d,[r13] */
	CHECK_EQ(regs[R8], 0x44332211);
	CHECK_EQ(EMUL(0xa1, 0, 0, 0xb0, 0xfe, 0, 0, 0, 0), 0); /* moffs */
	CHECK_EQ(regs[RAX], 0x44332211);
}

TEST(emulate_extension)
{
	reset(0xffffffffffffffffull, 0x80);
	CHECK_EQ(EMUL(0x0f, 0xbe, 0x00), 0); /* movsx eax,byte */
	CHECK_EQ(regs[RAX], 0xffffff80);
	CHECK_EQ(dev.size, 1);
	CHECK_EQ(EMUL(0x0f, 0xb6, 0x08), 0); /* movzx ecx,byte */
	CHECK_EQ(regs[RCX], 0x80);
	regs[RDX] = 0x1111111111111111ull;
	CHECK_EQ(EMUL(0x66, 0x0f, 0xbe, 0x10), 0); /* movsx dx,byte: merges */
	CHECK_EQ(regs[RDX], 0x111111111111ff80ull);
	dev.read_val = 0x8000;
	CHECK_EQ(EMUL(0x48, 0x0f, 0xbf, 0x00), 0); /* movsx rax,word */
	CHECK_EQ(regs[RAX], 0xffffffffffff8000ull);
	CHECK_EQ(dev.size, 2);
	dev.read_val = 0xffffffffffffffffull;
	CHECK_EQ(EMUL(0x48, 0x0f, 0xb7, 0x00), 0); /* movzx rax,word */
	CHECK_EQ(regs[RAX], 0xffff);
	dev.read_val = 0x80000000;
	CHECK_EQ(EMUL(0x48, 0x63, 0x00), 0); /* movsxd rax */
	CHECK_EQ(regs[RAX], 0xffffffff80000000ull);
	CHECK_EQ(dev.size, 4);
	CHECK_EQ(EMUL(0x63, 0x00), 0); /* movsxd eax: no extension */
	CHECK_EQ(regs[RAX], 0x80000000);
}

TEST(emulate_stores)
{
	reset(0, 0);
	regs[RAX] = 0x1122334455667788ull;
	regs[RCX] = 0xaaaaaaaacafef00dull;
	regs[RDX] = 0xbeef;
	regs[RSP] = 0x99;
	regs[R12] = 0x1234;
	CHECK_EQ(EMUL(0x89, 0x0c, 0x25, 0x00, 0x00, 0xb0, 0xfe), 0);
	CHECK_EQ(dev.val, 0xcafef00d);
	CHECK_EQ(dev.size, 4);
	CHECK_EQ(EMUL(0x66, 0x89, 0x10), 0);
	CHECK_EQ(dev.val, 0xbeef);
	CHECK_EQ(dev.size, 2);
	CHECK_EQ(EMUL(0x88, 0x20), 0); /* mov [rax],ah */
	CHECK_EQ(dev.val, 0x77);
	CHECK_EQ(dev.size, 1);
	CHECK_EQ(EMUL(0x40, 0x88, 0x20), 0); /* mov [rax],spl */
	CHECK_EQ(dev.val, 0x99);
	CHECK_EQ(EMUL(0x48, 0x89, 0x00), 0);
	CHECK_EQ(dev.val, 0x1122334455667788ull);
	CHECK_EQ(dev.size, 8);
	CHECK_EQ(EMUL(0x66, 0x44, 0x89, 0x20), 0); /* mov [rax],r12w */
	CHECK_EQ(dev.val, 0x1234);
	CHECK_EQ(EMUL(0xa2, 0, 0, 0xb0, 0xfe, 0, 0, 0, 0), 0); /* mov [moffs],al */
	CHECK_EQ(dev.val, 0x88);
	CHECK_EQ(EMUL(0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), 0);
	CHECK_EQ(dev.val, 0x12345678);
	CHECK_EQ(dev.size, 4);
	CHECK_EQ(EMUL(0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff), 0);
	CHECK_EQ(dev.val, 0xfffffffffffffffeull);
	CHECK_EQ(dev.size, 8);
	CHECK_EQ(EMUL(0x66, 0xc7, 0x00, 0x34, 0x12), 0);
	CHECK_EQ(dev.val, 0x1234);
	CHECK_EQ(EMUL(0xc6, 0x40, 0x10, 0xab), 0);
	CHECK_EQ(dev.val, 0xab);
	CHECK_EQ(dev.size, 1);
	CHECK_EQ(dev.reads, 0);
	CHECK_EQ(regs[RAX], 0x1122334455667788ull); /* stores leave registers alone */
}

TEST(emulate_errors)
{
	reset(0x5555, 0x1234);
	dev.fail = true;
	CHECK_EQ(EMUL(0x8b, 0x07), -ERR_IO);
	CHECK_EQ(regs[RAX], 0x5555); /* untouched on a failed read */
	CHECK_EQ(EMUL(0x89, 0x07), -ERR_IO);
	dev.fail = false;
	CHECK_EQ(EMUL(0xf3, 0xa5), -ERR_NOTSUP);
	CHECK_EQ(EMUL(0xaa), -ERR_NOTSUP);
	CHECK_EQ(dev.reads + dev.writes, 2);
}

static void emulate_bad_size(void)
{
	struct insn in = {.op = INSN_LOAD, .op_size = 3, .mem_size = 3, .reg = RAX};

	mmio_emulate(&in, 0, regs, &ops);
}

static void emulate_bad_reg(void)
{
	struct insn in = {
	    .op = INSN_STORE, .op_size = 1, .mem_size = 1, .reg = 5, .reg_high8 = true};

	mmio_emulate(&in, 0, regs, &ops);
}

TEST(emulate_rejects_malformed_insn)
{
	CHECK(unit_panics(emulate_bad_size, "valid_size"));
	CHECK(unit_panics(emulate_bad_reg, "reg_high8"));
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Half the bytes come from the prefixes and opcodes the decoder knows, to reach deep paths. */
static uint8_t fuzz_byte(void)
{
	static const uint8_t hot[] = {
	    0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x40, 0x41, 0x44,
	    0x48, 0x4f, 0x88, 0x89, 0x8a, 0x8b, 0xc6, 0xc7, 0x63, 0x0f, 0xb6, 0xb7, 0xbe, 0xbf,
	    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xaa, 0xab, 0x04, 0x05, 0x24, 0x25, 0x44, 0x84,
	};
	uint64_t r = next_rand();

	return r & 1 ? hot[(r >> 8) % sizeof(hot)] : (uint8_t)(r >> 8);
}

static bool valid_size(unsigned s)
{
	return s == 1 || s == 2 || s == 4 || s == 8;
}

static bool same_insn(const struct insn *a, const struct insn *b)
{
	return a->len == b->len && a->opcode == b->opcode && a->op == b->op && a->dir == b->dir &&
	       a->op_size == b->op_size && a->mem_size == b->mem_size &&
	       a->addr_size == b->addr_size && a->ext == b->ext && a->reg == b->reg &&
	       a->reg_high8 == b->reg_high8 && a->imm == b->imm && a->seg == b->seg &&
	       a->rep == b->rep && a->ea.base == b->ea.base && a->ea.index == b->ea.index &&
	       a->ea.scale == b->ea.scale && a->ea.rip_rel == b->ea.rip_rel &&
	       a->ea.disp == b->ea.disp;
}

static void fuzz_one(size_t n, unsigned *decoded)
{
	static const int modes[] = {16, 32, 64};
	uint8_t bytes[32];
	struct insn in, again;
	int mode = modes[next_rand() % 3];
	int rc;

	for (size_t i = 0; i < n; i++)
		bytes[i] = fuzz_byte();
	rc = decode_n(bytes, n, mode, &in);
	if (rc == -ERR_INVAL || (rc == -ERR_TRUNC && n < INSN_MAX_LEN))
		return;
	if (rc == -ERR_RANGE && n >= INSN_MAX_LEN)
		return;
	if (rc != 0) {
		unit_fail(__FILE__, __LINE__, "rc %d with %zu bytes", rc, n);
		return;
	}
	(*decoded)++;
	if (in.len < 1 || in.len > n || in.len > INSN_MAX_LEN || !valid_size(in.op_size) ||
	    !valid_size(in.mem_size) || in.mem_size > in.op_size ||
	    (in.addr_size != 2 && in.addr_size != 4 && in.addr_size != 8) ||
	    (in.reg != NONE && in.reg > 15) || (in.reg_high8 && in.reg > 3) ||
	    (in.ea.base != NONE && in.ea.base > 15) || (in.ea.index != NONE && in.ea.index > 15)) {
		unit_fail(__FILE__, __LINE__, "bad insn from %zu bytes: len %u", n, in.len);
		return;
	}
	/* The decoder reads exactly len bytes: a shorter buffer truncates, an exact one agrees. */
	CHECK(decode_n(bytes, in.len, mode, &again) == 0 && same_insn(&in, &again));
	CHECK_EQ(decode_n(bytes, in.len - 1u, mode, &again), -ERR_TRUNC);

	uint64_t before[16];

	for (int i = 0; i < 16; i++)
		regs[i] = before[i] = next_rand();
	dev = (struct fake_dev){.read_val = next_rand()};
	rc = mmio_emulate(&in, 0xfeb00000, regs, &ops);
	CHECK(rc == 0 || (rc == -ERR_NOTSUP && (in.op == INSN_MOVS || in.op == INSN_STOS)));
	for (int i = 0; i < 16; i++)
		if (!(in.op == INSN_LOAD && i == in.reg))
			CHECK_EQ(regs[i], before[i]);
}

TEST(fuzz)
{
	unsigned decoded = 0;

	for (int i = 0; i < 100000; i++)
		fuzz_one(next_rand() % (INSN_MAX_LEN + 1), &decoded);
	/* Longer buffers: the 15-byte limit holds whatever the caller offers. */
	for (int i = 0; i < 10000; i++)
		fuzz_one(INSN_MAX_LEN + next_rand() % 17, &decoded);
	CHECK(decoded > 1000);
	printf("  fuzz: %u of 110000 buffers decoded\n", decoded);
}
