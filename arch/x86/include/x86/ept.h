/*
 * Extended page tables (SDM Vol. 3C 29.3): the guest-physical to
 * host-physical translation of one VM, as 4-level tables with 1 GiB, 2 MiB
 * and 4 KiB leaves. Pure table logic: tables come from injected ops, and no
 * function here touches the CPU. A change that can leave a stale
 * translation in a TLB or paging-structure cache sets flush_needed; the VMX
 * code runs INVEPT (single-context, this EPTP) on every CPU that may hold
 * the VM's translations and then calls ept_flush_done().
 *
 * Locking: none inside. The owner (the VM) serialises every call on one
 * struct ept; ept_lookup() may run concurrently only with other lookups.
 * The hardware may walk the tables at any time: every entry is written with
 * one 64-bit store, a new table is complete before it is linked, and a
 * table that is unlinked is freed only in ept_flush_done() (a CPU may still
 * hold a cached pointer to it until INVEPT).
 */
#ifndef X86_EPT_H
#define X86_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <compiler.h>

/* Access rights, bits 2:0 of every entry (SDM Vol. 3C Table 29-1 .. 29-6). */
#define EPT_R   1u
#define EPT_W   2u
#define EPT_X   4u
#define EPT_RWX (EPT_R | EPT_W | EPT_X)

/* EPT memory types (SDM Vol. 3C 29.3.7); 2, 3 and 7 are reserved. */
#define EPT_MT_UC 0u
#define EPT_MT_WC 1u
#define EPT_MT_WT 4u
#define EPT_MT_WP 5u
#define EPT_MT_WB 6u

/* Entry bits (SDM Vol. 3C Table 29-1 .. 29-6). */
#define EPTE_PERM_MASK 0x7ull
#define EPTE_MT_SHIFT  3
#define EPTE_MT_MASK   (0x7ull << EPTE_MT_SHIFT)
#define EPTE_IPAT      BIT(6) /* leaf: ignore the guest's PAT type */
#define EPTE_LEAF      BIT(7) /* PDPTE/PDE: maps a 1 GiB / 2 MiB page */
#define EPTE_A         BIT(8) /* accessed, when EPTP bit 6 enables A/D */
#define EPTE_D         BIT(9) /* dirty (leaves), likewise */
#define EPTE_ADDR_MASK 0x000ffffffffff000ull

/* EPTP fields (SDM Vol. 3C 25.6.11). */
#define EPTP_MT_WB      6ull
#define EPTP_WALK_SHIFT 3 /* page-walk length minus one */
#define EPTP_AD         BIT(6)

/* A 4-level walk translates 48 guest-physical bits (SDM Vol. 3C 29.3.2). */
#define EPT_GPA_BITS      48
#define EPT_GPA_LIMIT     (1ull << EPT_GPA_BITS)
#define EPT_PA_BITS_MAX   52
#define EPT_PAGE_SIZE     4096ull
#define EPT_ENTRIES       512
#define EPT_LEVELS        4
#define EPT_LEVEL_SIZE(l) (1ull << (12 + 9 * ((l)-1))) /* bytes one entry at level l spans */

struct ept_ops {
	/* The physical address of a zeroed, 4 KiB-aligned page; 0 on failure. */
	uint64_t (*alloc_table)(void *ctx);
	/* Returns a page alloc_table gave. */
	void (*free_table)(void *ctx, uint64_t pa);
	/* A writable pointer to the 4 KiB page at pa (the identity map in the kernel). */
	void *(*phys_to_virt)(void *ctx, uint64_t pa);
	void *ctx;
};

/* What the CPU supports, from IA32_VMX_EPT_VPID_CAP (struct vmx_caps .ept) and CPUID. */
struct ept_features {
	bool page_2m;         /* 2 MiB leaves (EPT_VPID_CAP bit 16) */
	bool page_1g;         /* 1 GiB leaves (bit 17) */
	bool exec_only;       /* execute-only entries (bit 0) */
	unsigned int pa_bits; /* MAXPHYADDR (CPUID 0x80000008 EAX[7:0]); 0 means 52 */
};

struct ept_stats {
	size_t tables;             /* linked tables now, PML4 included */
	size_t tables_deferred;    /* unlinked, waiting for ept_flush_done() */
	uint64_t tables_allocated; /* alloc_table calls that succeeded, ever */
	uint64_t tables_freed;     /* free_table calls, ever */
	size_t leaves[3];          /* live leaves: [0] 4 KiB, [1] 2 MiB, [2] 1 GiB */
};

/*
 * One VM's EPT. Every field belongs to the owner's lock; ops, features and
 * pml4 are fixed from ept_init() to ept_destroy().
 */
struct ept {
	struct ept_ops ops;
	struct ept_features feat;
	uint64_t pa_limit; /* 1 << pa_bits: host addresses must stay below */
	uint64_t pml4;     /* physical address of the top table; 0 when not initialised */
	uint64_t deferred; /* unlinked tables, chained through entry 0 */
	bool flush_needed; /* a present entry changed since the last ept_flush_done() */
	struct ept_stats stats;
};

/*
 * Allocates the PML4. -ERR_INVAL when ops lacks a callback or pa_bits is
 * outside 32..52; -ERR_NOMEM when alloc_table fails. Paired with ept_destroy().
 */
int ept_init(struct ept *e, const struct ept_ops *ops, const struct ept_features *f);

/*
 * Frees every table, linked or deferred, and clears e. No CPU may use the
 * EPT any more, and each must have run INVEPT (single-context with this
 * EPTP, or all-context) since its last VM exit: cached translations are
 * tagged by the PML4 address (SDM Vol. 3C 29.4.1), which a later
 * ept_init() may get again.
 */
void ept_destroy(struct ept *e);

/* The EPTP VMCS field: WB walks, 4-level, A/D flags when ad (SDM Vol. 3C 25.6.11). */
uint64_t ept_eptp(const struct ept *e, bool ad);

/*
 * Maps [gpa, gpa + len) to [hpa, hpa + len) with perms (EPT_R/W/X) and
 * memtype (EPT_MT_*), "ignore PAT" set. Each 1 GiB / 2 MiB block that the
 * range covers whole, with gpa and hpa both aligned to it, gets one large
 * leaf when the CPU allows it; the rest gets 4 KiB leaves.
 *
 * There is no replace: if any page of the range is already mapped the call
 * fails with -ERR_BUSY and changes nothing (ept_unmap() first). All or
 * nothing: -ERR_NOMEM leaves the tables as they were. -ERR_INVAL for len 0,
 * anything not 4 KiB aligned, a range reaching 2^48 (gpa) or 2^pa_bits
 * (hpa), a reserved memory type, or perms the CPU would take as an EPT
 * misconfiguration (SDM Vol. 3C 29.3.3.1: W without R; X alone without
 * execute-only support) or as not present (0).
 *
 * Filling empty entries needs no INVEPT, so map leaves flush_needed alone:
 * the EPT violation a not-present entry caused already invalidated what the
 * CPU had cached for that address (SDM Vol. 3C 29.4.3.1).
 */
int ept_map(struct ept *e, uint64_t gpa, uint64_t hpa, uint64_t len, unsigned int perms,
            unsigned int memtype);

/*
 * Unmaps every page of [gpa, gpa + len); holes are fine. A large leaf that
 * the range covers only partly is split first (its other pages keep their
 * address, rights and type). Tables left empty are unlinked and freed at
 * ept_flush_done(); a split table is never merged back into a large leaf.
 * -ERR_INVAL as for ept_map; -ERR_NOMEM when a split fails, with every
 * translation as before (some large leaves may be split).
 */
int ept_unmap(struct ept *e, uint64_t gpa, uint64_t len);

/*
 * Sets the access rights of every page of [gpa, gpa + len) to perms,
 * keeping address and memory type, splitting large leaves that the range
 * covers partly. -ERR_NOENT when any page of the range is unmapped, and
 * -ERR_INVAL / -ERR_NOMEM as for ept_unmap(); nothing changes on error.
 * No access at all is ept_unmap().
 */
int ept_protect(struct ept *e, uint64_t gpa, uint64_t len, unsigned int perms);

/*
 * Translates gpa. Returns false when unmapped; otherwise the host address of
 * that very byte, and (each optional) the rights, memory type and the level
 * of the leaf (1: 4 KiB, 2: 2 MiB, 3: 1 GiB).
 */
bool ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *hpa, unsigned int *perms,
                unsigned int *memtype, int *level);

/*
 * Called by the VMX code after INVEPT made every CPU forget this EPT's
 * cached translations: clears flush_needed and frees the tables unlinked
 * since the last call.
 */
void ept_flush_done(struct ept *e);

struct gmem;

/*
 * Maps every region of a guest's RAM (include/gmem.h) at its guest-physical
 * address, write-back, with perms. All or nothing, errors as ept_map().
 * Here rather than in guest/gmem.c because generic code does not include
 * arch/x86 headers.
 */
int ept_map_gmem(struct ept *e, const struct gmem *g, unsigned int perms);

#endif
