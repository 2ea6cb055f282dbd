/*
 * Decoder for the x86 instructions a guest uses to touch MMIO: the MOV family
 * (88/89/8A/8B, C6/C7 /0, A0-A3 moffs, MOVZX/MOVSX 0F B6/B7/BE/BF, MOVSXD 63)
 * and the string forms MOVS/STOS (A4/A5/AA/AB, optional REP). Pure: bytes in,
 * struct insn out, so host tests feed it any buffer.
 *
 * The input is hostile guest memory. Every byte sequence decodes to a
 * supported memory access or an error; the decoder never reads past `avail`
 * or past 15 bytes, and every loop is bounded by that limit.
 *
 * Not supported (-ERR_INVAL): ALU ops on memory (ADD/OR/AND/SUB/XOR/CMP/TEST,
 * INC/DEC/NOT/NEG), XCHG/CMPXCHG/XADD, LODS/SCAS/CMPS/INS/OUTS, MOV Sreg,
 * PUSH/POP m, BT*, SSE/AVX/VEX/EVEX loads and stores, any LOCK prefix (LOCK
 * MOV is #UD), F2 anywhere, F3 except on MOVS/STOS, and register-direct
 * (ModRM.mod == 3) forms, which access no memory.
 */
#ifndef X86_INSN_DECODE_H
#define X86_INSN_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SDM Vol. 2A 2.3.11: no instruction is longer than 15 bytes (Vol. 3A 6.15: else #GP). */
#define INSN_MAX_LEN 15

/* A register number in the SDM's encoding order: RAX RCX RDX RBX RSP RBP RSI RDI R8..R15. */
#define INSN_REG_NONE 0xff

enum insn_op {
	INSN_LOAD,      /* reg <- [mem], extended per `ext` (MOV, MOVZX, MOVSX, MOVSXD) */
	INSN_STORE,     /* [mem] <- reg (MOV) */
	INSN_STORE_IMM, /* [mem] <- imm (MOV C6/C7) */
	INSN_MOVS,      /* ES:[rDI] <- seg:[rSI]; `ea` describes the source */
	INSN_STOS,      /* ES:[rDI] <- rAX */
};

/* Bits of insn.dir: what the instruction does to memory. MOVS does both. */
#define INSN_DIR_READ  0x1
#define INSN_DIR_WRITE 0x2

enum insn_ext {
	INSN_EXT_NONE, /* mem_size == op_size */
	INSN_EXT_ZERO, /* MOVZX */
	INSN_EXT_SIGN, /* MOVSX, MOVSXD */
};

/* Segment registers in the order of the Sreg field (SDM Vol. 2B, MOV). */
enum insn_seg {
	INSN_SEG_ES,
	INSN_SEG_CS,
	INSN_SEG_SS,
	INSN_SEG_DS,
	INSN_SEG_FS,
	INSN_SEG_GS,
};

/*
 * The memory operand: base + index * scale + disp, modulo 2^(8 * addr_size)
 * (SDM Vol. 2A 2.1.5). Informational: the EPT violation already names the
 * guest-physical address; insn_effective_addr() computes the offset.
 */
struct insn_ea {
	uint8_t base;  /* register or INSN_REG_NONE */
	uint8_t index; /* register or INSN_REG_NONE */
	uint8_t scale; /* 1, 2, 4 or 8 */
	bool rip_rel;  /* disp is relative to the next instruction (2.2.1.6) */
	uint64_t disp; /* sign-extended disp8/16/32, or the zero-extended moffs */
};

struct insn {
	uint8_t len;     /* bytes consumed, 1..INSN_MAX_LEN; advance RIP by this */
	uint16_t opcode; /* primary opcode; 0x0fXX for the two-byte map */
	enum insn_op op;
	uint8_t dir;       /* INSN_DIR_* */
	uint8_t op_size;   /* register / immediate operand width in bytes: 1, 2, 4, 8 */
	uint8_t mem_size;  /* bytes read or written at the address: 1, 2, 4, 8 */
	uint8_t addr_size; /* 2, 4 or 8 */
	enum insn_ext ext;
	/*
	 * The register operand (source of a store, destination of a load,
	 * rAX for A0-A3 and STOS, INSN_REG_NONE otherwise). reg_high8: the
	 * operand is AH/CH/DH/BH, i.e. bits 15:8 of register `reg` (0-3); an
	 * 8-bit reg field of 4-7 means that without a REX prefix
	 * (SDM Vol. 2A 2.2.1.2, Table 3-1).
	 */
	uint8_t reg;
	bool reg_high8;
	uint64_t imm;      /* INSN_STORE_IMM: the value, sign-extended to 64 bits */
	enum insn_seg seg; /* override, else DS (SS for rSP/rBP bases, ES for STOS) */
	bool rep;          /* F3 on MOVS/STOS: rCX (addr_size wide) counts */
	struct insn_ea ea;
};

/*
 * Decodes one instruction from bytes[0..avail). mode is the default
 * operand/address size given by the guest's CS: 64 (CS.L), 32 (CS.D) or 16.
 * Returns 0 and fills *out, or:
 *   -ERR_TRUNC  the instruction continues past avail (fetch more bytes);
 *   -ERR_RANGE  it would be longer than INSN_MAX_LEN (the CPU raises #GP);
 *   -ERR_INVAL  undecodable, architecturally invalid or not supported.
 * *out is unspecified on error.
 */
int insn_decode(const uint8_t *bytes, size_t avail, int mode, struct insn *out);

/*
 * The effective address (segment offset, before the segment base is added)
 * of a decoded memory operand, given the guest registers (RAX..R15, RSP in
 * slot 4) and the address of the instruction itself.
 */
uint64_t insn_effective_addr(const struct insn *in, const uint64_t regs[16], uint64_t rip);

#endif
