/*
 * The ACPI tables a Linux guest boots from: RSDP (revision 2), XSDT, FADT
 * (revision 6, full fixed hardware: PM1a event and control blocks, a 32-bit
 * PM timer, the SCI, a reset register), FACS, a DSDT declaring \_S5 so Linux
 * can power off through PM1a_CNT, and the MADT (one LAPIC per vCPU, one
 * IOAPIC, the ISA overrides and LINT1 NMI wiring a PC has). Pure: the tables
 * are built into a caller's buffer that the caller places at a
 * guest-physical address, and every address in them is guest-physical.
 *
 * The configuration is also the contract with the device models: the ports,
 * the SCI and the S5 SLP_TYP here are what the PM1a/PM-timer and reset
 * models must decode.
 */
#ifndef TANDEM_GUEST_ACPI_H
#define TANDEM_GUEST_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * MADT entries beyond APIC ID 254 are x2APIC structures (ACPI 6.5 5.2.12.12);
 * the cap only keeps a typo from building megabyte tables.
 */
#define GUEST_ACPI_MAX_VCPUS 1024

/* What guest_acpi_cfg_init() picks: a PIIX4-like PM block at 0x600, the SCI on IRQ 9. */
#define GUEST_ACPI_LAPIC_ADDR  0xfee00000u
#define GUEST_ACPI_IOAPIC_ADDR 0xfec00000u
#define GUEST_ACPI_PM1A_EVT    0x600 /* 4 ports: PM1_STS, PM1_EN */
#define GUEST_ACPI_PM1A_CNT    0x604 /* 2 ports: PM1_CNT */
#define GUEST_ACPI_PM_TMR      0x608 /* 4 ports: 32-bit PM timer */
#define GUEST_ACPI_SCI_IRQ     9
#define GUEST_ACPI_RESET_PORT  0xcf9
#define GUEST_ACPI_RESET_VALUE 0x06 /* PCI reset control: SYS_RST | RST_CPU, a hard reset */
#define GUEST_ACPI_S5_SLP_TYP  5    /* PM1_CNT.SLP_TYP that means soft-off */

struct guest_acpi_cfg {
	unsigned int n_vcpus; /* 1..GUEST_ACPI_MAX_VCPUS: APIC IDs and ACPI UIDs 0..n-1 */
	uint32_t lapic_addr;
	uint32_t ioapic_addr;
	uint8_t ioapic_id;
	bool pcat_compat;       /* MADT PCAT_COMPAT: the VM emulates a dual 8259 */
	uint16_t pm1a_evt_port; /* ACPI_FADT_PM1_EVT_LEN ports */
	uint16_t pm1a_cnt_port; /* ACPI_FADT_PM1_CNT_LEN ports */
	uint16_t pm_tmr_port;   /* ACPI_FADT_PM_TMR_LEN ports; always 32 bits wide */
	uint8_t sci_irq;        /* ISA IRQ 1 or 3..15, level, active high, GSI = IRQ */
	uint16_t reset_port;    /* byte-wide I/O reset register */
	uint8_t reset_value;
	uint8_t s5_slp_typ;      /* 0..7: the \_S5 value Linux writes to PM1a_CNT.SLP_TYP */
	uint16_t iapc_boot_arch; /* ACPI_IAPC_BOOT_* written as is */
};

struct guest_acpi_out {
	uint64_t rsdp_gpa; /* for boot_params.acpi_rsdp_addr; 16-byte aligned */
	size_t len;        /* bytes of buf used; after -ERR_NOMEM, the bytes needed */
	uint8_t s5_slp_typ;
};

/*
 * Fills *cfg with the defaults above for n_vcpus: IOAPIC ID n_vcpus (clear of
 * every LAPIC ID) while that fits below 255, else 0 (the IOAPIC and LAPIC ID
 * spaces are separate without an APIC bus, as QEMU assumes); no 8259; no
 * 8042 and no VGA in IAPC_BOOT_ARCH. Adjust fields afterwards as needed.
 */
void guest_acpi_cfg_init(struct guest_acpi_cfg *cfg, unsigned int n_vcpus);

/*
 * Builds the tables into buf[buf_len], which the guest will see at buf_gpa
 * (any alignment: the RSDP lands 16-byte and the FACS 64-byte aligned in
 * guest-physical terms). Every checksum is set. Unused bytes of buf are left
 * alone.
 *
 * Returns 0 with *out filled; -ERR_INVAL for a bad cfg (no vCPUs, too many,
 * a port block past 0xffff or missing, an SCI that is not an ISA IRQ
 * other than 0 and 2, SLP_TYP above 7, tables that would wrap the address
 * space); -ERR_NOMEM when buf_len is too small, with out->len set to the
 * size needed (so buf NULL, buf_len 0 asks for the size). Nothing is
 * written to buf on failure. Each failure is logged.
 */
int guest_acpi_build(const struct guest_acpi_cfg *cfg, void *buf, size_t buf_len, uint64_t buf_gpa,
                     struct guest_acpi_out *out);

#endif
