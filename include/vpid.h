/*
 * Virtual-processor identifiers (SDM Vol. 3C 29.1): the tag that keeps
 * each vCPU's TLB entries apart, so VM entries and exits need not flush.
 * VPID 0 belongs to VMX root operation (Tandem itself) and is never handed
 * out. Thread-safe.
 *
 * The allocator is pure: it does not flush. A CPU may still hold entries
 * tagged with a VPID that an earlier vCPU used, so the new owner runs
 * INVVPID (single-context, its VPID) on each CPU before its first VM entry
 * there.
 */
#ifndef TANDEM_VPID_H
#define TANDEM_VPID_H

#define VPID_MAX 65535 /* the VMCS field is 16 bits wide */

/* A free VPID in 1..VPID_MAX, or -ERR_NOMEM when all are in use. Paired with vpid_free(). */
int vpid_alloc(void);

/* Returns a VPID. Panics when it is out of range or not allocated. */
void vpid_free(int vpid);

/* How many VPIDs are allocated now. */
unsigned int vpid_in_use(void);

#endif
