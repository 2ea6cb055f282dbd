/*
 * How Tandem's test build lays out a test guest, shared by the host side
 * (tests/target/test_vmx_*.c) and the guests (tests/guests/). Guest RAM
 * starts at GPA 0.
 *
 * For a 64-bit or 32-bit start the host writes, before the first entry:
 * a GDT at GUEST_GDT_GPA (selectors below) and, for 64-bit, identity page
 * tables for the first GiB (2 MiB pages: PML4, PDPT, PD at the GPAs below).
 * The guest's flat image is loaded at GUEST_LOAD_GPA and entered at its first
 * byte: in 64-bit mode (CS = GUEST_SEL_CODE64), in 32-bit protected mode with
 * paging off (CS = GUEST_SEL_CODE32), or in real mode at CS:IP =
 * (GUEST_LOAD_GPA >> 4):0 with no host-built tables. RSP is the top of RAM
 * (16-aligned) in 32/64-bit modes; real mode gets SS:SP = 0:GUEST_REAL_SP.
 * Interrupts are off; the guest builds its own IDT if it wants one.
 */
#ifndef TESTS_GUESTS_LAYOUT_H
#define TESTS_GUESTS_LAYOUT_H

#define GUEST_GDT_GPA   0x1000
#define GUEST_PML4_GPA  0x2000
#define GUEST_PDPT_GPA  0x3000
#define GUEST_PD_GPA    0x4000
#define GUEST_LOAD_GPA  0x8000
#define GUEST_IMAGE_MAX (0x9f000 - GUEST_LOAD_GPA) /* below the EBDA-like top of low memory */
#define GUEST_REAL_SP   0x7000
#define GUEST_MEM_SIZE  (4u << 20)

#define GUEST_SEL_CODE64 0x08
#define GUEST_SEL_DATA   0x10
#define GUEST_SEL_CODE32 0x18

/*
 * The host's test device, for port-I/O tests: TESTDEV_PORT..+3. A write of
 * any width stores the value; a read returns the stored value with every bit
 * inverted, so a guest can tell a real round trip from an echo. Ports with no
 * device read as all ones and ignore writes, as on a PC.
 */
#define TESTDEV_PORT 0x0510

/* A guest-physical address with no RAM and no device behind it. */
#define UNMAPPED_GPA 0xfeb00000u

#endif
