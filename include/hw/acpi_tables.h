/*
 * ACPI table layouts, byte for byte as the specifications define them: ACPI
 * 6.5 chapter 5 (RSDP, SDT header, FADT, MADT), the PCI Firmware
 * Specification 3.3 (MCFG), the IA-PC HPET Specification 1.0a (HPET) and the
 * Intel VT-d Specification 4.1 chapter 8 (DMAR). Shared by the host-side
 * parser (arch/x86/acpi*.c) and whatever builds tables for a guest, so no
 * field is described twice. Multi-byte fields are little-endian and, inside
 * firmware memory, unaligned: every structure is packed.
 */
#ifndef TANDEM_HW_ACPI_TABLES_H
#define TANDEM_HW_ACPI_TABLES_H

#include <stddef.h>
#include <stdint.h>
#include <compiler.h>

/* Signatures (5.2.5.3 for the RSDP; 5.2.6 lists the tables'). */
#define ACPI_SIG_RSDP "RSD PTR "
#define ACPI_SIG_RSDT "RSDT"
#define ACPI_SIG_XSDT "XSDT"
#define ACPI_SIG_FADT "FACP"
#define ACPI_SIG_MADT "APIC"
#define ACPI_SIG_MCFG "MCFG"
#define ACPI_SIG_HPET "HPET"
#define ACPI_SIG_DMAR "DMAR"
#define ACPI_SIG_DSDT "DSDT"
#define ACPI_SIG_FACS "FACS"

/*
 * Every table and the RSDP checksum so that all their bytes sum to zero
 * modulo 256 (5.2.5.3, 5.2.6). Returns that sum: 0 means valid. A builder
 * stores (uint8_t)-acpi_sum8(...) computed with the checksum byte at 0.
 */
static inline uint8_t acpi_sum8(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *b++);
	return s;
}

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
	uint8_t space_id; /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 0 undefined, 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} __packed;

#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO     1
#define ACPI_GAS_PCI_CONFIG    2

/* GAS access_size: the width the register must be accessed with. */
#define ACPI_GAS_ACCESS_BYTE  1
#define ACPI_GAS_ACCESS_WORD  2
#define ACPI_GAS_ACCESS_DWORD 3
#define ACPI_GAS_ACCESS_QWORD 4

/*
 * Root System Description Pointer (5.2.5.3). Revision 0 (ACPI 1.0) ends after
 * rsdt_address and its checksum covers those 20 bytes; revision 2 and later
 * add the rest, covered by extended_checksum over `length` bytes.
 */
struct acpi_rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	/* revision >= 2 */
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __packed;

#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36

/* How firmware places the RSDP on IA-PC systems (5.2.5.1). */
#define ACPI_EBDA_PTR       0x40e   /* real-mode segment of the EBDA, 16 bits */
#define ACPI_EBDA_SCAN_LEN  1024    /* only the EBDA's first KiB is searched */
#define ACPI_BIOS_ROM_START 0xe0000 /* then the BIOS read-only area ... */
#define ACPI_BIOS_ROM_END   0x100000
#define ACPI_RSDP_ALIGN     16 /* ... on 16-byte boundaries */

/* System Description Table header, common to every table but FACS (5.2.6). */
struct acpi_sdt_header {
	char signature[4];
	uint32_t length; /* of the whole table, header included */
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

/* RSDT (5.2.7) and XSDT (5.2.8): the header, then 32- or 64-bit table addresses. */
struct acpi_rsdt {
	struct acpi_sdt_header hdr;
	uint32_t entry[];
} __packed;

struct acpi_xsdt {
	struct acpi_sdt_header hdr;
	uint64_t entry[];
} __packed;

/*
 * Fixed ACPI Description Table, signature "FACP" (5.2.9, Table 5.9). Older
 * revisions are shorter: an ACPI 1.0 table ends after `flags`
 * (ACPI_FADT_V1_LEN), so a reader checks hdr.length before each later field.
 */
struct acpi_fadt {
	struct acpi_sdt_header hdr;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0; /* ACPI 1.0 INT_MODEL */
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable;
	uint8_t acpi_disable;
	uint8_t s4bios_req;
	uint8_t pstate_cnt;
	uint32_t pm1a_evt_blk;
	uint32_t pm1b_evt_blk;
	uint32_t pm1a_cnt_blk;
	uint32_t pm1b_cnt_blk;
	uint32_t pm2_cnt_blk;
	uint32_t pm_tmr_blk;
	uint32_t gpe0_blk;
	uint32_t gpe1_blk;
	uint8_t pm1_evt_len;
	uint8_t pm1_cnt_len;
	uint8_t pm2_cnt_len;
	uint8_t pm_tmr_len;
	uint8_t gpe0_blk_len;
	uint8_t gpe1_blk_len;
	uint8_t gpe1_base;
	uint8_t cst_cnt;
	uint16_t p_lvl2_lat;
	uint16_t p_lvl3_lat;
	uint16_t flush_size;
	uint16_t flush_stride;
	uint8_t duty_offset;
	uint8_t duty_width;
	uint8_t day_alrm;
	uint8_t mon_alrm;
	uint8_t century;
	uint16_t iapc_boot_arch; /* ACPI_IAPC_BOOT_* */
	uint8_t reserved1;
	uint32_t flags; /* ACPI_FADT_* */
	/* ACPI 2.0 and later */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t fadt_minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	/* ACPI 5.0 and later */
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	/* ACPI 6.0 and later */
	uint64_t hypervisor_vendor_id;
} __packed;

#define ACPI_FADT_V1_LEN offsetof(struct acpi_fadt, reset_reg)

/* True when a FADT of `len` bytes contains `field` entirely. */
#define ACPI_FADT_HAS(len, field)                                                                  \
	((len) >= offsetof(struct acpi_fadt, field) + sizeof(((struct acpi_fadt *)0)->field))

/* FADT fixed feature flags (5.2.9, Table 5.10), the ones Tandem reads or sets. */
#define ACPI_FADT_WBINVD        BIT(0)
#define ACPI_FADT_PROC_C1       BIT(2)  /* C1 (HLT) works on every processor */
#define ACPI_FADT_SLP_BUTTON    BIT(5)  /* no fixed-feature sleep button */
#define ACPI_FADT_TMR_VAL_EXT   BIT(8)  /* PM timer is 32 bits wide, else 24 */
#define ACPI_FADT_RESET_REG_SUP BIT(10) /* reset_reg/reset_value are valid */
#define ACPI_FADT_HW_REDUCED    BIT(20) /* no fixed hardware: no PM timer, no PM1 blocks */
#define ACPI_FADT_PM_TMR_LEN    4       /* pm_tmr_len of a present PM timer */
#define ACPI_PM_TIMER_HZ        3579545 /* PM timer frequency (4.8, fixed hardware) */
#define ACPI_FADT_PM1_EVT_LEN   4       /* PM1 event block: 16-bit PM1_STS, then PM1_EN */
#define ACPI_FADT_PM1_CNT_LEN   2       /* PM1 control block: one 16-bit register */

/* PM1 control register bits (4.8.3.2.1). */
#define ACPI_PM1_CNT_SCI_EN        BIT(0) /* reads 1 on an ACPI-only platform (SMI_CMD 0) */
#define ACPI_PM1_CNT_SLP_TYP_SHIFT 10     /* 3 bits: the \_Sx package's value */
#define ACPI_PM1_CNT_SLP_TYP_MASK  (0x7u << ACPI_PM1_CNT_SLP_TYP_SHIFT)
#define ACPI_PM1_CNT_SLP_EN        BIT(13) /* write-only: enter the SLP_TYP state */

/*
 * Firmware ACPI Control Structure (5.2.10): no SDT header and no checksum;
 * 64 bytes, 64-byte aligned, named by the FADT's FIRMWARE_CTRL or
 * X_FIRMWARE_CTRL.
 */
struct acpi_facs {
	char signature[4]; /* "FACS" */
	uint32_t length;
	uint32_t hardware_signature;
	uint32_t firmware_waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_firmware_waking_vector;
	uint8_t version;
	uint8_t reserved0[3];
	uint32_t ospm_flags;
	uint8_t reserved1[24];
} __packed;

#define ACPI_FACS_ALIGN 64

/* IA-PC boot architecture flags (5.2.9.3). */
#define ACPI_IAPC_BOOT_LEGACY_DEVICES BIT(0)
#define ACPI_IAPC_BOOT_8042           BIT(1)
#define ACPI_IAPC_BOOT_NO_VGA         BIT(2)
#define ACPI_IAPC_BOOT_NO_MSI         BIT(3)
#define ACPI_IAPC_BOOT_NO_ASPM        BIT(4)
#define ACPI_IAPC_BOOT_NO_CMOS_RTC    BIT(5)

/* Multiple APIC Description Table, signature "APIC" (5.2.12). */
struct acpi_madt {
	struct acpi_sdt_header hdr;
	uint32_t lapic_address;
	uint32_t flags; /* ACPI_MADT_PCAT_COMPAT */
	/* interrupt controller structures follow, each starting with acpi_madt_entry */
} __packed;

#define ACPI_MADT_PCAT_COMPAT BIT(0) /* a dual 8259 is present too (5.2.12, 5.2.12.4) */

struct acpi_madt_entry {
	uint8_t type; /* ACPI_MADT_* */
	uint8_t length;
} __packed;

/* Interrupt controller structure types (5.2.12). */
#define ACPI_MADT_LAPIC          0x0
#define ACPI_MADT_IOAPIC         0x1
#define ACPI_MADT_ISO            0x2
#define ACPI_MADT_NMI_SOURCE     0x3
#define ACPI_MADT_LAPIC_NMI      0x4
#define ACPI_MADT_LAPIC_OVERRIDE 0x5
#define ACPI_MADT_X2APIC         0x9
#define ACPI_MADT_X2APIC_NMI     0xa

/* Processor Local APIC (5.2.12.2). */
struct acpi_madt_lapic {
	struct acpi_madt_entry h;
	uint8_t uid; /* ACPI processor UID */
	uint8_t apic_id;
	uint32_t flags; /* ACPI_LAPIC_* */
} __packed;

/* Local APIC flags (5.2.12.2), shared with the x2APIC structure. */
#define ACPI_LAPIC_ENABLED        BIT(0)
#define ACPI_LAPIC_ONLINE_CAPABLE BIT(1) /* ACPI 6.3+: may be enabled at run time */

/* I/O APIC (5.2.12.3). */
struct acpi_madt_ioapic {
	struct acpi_madt_entry h;
	uint8_t id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} __packed;

/* Interrupt Source Override (5.2.12.5). */
struct acpi_madt_iso {
	struct acpi_madt_entry h;
	uint8_t bus;    /* 0: ISA, the only defined value */
	uint8_t source; /* bus-relative IRQ */
	uint32_t gsi;
	uint16_t flags; /* MPS INTI flags */
} __packed;

#define ACPI_ISO_BUS_ISA 0

/* MPS INTI flags (5.2.12.5): polarity in bits 1:0, trigger mode in 3:2. */
#define ACPI_INTI_POLARITY(f) ((f)&0x3)
#define ACPI_INTI_TRIGGER(f)  (((f) >> 2) & 0x3)
#define ACPI_INTI_CONFORMS    0 /* as the bus specifies: ISA is edge, active high */
#define ACPI_INTI_ACTIVE_HIGH 1
#define ACPI_INTI_ACTIVE_LOW  3
#define ACPI_INTI_EDGE        1
#define ACPI_INTI_LEVEL       3
#define ACPI_INTI_RESERVED    2 /* reserved encoding of either field */

/* Local APIC NMI (5.2.12.7). */
struct acpi_madt_lapic_nmi {
	struct acpi_madt_entry h;
	uint8_t uid;    /* ACPI_LAPIC_NMI_ALL: every processor */
	uint16_t flags; /* MPS INTI flags */
	uint8_t lint;   /* LINT0 or LINT1 */
} __packed;

#define ACPI_LAPIC_NMI_ALL 0xff

/* Local APIC Address Override (5.2.12.8): replaces acpi_madt.lapic_address. */
struct acpi_madt_lapic_override {
	struct acpi_madt_entry h;
	uint16_t reserved;
	uint64_t address;
} __packed;

/* Processor Local x2APIC (5.2.12.12). */
struct acpi_madt_x2apic {
	struct acpi_madt_entry h;
	uint16_t reserved;
	uint32_t apic_id;
	uint32_t flags; /* ACPI_LAPIC_* */
	uint32_t uid;
} __packed;

/* Local x2APIC NMI (5.2.12.13). */
struct acpi_madt_x2apic_nmi {
	struct acpi_madt_entry h;
	uint16_t flags; /* MPS INTI flags */
	uint32_t uid;   /* ACPI_X2APIC_NMI_ALL: every processor */
	uint8_t lint;
	uint8_t reserved[3];
} __packed;

#define ACPI_X2APIC_NMI_ALL 0xffffffffu

/*
 * PCI Express memory-mapped configuration (PCI Firmware Spec 3.3, 4.1.2):
 * the header, 8 reserved bytes, then one allocation per segment group and bus
 * range. `base` is the ECAM address of bus 0 of the segment even when
 * start_bus is not 0.
 */
struct acpi_mcfg {
	struct acpi_sdt_header hdr;
	uint8_t reserved[8];
	/* struct acpi_mcfg_alloc entries follow */
} __packed;

struct acpi_mcfg_alloc {
	uint64_t base;
	uint16_t segment;
	uint8_t start_bus;
	uint8_t end_bus;
	uint32_t reserved;
} __packed;

/* High Precision Event Timer table (IA-PC HPET Spec 1.0a, 3.2.4). */
struct acpi_hpet {
	struct acpi_sdt_header hdr;
	uint32_t event_timer_block_id; /* a copy of the timer block's capabilities ID */
	struct acpi_gas base;          /* must be system memory */
	uint8_t hpet_number;
	uint16_t min_clock_tick;
	uint8_t page_protection;
} __packed;

/* DMA Remapping Reporting table (VT-d Spec 4.1, 8.1). */
struct acpi_dmar {
	struct acpi_sdt_header hdr;
	uint8_t host_addr_width; /* maximum DMA address width minus one */
	uint8_t flags;           /* ACPI_DMAR_* */
	uint8_t reserved[10];
	/* remapping structures follow, each starting with acpi_dmar_entry */
} __packed;

#define ACPI_DMAR_INTR_REMAP      BIT(0)
#define ACPI_DMAR_X2APIC_OPT_OUT  BIT(1)
#define ACPI_DMAR_DMA_CTRL_OPT_IN BIT(2)

struct acpi_dmar_entry {
	uint16_t type; /* ACPI_DMAR_TYPE_* */
	uint16_t length;
} __packed;

/* Remapping structure types (8.2); Tandem reads DRHDs and steps over the rest. */
#define ACPI_DMAR_TYPE_DRHD 0
#define ACPI_DMAR_TYPE_RMRR 1
#define ACPI_DMAR_TYPE_ATSR 2
#define ACPI_DMAR_TYPE_RHSA 3
#define ACPI_DMAR_TYPE_ANDD 4
#define ACPI_DMAR_TYPE_SATC 5

/* DMA Remapping Hardware unit Definition (8.3); device scopes follow it. */
struct acpi_dmar_drhd {
	struct acpi_dmar_entry h;
	uint8_t flags; /* ACPI_DRHD_INCLUDE_PCI_ALL */
	uint8_t size;  /* register set is 2^size pages in newer revisions, else reserved */
	uint16_t segment;
	uint64_t register_base;
} __packed;

#define ACPI_DRHD_INCLUDE_PCI_ALL BIT(0)

/* The sizes and offsets the specifications' tables give. */
_Static_assert(sizeof(struct acpi_gas) == 12, "GAS is 12 bytes (5.2.3.2)");
_Static_assert(sizeof(struct acpi_rsdp) == ACPI_RSDP_V2_LEN, "RSDP is 36 bytes (5.2.5.3)");
_Static_assert(offsetof(struct acpi_rsdp, length) == ACPI_RSDP_V1_LEN, "RSDP v1 is 20 bytes");
_Static_assert(sizeof(struct acpi_sdt_header) == 36, "SDT header is 36 bytes (5.2.6)");
_Static_assert(offsetof(struct acpi_fadt, pm_tmr_blk) == 76, "FADT PM_TMR_BLK at 76");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112, "FADT flags at 112");
_Static_assert(ACPI_FADT_V1_LEN == 116, "ACPI 1.0 FADT is 116 bytes");
_Static_assert(offsetof(struct acpi_fadt, reset_value) == 128, "FADT RESET_VALUE at 128");
_Static_assert(offsetof(struct acpi_fadt, x_dsdt) == 140, "FADT X_DSDT at 140");
_Static_assert(offsetof(struct acpi_fadt, x_pm_tmr_blk) == 208, "FADT X_PM_TMR_BLK at 208");
_Static_assert(sizeof(struct acpi_fadt) == 276, "ACPI 6.x FADT is 276 bytes");
_Static_assert(sizeof(struct acpi_facs) == 64, "FACS is 64 bytes (5.2.10)");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT entries start at 44");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "LAPIC entry is 8 bytes");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "IOAPIC entry is 12 bytes");
_Static_assert(sizeof(struct acpi_madt_iso) == 10, "ISO entry is 10 bytes");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "LAPIC NMI entry is 6 bytes");
_Static_assert(sizeof(struct acpi_madt_lapic_override) == 12, "LAPIC override is 12 bytes");
_Static_assert(sizeof(struct acpi_madt_x2apic) == 16, "x2APIC entry is 16 bytes");
_Static_assert(sizeof(struct acpi_madt_x2apic_nmi) == 12, "x2APIC NMI entry is 12 bytes");
_Static_assert(sizeof(struct acpi_mcfg) == 44, "MCFG allocations start at 44");
_Static_assert(sizeof(struct acpi_mcfg_alloc) == 16, "MCFG allocation is 16 bytes");
_Static_assert(sizeof(struct acpi_hpet) == 56, "HPET table is 56 bytes");
_Static_assert(sizeof(struct acpi_dmar) == 48, "DMAR structures start at 48");
_Static_assert(sizeof(struct acpi_dmar_drhd) == 16, "DRHD is 16 bytes before its scopes");

#endif
