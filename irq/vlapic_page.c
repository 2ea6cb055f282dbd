/* The vLAPIC in a virtual-APIC page, for virtual-interrupt delivery (vlapic.h). */
#include <string.h>
#include "vlapic_priv.h"

#define PAGE_REG(page, reg) ((page)[apic_mmio_offset(reg) / 4])

void vlapic_set_page_mode(struct vlapic *vl, bool on)
{
	vl->page_mode = on;
	memset(vl->pir, 0, sizeof(vl->pir));
}

void vlapic_page_export(struct vlapic *vl, uint32_t *page, struct vlapic_page_sync *s)
{
	int irr = vlapic_highest(vl->irr), isr = vlapic_highest(vl->isr);

	PAGE_REG(page, APIC_TPR) = vl->tpr;
	PAGE_REG(page, APIC_PPR) = vlapic_ppr(vl);
	for (unsigned int i = 0; i < 8; i++) {
		PAGE_REG(page, APIC_ISR0 + i) = vl->isr[i];
		PAGE_REG(page, APIC_TMR0 + i) = vl->tmr[i];
		PAGE_REG(page, APIC_IRR0 + i) = vl->irr[i];
		s->irr[i] = vl->irr[i];
	}
	/* A hardware-disabled APIC delivers nothing: the CPU must not see the IRR. */
	s->rvi = irr > 0 && vlapic_hw_enabled(vl) ? (uint8_t)irr : 0;
	s->svi = isr > 0 ? (uint8_t)isr : 0;
	for (unsigned int i = 0; i < 4; i++)
		s->eoi_exit[i] = (uint64_t)vl->tmr[2 * i + 1] << 32 | vl->tmr[2 * i];
	memset(vl->pir, 0, sizeof(vl->pir));
}

void vlapic_page_import(struct vlapic *vl, const uint32_t *page, const struct vlapic_page_sync *s)
{
	vl->tpr = PAGE_REG(page, APIC_TPR) & 0xff;
	for (unsigned int i = 0; i < 8; i++) {
		uint32_t now = PAGE_REG(page, APIC_IRR0 + i);
		uint32_t delivered = s->irr[i] & ~now; /* moved to ISR by the CPU */
		uint32_t self = now & ~s->irr[i];      /* SELF_IPI writes the CPU virtualized */

		vl->irr[i] = (vl->irr[i] & ~delivered) | self | vl->pir[i];
		vl->isr[i] = PAGE_REG(page, APIC_ISR0 + i);
		vl->pir[i] = 0;
	}
}

void vlapic_virtual_eoi(struct vlapic *vl, uint8_t vector)
{
	vlapic_eoi_broadcast(vl, vector);
}
