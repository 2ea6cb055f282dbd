/*
 * 32-bit Multiboot entry (both protocols): the loader leaves us in protected
 * mode, paging off, EAX = boot magic, EBX = physical address of the info.
 * We check for long mode, build identity page tables for the low 4 GiB with
 * 2 MiB pages, enter long mode and call boot_main(magic, info).
 *
 * The boot page tables stay in use by APs during their own 32->64 switch
 * (boot/ap_trampoline.S); everything else moves to the final tables built by
 * arch/x86/paging.c, which enforce W^X.
 */
#include <multiboot.h>

#define COM1 0x3f8
#define PTE_P  0x1
#define PTE_RW 0x2
#define PTE_PS 0x80

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, mb_magic
	movl %ebx, mb_info

	/* Zero .bss (the boot page tables and stack live there). */
	movl $__bss_start, %edi
	movl $__image_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	movl $boot_stack_top, %esp

	/* CPUID 0x80000001 must exist and report LM (EDX bit 29). */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode

	/* PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3, PDn[i] -> 2 MiB identity. */
	movl $boot_pdpt, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl %eax, boot_pml4

	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $boot_pd, %eax
	orl $(PTE_P | PTE_RW), %eax
	movl %eax, boot_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b

	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_RW | PTE_PS), %eax
	movl %eax, boot_pd(, %ecx, 8)
	movl %ecx, %eax
	shrl $11, %eax			/* high dword: bits 32+ of the address */
	movl %eax, boot_pd + 4(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	call enter_long_mode32
	ljmp $0x08, $long_entry

/*
 * Shared by the BSP and the AP trampoline: PAE, CR3 = boot_pml4, EFER.LME,
 * paging with WP. Returns with a 64-bit GDT loaded but still in compatibility
 * mode; the caller far-jumps to 64-bit code.
 */
	.globl enter_long_mode32
enter_long_mode32:
	movl %cr4, %eax
	orl $(1 << 5), %eax		/* PAE */
	movl %eax, %cr4
	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx		/* IA32_EFER */
	rdmsr
	orl $(1 << 8), %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80010021, %eax		/* PG | WP | NE | PE */
	movl %eax, %cr0
	lgdt boot_gdtr
	ret

no_long_mode:
	movl $msg_no_lm, %esi
3:	lodsb
	testb %al, %al
	jz 5f
	movl %eax, %ebx
	movw $(COM1 + 5), %dx
4:	inb %dx, %al			/* wait for THR empty */
	testb $0x20, %al
	jz 4b
	movl %ebx, %eax
	movw $COM1, %dx
	outb %al, %dx
	jmp 3b
5:	hlt
	jmp 5b

	.code64
long_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl mb_magic, %edi
	movl mb_info, %esi
	call boot_main
6:	cli
	hlt
	jmp 6b

	.section .rodata
msg_no_lm:
	.asciz "tandem: panic: this CPU has no long mode (CPUID 0x80000001.EDX[29]); halting\r\n"

	.balign 16
boot_gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* 0x08: 64-bit code (accessed bit preset: rodata is read-only later) */
	.quad 0x00cf93000000ffff	/* 0x10: data */
boot_gdt_end:
	.globl boot_gdtr
boot_gdtr:
	.short boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.data
	.balign 4
	.globl mb_magic, mb_info
mb_magic:	.long 0
mb_info:	.long 0

	.bss
	.balign 4096
	.globl boot_pml4
boot_pml4:	.skip 4096
boot_pdpt:	.skip 4096
boot_pd:	.skip 4 * 4096
	.balign 16
	.globl boot_stack_top
boot_stack:	.skip 16384
boot_stack_top:
