/*
 * Per-CPU record of failed VMX instructions (x86/vmx_insn.h). Each CPU
 * writes only its own slot, so no lock: the record is read and cleared by
 * the same CPU on its resume path.
 */
#include <log.h>
#include <x86/percpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmx_exit_reasons.h>
#include <x86/vmx_insn.h>

static struct vmx_fail fails[MAX_CPUS];

static const char *const op_names[VMX_OP_COUNT] = {
    [VMX_OP_VMXON] = "VMXON",     [VMX_OP_VMXOFF] = "VMXOFF",   [VMX_OP_VMCLEAR] = "VMCLEAR",
    [VMX_OP_VMPTRLD] = "VMPTRLD", [VMX_OP_VMPTRST] = "VMPTRST", [VMX_OP_VMREAD] = "VMREAD",
    [VMX_OP_VMWRITE] = "VMWRITE", [VMX_OP_INVEPT] = "INVEPT",   [VMX_OP_INVVPID] = "INVVPID",
};

const char *vmx_op_name(enum vmx_op op)
{
	return (unsigned int)op < VMX_OP_COUNT ? op_names[op] : "?";
}

static const char *error_text(const struct vmx_fail *f)
{
	const char *s = vmx_insn_error_name(f->insn_error);

	if (!f->valid)
		return "no current VMCS, or not in VMX operation";
	return s ? s : "unknown error number";
}

void vmx_fail_record(enum vmx_op op, enum vmx_status st, uint64_t arg, uint64_t value)
{
	struct vmx_fail *f = &fails[this_cpu()->id];
	bool valid = st == VMX_FAIL_VALID;
	uint64_t err = 0;

	/*
	 * 30.2: only VMfailValid leaves an error number, in the current VMCS.
	 * After VMfailInvalid the CPU may be outside VMX operation (a failed
	 * VMXON), where VMREAD would #UD, so it is not read then.
	 */
	if (valid)
		vmcs_read_checked(VMCS_VM_INSN_ERROR, &err);

	if (f->count++ != 0)
		return;
	f->op = op;
	f->valid = valid;
	f->insn_error = (uint32_t)err;
	f->arg = arg;
	f->value = value;
	if (op == VMX_OP_VMREAD || op == VMX_OP_VMWRITE) {
		const char *name = vmcs_field_name((uint32_t)arg);
		log_err("vmx: cpu %u: %s %s (%#lx) value %#lx failed: %s %u (%s)", this_cpu()->id,
		        vmx_op_name(op), name ? name : "?", arg, value,
		        valid ? "VMfailValid" : "VMfailInvalid", f->insn_error, error_text(f));
	} else {
		log_err("vmx: cpu %u: %s %#lx failed: %s %u (%s)", this_cpu()->id, vmx_op_name(op),
		        arg, valid ? "VMfailValid" : "VMfailInvalid", f->insn_error, error_text(f));
	}
}

bool vmx_fail_take(struct vmx_fail *out)
{
	struct vmx_fail *f = &fails[this_cpu()->id];
	bool any = f->count != 0;

	if (out)
		*out = *f;
	*f = (struct vmx_fail){0};
	return any;
}
