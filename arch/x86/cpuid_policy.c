#include <compiler.h>
#include <hw/tandem_abi.h>
#include <x86/cpuid_policy.h>

/* Leaf 1 (SDM Vol. 2A, CPUID, Table 3-10/3-11). */
#define L1_ECX_DTES64         BIT(2)
#define L1_ECX_MONITOR        BIT(3)
#define L1_ECX_DSCPL          BIT(4)
#define L1_ECX_VMX            BIT(5)
#define L1_ECX_SMX            BIT(6)
#define L1_ECX_EST            BIT(7)
#define L1_ECX_TM2            BIT(8)
#define L1_ECX_SDBG           BIT(11)
#define L1_ECX_PDCM           BIT(15)
#define L1_ECX_X2APIC         BIT(21)
#define L1_ECX_DEADLINE       BIT(24)
#define L1_ECX_OSXSAVE        BIT(27)
#define L1_ECX_HYPERV         BIT(31)
#define L1_EDX_MCE            BIT(7)
#define L1_EDX_MCA            BIT(14)
#define L1_EDX_DS             BIT(21)
#define L1_EDX_ACPI           BIT(22)
#define L1_EDX_TM             BIT(29)
#define L1_EDX_PBE            BIT(31)
/* Leaf 6. */
#define L6_EAX_ARAT           BIT(2)
/* Leaf 7 subleaf 0. */
#define L7_EBX_TSC_ADJUST     BIT(1)
#define L7_EBX_INVPCID        BIT(10)
#define L7_EBX_RDT_M          BIT(12)
#define L7_EBX_RDT_A          BIT(15)
#define L7_EBX_PT             BIT(25)
#define L7_ECX_WAITPKG        BIT(5)
#define L7_ECX_OSPKE          BIT(4)
#define L7_EDX_SPEC_MSRS      0xfc000000u /* IBRS/IBPB, STIBP, L1D_FLUSH, ARCH_CAP, CORE_CAP, SSBD */
/* Leaf 0xD subleaf 1. */
#define LD1_EAX_XSAVEC        BIT(1)
#define LD1_EAX_XSAVES        BIT(3)
#define LD_ECX_ALIGN64        BIT(1) /* subleaf i >= 2: compacted offset 64-byte aligned */
/* Leaf 0x80000007. */
#define L87_EDX_INVARIANT_TSC BIT(8)
#define TOPO_LEVEL_SMT        1u /* leaf 0xB ECX 15:8 level types */
#define TOPO_LEVEL_CORE       2u

#define CR4_PKE     BIT(22)
#define CR4_OSXSAVE BIT(18)

#define XCR0_GUEST_OK 0xe7ull /* x87, SSE, AVX, AVX-512 opmask/ZMM_Hi256/Hi16_ZMM */
#define XSAVE_LEGACY  576u    /* legacy region + header (SDM Vol. 1 13.4) */

#define TIMING_LEAF (TANDEM_CPUID_BASE + 0x10)

uint64_t cpuid_guest_xcr0_mask(const struct cpuid_policy *p)
{
	struct cpuid_regs d = p->host(0xd, 0);

	return (((uint64_t)d.edx << 32) | d.eax) & XCR0_GUEST_OK;
}

/*
 * The XSAVE area size for xcr0. Standard format (XSAVE): the end of its
 * furthest component, at the offset its subleaf gives. Compacted format
 * (XSAVEC, SDM Vol. 1 13.4.3): components follow the legacy area and header
 * in bit order, each aligned to 64 bytes when its subleaf's ECX bit 1 says so.
 */
static uint32_t xsave_size(const struct cpuid_policy *p, uint64_t xcr0, bool compacted)
{
	uint32_t size = XSAVE_LEGACY;

	for (uint32_t i = 2; i < 63; i++) {
		if (!(xcr0 & (1ull << i)))
			continue;
		struct cpuid_regs c = p->host(0xd, i);

		if (compacted)
			size = (c.ecx & LD_ECX_ALIGN64 ? (size + 63) & ~63u : size) + c.eax;
		else if (c.eax && c.ebx + c.eax > size)
			size = c.ebx + c.eax;
	}
	return size;
}

static void hypervisor_leaf(const struct cpuid_policy *p, uint32_t leaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){0, 0, 0, 0};
	if (p->kvm_compat && leaf == KVM_CPUID_SIGNATURE)
		*r = (struct cpuid_regs){KVM_CPUID_FEATURES, KVM_CPUID_SIG_EBX, KVM_CPUID_SIG_ECX,
		                         KVM_CPUID_SIG_EDX};
	else if (p->kvm_compat && leaf == KVM_CPUID_FEATURES)
		r->eax = p->kvm_features;
	else if (leaf == TANDEM_CPUID_BASE)
		*r = (struct cpuid_regs){TIMING_LEAF, TANDEM_CPUID_SIG_EBX, TANDEM_CPUID_SIG_ECX,
		                         TANDEM_CPUID_SIG_EDX};
	else if (leaf == TANDEM_CPUID_BASE + 1)
		r->eax = TANDEM_ABI_VERSION;
	else if (leaf == TIMING_LEAF) /* the VMware/"generic" timing leaf: kHz */
		*r = (struct cpuid_regs){(uint32_t)(p->tsc_hz / 1000), (uint32_t)(p->bus_hz / 1000),
		                         0, 0};
}

/*
 * Leaves 0xB/0x1F (SDM Vol. 3A 8.9.2): level 0 is SMT with one thread, level 1
 * the cores, one per vCPU, in one package; the x2APIC ID is the vCPU id. The
 * host's own topology (threads, packages) would mislead the guest.
 */
static struct cpuid_regs topology(const struct cpuid_policy *p, uint32_t sub)
{
	unsigned int shift = 0;

	while (shift < 31 && (1u << shift) < p->nvcpus)
		shift++;
	if (sub == 0)
		return (struct cpuid_regs){0, 1, TOPO_LEVEL_SMT << 8, p->vcpu_id};
	if (sub == 1)
		return (struct cpuid_regs){shift, p->nvcpus, TOPO_LEVEL_CORE << 8 | 1, p->vcpu_id};
	return (struct cpuid_regs){0, 0, sub & 0xff, p->vcpu_id}; /* level type 0: invalid */
}

struct cpuid_regs cpuid_policy(const struct cpuid_policy *p, uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs r;
	uint32_t max_basic = p->host(0, 0).eax;

	if (leaf >= 0x40000000u && leaf < 0x50000000u) {
		hypervisor_leaf(p, leaf, &r);
		return r;
	}
	r = p->host(leaf, sub);
	switch (leaf) {
	case 1:
		r.ecx &= ~(L1_ECX_DTES64 | L1_ECX_MONITOR | L1_ECX_DSCPL | L1_ECX_VMX | L1_ECX_SMX |
		           L1_ECX_EST | L1_ECX_TM2 | L1_ECX_SDBG | L1_ECX_PDCM | L1_ECX_X2APIC |
		           L1_ECX_DEADLINE | L1_ECX_OSXSAVE);
		r.ecx |= L1_ECX_HYPERV | (p->x2apic ? L1_ECX_X2APIC : 0) |
		         (p->tsc_deadline ? L1_ECX_DEADLINE : 0) |
		         (p->guest_cr4 & CR4_OSXSAVE ? L1_ECX_OSXSAVE : 0);
		r.edx &=
		    ~(L1_EDX_MCE | L1_EDX_MCA | L1_EDX_DS | L1_EDX_ACPI | L1_EDX_TM | L1_EDX_PBE);
		/* EBX: APIC ID 31:24, logical processors 23:16, CLFLUSH size and brand kept. */
		r.ebx = (r.ebx & 0xffff) | (p->vcpu_id << 24) | ((p->nvcpus & 0xff) << 16);
		break;
	case 4: /* cores per package (EAX 31:26) from the vCPU count; caches as the host's */
		r.eax = (r.eax & 0x03ffffff) | (((p->nvcpus ? p->nvcpus - 1 : 0) & 0x3f) << 26);
		break;
	case 5:   /* MONITOR/MWAIT: hidden */
	case 0xa: /* architectural PMU: none */
	case 0xf: /* RDT monitoring, 0x10 allocation, 0x14 processor trace: none */
	case 0x10:
	case 0x14:
		r = (struct cpuid_regs){0, 0, 0, 0};
		break;
	case 6: /* only "APIC timer always running": the virtual one is */
		r = (struct cpuid_regs){L6_EAX_ARAT, 0, 0, 0};
		break;
	case 7:
		if (sub == 0) {
			r.ebx &= ~(L7_EBX_TSC_ADJUST | L7_EBX_RDT_M | L7_EBX_RDT_A | L7_EBX_PT);
			if (!p->invpcid)
				r.ebx &= ~L7_EBX_INVPCID;
			r.ecx &= ~(L7_ECX_WAITPKG | L7_ECX_OSPKE);
			if (p->guest_cr4 & CR4_PKE)
				r.ecx |= L7_ECX_OSPKE;
			r.edx &= ~L7_EDX_SPEC_MSRS;
		} else {
			r = (struct cpuid_regs){0, 0, 0, 0};
		}
		break;
	case 0xb: /* x2APIC topology: one thread per core, the vCPUs as cores */
	case 0x1f:
		if (max_basic >= leaf)
			r = topology(p, sub);
		break;
	case 0xd:
		if (sub == 0) {
			uint64_t ok = cpuid_guest_xcr0_mask(p);

			r.eax = (uint32_t)ok;
			r.edx = (uint32_t)(ok >> 32);
			r.ebx = xsave_size(p, p->guest_xcr0, false);
			r.ecx = xsave_size(p, ok, false);
		} else if (sub == 1) {
			/*
			 * EBX is the compacted size for XCR0 | IA32_XSS (XSS is 0: no XSAVES).
			 * Linux sizes its buffers from it once XSAVEC is there and checks it
			 * against the components (6.1 fpu/xstate.c); the standard size here
			 * makes it turn XSAVE off altogether.
			 */
			r.eax &= ~LD1_EAX_XSAVES; /* no IA32_XSS for guests */
			r.ebx = r.eax & LD1_EAX_XSAVEC ? xsave_size(p, p->guest_xcr0, true) : 0;
			r.ecx = r.edx = 0;
		} else if (sub < 63 && !(cpuid_guest_xcr0_mask(p) & (1ull << sub))) {
			r = (struct cpuid_regs){0, 0, 0, 0};
		}
		break;
	case 0x15:
		/*
		 * TSC = crystal (ECX Hz) * EBX / EAX (SDM Vol. 2A CPUID): the "crystal" is
		 * the TSC itself, which is also the LAPIC timer's clock (bus_hz), as
		 * Linux assumes when it takes lapic_timer_period from this leaf.
		 */
		if (max_basic >= 0x15)
			r = (struct cpuid_regs){1, 1, (uint32_t)p->tsc_hz, 0};
		break;
	case 0x16:
		if (max_basic >= 0x16)
			r = (struct cpuid_regs){(uint32_t)(p->tsc_hz / 1000000),
			                        (uint32_t)(p->tsc_hz / 1000000),
			                        (uint32_t)(p->bus_hz / 1000000), 0};
		break;
	case 0x80000001:
		if (!p->rdtscp)
			r.edx &= ~(uint32_t)BIT(27); /* RDTSCP */
		break;
	case 0x80000007:
		r.edx = L87_EDX_INVARIANT_TSC; /* one constant-rate TSC (Tandem never scales it) */
		break;
	}
	return r;
}
