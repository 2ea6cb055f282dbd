/* APIC virtualization for a vCPU's vLAPIC; see x86/vcpu_apicv.h. */
#include <cmdline.h>
#include <errcode.h>
#include <frame.h>
#include <irq_route.h>
#include <log.h>
#include <string.h>
#include <vlapic.h>
#include <vm.h>
#include <x86/vcpu_apicv.h>
#include <x86/vmcs_fields.h>
#include <x86/vmcs_setup.h>
#include <x86/vmexit.h>
#include <x86/vmx.h>
#include <x86/vmx_caps.h>
#include <x86/vmx_ctls.h>

static bool opt_apicv = true;
BOOT_OPTION_BOOL(
    "apicv", opt_apicv,
    "APIC virtualization (virtual-interrupt delivery) when the CPU has it; 0: emulate");

/*
 * x2APIC virtualization (TPR, EOI and SELF_IPI writes and register reads
 * without exits) is off by default: with it, 2-vCPU Linux guests in Bochs
 * 2.7 hang in about half of their boots (3 of 6; 0 of 9 without). Bochs
 * delivers a virtual interrupt the guest made pending with IF clear (an
 * EOI or SELF_IPI write in an IRQs-off section) as soon as a host
 * interrupt is also pending (Bochs 2.7 cpu/event.cc, InterruptAcknowledge:
 * is_pending where is_unmasked_event_pending is due; still so in 2026), and
 * the guest deadlocks on a spinlock its interrupted code holds. Tandem
 * cannot intercept that without intercepting the writes, which is what
 * apicv_x2apic=0 does. On hardware the option is safe.
 */
static bool opt_apicv_x2apic;
BOOT_OPTION_BOOL("apicv_x2apic", opt_apicv_x2apic,
                 "with apicv: also virtualize x2APIC TPR/EOI/SELF_IPI accesses (no exits)");

#define PROC2_APICV (VMX_PROC2(APIC_REG_VIRT) | VMX_PROC2(VIRT_INTR_DELIVERY))

bool apicv_usable(void)
{
	const struct vmx_caps *c = vmx_caps();

	return opt_apicv && c && vmx_ctl_allowed(&c->proc, VMX_PROC(TPR_SHADOW)) &&
	       vmx_ctl_allowed(&c->proc2, PROC2_APICV | VMX_PROC2(VIRT_X2APIC));
}

static void write_eoi_exit(unsigned int i, uint64_t bits)
{
	switch (i) {
	case 0:
		vmcs_write64(VMCS_EOI_EXIT_BITMAP0, bits);
		break;
	case 1:
		vmcs_write64(VMCS_EOI_EXIT_BITMAP1, bits);
		break;
	case 2:
		vmcs_write64(VMCS_EOI_EXIT_BITMAP2, bits);
		break;
	default:
		vmcs_write64(VMCS_EOI_EXIT_BITMAP3, bits);
		break;
	}
}

int vcpu_apicv_init(struct vcpu *v)
{
	uint32_t proc = vmcs_read32(VMCS_PROC_CTLS);

	v->apic_page = frame_alloc(&frames);
	if (!v->apic_page)
		return -ERR_NOMEM;
	memset((void *)v->apic_page, 0, FRAME_SIZE);
	/* The TPR shadow replaces the CR8 exits: MOV CR8 works on the page's TPR (SDM 29.3). */
	proc =
	    (proc | VMX_PROC(TPR_SHADOW)) & ~(VMX_PROC(CR8_LOAD_EXIT) | VMX_PROC(CR8_STORE_EXIT));
	vmcs_write32(VMCS_PROC_CTLS, proc);
	vmcs_write32(VMCS_PROC2_CTLS, vmcs_read32(VMCS_PROC2_CTLS) | PROC2_APICV);
	vmcs_write64(VMCS_VIRTUAL_APIC_ADDR, v->apic_page);
	vmcs_write32(VMCS_TPR_THRESHOLD, 0);
	vmcs_write16(VMCS_GUEST_INTR_STATUS, 0);
	write_eoi_exit(0, 0);
	write_eoi_exit(1, 0);
	write_eoi_exit(2, 0);
	write_eoi_exit(3, 0);
	vlapic_set_page_mode(v->lapic, true);
	return 0;
}

void vcpu_apicv_fini(struct vcpu *v)
{
	if (v->apic_page)
		frame_free(&frames, v->apic_page, 1);
	v->apic_page = 0;
}

/*
 * "Virtualize x2APIC mode", and the MSR bitmap that lets x2APIC accesses
 * reach the page, only while the guest's APIC is in x2APIC mode. In xAPIC
 * mode those MSRs must #GP (the vLAPIC says so); with the bitmap open and
 * the control clear they would reach the host's own x2APIC (SDM 29.5).
 */
static void follow_x2apic_mode(struct vcpu *v)
{
	bool x2 = opt_apicv_x2apic && vlapic_x2apic(v->lapic);
	uint32_t proc2;

	if (x2 == v->apicv_x2apic)
		return;
	proc2 = vmcs_read32(VMCS_PROC2_CTLS);
	proc2 = x2 ? proc2 | VMX_PROC2(VIRT_X2APIC) : proc2 & ~VMX_PROC2(VIRT_X2APIC);
	vmcs_write32(VMCS_PROC2_CTLS, proc2);
	vmcs_write64(VMCS_MSR_BITMAP, x2 ? vmcs_msr_bitmap_apicv() : vmcs_msr_bitmap());
	v->apicv_x2apic = x2;
}

void vcpu_apicv_enter(struct vcpu *v)
{
	struct vlapic_page_sync *s = &v->apicv_sync;
	uint64_t old[4];
	unsigned long f = spin_lock_irqsave(&v->vm->irq->lock);

	memcpy(old, s->eoi_exit, sizeof(old));
	vlapic_page_export(v->lapic, (uint32_t *)v->apic_page, s);
	spin_unlock_irqrestore(&v->vm->irq->lock, f);
	follow_x2apic_mode(v);
	vmcs_write16(VMCS_GUEST_INTR_STATUS, (uint16_t)(s->svi << 8 | s->rvi));
	for (unsigned int i = 0; i < 4; i++)
		if (s->eoi_exit[i] != old[i])
			write_eoi_exit(i, s->eoi_exit[i]);
}

void vcpu_apicv_exit(struct vcpu *v)
{
	unsigned long f = spin_lock_irqsave(&v->vm->irq->lock);

	vlapic_page_import(v->lapic, (const uint32_t *)v->apic_page, &v->apicv_sync);
	spin_unlock_irqrestore(&v->vm->irq->lock, f);
}

/* SDM 29.1.4: EOI of a vector in the EOI-exit bitmap; the CPU already retired it. */
int vmexit_virtualized_eoi(struct vcpu *v, struct vmexit *e)
{
	unsigned long f = spin_lock_irqsave(&v->vm->irq->lock);

	vlapic_virtual_eoi(v->lapic, (uint8_t)(e->qual & 0xff));
	spin_unlock_irqrestore(&v->vm->irq->lock, f);
	return 0;
}
