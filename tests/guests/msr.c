/*
 * msr: RDMSR/WRMSR through Tandem's MSR handling.
 *
 * Checks: IA32_TSC reads work, increase, and agree with RDTSC (the same TSC
 * offset applies to both, SDM Vol. 3C 26.3); IA32_SYSENTER_ESP and
 * IA32_TSC_AUX round-trip (TSC_AUX only when CPUID reports RDTSCP or RDPID,
 * else writing it raises #GP), and RDTSCP returns TSC_AUX in ECX when CPUID
 * reports RDTSCP; RDMSR 0x12345678 (no such MSR), WRMSR IA32_FEATURE_CONTROL
 * (locked by Tandem) and RDMSR IA32_VMX_BASIC (VMX hidden) raise #GP.
 *
 * SYNC sequence (then DONE):
 *   1. SYNC(1, IA32_TSC read, RDTSC read after it, IA32_TSC read after that)
 *   2. SYNC(2, SYSENTER_ESP read back, TSC_AUX read back or 0 if the CPU has
 *           no TSC_AUX, RDTSCP's ECX or 0 if the CPU has no RDTSCP)
 *   3. SYNC(3, vector of RDMSR 0x12345678, of WRMSR 0x3a, of RDMSR 0x480)
 *           = (13, 13, 13)
 *   4. SYNC(4, -1 (RDMSR IA32_MISC_ENABLE did not fault), its value (BTS and
 *           PEBS unavailable: bits 11 and 12 set), 0)
 */
#include "guest.h"

#define SYSENTER_ESP_VALUE 0xffff800012345678ull /* canonical, or WRMSR raises #GP */
#define TSC_AUX_VALUE      0x5a5a1234u           /* bits 63:32 are reserved */
#define MSR_NONEXISTENT    0x12345678u

#define CPUID_80000001_EDX_RDTSCP (1u << 27)
#define CPUID_7_ECX_RDPID         (1u << 22)

static void check_tsc(void)
{
	uint64_t t0, t1, t2;

	t0 = rdmsr(MSR_IA32_TSC);
	t1 = rdtsc_ordered();
	for (int i = 0; i < 1000; i++)
		pause();
	t2 = rdmsr(MSR_IA32_TSC);
	GUEST_ASSERT_OP(t0, <=, t1);
	GUEST_ASSERT_OP(t1, <=, t2);
	GUEST_ASSERT_OP(t0, <, t2);
	ucall_sync(1, t0, t1, t2);
}

static void check_round_trips(void)
{
	uint64_t esp, aux = 0;
	uint32_t rdtscp_aux = 0;
	bool has_rdtscp = false, has_aux;

	GUEST_ASSERT_EQ(guest_try_wrmsr(MSR_IA32_SYSENTER_ESP, SYSENTER_ESP_VALUE), -1);
	GUEST_ASSERT_EQ(guest_try_rdmsr(MSR_IA32_SYSENTER_ESP, &esp), -1);
	GUEST_ASSERT_EQ(esp, SYSENTER_ESP_VALUE);

	if (cpuid(0x80000000, 0).eax >= 0x80000001)
		has_rdtscp = cpuid(0x80000001, 0).edx & CPUID_80000001_EDX_RDTSCP;
	has_aux = has_rdtscp || (cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ecx & CPUID_7_ECX_RDPID));
	if (has_aux) {
		GUEST_ASSERT_EQ(guest_try_wrmsr(MSR_IA32_TSC_AUX, TSC_AUX_VALUE), -1);
		GUEST_ASSERT_EQ(guest_try_rdmsr(MSR_IA32_TSC_AUX, &aux), -1);
		GUEST_ASSERT_EQ(aux, TSC_AUX_VALUE);
	} else {
		GUEST_ASSERT_EQ(guest_try_wrmsr(MSR_IA32_TSC_AUX, TSC_AUX_VALUE), X86_GP);
		ucall_print("msr: no RDTSCP/RDPID, so no IA32_TSC_AUX");
	}
	if (has_rdtscp) {
		rdtscp_ordered(&rdtscp_aux);
		GUEST_ASSERT_EQ(rdtscp_aux, TSC_AUX_VALUE);
	}
	ucall_sync(2, esp, aux, rdtscp_aux);
}

static void check_faults(void)
{
	uint64_t val;
	int v_none, v_fc, v_vmx;

	v_none = guest_try_rdmsr(MSR_NONEXISTENT, &val);
	GUEST_ASSERT_EQ(v_none, X86_GP);
	GUEST_ASSERT_EQ(guest_try_error(), 0);
	v_fc = guest_try_wrmsr(MSR_IA32_FEATURE_CONTROL, 0);
	GUEST_ASSERT_EQ(v_fc, X86_GP);
	v_vmx = guest_try_rdmsr(MSR_IA32_VMX_BASIC, &val);
	GUEST_ASSERT_EQ(v_vmx, X86_GP);
	ucall_sync(3, (uint64_t)v_none, (uint64_t)v_fc, (uint64_t)v_vmx);
}

/* IA32_MISC_ENABLE reads (Linux's early boot does) even where the CPU model lacks it. */
static void check_misc_enable(void)
{
	uint64_t misc = 0;
	int vec = guest_try_rdmsr(0x1a0, &misc);

	ucall_sync(4, (uint64_t)(int64_t)vec, misc, 0);
}

void guest_main(void)
{
	check_tsc();
	check_round_trips();
	check_faults();
	check_misc_enable();
}
