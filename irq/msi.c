#include <hw/msi.h>
#include <log.h>
#include <msi.h>

static bool refuse(uint64_t addr, uint32_t data, const char *why)
{
	static unsigned int logged; /* a budget, not a lock-protected count: a race costs a line */

	if (logged < MSI_LOG_BUDGET) {
		logged++;
		log_info("msi: address %#lx data %#x %s; not delivered", (unsigned long)addr, data,
		         why);
	}
	return false;
}

bool msi_decode(uint64_t addr, uint32_t data, struct irq_msg *out)
{
	unsigned int dm = (data & MSI_DATA_DM_MASK) >> MSI_DATA_DM_SHIFT;
	uint32_t lo = (uint32_t)addr;
	uint32_t dest = (lo & MSI_ADDR_DEST_MASK) >> MSI_ADDR_DEST_SHIFT;
	bool logical = lo & MSI_ADDR_DEST_LOGICAL;
	bool hint = lo & MSI_ADDR_REDIR_HINT;

	if ((addr >> 32) || (lo & MSI_ADDR_BASE_MASK) != MSI_ADDR_BASE)
		return refuse(addr, data, "is not in 0xfeexxxxx");
	if (lo & MSI_ADDR_REMAPPABLE)
		return refuse(addr, data, "is in remappable format (no IOMMU)");
	if (lo & MSI_ADDR_RSVD_MASK)
		return refuse(addr, data, "sets reserved address bits 11:5");
	if (dm == 3 || dm == IRQ_DM_STARTUP)
		return refuse(addr, data, "has a reserved delivery mode");
	if (hint && !logical && dest == 0xff)
		return refuse(addr, data, "has the redirection hint with a broadcast");
	if ((data & MSI_DATA_LEVEL) && !(data & MSI_DATA_ASSERT))
		return false; /* 10.11.2: a deassert; the LAPIC has nothing to do */

	if (hint && dm == IRQ_DM_FIXED)
		dm = IRQ_DM_LOWEST;
	*out = (struct irq_msg){
	    .dest = dest,
	    .logical = logical,
	    .level = data & MSI_DATA_LEVEL,
	    .delivery = (uint8_t)dm,
	    .vector = (uint8_t)(data & MSI_DATA_VECTOR_MASK),
	    .shorthand = IRQ_DEST_NONE,
	};
	return true;
}
