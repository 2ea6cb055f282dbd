/*
 * Local APIC registers, as one table of x2APIC register indices (SDM Vol. 3A
 * Table 10-6). The xAPIC MMIO offset is index << 4 and the x2APIC MSR is
 * 0x800 + index. The host LAPIC driver and the virtual LAPIC share this table.
 */
#ifndef HW_APIC_H
#define HW_APIC_H

#include <stdint.h>
#include <compiler.h>

/* X(name, index, flags): R readable, W writable in x2APIC mode. */
#define APIC_REG_LIST(X)                                                                           \
	X(ID, 0x02, APIC_R)                                                                        \
	X(VERSION, 0x03, APIC_R)                                                                   \
	X(TPR, 0x08, APIC_R | APIC_W)                                                              \
	X(APR, 0x09, 0) /* xAPIC only (P6 arbitration priority) */                                 \
	X(PPR, 0x0a, APIC_R)                                                                       \
	X(EOI, 0x0b, APIC_W)                                                                       \
	X(RRD, 0x0c, 0) /* xAPIC only (remote read, reads 0) */                                    \
	X(LDR, 0x0d, APIC_R)                                                                       \
	X(DFR, 0x0e, APIC_R | APIC_W) /* xAPIC only */                                             \
	X(SVR, 0x0f, APIC_R | APIC_W)                                                              \
	X(ISR0, 0x10, APIC_R) /* ISR0..7 at 0x10..0x17 */                                          \
	X(TMR0, 0x18, APIC_R) /* TMR0..7 at 0x18..0x1f */                                          \
	X(IRR0, 0x20, APIC_R) /* IRR0..7 at 0x20..0x27 */                                          \
	X(ESR, 0x28, APIC_R | APIC_W)                                                              \
	X(LVT_CMCI, 0x2f, APIC_R | APIC_W)                                                         \
	X(ICR, 0x30, APIC_R | APIC_W)  /* x2APIC: 64-bit; xAPIC: low half */                       \
	X(ICR2, 0x31, APIC_R | APIC_W) /* xAPIC only: destination */                               \
	X(LVT_TIMER, 0x32, APIC_R | APIC_W)                                                        \
	X(LVT_THERMAL, 0x33, APIC_R | APIC_W)                                                      \
	X(LVT_PMC, 0x34, APIC_R | APIC_W)                                                          \
	X(LVT_LINT0, 0x35, APIC_R | APIC_W)                                                        \
	X(LVT_LINT1, 0x36, APIC_R | APIC_W)                                                        \
	X(LVT_ERROR, 0x37, APIC_R | APIC_W)                                                        \
	X(TIMER_ICR, 0x38, APIC_R | APIC_W)                                                        \
	X(TIMER_CCR, 0x39, APIC_R)                                                                 \
	X(TIMER_DCR, 0x3e, APIC_R | APIC_W)                                                        \
	X(SELF_IPI, 0x3f, APIC_W) /* x2APIC only */

#define APIC_R 1u
#define APIC_W 2u

enum apic_reg {
#define X(name, idx, flags) APIC_##name = idx,
	APIC_REG_LIST(X)
#undef X
};

#define APIC_MSR_BASE     0x800
#define APIC_DEFAULT_BASE 0xfee00000ull

static inline uint32_t apic_mmio_offset(unsigned int reg)
{
	return reg << 4;
}

static inline uint32_t apic_msr(unsigned int reg)
{
	return APIC_MSR_BASE + reg;
}

/*
 * IA32_APIC_BASE (SDM Vol. 3A 10.4.4, 10.12.1). The same definitions as
 * x86/msr.h (an identical redefinition is legal C and fails loudly if they
 * ever diverge); pure code such as the vLAPIC cannot include arch headers.
 */
#define APIC_BASE_BSP    BIT(8)
#define APIC_BASE_EXTD   BIT(10)
#define APIC_BASE_ENABLE BIT(11)
#define APIC_BASE_ADDR   UINT64_C(0xfffff000)

/* Version register (SDM Vol. 3A Figure 10-7). */
#define APIC_VERSION_INTEGRATED   0x14u /* an integrated (xAPIC / x2APIC) APIC */
#define APIC_VERSION_MAXLVT_SHIFT 16    /* bits 23:16: number of LVT entries - 1 */
#define APIC_VERSION_EOI_SUPPRESS (1u << 24)

/* TPR/PPR: the priority class is the vector's bits 7:4 (SDM Vol. 3A 10.8.3.1). */
#define APIC_PRIO_CLASS(v) ((v)&0xf0u)

/* DFR models (SDM Vol. 3A 10.6.2.2); bits 27:0 read as ones. */
#define APIC_DFR_MODEL_MASK 0xf0000000u
#define APIC_DFR_FLAT       0xffffffffu
#define APIC_DFR_CLUSTER    0x0fffffffu
#define APIC_LDR_XAPIC_MASK 0xff000000u

/* x2APIC logical ID derived from the x2APIC ID (SDM Vol. 3A 10.12.10.2). */
static inline uint32_t apic_x2apic_ldr(uint32_t id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

/* ESR (SDM Vol. 3A Figure 10-9). */
#define APIC_ESR_SEND_CHECKSUM (1u << 0)
#define APIC_ESR_RECV_CHECKSUM (1u << 1)
#define APIC_ESR_SEND_ACCEPT   (1u << 2)
#define APIC_ESR_RECV_ACCEPT   (1u << 3)
#define APIC_ESR_REDIRECTABLE  (1u << 4)
#define APIC_ESR_SEND_ILLEGAL  (1u << 5)
#define APIC_ESR_RECV_ILLEGAL  (1u << 6)
#define APIC_ESR_ILLEGAL_REG   (1u << 7)

/* SVR (SDM Vol. 3A 10.9). */
#define APIC_SVR_ENABLE       (1u << 8)
#define APIC_SVR_EOI_SUPPRESS (1u << 12)

/* LVT entries (SDM Vol. 3A Figure 10-8). */
#define APIC_LVT_VECTOR_MASK        0xffu
#define APIC_LVT_DM_FIXED           (0u << 8)
#define APIC_LVT_DM_SMI             (2u << 8)
#define APIC_LVT_DM_NMI             (4u << 8)
#define APIC_LVT_DM_INIT            (5u << 8)
#define APIC_LVT_DM_EXTINT          (7u << 8)
#define APIC_LVT_DM_MASK            (7u << 8)
#define APIC_LVT_PENDING            (1u << 12)
#define APIC_LVT_POLARITY_LOW       (1u << 13)
#define APIC_LVT_REMOTE_IRR         (1u << 14)
#define APIC_LVT_LEVEL              (1u << 15)
#define APIC_LVT_MASKED             (1u << 16)
#define APIC_LVT_TIMER_ONESHOT      (0u << 17)
#define APIC_LVT_TIMER_PERIODIC     (1u << 17)
#define APIC_LVT_TIMER_TSC_DEADLINE (2u << 17)
#define APIC_LVT_TIMER_MODE_MASK    (3u << 17)

/* Divide configuration (SDM Vol. 3A Figure 10-10): encoding of divide-by-16. */
#define APIC_TDCR_DIV16 0x3u
#define APIC_TDCR_MASK  0xbu /* bits 0, 1 and 3; bit 2 is reserved */

/* The divisor a TDCR value selects: bits 3,1:0 = 000 -> 2, ... 110 -> 128, 111 -> 1. */
static inline uint32_t apic_tdcr_divide(uint32_t tdcr)
{
	uint32_t code = (tdcr & 3) | ((tdcr >> 1) & 4);

	return code == 7 ? 1 : 2u << code;
}

/* ICR (SDM Vol. 3A Figure 10-12). */
#define APIC_ICR_VECTOR_MASK 0xffu
#define APIC_ICR_DM_FIXED    (0u << 8)
#define APIC_ICR_DM_LOWEST   (1u << 8)
#define APIC_ICR_DM_SMI      (2u << 8)
#define APIC_ICR_DM_NMI      (4u << 8)
#define APIC_ICR_DM_INIT     (5u << 8)
#define APIC_ICR_DM_STARTUP  (6u << 8)
#define APIC_ICR_DM_MASK     (7u << 8)
#define APIC_ICR_LOGICAL     (1u << 11)
#define APIC_ICR_BUSY        (1u << 12) /* xAPIC delivery status */
#define APIC_ICR_ASSERT      (1u << 14)
#define APIC_ICR_LEVEL       (1u << 15)
#define APIC_ICR_DEST_SELF   (1u << 18)
#define APIC_ICR_DEST_ALL    (2u << 18)
#define APIC_ICR_DEST_OTHERS (3u << 18)
#define APIC_ICR_DEST_MASK   (3u << 18)
#define APIC_ICR_DEST_SHIFT  18

/* x2APIC ICR bits that must be zero (SDM Vol. 3A Figure 10-28); bit 12 is ignored. */
#define APIC_X2APIC_ICR_RESERVED ((0xfffull << 20) | (3ull << 16) | (1ull << 13))

#endif
