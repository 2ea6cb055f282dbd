/*
 * Entry of a 64-bit test guest: the host enters at the image's first byte in
 * 64-bit mode, CS = GUEST_SEL_CODE64, interrupts off (layout.h), RSI = the
 * run's argument (guest_entry_arg).
 */
	.section .text.entry, "ax"
	.code64
	.globl _start
_start:
	cli
	cld
	movq %rsp, %rbx			/* kept for guest_entry_sp: .bss is cleared next */
	movq %rsi, %r12			/* and for guest_entry_arg */
	leaq guest_stack_top(%rip), %rsp
	leaq __bss_start(%rip), %rdi
	leaq __bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movq %rbx, guest_entry_sp(%rip)
	movq %r12, guest_entry_arg(%rip)
	call idt_init
	call guest_main
	call ucall_done

	.bss
	.balign 16
	.globl guest_entry_sp, guest_entry_arg
guest_entry_sp:
	.quad 0
guest_entry_arg:
	.quad 0
	.balign 4096
	.skip 16384
guest_stack_top:

	.section .note.GNU-stack, "", @progbits
