/*
 * Application-processor start code. The BSP copies [ap_trampoline,
 * ap_trampoline_end) to AP_TRAMPOLINE_BASE and sends INIT-SIPI-SIPI with
 * vector AP_TRAMPOLINE_BASE >> 12. The AP arrives in real mode at CS:IP =
 * 0x0800:0000, claims the one set of start parameters (ap_start), switches to
 * protected mode and then to long mode on the boot page tables, and calls
 * ap_main(cpu) on the stack the BSP allocated for it.
 *
 * A late AP that finds the parameters already claimed parks itself.
 */
#include <boot/ap_start.h>

#define REL(x) ((x) - ap_trampoline + AP_TRAMPOLINE_BASE)

	.section .rodata		/* copied, never executed in place */
	.code16
	.globl ap_trampoline, ap_trampoline_end
ap_trampoline:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl REL(tramp_gdtr)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl $0x08, $REL(tramp32)

	.code32
tramp32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $1, %eax
	xchgl %eax, ap_start + AP_START_CLAIMED
	testl %eax, %eax
	jnz park
	movl $(AP_TRAMPOLINE_BASE + 0x1000 - 16), %esp	/* ours alone now */
	movl $enter_long_mode32, %eax
	call *%eax
	ljmp $0x08, $ap_long_entry
park:
	cli
	hlt
	jmp park

	.balign 16
tramp_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* 0x08: 32-bit code, flat */
	.quad 0x00cf93000000ffff	/* 0x10: data, flat */
tramp_gdt_end:
tramp_gdtr:
	.short tramp_gdt_end - tramp_gdt - 1
	.long REL(tramp_gdt)
ap_trampoline_end:

	.text
	.code64
ap_long_entry:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl ap_start + AP_START_NXE, %eax
	testl %eax, %eax
	jz 2f
	movl $0xc0000080, %ecx		/* IA32_EFER.NXE before any NX entry is used */
	rdmsr
	orl $(1 << 11), %eax
	wrmsr
2:	movq ap_start + AP_START_CR3, %rax
	movq %rax, %cr3
	movq ap_start + AP_START_STACK, %rsp
	xorl %ebp, %ebp
	movl ap_start + AP_START_CPU, %edi
	call ap_main
1:	cli
	hlt
	jmp 1b
