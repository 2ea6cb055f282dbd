/*
 * Interrupt entry for 64-bit test guests: one stub per vector pushes a dummy
 * error code when the CPU does not (SDM Vol. 3A 6.13), then the vector;
 * isr_common switches back to guest_cr3, saves the GPRs in struct
 * guest_frame order (idt.h) and calls idt_dispatch.
 */
	.text

.macro ISR vec
	.balign 16
isr_\vec:
	.if (\vec == 8 || (\vec >= 10 && \vec <= 14) || \vec == 17 || \vec == 21 || \vec == 29 || \vec == 30)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp isr_common
	.pushsection .rodata
	.quad isr_\vec
	.popsection
.endm

	.pushsection .rodata
	.balign 8
	.globl isr_stub_table
isr_stub_table:			/* 256 entry points, indexed by vector */
	.popsection

	.altmacro
	.set vec, 0
	.rept 256
	ISR %vec
	.set vec, vec + 1
	.endr

isr_common:
	pushq %rax
	pushq %rbx
	/*
	 * The interrupted code may run on page tables that map the guest
	 * read-only (badinsn's sandbox): go back to the guest's own before
	 * the C handler writes anything. Only the IST stack is written so far.
	 */
	movq %cr3, %rax
	movq guest_cr3(%rip), %rbx
	cmpq %rax, %rbx
	je 1f
	movq %rbx, %cr3
1:
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	cld
	movq %rsp, %rdi		/* 22 quadwords: RSP stays 16-byte aligned */
	call idt_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq

	.section .note.GNU-stack, "", @progbits
