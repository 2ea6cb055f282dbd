#include <cmdline.h>
#include <errcode.h>
#include <hw/apic.h>
#include <frame.h>
#include <string.h>
#include <x86/cpu.h>
#include <x86/desc.h>
#include <x86/msr.h>
#include <x86/percpu.h>
#include <x86/vmcs_fields.h>
#include <x86/vmcs_setup.h>
#include <x86/vmx.h>
#include <x86/vmx_ctls.h>

/* Access rights (SDM 24.4.1 Table 24-2): type, S, DPL, P, L, D/B, G; bit 16 = unusable. */
#define AR_CODE64   0xa09bu
#define AR_CODE32   0xc09bu
#define AR_CODE16   0x009bu
#define AR_DATA32   0xc093u
#define AR_DATA16   0x0093u
#define AR_TSS64    0x008bu /* busy 64-bit (or 32-bit) TSS */
#define AR_LDT      0x0082u
#define AR_UNUSABLE 0x10000u

#define PAT_POWER_ON 0x0007040600070406ull /* SDM Vol. 3A 11.12.4 */

/* KVM's defaults (TSC ticks): PAUSEs at most 128 apart form one loop; 4096 of looping exits. */
#define PLE_GAP    128
#define PLE_WINDOW 4096

static bool opt_ple = true;
BOOT_OPTION_BOOL("ple", opt_ple,
                 "PAUSE-loop exiting: a vCPU spinning on a lock yields its pCPU (when the CPU "
                 "has it)");

static uint64_t msr_bitmap_pa, msr_bitmap_apicv_pa, io_bitmap_pa[2];

/* MSRs a guest reads and writes without an exit: its own segment bases and syscall state. */
static const uint32_t msr_passthrough[] = {
    MSR_IA32_FS_BASE,      MSR_IA32_GS_BASE,      MSR_IA32_KERNEL_GS_BASE, MSR_IA32_SYSENTER_CS,
    MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_STAR,           MSR_IA32_LSTAR,
    MSR_IA32_CSTAR,        MSR_IA32_FMASK,
};

/* SDM 24.6.9: read-low, read-high, write-low, write-high quarters of one page. */
/* SDM Vol. 3C 24.6.9: read bitmaps for low and high MSRs, then the write bitmaps 2 KiB on. */
static void msr_bitmap_allow_one(uint8_t *bm, uint32_t msr, bool write)
{
	unsigned int base = (msr >= 0xc0000000u ? 1024 : 0) + (write ? 2048 : 0);
	uint32_t bit = msr & 0x1fff;

	bm[base + bit / 8] &= (uint8_t) ~(1u << (bit % 8));
}

static void msr_bitmap_allow(uint8_t *bm, uint32_t msr)
{
	msr_bitmap_allow_one(bm, msr, false);
	msr_bitmap_allow_one(bm, msr, true);
}

/*
 * With virtual-interrupt delivery (vcpu_apicv.c) the CPU answers reads of
 * the x2APIC registers kept in the virtual-APIC page and virtualizes writes
 * of TPR, EOI and SELF_IPI (SDM Vol. 3C 29.5); every other x2APIC access
 * still exits to the vLAPIC.
 */
static void msr_bitmap_allow_apicv(uint8_t *bm)
{
	static const uint8_t reads[] = {APIC_TPR, APIC_PPR};
	static const uint8_t writes[] = {APIC_TPR, APIC_EOI, APIC_SELF_IPI};

	for (unsigned int i = 0; i < ARRAY_SIZE(reads); i++)
		msr_bitmap_allow_one(bm, apic_msr(reads[i]), false);
	for (unsigned int i = 0; i < 8; i++) {
		msr_bitmap_allow_one(bm, apic_msr(APIC_ISR0 + i), false);
		msr_bitmap_allow_one(bm, apic_msr(APIC_TMR0 + i), false);
		msr_bitmap_allow_one(bm, apic_msr(APIC_IRR0 + i), false);
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(writes); i++)
		msr_bitmap_allow_one(bm, apic_msr(writes[i]), true);
}

uint64_t vmcs_msr_bitmap(void)
{
	return msr_bitmap_pa;
}

uint64_t vmcs_msr_bitmap_apicv(void)
{
	return msr_bitmap_apicv_pa;
}

int vmcs_policy_init(void)
{
	msr_bitmap_pa = frame_alloc(&frames);
	msr_bitmap_apicv_pa = frame_alloc(&frames);
	io_bitmap_pa[0] = frame_alloc(&frames);
	io_bitmap_pa[1] = frame_alloc(&frames);
	if (!msr_bitmap_pa || !msr_bitmap_apicv_pa || !io_bitmap_pa[0] || !io_bitmap_pa[1])
		return -ERR_NOMEM;
	/* Everything exits unless listed: an allow-list, as for any guest-visible state. */
	memset((void *)msr_bitmap_pa, 0xff, FRAME_SIZE);
	memset((void *)io_bitmap_pa[0], 0xff, FRAME_SIZE);
	memset((void *)io_bitmap_pa[1], 0xff, FRAME_SIZE);
	for (unsigned int i = 0; i < ARRAY_SIZE(msr_passthrough); i++)
		msr_bitmap_allow((uint8_t *)msr_bitmap_pa, msr_passthrough[i]);
	memcpy((void *)msr_bitmap_apicv_pa, (void *)msr_bitmap_pa, FRAME_SIZE);
	msr_bitmap_allow_apicv((uint8_t *)msr_bitmap_apicv_pa);
	return 0;
}

void vmcs_setup_ple(void)
{
	const struct vmx_caps *c = vmx_caps();

	if (!opt_ple || !vmx_ctl_allowed(&c->proc2, VMX_PROC2(PAUSE_LOOP_EXIT)))
		return;
	vmcs_write32(VMCS_PROC2_CTLS, vmcs_read32(VMCS_PROC2_CTLS) | VMX_PROC2(PAUSE_LOOP_EXIT));
	vmcs_write32(VMCS_PLE_GAP, PLE_GAP);
	vmcs_write32(VMCS_PLE_WINDOW, PLE_WINDOW);
}

void vmcs_setup_controls(struct vcpu *v, enum vcpu_mode mode, uint64_t eptp)
{
	const struct vmx_caps *c = vmx_caps();
	uint32_t pin = VMX_PIN(EXT_INTR_EXIT) | VMX_PIN(NMI_EXIT);
	uint32_t proc = VMX_PROC(HLT_EXIT) | VMX_PROC(IO_BITMAPS) | VMX_PROC(MSR_BITMAPS) |
	                VMX_PROC(SECONDARY) | VMX_PROC(MWAIT_EXIT) | VMX_PROC(MONITOR_EXIT) |
	                VMX_PROC(RDPMC_EXIT) | VMX_PROC(CR8_LOAD_EXIT) | VMX_PROC(CR8_STORE_EXIT);
	uint32_t proc2 = VMX_PROC2(EPT) | VMX_PROC2(VPID) | VMX_PROC2(UNRESTRICTED_GUEST);
	uint32_t exit = VMX_EXITCTL(HOST_64) | VMX_EXITCTL(SAVE_EFER) | VMX_EXITCTL(LOAD_EFER) |
	                VMX_EXITCTL(SAVE_PAT) | VMX_EXITCTL(LOAD_PAT);
	uint32_t entry = VMX_ENTRYCTL(LOAD_EFER) | VMX_ENTRYCTL(LOAD_PAT);

	if (vmx_ctl_allowed(&c->pin, VMX_PIN(VIRTUAL_NMIS)))
		pin |= VMX_PIN(VIRTUAL_NMIS);
	if (vmx_ctl_allowed(&c->proc2, VMX_PROC2(RDTSCP)))
		proc2 |= VMX_PROC2(RDTSCP);
	if (vmx_ctl_allowed(&c->proc2, VMX_PROC2(INVPCID)))
		proc2 |= VMX_PROC2(INVPCID);
	if (mode == VCPU_MODE_LONG64)
		entry |= VMX_ENTRYCTL(IA32E_GUEST);

	vmcs_write32(VMCS_PIN_CTLS, vmx_ctl_adjust(&c->pin, pin));
	vmcs_write32(VMCS_PROC_CTLS, vmx_ctl_adjust(&c->proc, proc));
	vmcs_write32(VMCS_PROC2_CTLS, vmx_ctl_adjust(&c->proc2, proc2));
	vmcs_write32(VMCS_EXIT_CTLS, vmx_ctl_adjust(&c->exit, exit));
	vmcs_write32(VMCS_ENTRY_CTLS, vmx_ctl_adjust(&c->entry, entry));

	/* Machine checks are the host's business; every other exception is the guest's. */
	vmcs_write32(VMCS_EXCEPTION_BITMAP, 1u << 18);
	vmcs_write32(VMCS_PF_ERRCODE_MASK, 0);
	vmcs_write32(VMCS_PF_ERRCODE_MATCH, 0);
	vmcs_write32(VMCS_CR3_TARGET_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write32(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write32(VMCS_ENTRY_INTR_INFO, 0);
	vmcs_write64(VMCS_MSR_BITMAP, msr_bitmap_pa);
	vmcs_write64(VMCS_IO_BITMAP_A, io_bitmap_pa[0]);
	vmcs_write64(VMCS_IO_BITMAP_B, io_bitmap_pa[1]);
	vmcs_write64(VMCS_EPTP, eptp);
	vmcs_write16(VMCS_VPID, v->vpid);
	vmcs_write64(VMCS_VMCS_LINK_PTR, ~0ull);
	vmcs_write64(VMCS_TSC_OFFSET, 0);

	vmcs_writenat(VMCS_CR0_MASK, GUEST_CR0_HOST_OWNED);
	vmcs_writenat(VMCS_CR4_MASK, GUEST_CR4_HOST_OWNED);
}

void vmcs_setup_host(void)
{
	struct percpu *p = this_cpu();
	struct desc_ptr gdtr, idtr;
	extern char vmx_exit[];

	__asm__ __volatile__("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	vmcs_writenat(VMCS_HOST_CR0, read_cr0());
	vmcs_writenat(VMCS_HOST_CR3, read_cr3());
	vmcs_writenat(VMCS_HOST_CR4, read_cr4());
	vmcs_write16(VMCS_HOST_CS_SEL, SEL_KCODE);
	vmcs_write16(VMCS_HOST_SS_SEL, SEL_KDATA);
	vmcs_write16(VMCS_HOST_DS_SEL, SEL_KDATA);
	vmcs_write16(VMCS_HOST_ES_SEL, SEL_KDATA);
	vmcs_write16(VMCS_HOST_FS_SEL, 0);
	vmcs_write16(VMCS_HOST_GS_SEL, 0);
	vmcs_write16(VMCS_HOST_TR_SEL, SEL_TSS);
	vmcs_writenat(VMCS_HOST_FS_BASE, 0);
	vmcs_writenat(VMCS_HOST_GS_BASE, (uint64_t)p);
	vmcs_writenat(VMCS_HOST_TR_BASE, (uint64_t)&p->tss);
	vmcs_writenat(VMCS_HOST_GDTR_BASE, gdtr.base);
	vmcs_writenat(VMCS_HOST_IDTR_BASE, idtr.base);
	vmcs_write32(VMCS_HOST_SYSENTER_CS, 0);
	vmcs_writenat(VMCS_HOST_SYSENTER_ESP, 0);
	vmcs_writenat(VMCS_HOST_SYSENTER_EIP, 0);
	vmcs_write64(VMCS_HOST_EFER, rdmsr(MSR_IA32_EFER));
	vmcs_write64(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmcs_writenat(VMCS_HOST_RIP, (uint64_t)vmx_exit);
}

struct seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit, ar;
};

#define WRITE_SEG(S, s)                                                                            \
	do {                                                                                       \
		vmcs_write16(VMCS_GUEST_##S##_SEL, (s).sel);                                       \
		vmcs_writenat(VMCS_GUEST_##S##_BASE, (s).base);                                    \
		vmcs_write32(VMCS_GUEST_##S##_LIMIT, (s).limit);                                   \
		vmcs_write32(VMCS_GUEST_##S##_AR, (s).ar);                                         \
	} while (0)

void vmcs_setup_guest(const struct vcpu_start *st)
{
	struct seg cs, ds, tr = {0, 0, 0xffff, AR_TSS64};
	struct seg ldtr = {0, 0, 0, AR_UNUSABLE | AR_LDT};
	uint64_t cr0 = CR0_ET, cr4 = 0, efer = 0, rip = st->rip;
	enum vcpu_mode mode = st->mode;
	uint16_t ds_sel = st->ds ? st->ds : 0x10;

	switch (mode) {
	case VCPU_MODE_REAL:
		cs = (struct seg){(uint16_t)(st->rip >> 4), st->rip & ~0xfull, 0xffff, AR_CODE16};
		ds = (struct seg){0, 0, 0xffff, AR_DATA16};
		rip = st->rip & 0xf;
		break;
	case VCPU_MODE_PROT32:
		cs = (struct seg){st->cs ? st->cs : 0x18, 0, 0xffffffff, AR_CODE32};
		ds = (struct seg){ds_sel, 0, 0xffffffff, AR_DATA32};
		cr0 |= CR0_PE;
		break;
	case VCPU_MODE_LONG64:
	default:
		cs = (struct seg){st->cs ? st->cs : 0x08, 0, 0xffffffff, AR_CODE64};
		ds = (struct seg){ds_sel, 0, 0xffffffff, AR_DATA32};
		cr0 |= CR0_PE | CR0_PG | CR0_WP | CR0_MP;
		cr4 = CR4_PAE;
		efer = EFER_LME | EFER_LMA;
		break;
	}
	WRITE_SEG(CS, cs);
	WRITE_SEG(SS, ds);
	WRITE_SEG(DS, ds);
	WRITE_SEG(ES, ds);
	WRITE_SEG(FS, ds);
	WRITE_SEG(GS, ds);
	WRITE_SEG(TR, tr);
	WRITE_SEG(LDTR, ldtr);
	vmcs_writenat(VMCS_GUEST_GDTR_BASE, mode == VCPU_MODE_REAL ? 0 : st->gdt);
	vmcs_write32(VMCS_GUEST_GDTR_LIMIT, mode == VCPU_MODE_REAL ? 0xffff
	                                    : st->gdt_limit        ? st->gdt_limit
	                                                           : 31);
	vmcs_writenat(VMCS_GUEST_IDTR_BASE, 0);
	vmcs_write32(VMCS_GUEST_IDTR_LIMIT, 0xffff);

	/* The guest sees its own CR0/CR4; the real ones add the bits VMX needs. */
	vmcs_writenat(VMCS_CR0_SHADOW, cr0);
	vmcs_writenat(VMCS_CR4_SHADOW, cr4);
	vmcs_writenat(VMCS_GUEST_CR0, cr0 | CR0_NE);
	vmcs_writenat(VMCS_GUEST_CR4, cr4 | CR4_VMXE);
	vmcs_writenat(VMCS_GUEST_CR3, st->cr3);
	vmcs_write64(VMCS_GUEST_EFER, efer);
	vmcs_write64(VMCS_GUEST_PAT, PAT_POWER_ON);
	vmcs_writenat(VMCS_GUEST_DR7, 0x400);
	vmcs_write64(VMCS_GUEST_DEBUGCTL, 0);
	vmcs_writenat(VMCS_GUEST_RSP, st->rsp);
	vmcs_writenat(VMCS_GUEST_RIP, rip);
	vmcs_writenat(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	vmcs_write32(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmcs_write32(VMCS_GUEST_ACTIVITY, 0);
	vmcs_writenat(VMCS_GUEST_PENDING_DBG, 0);
	vmcs_write32(VMCS_GUEST_SYSENTER_CS, 0);
	vmcs_writenat(VMCS_GUEST_SYSENTER_ESP, 0);
	vmcs_writenat(VMCS_GUEST_SYSENTER_EIP, 0);
}
