/*
 * Reads the VMX capability MSRs of the running CPU, reading each one only
 * where the SDM says it exists (Vol. 3C A.1-A.11), and through rdmsr_safe so
 * a CPU (or emulator) that disagrees costs a log line, not a #GP.
 */
#include <format.h>
#include <log.h>
#include <x86/cpuid.h>
#include <x86/msr.h>
#include <x86/vmx_caps.h>

static struct vmx_caps boot_caps;
static bool boot_caps_valid;

static void read_one(uint64_t *raw, uint32_t *present, uint32_t msr)
{
	unsigned int i = msr - VMX_CAP_MSR_FIRST;

	if (rdmsr_safe(msr, &raw[i]))
		*present |= 1u << i;
	else
		log_warn("vmx: rdmsr %#x faulted", msr);
}

bool vmx_caps_read(struct vmx_caps *c)
{
	uint64_t raw[VMX_CAP_MSR_COUNT] = {0};
	uint32_t present = 0;

	if (!cpu_has(FEAT_VMX))
		return false;

	/* BASIC through VMCS_ENUM exist on every VMX processor. */
	for (uint32_t msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMCS_ENUM; msr++)
		read_one(raw, &present, msr);
	if (raw[VMX_CAP_IDX(BASIC)] & VMX_BASIC_TRUE_CTLS)
		for (uint32_t msr = MSR_IA32_VMX_TRUE_PINBASED_CTLS;
		     msr <= MSR_IA32_VMX_TRUE_ENTRY_CTLS; msr++)
			read_one(raw, &present, msr);
	/* Bit 63 of PROCBASED_CTLS: "activate secondary controls" may be 1 (bit 31 + 32). */
	uint32_t proc_may1 = (uint32_t)(raw[VMX_CAP_IDX(PROCBASED_CTLS)] >> 32);
	if (proc_may1 & VMX_PROC(SECONDARY)) {
		read_one(raw, &present, MSR_IA32_VMX_PROCBASED_CTLS2);
		uint32_t proc2_may1 = (uint32_t)(raw[VMX_CAP_IDX(PROCBASED_CTLS2)] >> 32);
		if (proc2_may1 & (VMX_PROC2(EPT) | VMX_PROC2(VPID)))
			read_one(raw, &present, MSR_IA32_VMX_EPT_VPID_CAP);
		if (proc2_may1 & VMX_PROC2(VMFUNC))
			read_one(raw, &present, MSR_IA32_VMX_VMFUNC);
	}
	vmx_caps_decode(c, raw, present);
	return true;
}

void vmx_caps_report(void)
{
	uint64_t fc = 0;

	if (!vmx_caps_read(&boot_caps)) {
		log_info("vmx: not available on this CPU (CPUID.1:ECX.VMX=0)");
		return;
	}
	boot_caps_valid = true;
	if (rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc))
		log_info("vmx: IA32_FEATURE_CONTROL=%#llx%s%s", (unsigned long long)fc,
		         fc & FEATURE_CONTROL_LOCK ? " locked" : " unlocked",
		         fc & FEATURE_CONTROL_VMX_NO_SMX ? " vmx-outside-smx"
		                                         : " vmx-outside-smx-off");
	for (unsigned int i = 0; i < VMX_CAP_MSR_COUNT; i += 3) {
		char buf[3][32];

		for (unsigned int j = 0; j < 3; j++) {
			unsigned int k = i + j;

			if (k >= VMX_CAP_MSR_COUNT)
				buf[j][0] = '\0';
			else if (boot_caps.present & (1u << k))
				ksnprintf(buf[j], sizeof(buf[j]), " %#x=%#018llx",
				          VMX_CAP_MSR_FIRST + k,
				          (unsigned long long)boot_caps.raw[k]);
			else
				ksnprintf(buf[j], sizeof(buf[j]), " %#x=absent",
				          VMX_CAP_MSR_FIRST + k);
		}
		log_info("vmx: msr%s%s%s", buf[0], buf[1], buf[2]);
	}
	vmx_caps_print(&boot_caps);
	vmx_caps_check(&boot_caps);
}

const struct vmx_caps *vmx_caps_boot(void)
{
	return boot_caps_valid ? &boot_caps : NULL;
}
