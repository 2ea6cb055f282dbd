/*
 * EPT violations and misconfigurations. Guest RAM is mapped RWX, so a
 * violation is an access to a guest-physical address with no RAM: an MMIO
 * access, emulated one instruction at a time against the VM's device models
 * (a PC bus reads all ones where nothing answers).
 */
#include <errcode.h>
#include <log.h>
#include <string.h>
#include <vm.h>
#include <x86/insn_decode.h>
#include <x86/msr.h>
#include <x86/mmio_emul.h>
#include <x86/vcpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmexit.h>
#include <x86/vmx_vm.h>

static bool mmio_read(void *ctx, uint64_t gpa, unsigned int size, uint64_t *val)
{
	return vm_access(ctx, true, false, gpa, size, val);
}

static bool mmio_write(void *ctx, uint64_t gpa, unsigned int size, uint64_t val)
{
	return vm_access(ctx, true, true, gpa, size, &val);
}

/* The decoder's default operand size from the guest's CS (SDM Vol. 3A 3.4.5). */
static int cs_mode(void)
{
	uint32_t ar = vmcs_read32(VMCS_GUEST_CS_AR);

	if ((vmcs_read64(VMCS_GUEST_EFER) & EFER_LMA) && (ar & VMX_AR_L))
		return 64;
	return (ar & VMX_AR_DB) ? 32 : 16;
}

int vmexit_ept_violation(struct vcpu *v, struct vmexit *e)
{
	uint64_t gpa = vmcs_read64(VMCS_GUEST_PHYS_ADDR);
	uint64_t rip_la = vmcs_readnat(VMCS_GUEST_CS_BASE) + e->rip;
	const struct mmio_ops ops = {mmio_read, mmio_write, v->vm};
	uint8_t bytes[INSN_MAX_LEN];
	struct insn in;
	int err;

	if (gpa < v->vm->mem.size) {
		log_err("%s: vCPU %u: EPT violation inside guest RAM at %#lx (qualification %#lx)",
		        v->vm->name, v->id, gpa, e->qual);
		vcpu_dump(v, "EPT violation in RAM");
		return -VM_STOP_UNHANDLED;
	}
	if (e->qual & EPT_QUAL_FETCH) {
		vcpu_log(v, "instruction fetch from %#lx, where there is no memory: stopping", gpa);
		return -VM_STOP_UNHANDLED;
	}
	/*
	 * The exit gives no instruction length for EPT violations: fetch up to
	 * 15 bytes, and past a page boundary only if the next page is there.
	 */
	unsigned int first = (unsigned int)MIN((uint64_t)INSN_MAX_LEN, 4096 - (rip_la & 4095));

	memset(bytes, 0, sizeof(bytes));
	err = vcpu_read_linear(v, rip_la, bytes, first);
	if (err == -ERR_NOENT)
		return 0; /* the fetch page faults: #PF queued */
	if (!err && first < INSN_MAX_LEN) {
		struct vcpu_event saved = v->inject;

		if (vcpu_read_linear(v, rip_la + first, bytes + first, INSN_MAX_LEN - first))
			v->inject = saved; /* decode what there is; a truncated one fails below */
	}
	if (!err)
		err = insn_decode(bytes, sizeof(bytes), cs_mode(), &in);
	if (err) {
		log_err("%s: vCPU %u: cannot emulate the MMIO access to %#lx at rip %#lx "
		        "(bytes %02x %02x %02x %02x): %s; stopping the guest",
		        v->vm->name, v->id, gpa, e->rip, bytes[0], bytes[1], bytes[2], bytes[3],
		        err_str(err));
		return -VM_STOP_UNHANDLED;
	}
	v->regs.gpr[REG_RSP] = vmcs_readnat(VMCS_GUEST_RSP);
	err = mmio_emulate(&in, gpa, v->regs.gpr, &ops);
	vmcs_writenat(VMCS_GUEST_RSP, v->regs.gpr[REG_RSP]);
	if (err) {
		vcpu_log(v, "MMIO access at %#lx not emulated (%s): #UD", gpa, err_str(err));
		vcpu_inject_ud(v);
		return 0;
	}
	e->insn_len = in.len;
	vcpu_skip_insn(v, e);
	return 0;
}

int vmexit_ept_misconfig(struct vcpu *v, struct vmexit *e)
{
	log_err("%s: vCPU %u: EPT misconfiguration at %#lx: a bug in Tandem's EPT tables",
	        v->vm->name, v->id, vmcs_read64(VMCS_GUEST_PHYS_ADDR));
	vcpu_dump(v, "EPT misconfiguration");
	return -VM_STOP_UNHANDLED;
}
