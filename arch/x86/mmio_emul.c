/*
 * MMIO instruction emulation (x86/mmio_emul.h): the device access, then the
 * register write, which cannot fail once the access has succeeded.
 */
#include <compiler.h>
#include <errcode.h>
#include <log.h>
#include <x86/mmio_emul.h>

static bool valid_size(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static uint64_t size_mask(unsigned size)
{
	return size == 8 ? ~UINT64_C(0) : BIT(8 * size) - 1;
}

static uint64_t sign_extend(uint64_t val, unsigned size)
{
	unsigned shift = 64 - 8 * size;

	return shift ? (uint64_t)((int64_t)(val << shift) >> shift) : val;
}

static uint64_t reg_value(const uint64_t regs[16], const struct insn *in)
{
	uint64_t v = regs[in->reg];

	return in->reg_high8 ? v >> 8 : v;
}

/* SDM Vol. 1 3.4.1.1: 32-bit results zero-extend; 8- and 16-bit results merge. */
static void reg_write(uint64_t regs[16], const struct insn *in, uint64_t val)
{
	uint64_t *r = &regs[in->reg];

	switch (in->op_size) {
	case 1:
		if (in->reg_high8)
			*r = (*r & ~UINT64_C(0xff00)) | (val & 0xff) << 8;
		else
			*r = (*r & ~UINT64_C(0xff)) | (val & 0xff);
		break;
	case 2:
		*r = (*r & ~UINT64_C(0xffff)) | (val & 0xffff);
		break;
	case 4:
		*r = (uint32_t)val;
		break;
	default:
		*r = val;
		break;
	}
}

int mmio_emulate(const struct insn *in, uint64_t gpa, uint64_t regs[16], const struct mmio_ops *ops)
{
	uint64_t val;

	ASSERT(valid_size(in->mem_size) && valid_size(in->op_size));
	ASSERT(in->mem_size <= in->op_size);
	switch (in->op) {
	case INSN_LOAD:
		ASSERT(in->reg < 16 && (!in->reg_high8 || in->reg < 4));
		if (!ops->read(ops->ctx, gpa, in->mem_size, &val))
			return -ERR_IO;
		val &= size_mask(in->mem_size);
		if (in->ext == INSN_EXT_SIGN)
			val = sign_extend(val, in->mem_size);
		reg_write(regs, in, val);
		return 0;
	case INSN_STORE:
		ASSERT(in->reg < 16 && (!in->reg_high8 || in->reg < 4));
		val = reg_value(regs, in) & size_mask(in->mem_size);
		return ops->write(ops->ctx, gpa, in->mem_size, val) ? 0 : -ERR_IO;
	case INSN_STORE_IMM:
		val = in->imm & size_mask(in->mem_size);
		return ops->write(ops->ctx, gpa, in->mem_size, val) ? 0 : -ERR_IO;
	case INSN_MOVS:
	case INSN_STOS:
		return -ERR_NOTSUP;
	}
	ASSERT(!"unknown insn op");
	return -ERR_INVAL;
}
