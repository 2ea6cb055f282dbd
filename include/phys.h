/*
 * A window onto physical memory for parsers of firmware and loader data
 * (Multiboot info, ACPI tables). The hypervisor's window is the identity
 * map; host unit tests pass a window onto a canned buffer, so the same
 * parser runs on real and on hostile, truncated input.
 */
#ifndef TANDEM_PHYS_H
#define TANDEM_PHYS_H

#include <stdint.h>

struct phys_view {
	/*
	 * Returns a pointer to [pa, pa + len) or NULL when any byte of it is not
	 * readable through this window. Never faults. The pointer stays valid for
	 * the life of the view.
	 */
	const void *(*map)(const struct phys_view *v, uint64_t pa, uint64_t len);
	void *ctx;
};

static inline const void *phys_map(const struct phys_view *v, uint64_t pa, uint64_t len)
{
	if (len == 0 || pa + len < pa)
		return 0;
	return v->map(v, pa, len);
}

#endif
