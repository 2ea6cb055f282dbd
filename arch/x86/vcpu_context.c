/*
 * The vCPU state the VMCS does not switch, switched in software when
 * vCPUs share a pCPU (the same set KVM's vcpu_load/put handles lazily):
 *
 *  - extended state (x87, SSE, AVX, AVX-512) by XSAVE/XRSTOR, or
 *    FXSAVE/FXRSTOR on a CPU without XSAVE, and XCR0 itself;
 *  - the syscall MSRs the MSR bitmap passes through (STAR, LSTAR, CSTAR,
 *    FMASK, KERNEL_GS_BASE; the SYSENTER ones and FS/GS bases are in the
 *    VMCS) and TSC_AUX, which the guest writes through vmexit_msr.c;
 *  - DR0-DR3 and DR6, which the guest moves without exits (DR7 is in the VMCS).
 *
 * Tandem itself uses none of these (general-registers-only code, no
 * SYSCALL, no breakpoints), so nothing of the host's is saved. The state is
 * live in the CPU from vcpu_ctx_load() to vcpu_ctx_save(): vmx_vcpu_get and
 * vmx_vcpu_put call them with the VMCS.
 */
#include <errcode.h>
#include <frame.h>
#include <log.h>
#include <string.h>
#include <x86/cpu.h>
#include <x86/cpuid.h>
#include <x86/cpuid_policy.h>
#include <x86/msr.h>
#include <x86/vmexit.h>
#include <x86/vmx_vm.h>

#define FXSAVE_SIZE 512u

static const uint32_t switched_msrs[] = {
    MSR_IA32_KERNEL_GS_BASE, MSR_IA32_STAR,  MSR_IA32_LSTAR,
    MSR_IA32_CSTAR,          MSR_IA32_FMASK, MSR_IA32_TSC_AUX, /* last: only with RDTSCP */
};
_Static_assert(sizeof(switched_msrs) / sizeof(switched_msrs[0]) ==
                   sizeof(((struct vcpu *)0)->msr_save) / sizeof(uint64_t),
               "msr_save holds every switched MSR");

static unsigned int nmsrs(void)
{
	return cpu_has(FEAT_RDTSCP) ? ARRAY_SIZE(switched_msrs) : ARRAY_SIZE(switched_msrs) - 1;
}

static void xsetbv0(uint64_t v)
{
	__asm__ __volatile__("xsetbv" ::"c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

/* Standard-format XSAVE size covering mask: the end of its furthest component (SDM Vol. 1 13.4). */
static size_t xsave_size(uint64_t mask)
{
	size_t end = FXSAVE_SIZE + 64; /* legacy area and header */

	for (unsigned int i = 2; i < 64; i++) {
		if (mask & (1ull << i)) {
			struct cpuid_regs r = cpuid(0xd, i);

			end = MAX(end, (size_t)r.ebx + r.eax);
		}
	}
	return end;
}

int vcpu_ctx_init(struct vcpu *v)
{
	size_t size = FXSAVE_SIZE;

	if (cpu_has(FEAT_XSAVE)) {
		struct cpuid_policy p;

		vcpu_cpuid_policy(v, &p);
		v->xsave_xcr0 = cpuid_guest_xcr0_mask(&p) | 1;
		size = xsave_size(v->xsave_xcr0);
	}
	if (size > FRAME_SIZE) {
		log_err("%s: vCPU %u: an XSAVE area of %zu bytes does not fit a frame", v->vm->name,
		        v->id, size);
		return -ERR_NOTSUP;
	}
	v->xsave = (void *)frame_alloc(&frames);
	if (!v->xsave)
		return -ERR_NOMEM;
	/* All zeroes is the init state for XRSTOR (XSTATE_BV 0), but not for FXRSTOR's MXCSR and FCW. */
	memset(v->xsave, 0, FRAME_SIZE);
	((uint16_t *)v->xsave)[0] = 0x037f; /* FCW after FNINIT */
	((uint32_t *)v->xsave)[6] = 0x1f80; /* MXCSR at reset */
	if (cpu_has(FEAT_XSAVE))
		((uint64_t *)v->xsave)[FXSAVE_SIZE / 8] = 1; /* XSTATE_BV: x87 from the image */
	return 0;
}

void vcpu_ctx_fini(struct vcpu *v)
{
	if (v->xsave)
		frame_free(&frames, (uint64_t)v->xsave, 1);
	v->xsave = NULL;
	v->ctx_live = false;
}

void vcpu_ctx_save(struct vcpu *v)
{
	if (!v->ctx_live)
		return;
	if (cpu_has(FEAT_XSAVE)) {
		/* Every component the guest may use, whatever its own XCR0 enables now. */
		xsetbv0(v->xsave_xcr0);
		__asm__ __volatile__("xsave64 %0"
		                     : "+m"(*(uint8_t(*)[FRAME_SIZE])v->xsave)
		                     : "a"((uint32_t)v->xsave_xcr0),
		                       "d"((uint32_t)(v->xsave_xcr0 >> 32)));
	} else {
		__asm__ __volatile__("fxsave64 %0" : "=m"(*(uint8_t(*)[FXSAVE_SIZE])v->xsave));
	}
	for (unsigned int i = 0; i < nmsrs(); i++)
		v->msr_save[i] = rdmsr(switched_msrs[i]);
	__asm__ __volatile__("mov %%dr0, %0" : "=r"(v->dr[0]));
	__asm__ __volatile__("mov %%dr1, %0" : "=r"(v->dr[1]));
	__asm__ __volatile__("mov %%dr2, %0" : "=r"(v->dr[2]));
	__asm__ __volatile__("mov %%dr3, %0" : "=r"(v->dr[3]));
	__asm__ __volatile__("mov %%dr6, %0" : "=r"(v->dr6));
	v->ctx_live = false;
}

void vcpu_ctx_load(struct vcpu *v)
{
	if (v->ctx_live)
		return;
	if (cpu_has(FEAT_XSAVE)) {
		xsetbv0(v->xsave_xcr0);
		__asm__ __volatile__("xrstor64 %0" ::"m"(*(uint8_t(*)[FRAME_SIZE])v->xsave),
		                     "a"((uint32_t)v->xsave_xcr0),
		                     "d"((uint32_t)(v->xsave_xcr0 >> 32)));
		if (xgetbv0() != v->xcr0)
			xsetbv0(v->xcr0);
	} else {
		__asm__ __volatile__("fxrstor64 %0" ::"m"(*(uint8_t(*)[FXSAVE_SIZE])v->xsave));
	}
	/* Always, zeroes for a fresh vCPU: no guest may see another's kernel addresses. */
	for (unsigned int i = 0; i < nmsrs(); i++)
		wrmsr(switched_msrs[i], v->msr_save[i]);
	__asm__ __volatile__("mov %0, %%dr0" ::"r"(v->dr[0]));
	__asm__ __volatile__("mov %0, %%dr1" ::"r"(v->dr[1]));
	__asm__ __volatile__("mov %0, %%dr2" ::"r"(v->dr[2]));
	__asm__ __volatile__("mov %0, %%dr3" ::"r"(v->dr[3]));
	__asm__ __volatile__("mov %0, %%dr6" ::"r"(v->dr6 ? v->dr6 : 0xffff0ff0ull));
	v->ctx_live = true;
}

void vcpu_ctx_set_xcr0(struct vcpu *v, uint64_t val)
{
	v->xcr0 = val;
	if (v->ctx_live && cpu_has(FEAT_XSAVE))
		xsetbv0(val);
}
