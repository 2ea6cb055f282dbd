/*
 * The MMIO instruction decoder (x86/insn_decode.h). It follows the
 * instruction format of SDM Vol. 2A 2.1: legacy prefixes, REX (2.2.1),
 * opcode (one- and two-byte maps, Vol. 2D Tables ), ModRM, SIB,
 * displacement, immediate. Every byte comes through fetch(), which enforces
 * both the caller's buffer and the 15-byte limit.
 */
#include <compiler.h>
#include <errcode.h>
#include <x86/insn_decode.h>

/* REX bits (SDM Vol. 2A 2.2.1.2, Table 2-4). */
#define REX_W 0x8
#define REX_R 0x4 /* extends ModRM.reg */
#define REX_X 0x2 /* extends SIB.index */
#define REX_B 0x1 /* extends ModRM.rm or SIB.base */

enum {
	RAX,
	RCX,
	RDX,
	RBX,
	RSP,
	RBP,
	RSI,
	RDI
};

/* The cursor and the prefixes seen so far. */
struct dec {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
	int mode;
	uint8_t rex;   /* 0 when absent or cancelled by a later legacy prefix */
	bool opsize;   /* 66 */
	bool addrsize; /* 67 */
	bool lock;     /* F0 */
	bool f2, f3;
	int seg;           /* enum insn_seg of the last segment override, or -1 */
	uint8_t modrm_reg; /* ModRM.reg extended by REX.R */
};

static int fetch(struct dec *d, uint8_t *b)
{
	if (d->pos >= INSN_MAX_LEN)
		return -ERR_RANGE;
	if (d->pos >= d->avail)
		return -ERR_TRUNC;
	*b = d->bytes[d->pos++];
	return 0;
}

/* A little-endian displacement, immediate or moffs of n (1, 2, 4, 8) bytes. */
static int fetch_le(struct dec *d, unsigned n, bool sign, uint64_t *val)
{
	uint64_t v = 0;
	unsigned shift = 64 - 8 * n;

	for (unsigned i = 0; i < n; i++) {
		uint8_t b;
		int err = fetch(d, &b);

		if (err)
			return err;
		v |= (uint64_t)b << (8 * i);
	}
	if (sign && shift)
		v = (uint64_t)((int64_t)(v << shift) >> shift);
	*val = v;
	return 0;
}

/*
 * Legacy prefixes (2.1.1) in any order and number, then REX. A REX is only
 * honoured immediately before the opcode (2.2.1); one followed by a legacy
 * prefix is ignored, and of two REX bytes the last counts. 40-4F are INC/DEC
 * outside 64-bit mode. Stops with the opcode byte in *opc.
 */
static int decode_prefixes(struct dec *d, uint8_t *opc)
{
	for (;;) {
		uint8_t b;
		int err = fetch(d, &b);

		if (err)
			return err;
		if (d->mode == 64 && (b & 0xf0) == 0x40) {
			d->rex = b;
			continue;
		}
		switch (b) {
		case 0x66:
			d->opsize = true;
			break;
		case 0x67:
			d->addrsize = true;
			break;
		case 0xf0:
			d->lock = true;
			break;
		case 0xf2:
			d->f2 = true;
			break;
		case 0xf3:
			d->f3 = true;
			break;
		case 0x26:
			d->seg = INSN_SEG_ES;
			break;
		case 0x2e:
			d->seg = INSN_SEG_CS;
			break;
		case 0x36:
			d->seg = INSN_SEG_SS;
			break;
		case 0x3e:
			d->seg = INSN_SEG_DS;
			break;
		case 0x64:
			d->seg = INSN_SEG_FS;
			break;
		case 0x65:
			d->seg = INSN_SEG_GS;
			break;
		default:
			*opc = b;
			return 0;
		}
		d->rex = 0;
	}
}

/* SDM Vol. 1 3.6.1 (Table 3-4 for 64-bit mode): REX.W beats 66. */
static uint8_t operand_size(const struct dec *d)
{
	if (d->rex & REX_W)
		return 8;
	if (d->mode == 16)
		return d->opsize ? 4 : 2;
	return d->opsize ? 2 : 4;
}

static uint8_t address_size(const struct dec *d)
{
	if (d->mode == 64)
		return d->addrsize ? 4 : 8;
	if (d->mode == 32)
		return d->addrsize ? 2 : 4;
	return d->addrsize ? 4 : 2;
}

/* 16-bit addressing, SDM Vol. 2A Table 2-1. */
static int decode_ea16(struct dec *d, struct insn_ea *ea, unsigned mod, unsigned rm)
{
	static const uint8_t base[8] = {RBX, RBX, RBP, RBP, RSI, RDI, RBP, RBX};
	static const uint8_t index[8] = {
	    RSI, RDI, RSI, RDI, INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE, INSN_REG_NONE};

	if (mod == 0 && rm == 6)
		return fetch_le(d, 2, true, &ea->disp);
	ea->base = base[rm];
	ea->index = index[rm];
	if (mod == 0)
		return 0;
	return fetch_le(d, mod == 1 ? 1 : 2, true, &ea->disp);
}

/*
 * 32/64-bit addressing, SDM Vol. 2A Tables 2-2 and 2-3. The special cases
 * look at the 3-bit fields before REX extends them: rm 100 means a SIB byte,
 * rm 101 with mod 00 is disp32 (RIP-relative in 64-bit mode, 2.2.1.6), SIB
 * index 100 is "none" unless REX.X makes it R12, and SIB base 101 with mod
 * 00 is disp32 with no base (2.2.1.2, Table 2-5).
 */
static int decode_ea32(struct dec *d, struct insn_ea *ea, unsigned mod, unsigned rm)
{
	unsigned disp_len = mod == 1 ? 1 : mod == 2 ? 4 : 0;

	if (rm == 4) {
		uint8_t sib;
		unsigned index, base;
		int err = fetch(d, &sib);

		if (err)
			return err;
		index = ((sib >> 3) & 7) | (d->rex & REX_X ? 8 : 0);
		base = sib & 7;
		ea->scale = 1 << (sib >> 6);
		ea->index = index == RSP ? INSN_REG_NONE : index;
		if (base == RBP && mod == 0)
			disp_len = 4;
		else
			ea->base = base | (d->rex & REX_B ? 8 : 0);
	} else if (rm == 5 && mod == 0) {
		ea->rip_rel = d->mode == 64;
		disp_len = 4;
	} else {
		ea->base = rm | (d->rex & REX_B ? 8 : 0);
	}
	return disp_len ? fetch_le(d, disp_len, true, &ea->disp) : 0;
}

/* ModRM with a memory operand; register-direct forms touch no memory. */
static int decode_modrm(struct dec *d, struct insn *in)
{
	uint8_t modrm;
	unsigned mod, rm;
	int err = fetch(d, &modrm);

	if (err)
		return err;
	mod = modrm >> 6;
	rm = modrm & 7;
	d->modrm_reg = ((modrm >> 3) & 7) | (d->rex & REX_R ? 8 : 0);
	if (mod == 3)
		return -ERR_INVAL;
	if (in->addr_size == 2)
		return decode_ea16(d, &in->ea, mod, rm);
	return decode_ea32(d, &in->ea, mod, rm);
}

/* Without any REX, byte registers 4-7 are AH CH DH BH (Vol. 2A 2.2.1.2, Table 3-1). */
static void set_reg(const struct dec *d, struct insn *in, uint8_t reg)
{
	if (in->op_size == 1 && !d->rex && reg >= 4 && reg < 8) {
		in->reg = reg - 4;
		in->reg_high8 = true;
	} else {
		in->reg = reg;
	}
}

/* 88/89/8A/8B: bit 0 selects byte vs full size, bit 1 the direction. */
static int decode_mov(struct dec *d, struct insn *in, uint8_t opc)
{
	int err;

	if (!(opc & 1))
		in->op_size = 1;
	in->mem_size = in->op_size;
	in->op = opc & 2 ? INSN_LOAD : INSN_STORE;
	in->dir = opc & 2 ? INSN_DIR_READ : INSN_DIR_WRITE;
	err = decode_modrm(d, in);
	if (err)
		return err;
	set_reg(d, in, d->modrm_reg);
	return 0;
}

/* C6 /0 ib and C7 /0 iw/id; the imm32 of a 64-bit store is sign-extended. */
static int decode_mov_imm(struct dec *d, struct insn *in, uint8_t opc)
{
	int err;

	if (opc == 0xc6)
		in->op_size = 1;
	in->mem_size = in->op_size;
	in->op = INSN_STORE_IMM;
	in->dir = INSN_DIR_WRITE;
	err = decode_modrm(d, in);
	if (err)
		return err;
	if (d->modrm_reg & 7)
		return -ERR_INVAL;
	return fetch_le(d, MIN(in->op_size, 4), true, &in->imm);
}

/* 63 /r MOVSXD, 64-bit mode only (elsewhere ARPL): only REX.W extends. */
static int decode_movsxd(struct dec *d, struct insn *in)
{
	int err;

	in->mem_size = MIN(in->op_size, 4);
	in->ext = in->mem_size < in->op_size ? INSN_EXT_SIGN : INSN_EXT_NONE;
	in->op = INSN_LOAD;
	in->dir = INSN_DIR_READ;
	err = decode_modrm(d, in);
	if (err)
		return err;
	set_reg(d, in, d->modrm_reg);
	return 0;
}

/* 0F B6/B7 MOVZX and 0F BE/BF MOVSX: bit 0 is the source size, bit 3 the sign. */
static int decode_movx(struct dec *d, struct insn *in)
{
	uint8_t opc;
	int err = fetch(d, &opc);

	if (err)
		return err;
	if (opc != 0xb6 && opc != 0xb7 && opc != 0xbe && opc != 0xbf)
		return -ERR_INVAL;
	in->opcode = 0x0f00 | opc;
	in->mem_size = opc & 1 ? 2 : 1;
	if (in->mem_size < in->op_size)
		in->ext = opc & 8 ? INSN_EXT_SIGN : INSN_EXT_ZERO;
	in->op = INSN_LOAD;
	in->dir = INSN_DIR_READ;
	err = decode_modrm(d, in);
	if (err)
		return err;
	set_reg(d, in, d->modrm_reg);
	return 0;
}

/* A0-A3: accumulator and an address-size moffs, zero-extended (Vol. 2B MOV). */
static int decode_moffs(struct dec *d, struct insn *in, uint8_t opc)
{
	if (!(opc & 1))
		in->op_size = 1;
	in->mem_size = in->op_size;
	in->op = opc & 2 ? INSN_STORE : INSN_LOAD;
	in->dir = opc & 2 ? INSN_DIR_WRITE : INSN_DIR_READ;
	in->reg = RAX;
	return fetch_le(d, in->addr_size, false, &in->ea.disp);
}

/* A4/A5 MOVS, AA/AB STOS; STOS's ES cannot be overridden (Vol. 2B STOS). */
static void decode_string(struct dec *d, struct insn *in, uint8_t opc)
{
	if (!(opc & 1))
		in->op_size = 1;
	in->mem_size = in->op_size;
	in->rep = d->f3;
	if (opc <= 0xa5) {
		in->op = INSN_MOVS;
		in->dir = INSN_DIR_READ | INSN_DIR_WRITE;
		in->ea.base = RSI;
	} else {
		in->op = INSN_STOS;
		in->dir = INSN_DIR_WRITE;
		in->ea.base = RDI;
		in->reg = RAX;
		d->seg = INSN_SEG_ES;
	}
}

static bool is_string(uint8_t opc)
{
	return opc == 0xa4 || opc == 0xa5 || opc == 0xaa || opc == 0xab;
}

static int decode_opcode(struct dec *d, struct insn *in, uint8_t opc)
{
	/* LOCK on any of these is #UD (Vol. 2B LOCK); F2/F3 are REP only on strings. */
	if (d->lock || d->f2 || (d->f3 && !is_string(opc)))
		return -ERR_INVAL;
	in->opcode = opc;
	switch (opc) {
	case 0x88:
	case 0x89:
	case 0x8a:
	case 0x8b:
		return decode_mov(d, in, opc);
	case 0xc6:
	case 0xc7:
		return decode_mov_imm(d, in, opc);
	case 0x63:
		return d->mode == 64 ? decode_movsxd(d, in) : -ERR_INVAL;
	case 0x0f:
		return decode_movx(d, in);
	case 0xa0:
	case 0xa1:
	case 0xa2:
	case 0xa3:
		return decode_moffs(d, in, opc);
	case 0xa4:
	case 0xa5:
	case 0xaa:
	case 0xab:
		decode_string(d, in, opc);
		return 0;
	default:
		return -ERR_INVAL;
	}
}

int insn_decode(const uint8_t *bytes, size_t avail, int mode, struct insn *out)
{
	struct dec d = {.bytes = bytes, .avail = avail, .mode = mode, .seg = -1};
	struct insn in = {
	    .reg = INSN_REG_NONE,
	    .ea = {.base = INSN_REG_NONE, .index = INSN_REG_NONE, .scale = 1},
	};
	uint8_t opc;
	int err;

	if (mode != 16 && mode != 32 && mode != 64)
		return -ERR_INVAL;
	err = decode_prefixes(&d, &opc);
	if (err)
		return err;
	in.op_size = operand_size(&d);
	in.addr_size = address_size(&d);
	err = decode_opcode(&d, &in, opc);
	if (err)
		return err;
	if (d.seg >= 0)
		in.seg = d.seg;
	else if (in.ea.base == RSP || in.ea.base == RBP)
		in.seg = INSN_SEG_SS;
	else
		in.seg = INSN_SEG_DS;
	in.len = d.pos;
	*out = in;
	return 0;
}

uint64_t insn_effective_addr(const struct insn *in, const uint64_t regs[16], uint64_t rip)
{
	const struct insn_ea *ea = &in->ea;
	uint64_t addr = ea->disp;

	if (ea->base < 16)
		addr += regs[ea->base];
	if (ea->index < 16)
		addr += regs[ea->index] * ea->scale;
	if (ea->rip_rel)
		addr += rip + in->len;
	if (in->addr_size < 8)
		addr &= BIT(8 * in->addr_size) - 1;
	return addr;
}
