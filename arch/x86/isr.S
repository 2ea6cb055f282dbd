/*
 * Interrupt entry stubs: one per vector, each pushing a dummy error code
 * when the CPU does not, then the vector; isr_common saves the GPRs in
 * struct irq_frame order (arch/x86/include/x86/irq.h) and calls C.
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
	movq %rsp, %rdi
	call irq_dispatch
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
	addq $16, %rsp		/* vector, error code */
	iretq

