/*
 * Entry of a 32-bit test guest: the host enters at the image's first byte in
 * protected mode with paging off, CS = GUEST_SEL_CODE32, the data segments
 * GUEST_SEL_DATA and interrupts off (layout.h).
 */
	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl %esp, %ebx			/* kept for guest_entry_sp: .bss is cleared next */
	movl $guest_stack_top, %esp
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl %ebx, guest_entry_sp
	call guest_main
	call ucall_done

	.bss
	.balign 16
	.globl guest_entry_sp
guest_entry_sp:
	.long 0
	.balign 16
	.skip 8192
guest_stack_top:

	.section .note.GNU-stack, "", @progbits
