/*
 * Message Signalled Interrupts as the processor sees them: a DWORD write of
 * the data to an address in 0xFEExxxxx (SDM Vol. 3A 10.11.1, Figure 10-24;
 * 10.11.2, Figure 10-25). PCI's MSI and MSI-X capabilities only hold these
 * two values.
 */
#ifndef HW_MSI_H
#define HW_MSI_H

#include <stdint.h>

/* Address (10.11.1). Bits 63:32 are zero without interrupt remapping. */
#define MSI_ADDR_BASE_MASK    0xfff00000u
#define MSI_ADDR_BASE         0xfee00000u
#define MSI_ADDR_DEST_SHIFT   12
#define MSI_ADDR_DEST_MASK    (0xffu << MSI_ADDR_DEST_SHIFT)
#define MSI_ADDR_RSVD_MASK    0x00000ff0u /* bits 11:4 */
#define MSI_ADDR_REMAPPABLE   (1u << 4)   /* VT-d 5.1.2.2: remappable format (IOMMU only) */
#define MSI_ADDR_EXT_DEST     0x00000fe0u /* bits 11:5: KVM's extended destination ID */
#define MSI_ADDR_REDIR_HINT   (1u << 3)
#define MSI_ADDR_DEST_LOGICAL (1u << 2)

/* Data (10.11.2). Bits 13:11 and 31:16 are reserved. */
#define MSI_DATA_VECTOR_MASK 0xffu
#define MSI_DATA_DM_SHIFT    8
#define MSI_DATA_DM_MASK     (7u << MSI_DATA_DM_SHIFT) /* enum irq_delivery; 3 and 6 reserved */
#define MSI_DATA_ASSERT      (1u << 14) /* level: assert (1) or deassert (0); edge: ignored */
#define MSI_DATA_LEVEL       (1u << 15) /* trigger mode */

#endif
