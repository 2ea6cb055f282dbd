/*
 * Decoding of a Message Signalled Interrupt (SDM Vol. 3A 10.11) into the
 * interrupt message the vLAPICs take. Pure: host-tested.
 *
 * Decisions:
 *  - Address bits 63:32 must be 0 and bits 11:4 too: bit 4 is VT-d's
 *    remappable format and 11:5 KVM's extended destination ID, neither of
 *    which Tandem offers, so such a message is malformed, not misrouted.
 *  - The redirection hint (bit 3) asks for lowest-priority arbitration
 *    among the destinations, so a fixed message with RH set becomes a
 *    lowest-priority one (what KVM does). RH with physical destination
 *    0xff (broadcast) is invalid per 10.11.1 and refused.
 *  - Reserved data bits (13:11, 31:16) are ignored, as devices with 16-bit
 *    MSI data cannot drive the upper ones.
 *  - A level-triggered deassert message (bit 15 set, bit 14 clear) asks
 *    the processor for nothing: it is not malformed and not logged, but
 *    msi_decode() returns false as there is nothing to deliver.
 */
#ifndef TANDEM_MSI_H
#define TANDEM_MSI_H

#include <stdbool.h>
#include <stdint.h>
#include <irq_msg.h>

/* At most this many malformed messages are logged (all MSIs share the budget). */
#define MSI_LOG_BUDGET 32

/*
 * Fills *out from a guest-programmed address/data pair. Returns true when
 * there is something to deliver; false for a deassert message or a
 * malformed one (address outside 0xFEExxxxx, reserved address bits,
 * reserved delivery modes 3 and 6, RH with broadcast), the latter logged.
 * *out is written only on success.
 */
bool msi_decode(uint64_t addr, uint32_t data, struct irq_msg *out);

#endif
