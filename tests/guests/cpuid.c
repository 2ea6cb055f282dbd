/*
 * cpuid: Tandem's CPUID view (tandem_abi.h).
 *
 * Checks: leaf 0 reports leaf 1; leaf 1 hides VMX (ECX bit 5 = 0) and sets
 * the hypervisor bit (ECX bit 31); leaf TANDEM_CPUID_BASE returns
 * "TandemHyperv" and a maximum leaf >= base + 1; leaf base + 1 returns
 * TANDEM_ABI_VERSION in EAX.
 *
 * SYNC sequence (then DONE):
 *   1. SYNC(leaf 1 ECX, leaf 1 EDX, leaf TANDEM_CPUID_BASE EAX, 0)
 * Also one PRINT with the vendor string.
 */
#include <string.h>
#include "guest.h"

#define CPUID_1_ECX_VMX        (1u << 5)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)

void guest_main(void)
{
	struct cpuid_regs l0 = cpuid(0, 0), l1 = cpuid(1, 0);
	struct cpuid_regs base = cpuid(TANDEM_CPUID_BASE, 0);
	struct cpuid_regs ver = cpuid(TANDEM_CPUID_BASE + 1, 0);
	char vendor[13];

	memcpy(vendor, &l0.ebx, 4);
	memcpy(vendor + 4, &l0.edx, 4);
	memcpy(vendor + 8, &l0.ecx, 4);
	vendor[12] = '\0';
	ucall_print("cpuid: vendor %s, max basic leaf %#x", vendor, l0.eax);

	GUEST_ASSERT_OP(l0.eax, >=, 1);
	GUEST_ASSERT_EQ(l1.ecx & CPUID_1_ECX_VMX, 0);
	GUEST_ASSERT_EQ(l1.ecx & CPUID_1_ECX_HYPERVISOR, CPUID_1_ECX_HYPERVISOR);
	GUEST_ASSERT_EQ(base.ebx, TANDEM_CPUID_SIG_EBX);
	GUEST_ASSERT_EQ(base.ecx, TANDEM_CPUID_SIG_ECX);
	GUEST_ASSERT_EQ(base.edx, TANDEM_CPUID_SIG_EDX);
	GUEST_ASSERT_OP(base.eax, >=, TANDEM_CPUID_BASE + 1);
	GUEST_ASSERT_EQ(ver.eax, TANDEM_ABI_VERSION);

	ucall_sync(l1.ecx, l1.edx, base.eax, 0);
}
