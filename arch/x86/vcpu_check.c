/*
 * The software VM-entry checks (vmcs_check.c, SDM 26.2/26.3) run against
 * the live VMCS: after a failed entry, to name the rule the hardware did not
 * name, and before every entry when the boot option vmcs_check=1 asks for
 * it (debugging: it costs a VMREAD of every field).
 */
#include <cmdline.h>
#include <kalloc.h>
#include <log.h>
#include <vm.h>
#include <x86/vmcs_check.h>
#include <x86/vmexit.h>
#include <x86/vmx.h>

bool opt_vmcs_check;
BOOT_OPTION_BOOL("vmcs_check", opt_vmcs_check,
                 "check guest state and controls in software before every VM entry");

int vcpu_check_entry(struct vcpu *v)
{
	struct vmcs_snapshot *s = kalloc(sizeof(*s));
	unsigned int n;

	if (!s)
		return 0;
	vmcs_snapshot_read(s);
	n = vmcs_check(s, vmx_caps(), NULL);
	if (n)
		log_info(
		    "%s: vCPU %u: the software VM-entry checks found %u violation(s), listed above",
		    v->vm->name, v->id, n);
	kfree(s);
	return (int)n;
}
