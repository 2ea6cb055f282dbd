/*
 * Emulates one decoded MMIO instruction (x86/insn_decode.h) against a device
 * model: the access goes to ops, the result to a register file. Pure, so
 * host tests pass a fake device.
 *
 * The caller's sequence on an EPT violation in an MMIO hole: fetch up to 15
 * bytes at the guest RIP, insn_decode(), check the access (the GPA from the
 * exit qualification, the direction, that it does not cross into another
 * region), load regs[], mmio_emulate(), and on 0 write regs[] back and
 * advance the guest RIP by insn.len.
 *
 * regs[] is RAX..R15 in the SDM's encoding order (RAX RCX RDX RBX RSP RBP RSI
 * RDI R8..R15). The guest's RSP lives in the VMCS, not in the saved GPRs:
 * regs[4] must hold the VMCS guest RSP before the call and be written back to
 * the VMCS after it (MOV ESP/SP/SPL from MMIO is legal).
 */
#ifndef X86_MMIO_EMUL_H
#define X86_MMIO_EMUL_H

#include <stdbool.h>
#include <stdint.h>
#include <x86/insn_decode.h>

/*
 * The device model. size is 1, 2, 4 or 8; both return false when the device
 * fails the access. Bits of *val above size are ignored.
 */
struct mmio_ops {
	bool (*read)(void *ctx, uint64_t gpa, unsigned size, uint64_t *val);
	bool (*write)(void *ctx, uint64_t gpa, unsigned size, uint64_t val);
	void *ctx;
};

/*
 * Performs in's access of in->mem_size bytes at gpa with x86 register
 * semantics (SDM Vol. 1 3.4.1.1): a 32-bit destination is zero-extended to
 * 64 bits, 8- and 16-bit destinations merge into the old value, AH..BH are
 * bits 15:8, MOVZX/MOVSX/MOVSXD extend. RIP and RFLAGS are untouched (MOV
 * sets no flags). Returns 0; -ERR_IO when the device callback failed (regs[]
 * unchanged); -ERR_NOTSUP for MOVS/STOS, which need RFLAGS.DF, rCX and the
 * guest-RAM side of the copy, and are the caller's to emulate or refuse.
 * in must come from insn_decode() (a malformed one is an assertion).
 */
int mmio_emulate(const struct insn *in, uint64_t gpa, uint64_t regs[16],
                 const struct mmio_ops *ops);

#endif
