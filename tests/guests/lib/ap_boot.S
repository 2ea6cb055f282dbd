/*
 * The AP's STARTUP trampoline (guest_smp.h). A STARTUP with vector V starts the
 * AP in real mode at CS:IP = (V << 8):0, so this page is 4 KiB aligned and
 * below 1 MiB (the image is, layout.h), and its 16-bit part addresses its
 * own data relative to CS. From there the way to long mode is realmode.S's:
 * protected mode on a small GDT of layout.h's selectors, PAE, EFER.LME and
 * paging on the boot CPU's page tables (SDM Vol. 3A 8.4.4.1, 9.9, 9.8.5).
 */
#include "layout.h"

#define CR0_PE   0x1
#define CR0_PG   0x80000000
#define CR4_PAE  0x20
#define EFER_MSR 0xc0000080
#define EFER_LME 0x100

	.section .text.ap_boot, "ax"
	.code16
	.balign 4096
	.globl ap_boot_start, ap_boot_count
ap_boot_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lock incl (ap_boot_count - ap_boot_start)
	lgdtl (ap_boot_gdt_ptr - ap_boot_start)	/* 66-prefixed: a 32-bit base */
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $GUEST_SEL_CODE32, $ap_pm32

	.balign 8
ap_boot_count:			/* in this page: reachable from real mode, and by the BSP */
	.long 0
ap_boot_gdt_ptr:
	.word ap_boot_gdt_end - ap_boot_gdt - 1
	.long ap_boot_gdt

	.code32
ap_pm32:
	movl $GUEST_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	movl %eax, %ss
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl ap_boot_cr3, %eax		/* below 4 GiB: the guest's own tables */
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0
	ljmpl $GUEST_SEL_CODE64, $ap_lm64

	.code64
ap_lm64:
	movq ap_boot_rsp(%rip), %rsp
	xorl %ebp, %ebp
	movq ap_boot_fn(%rip), %rax
	call *%rax
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 16
ap_boot_gdt:				/* layout.h's selectors, accessed bits set */
	.quad 0
	.quad 0x00af9b000000ffff	/* GUEST_SEL_CODE64 */
	.quad 0x00cf93000000ffff	/* GUEST_SEL_DATA */
	.quad 0x00cf9b000000ffff	/* GUEST_SEL_CODE32 */
ap_boot_gdt_end:

	.section .note.GNU-stack, "", @progbits
