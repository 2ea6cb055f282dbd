/* VMX root operation (SDM Vol. 3C 24.6-24.8). */
#include <cmdline.h>
#include <errcode.h>
#include <frame.h>
#include <log.h>
#include <string.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/msr.h>
#include <x86/percpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmx.h>

static const struct vmx_caps *caps;

static bool opt_vmx = true;
BOOT_OPTION_BOOL("vmx", opt_vmx, "enter VMX operation and run guests (0: boot without VMX)");

bool vmx_usable(void)
{
	return caps != NULL;
}

const struct vmx_caps *vmx_caps(void)
{
	return caps;
}

int vmx_init_bsp(void)
{
	const struct vmx_caps *c = vmx_caps_boot();

	if (!opt_vmx) {
		log_info("vmx: disabled by vmx=0");
		return -ERR_NOTSUP;
	}
	if (!c) {
		log_info("vmx: no VMX on this CPU: guests cannot run");
		return -ERR_NOTSUP;
	}
	if (vmx_caps_check(c) != 0) {
		log_err("vmx: required VMX features are missing (listed above): guests cannot run");
		return -ERR_NOTSUP;
	}
	caps = c;
	return 0;
}

/* SDM 24.8: CR0 and CR4 must honour the fixed bits while in VMX operation. */
static bool fix_control_registers(void)
{
	uint64_t cr0 = (read_cr0() | caps->cr0_fixed0) & caps->cr0_fixed1;
	uint64_t cr4 = (read_cr4() | caps->cr4_fixed0 | CR4_VMXE) & caps->cr4_fixed1;

	/* XSETBV exits are emulated with XSETBV in root mode, which needs OSXSAVE. */
	if (cpu_has(FEAT_XSAVE))
		cr4 |= CR4_OSXSAVE;
	write_cr0(cr0);
	write_cr4(cr4);
	return (read_cr4() & CR4_VMXE) != 0;
}

int vmx_cpu_on(void)
{
	struct percpu *p = this_cpu();
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!caps)
		return -ERR_NOTSUP;
	if (p->vmx_on)
		return 0;
	/* SDM 23.7: a locked FEATURE_CONTROL without "VMX outside SMX" forbids VMXON. */
	if (!(fc & FEATURE_CONTROL_LOCK)) {
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCK | FEATURE_CONTROL_VMX_NO_SMX);
	} else if (!(fc & FEATURE_CONTROL_VMX_NO_SMX)) {
		log_err(
		    "vmx: cpu %u: IA32_FEATURE_CONTROL=%#lx is locked with VMX off (firmware setting)",
		    p->id, fc);
		return -ERR_NOTSUP;
	}
	if (!p->vmxon_pa) {
		p->vmxon_pa = frame_alloc(&frames);
		if (!p->vmxon_pa)
			return -ERR_NOMEM;
		memset((void *)p->vmxon_pa, 0, FRAME_SIZE);
		*(uint32_t *)p->vmxon_pa = caps->vmcs_revision;
	}
	if (!fix_control_registers()) {
		log_err("vmx: cpu %u: CR4.VMXE did not stick", p->id);
		return -ERR_IO;
	}
	if (!vmxon(p->vmxon_pa)) {
		log_err("vmx: cpu %u: VMXON failed", p->id);
		return -ERR_IO;
	}
	/* Drop any stale guest-physical and combined mappings from before (SDM 28.3.3.3). */
	invept_all();
	p->vmx_on = true;
	return 0;
}

void vmx_cpu_off(void)
{
	struct percpu *p = this_cpu();

	if (!p->vmx_on)
		return;
	vmxoff();
	write_cr4(read_cr4() & ~CR4_VMXE);
	p->vmx_on = false;
}
