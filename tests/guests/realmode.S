/*
 * realmode, part 1: the host enters at CS:IP = (GUEST_LOAD_GPA >> 4):0 in
 * real mode with no tables (layout.h). This switches to 32-bit protected mode
 * and then to long mode with its own GDT and identity page tables (SDM Vol.
 * 3A 10.9 and 10.8.5), then runs realmode.c's guest_main like start64.S does.
 *
 * Addresses: the image is linked at GUEST_LOAD_GPA, so a symbol's value is
 * its linear address. In real mode CS = DS = GUEST_LOAD_GPA >> 4, so the
 * 16-bit code addresses data by (symbol - _start); the GDT pointer and the
 * far-jump targets hold linear addresses.
 */
#include "layout.h"

#define CR0_PE   0x1
#define CR0_PG   0x80000000
#define CR4_PAE  0x20
#define EFER_MSR 0xc0000080
#define EFER_LME 0x100

	.section .text.entry, "ax"
	.code16
	.globl _start
_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl (rm_gdt_ptr - _start)	/* 66-prefixed: a 32-bit base */
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $GUEST_SEL_CODE32, $pm32

	.code32
pm32:
	movl $GUEST_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	movl %eax, %ss
	movl $rm_stack_top, %esp
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $rm_pml4, %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PG, %eax
	movl %eax, %cr0			/* EFER.LMA is set now (SDM Vol. 3A 10.8.5) */
	ljmpl $GUEST_SEL_CODE64, $lm64

	.code64
lm64:
	leaq rm_stack_top(%rip), %rsp
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	call guest_main
	call ucall_done

	.section .rodata
	.balign 16
rm_gdt:					/* the selectors of layout.h, accessed bits set */
	.quad 0
	.quad 0x00af9b000000ffff	/* GUEST_SEL_CODE64 */
	.quad 0x00cf93000000ffff	/* GUEST_SEL_DATA */
	.quad 0x00cf9b000000ffff	/* GUEST_SEL_CODE32 */
rm_gdt_end:
	.balign 8
rm_gdt_ptr:
	.word rm_gdt_end - rm_gdt - 1
	.long rm_gdt

	/* Identity map of the first GiB with 2 MiB pages, built by the assembler. */
	.data
	.balign 4096
rm_pml4:
	.quad rm_pdpt + 0x3		/* present, writable */
	.fill 511, 8, 0
rm_pdpt:
	.quad rm_pd + 0x3
	.fill 511, 8, 0
rm_pd:
	.set addr, 0
	.rept 512
	.quad addr + 0x83		/* present, writable, 2 MiB */
	.set addr, addr + 0x200000
	.endr

	.bss
	.balign 4096
	.skip 16384
rm_stack_top:

	.section .note.GNU-stack, "", @progbits
