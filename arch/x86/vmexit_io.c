/*
 * Port I/O exits (every port exits: the I/O bitmaps are all ones). The
 * exit qualification (SDM Vol. 3C Table 28-5) gives port, size, direction
 * and the string/REP forms; string forms move through guest-linear memory.
 */
#include <errcode.h>
#include <vm.h>
#include <x86/cpu.h>
#include <x86/vcpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>

#define IO_SIZE(q)             ((unsigned int)((q)&7) + 1)
#define IO_IN(q)               (((q) >> 3) & 1)
#define IO_STRING(q)           (((q) >> 4) & 1)
#define IO_REP(q)              (((q) >> 5) & 1)
#define IO_PORT(q)             ((uint16_t)((q) >> 16))
#define INSN_INFO_ADDR_SIZE(i) (((i) >> 7) & 7) /* 0: 16-bit, 1: 32-bit, 2: 64-bit */
#define INSN_INFO_SEG(i)       (((i) >> 15) & 7)

/* Iterations done per exit; a longer REP re-executes (RIP stays) so the host never stalls. */
#define STRING_BATCH 1024

static uint64_t seg_base(unsigned int seg)
{
	static const uint32_t base_field[] = {VMCS_GUEST_ES_BASE, VMCS_GUEST_CS_BASE,
	                                      VMCS_GUEST_SS_BASE, VMCS_GUEST_DS_BASE,
	                                      VMCS_GUEST_FS_BASE, VMCS_GUEST_GS_BASE};
	uint64_t b = 0;

	if (seg < 6)
		vmcs_read_checked(base_field[seg], &b);
	return b;
}

static int string_io(struct vcpu *v, struct vmexit *e, unsigned int size, uint16_t port, bool in)
{
	uint32_t info = vmcs_read32(VMCS_EXIT_INSN_INFO);
	unsigned int asz = INSN_INFO_ADDR_SIZE(info);
	uint64_t amask = asz == 0 ? 0xffff : asz == 1 ? 0xffffffffull : ~0ull;
	uint64_t *g = v->regs.gpr;
	int idx = in ? REG_RDI : REG_RSI;
	/* INS always writes ES:RDI; OUTS reads seg:RSI, DS unless overridden (SDM Vol. 2B). */
	uint64_t base = seg_base(in ? 0 : INSN_INFO_SEG(info));
	int64_t step =
	    (vmcs_readnat(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(int64_t)size : (int64_t)size;
	uint64_t count = IO_REP(e->qual) ? g[REG_RCX] & amask : 1;
	uint64_t n = MIN(count, (uint64_t)STRING_BATCH);

	for (uint64_t i = 0; i < n; i++) {
		uint64_t val = 0, addr = base + (g[idx] & amask);
		int err;

		if (in) {
			vm_access(v->vm, false, false, port, size, &val);
			err = vcpu_write_linear(v, addr, &val, size);
		} else {
			err = vcpu_read_linear(v, addr, &val, size);
			if (!err)
				vm_access(v->vm, false, true, port, size, &val);
		}
		if (err == -ERR_NOENT)
			return 0; /* #PF queued; registers reflect the iterations done */
		if (err) {
			vcpu_log(v, "string I/O at linear %#lx is outside guest memory: #GP", addr);
			vcpu_inject_gp(v);
			return 0;
		}
		g[idx] = (g[idx] & ~amask) | ((g[idx] + (uint64_t)step) & amask);
		if (IO_REP(e->qual))
			g[REG_RCX] = (g[REG_RCX] & ~amask) | ((g[REG_RCX] - 1) & amask);
	}
	if (n == count)
		vcpu_skip_insn(v, e);
	return 0;
}

int vmexit_io(struct vcpu *v, struct vmexit *e)
{
	unsigned int size = IO_SIZE(e->qual);
	uint16_t port = IO_PORT(e->qual);
	uint64_t *g = v->regs.gpr;
	uint64_t val;

	if (IO_STRING(e->qual))
		return string_io(v, e, size, port, IO_IN(e->qual));
	if (IO_IN(e->qual)) {
		vm_access(v->vm, false, false, port, size, &val);
		/* IN AL/AX merges; IN EAX zero-extends into RAX (SDM Vol. 1 3.4.1.1). */
		if (size == 4)
			g[REG_RAX] = (uint32_t)val;
		else
			g[REG_RAX] = (g[REG_RAX] & ~((1ull << (size * 8)) - 1)) |
			             (val & ((1ull << (size * 8)) - 1));
	} else {
		val = g[REG_RAX] & (size == 4 ? 0xffffffffull : (1ull << (size * 8)) - 1);
		vm_access(v->vm, false, true, port, size, &val);
	}
	vcpu_skip_insn(v, e);
	return 0;
}
