/*
 * The guest's CPUID (arch/x86/cpuid_policy.c) over a fake host. The host
 * answers every leaf it does not model with one fill pattern: all ones shows
 * what the policy hides, all zeros what it offers on its own. Leaf 0 (the
 * maximum basic leaf), the XSAVE leaf 0xD with Skylake-SP's component sizes,
 * and the x2APIC topology leaf 0xB are modelled; a basic leaf above the
 * maximum returns the highest basic leaf, as Intel CPUs do (SDM Vol. 2A,
 * CPUID). Bit positions are the SDM's (Vol. 2A, Tables 3-8 to 3-11), named
 * here rather than taken from the code under test.
 */
#include <compiler.h>
#include <hw/tandem_abi.h>
#include <x86/cpuid_policy.h>

#include "unit.h"

/* Leaf 1 ECX / EDX. */
#define ECX_DTES64     BIT(2)
#define ECX_MONITOR    BIT(3)
#define ECX_DSCPL      BIT(4)
#define ECX_VMX        BIT(5)
#define ECX_SMX        BIT(6)
#define ECX_EST        BIT(7)
#define ECX_TM2        BIT(8)
#define ECX_SDBG       BIT(11)
#define ECX_PDCM       BIT(15)
#define ECX_X2APIC     BIT(21)
#define ECX_DEADLINE   BIT(24)
#define ECX_XSAVE      BIT(26)
#define ECX_OSXSAVE    BIT(27)
#define ECX_HYPERV     BIT(31)
#define EDX_MCE        BIT(7)
#define EDX_MCA        BIT(14)
#define EDX_DS         BIT(21)
#define EDX_ACPI       BIT(22)
#define EDX_TM         BIT(29)
#define EDX_PBE        BIT(31)
/* Leaf 7 subleaf 0. */
#define L7B_TSC_ADJUST BIT(1)
#define L7B_INVPCID    BIT(10)
#define L7B_RDT_M      BIT(12)
#define L7B_RDT_A      BIT(15)
#define L7B_PT         BIT(25)
#define L7C_PKU        BIT(3)
#define L7C_OSPKE      BIT(4)
#define L7C_WAITPKG    BIT(5)
/* 0x80000001 EDX, 0x80000007 EDX. */
#define EXT_RDTSCP     BIT(27)
#define EXT_INVTSC     BIT(8)
#define CR4_OSXSAVE    BIT(18)
#define CR4_PKE        BIT(22)

#define TSC_HZ   2100000000ull /* 2.1 GHz */
#define ALL      0xffffffffu
#define TIMING   (TANDEM_CPUID_BASE + 0x10)
#define XCR0_SKX 0x2ffull /* x87 SSE AVX BNDREGS BNDCSR opmask ZMM_Hi256 Hi16_ZMM PKRU */

static struct {
	uint32_t max_basic;
	uint32_t fill;           /* every leaf not modelled below */
	uint64_t xcr0;           /* leaf 0xD subleaf 0 EDX:EAX */
	uint32_t apic;           /* the host's x2APIC ID, in leaf 0xB EDX */
	unsigned int hv_queries; /* host queries for leaves 0x40000000..0x4fffffff */
} host;

/* Skylake-SP's XSAVE components (leaf 0xD subleaf i: EAX size, EBX offset). */
static const struct {
	uint32_t size, offset;
} comp[10] = {
    [2] = {256, 576},  [3] = {64, 960},    [4] = {64, 1024}, [5] = {64, 1088},
    [6] = {512, 1152}, [7] = {1024, 1664}, [9] = {8, 2688},
};

static struct cpuid_regs fake_host(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs z = {0, 0, 0, 0};

	if (leaf >= 0x40000000u && leaf < 0x50000000u)
		host.hv_queries++;
	if (leaf > host.max_basic && leaf < 0x40000000u)
		leaf = host.max_basic;
	switch (leaf) {
	case 0:
		return (struct cpuid_regs){host.max_basic, 0x756e6547, 0x6c65746e, 0x49656e69};
	case 0xb:
		if (sub == 0)
			return (struct cpuid_regs){1, 2, 0x100, host.apic};
		if (sub == 1)
			return (struct cpuid_regs){6, 56, 0x201, host.apic};
		return (struct cpuid_regs){0, 0, sub, host.apic};
	case 0xd:
		if (sub == 0)
			return (struct cpuid_regs){(uint32_t)host.xcr0, 2696, 2696,
			                           (uint32_t)(host.xcr0 >> 32)};
		if (sub == 1)
			return (struct cpuid_regs){0xf, 1000, 0x100, 0}; /* XSAVES and PT in XSS */
		if (sub < 10 && (host.xcr0 & (1ull << sub)))
			return (struct cpuid_regs){comp[sub].size, comp[sub].offset, 0, 0};
		if (sub == 8)
			return (struct cpuid_regs){128, 0, 1, 0}; /* PT: supervisor */
		return z;
	}
	return (struct cpuid_regs){host.fill, host.fill, host.fill, host.fill};
}

/* A 4-vCPU guest's vCPU 3 on a Skylake-SP-like host whose other leaves read fill. */
static struct cpuid_policy policy(uint32_t fill)
{
	host.max_basic = 0x16;
	host.fill = fill;
	host.xcr0 = XCR0_SKX;
	host.apic = 0x55;
	host.hv_queries = 0;
	return (struct cpuid_policy){.host = fake_host,
	                             .vcpu_id = 3,
	                             .nvcpus = 4,
	                             .tsc_hz = TSC_HZ,
	                             .bus_hz = TSC_HZ,
	                             .guest_cr4 = 0,
	                             .guest_xcr0 = 0x7,
	                             .invpcid = false,
	                             .rdtscp = false,
	                             .x2apic = false,
	                             .tsc_deadline = false};
}

#define CHECK_REGS(r, a, b, c, d)                                                                  \
	do {                                                                                       \
		CHECK_EQ((r).eax, a);                                                              \
		CHECK_EQ((r).ebx, b);                                                              \
		CHECK_EQ((r).ecx, c);                                                              \
		CHECK_EQ((r).edx, d);                                                              \
	} while (0)

/* ---- leaf 1 ------------------------------------------------------------------------ */

TEST(leaf1_hides_what_is_not_virtualized)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r = cpuid_policy(&p, 1, 0);
	uint32_t ecx_hidden = ECX_DTES64 | ECX_MONITOR | ECX_DSCPL | ECX_VMX | ECX_SMX | ECX_EST |
	                      ECX_TM2 | ECX_SDBG | ECX_PDCM | ECX_X2APIC | ECX_DEADLINE |
	                      ECX_OSXSAVE;
	uint32_t edx_hidden = EDX_MCE | EDX_MCA | EDX_DS | EDX_ACPI | EDX_TM | EDX_PBE;

	CHECK_EQ(r.ecx, ALL & ~ecx_hidden);
	CHECK_EQ(r.edx, ALL & ~edx_hidden);
	CHECK(!(r.ecx & ECX_VMX));
	CHECK(!(r.ecx & ECX_MONITOR));
	CHECK(r.ecx & ECX_HYPERV);
	CHECK(r.ecx & ECX_XSAVE); /* the host's XSAVE stays: leaf 0xD describes it */
	/* Leaf 5 (MONITOR/MWAIT parameters) goes with the feature bit. */
	r = cpuid_policy(&p, 5, 0);
	CHECK_REGS(r, 0, 0, 0, 0);
}

TEST(leaf1_hypervisor_bit_on_a_bare_host)
{
	struct cpuid_policy p = policy(0);
	struct cpuid_regs r = cpuid_policy(&p, 1, 0);

	CHECK_EQ(r.ecx, ECX_HYPERV);
	CHECK_EQ(r.edx, 0);
}

TEST(leaf1_x2apic_and_deadline_follow_the_vlapic)
{
	struct cpuid_policy p = policy(0);
	struct cpuid_regs r;

	/* Offered when the vLAPIC has them, even on a host without them ... */
	p.x2apic = true;
	r = cpuid_policy(&p, 1, 0);
	CHECK_EQ(r.ecx, ECX_HYPERV | ECX_X2APIC);
	p.tsc_deadline = true;
	r = cpuid_policy(&p, 1, 0);
	CHECK_EQ(r.ecx, ECX_HYPERV | ECX_X2APIC | ECX_DEADLINE);
	p.x2apic = false;
	r = cpuid_policy(&p, 1, 0);
	CHECK_EQ(r.ecx, ECX_HYPERV | ECX_DEADLINE);

	/* ... and hidden without a vLAPIC, even when the host has them. */
	p = policy(ALL);
	r = cpuid_policy(&p, 1, 0);
	CHECK(!(r.ecx & ECX_X2APIC));
	CHECK(!(r.ecx & ECX_DEADLINE));
	p.x2apic = p.tsc_deadline = true;
	r = cpuid_policy(&p, 1, 0);
	CHECK(r.ecx & ECX_X2APIC);
	CHECK(r.ecx & ECX_DEADLINE);
}

TEST(leaf1_osxsave_follows_guest_cr4)
{
	struct cpuid_policy p = policy(ALL);

	CHECK(!(cpuid_policy(&p, 1, 0).ecx & ECX_OSXSAVE)); /* the host's CR4 does not leak */
	p.guest_cr4 = CR4_OSXSAVE;
	CHECK(cpuid_policy(&p, 1, 0).ecx & ECX_OSXSAVE);
	p = policy(0);
	p.guest_cr4 = CR4_OSXSAVE;
	CHECK_EQ(cpuid_policy(&p, 1, 0).ecx, ECX_HYPERV | ECX_OSXSAVE);
}

TEST(leaf1_ebx_is_the_vcpus)
{
	struct cpuid_policy p = policy(0x11223344);
	struct cpuid_regs r = cpuid_policy(&p, 1, 0);

	/* APIC ID 31:24 and logical processors 23:16 are the guest's; CLFLUSH and brand stay. */
	CHECK_EQ(r.ebx, 0x03043344);
	p.vcpu_id = 0;
	p.nvcpus = 1;
	CHECK_EQ(cpuid_policy(&p, 1, 0).ebx, 0x00013344);
}

/* ---- topology and per-feature leaves ------------------------------------------------ */

TEST(leaf4_cores_from_vcpu_count)
{
	struct cpuid_policy p = policy(ALL);

	CHECK_EQ(cpuid_policy(&p, 4, 0).eax, 0x03ffffffu | (3u << 26));
	CHECK_EQ(cpuid_policy(&p, 4, 0).ebx, ALL); /* cache geometry is the host's */
	p.nvcpus = 1;
	CHECK_EQ(cpuid_policy(&p, 4, 2).eax, 0x03ffffffu);
	p = policy(0);
	p.nvcpus = 64;
	CHECK_EQ(cpuid_policy(&p, 4, 0).eax, 63u << 26);
}

TEST(leaf_b_and_1f_report_the_vcpu_x2apic_id)
{
	struct cpuid_policy p = policy(0);
	struct cpuid_regs r;

	for (uint32_t leaf = 0xb; leaf <= 0x1f; leaf += 0x1f - 0xb) {
		host.max_basic = 0x1f;
		r = cpuid_policy(&p, leaf, 1);
		CHECK_EQ(r.edx, 3); /* not the host's 0x55 */
	}
	/* Not the host's topology (2 threads per core, 56 threads): one thread per core, 4 cores. */
	host.max_basic = 0x16;
	r = cpuid_policy(&p, 0xb, 0);
	CHECK_REGS(r, 0, 1, 0x100, 3);
	r = cpuid_policy(&p, 0xb, 1);
	CHECK_REGS(r, 2, 4, 0x201, 3);
	r = cpuid_policy(&p, 0xb, 7);
	CHECK_REGS(r, 0, 0, 7, 3);
	p.nvcpus = 5; /* the core field must hold IDs 0..4: 3 bits */
	CHECK_EQ(cpuid_policy(&p, 0xb, 1).eax, 3);
	p.nvcpus = 1;
	CHECK_REGS(cpuid_policy(&p, 0xb, 1), 0, 1, 0x201, 3);
	p.vcpu_id = 1000; /* x2APIC IDs go past 8 bits */
	CHECK_EQ(cpuid_policy(&p, 0xb, 0).edx, 1000);
}

TEST(pmu_rdt_pt_leaves_are_empty)
{
	static const uint32_t leaves[] = {5, 0xa, 0xf, 0x10, 0x14};
	struct cpuid_policy p = policy(ALL);

	for (size_t i = 0; i < ARRAY_SIZE(leaves); i++) {
		for (uint32_t sub = 0; sub < 3; sub++) {
			struct cpuid_regs r = cpuid_policy(&p, leaves[i], sub);

			CHECK_REGS(r, 0, 0, 0, 0);
		}
	}
}

TEST(leaf6_only_arat)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r = cpuid_policy(&p, 6, 0);

	CHECK_REGS(r, BIT(2), 0, 0, 0);
	p = policy(0); /* the virtual LAPIC timer always runs, whatever the host's does */
	r = cpuid_policy(&p, 6, 0);
	CHECK_REGS(r, BIT(2), 0, 0, 0);
}

TEST(leaf7_subleaf0_features)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r = cpuid_policy(&p, 7, 0);

	CHECK_EQ(r.eax, ALL); /* the max subleaf is the host's */
	CHECK_EQ(r.ebx,
	         ALL & ~(uint32_t)(L7B_TSC_ADJUST | L7B_RDT_M | L7B_RDT_A | L7B_PT | L7B_INVPCID));
	CHECK_EQ(r.ecx, ALL & ~(uint32_t)(L7C_WAITPKG | L7C_OSPKE));
	CHECK(r.ecx & L7C_PKU);
	CHECK_EQ(r.edx, 0x03ffffffu); /* no speculation-control MSRs (bits 26..31) */

	p.invpcid = true;
	CHECK(cpuid_policy(&p, 7, 0).ebx & L7B_INVPCID);
	p.guest_cr4 = CR4_PKE;
	CHECK(cpuid_policy(&p, 7, 0).ecx & L7C_OSPKE);

	p = policy(0);
	p.invpcid = true; /* the VMCS control does not invent the host's feature */
	p.guest_cr4 = CR4_PKE;
	r = cpuid_policy(&p, 7, 0);
	CHECK_REGS(r, 0, 0, L7C_OSPKE, 0);
}

TEST(leaf7_other_subleaves_are_empty)
{
	struct cpuid_policy p = policy(ALL);

	for (uint32_t sub = 1; sub < 4; sub++) {
		struct cpuid_regs r = cpuid_policy(&p, 7, sub);

		CHECK_REGS(r, 0, 0, 0, 0);
	}
	struct cpuid_regs r = cpuid_policy(&p, 7, 0xffffffffu);
	CHECK_REGS(r, 0, 0, 0, 0);
}

/* ---- XSAVE (leaf 0xD) ----------------------------------------------------------------- */

TEST(xcr0_mask_is_what_the_host_has_of_x87_sse_avx_avx512)
{
	struct cpuid_policy p = policy(0);

	CHECK_EQ(cpuid_guest_xcr0_mask(&p), 0xe7); /* no MPX, no PKRU */
	host.xcr0 = 0x7;                           /* Haswell: no AVX-512 */
	CHECK_EQ(cpuid_guest_xcr0_mask(&p), 0x7);
	host.xcr0 = 0x3;
	CHECK_EQ(cpuid_guest_xcr0_mask(&p), 0x3);
	host.xcr0 = 0xffffffffffffffffull; /* AMX and anything later stays out */
	CHECK_EQ(cpuid_guest_xcr0_mask(&p), 0xe7);
}

TEST(leafd_subleaf0_describes_guest_xcr0)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r = cpuid_policy(&p, 0xd, 0);

	/* Allowed features; XCR0's size (x87+SSE 576, AVX +256); every allowed feature's. */
	CHECK_REGS(r, 0xe7, 576 + 256, 1664 + 1024, 0);
	p.guest_xcr0 = 0x3;
	CHECK_EQ(cpuid_policy(&p, 0xd, 0).ebx, 576);
	p.guest_xcr0 = 0xe7;
	CHECK_EQ(cpuid_policy(&p, 0xd, 0).ebx, 2688);

	host.xcr0 = 0x7;
	p.guest_xcr0 = 0x7;
	r = cpuid_policy(&p, 0xd, 0);
	CHECK_REGS(r, 0x7, 832, 832, 0);
}

TEST(leafd_subleaf1_no_xsaves)
{
	struct cpuid_policy p = policy(0);
	struct cpuid_regs r = cpuid_policy(&p, 0xd, 1);

	/* XSAVEOPT, XSAVEC, XGETBV1 stay; XSAVES and the IA32_XSS bits go. */
	CHECK_REGS(r, 0x7, 832, 0, 0);
	/* EBX is the compacted size (576 + 256 + 64 + 512 + 1024), not the standard 2688. */
	p.guest_xcr0 = 0xe7;
	CHECK_EQ(cpuid_policy(&p, 0xd, 1).ebx, 2432);
}

TEST(leafd_components_only_the_allowed_ones)
{
	struct cpuid_policy p = policy(0);
	uint64_t ok = cpuid_guest_xcr0_mask(&p);

	for (uint32_t sub = 2; sub < 63; sub++) {
		struct cpuid_regs r = cpuid_policy(&p, 0xd, sub);

		if (ok & (1ull << sub)) {
			CHECK_EQ(r.eax, comp[sub].size);
			CHECK_EQ(r.ebx, comp[sub].offset);
		} else {
			CHECK_REGS(r, 0, 0, 0, 0);
		}
	}
	/* MPX, PT (supervisor) and PKRU exist on the host and are hidden. */
	CHECK_EQ(cpuid_policy(&p, 0xd, 3).eax, 0);
	CHECK_EQ(cpuid_policy(&p, 0xd, 8).eax, 0);
	CHECK_EQ(cpuid_policy(&p, 0xd, 9).eax, 0);
	CHECK_EQ(cpuid_policy(&p, 0xd, 7).eax, 1024);
	/* Subleaves past the last component (no shift by 63 or more: UBSan watches). */
	struct cpuid_regs r = cpuid_policy(&p, 0xd, 63);
	CHECK_REGS(r, 0, 0, 0, 0);
	r = cpuid_policy(&p, 0xd, 64);
	CHECK_REGS(r, 0, 0, 0, 0);
	r = cpuid_policy(&p, 0xd, 0xffffffffu);
	CHECK_REGS(r, 0, 0, 0, 0);
}

/* ---- time ------------------------------------------------------------------------------ */

TEST(leaf15_16_carry_the_calibrated_tsc)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r;

	/* TSC = ECX * EBX / EAX: a 1:1 "crystal" at the TSC rate (= the LAPIC timer's). */
	r = cpuid_policy(&p, 0x15, 0);
	CHECK_REGS(r, 1, 1, TSC_HZ, 0);
	r = cpuid_policy(&p, 0x16, 0); /* MHz: base, maximum, bus */
	CHECK_REGS(r, 2100, 2100, 2100, 0);

	p.tsc_hz = p.bus_hz = 2999999999ull; /* rounded down to whole MHz */
	r = cpuid_policy(&p, 0x15, 0);
	CHECK_REGS(r, 1, 1, 2999999999u, 0);
	r = cpuid_policy(&p, 0x16, 0);
	CHECK_REGS(r, 2999, 2999, 2999, 0);

	p.bus_hz = 100000000; /* leaf 0x16 names the bus clock on its own */
	CHECK_EQ(cpuid_policy(&p, 0x16, 0).ecx, 100);
}

TEST(leaf15_16_only_up_to_the_host_max)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r;

	host.max_basic = 0x14; /* neither leaf exists: the highest basic leaf answers */
	r = cpuid_policy(&p, 0x15, 0);
	CHECK(r.ecx != (uint32_t)TSC_HZ);
	CHECK_EQ(cpuid_policy(&p, 0, 0).eax, 0x14);
	r = cpuid_policy(&p, 0x16, 0);
	CHECK(r.eax != 2100);

	host.max_basic = 0x15; /* 0x15 only */
	r = cpuid_policy(&p, 0x15, 0);
	CHECK_REGS(r, 1, 1, TSC_HZ, 0);
	r = cpuid_policy(&p, 0x16, 0);
	CHECK(r.eax != 2100);
}

TEST(extended_leaves_rdtscp_and_invariant_tsc)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r;

	r = cpuid_policy(&p, 0x80000001u, 0);
	CHECK_EQ(r.edx, ALL & ~(uint32_t)EXT_RDTSCP);
	CHECK_EQ(r.ecx, ALL);
	p.rdtscp = true;
	CHECK_EQ(cpuid_policy(&p, 0x80000001u, 0).edx, ALL);

	/* One constant-rate TSC, whatever the host says about its own. */
	CHECK_EQ(cpuid_policy(&p, 0x80000007u, 0).edx, EXT_INVTSC);
	p = policy(0);
	CHECK_EQ(cpuid_policy(&p, 0x80000007u, 0).edx, EXT_INVTSC);
}

/* ---- hypervisor leaves ------------------------------------------------------------------- */

TEST(tandem_signature_and_max_leaf)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r = cpuid_policy(&p, TANDEM_CPUID_BASE, 0);
	char sig[13];

	CHECK_EQ(TANDEM_CPUID_BASE, 0x40000100u);
	CHECK_EQ(r.eax, TANDEM_CPUID_BASE + 0x10); /* the timing leaf is the last */
	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	sig[12] = '\0';
	CHECK_STR(sig, "TandemHyperv");
	r = cpuid_policy(&p, TANDEM_CPUID_BASE + 1, 0);
	CHECK_REGS(r, TANDEM_ABI_VERSION, 0, 0, 0);
	r = cpuid_policy(&p, TIMING, 0);
	CHECK_EQ(host.hv_queries, 0); /* the host's own hypervisor leaves never show through */
}

TEST(tandem_timing_leaf_in_khz)
{
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs r;

	p.bus_hz = 100000000;
	r = cpuid_policy(&p, TIMING, 0);
	CHECK_REGS(r, 2100000, 100000, 0, 0);
	p.tsc_hz = 1234567890;
	CHECK_EQ(cpuid_policy(&p, TIMING, 0).eax, 1234567);
}

TEST(kvm_signature_and_features_when_asked)
{
	struct cpuid_policy p = policy(0);

	CHECK_REGS(cpuid_policy(&p, 0x40000000u, 0), 0, 0, 0, 0); /* off: nothing there */
	p.kvm_compat = true;
	p.kvm_features = 1u << 5;
	struct cpuid_regs r = cpuid_policy(&p, 0x40000000u, 0);
	char sig[13] = {0};

	memcpy(sig, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	CHECK_EQ(r.eax, 0x40000001u);
	CHECK(memcmp(sig, "KVMKVMKVM\0\0\0", 12) == 0);
	CHECK_REGS(cpuid_policy(&p, 0x40000001u, 0), 1u << 5, 0, 0, 0);
	CHECK_REGS(cpuid_policy(&p, 0x40000002u, 0), 0, 0, 0, 0);
	/* Tandem's own block is still there, after it. */
	CHECK_EQ(cpuid_policy(&p, 0x40000100u, 0).ebx, 0x646e6154u);
	CHECK_EQ(host.hv_queries, 0);
}

TEST(hypervisor_range_ignores_subleaf_and_zeroes_the_rest)
{
	static const uint32_t empty[] = {0x40000000u,           0x40000001u, 0x40000010u,
	                                 TANDEM_CPUID_BASE + 2, TIMING - 1,  TIMING + 1,
	                                 0x40000200u,           0x4fffffffu};
	struct cpuid_policy p = policy(ALL);
	struct cpuid_regs a, b;

	for (size_t i = 0; i < ARRAY_SIZE(empty); i++) {
		a = cpuid_policy(&p, empty[i], 0);
		CHECK_REGS(a, 0, 0, 0, 0);
	}
	a = cpuid_policy(&p, TANDEM_CPUID_BASE, 0);
	b = cpuid_policy(&p, TANDEM_CPUID_BASE, 0x1234);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
	a = cpuid_policy(&p, TIMING, 0);
	b = cpuid_policy(&p, TIMING, 7);
	CHECK(memcmp(&a, &b, sizeof(a)) == 0);
}

TEST(leaves_outside_the_policy_pass_through)
{
	struct cpuid_policy p = policy(0x5a5a5a5a);
	struct cpuid_regs r;

	r = cpuid_policy(&p, 0, 0);
	CHECK_REGS(r, 0x16, 0x756e6547, 0x6c65746e, 0x49656e69); /* "GenuineIntel", host max */
	r = cpuid_policy(&p, 2, 0);                              /* cache descriptors */
	CHECK_REGS(r, 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a, 0x5a5a5a5a);
	r = cpuid_policy(&p, 0x80000000u, 0);
	CHECK_EQ(r.eax, 0x5a5a5a5a);
	r = cpuid_policy(&p, 0x3fffffffu, 0); /* just below the hypervisor range */
	CHECK_EQ(r.eax, 0x5a5a5a5a);
	r = cpuid_policy(&p, 0x50000000u, 0); /* just above it */
	CHECK_EQ(r.eax, 0x5a5a5a5a);
}
