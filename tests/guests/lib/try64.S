/*
 * guest_try (try.h): call fn(arg) with a recovery point. try_fixup (try.c)
 * makes a faulting fn "return" to guest_try_recover through IRETQ, with
 * RSP = guest_try_rsp and interrupts off.
 */
#include "layout.h"

	.text
	.globl guest_try, guest_try_return, guest_try_recover
guest_try:			/* int guest_try(void (*fn)(void *), void *arg) */
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushfq			/* 7 pushes after the call: RSP is 16-byte aligned */
	movq %rsp, guest_try_rsp(%rip)
	movl $-1, guest_try_vector(%rip)
	movl $1, guest_try_active(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
guest_try_return:		/* fn returned, or jumped here (guest_try_vector is -1) */
guest_try_recover:		/* after an exception (guest_try_vector set) */
	/*
	 * fn may have left any state behind: other page tables, another RSP,
	 * odd data segments. Reading guest_cr3 works on any page tables that
	 * map the guest's image, even read-only.
	 */
	movq guest_cr3(%rip), %rax
	movq %cr3, %rcx
	cmpq %rax, %rcx
	je 1f
	movq %rax, %cr3
1:
	movq guest_try_rsp(%rip), %rsp
	movl $GUEST_SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	movl %eax, %ss
	movl $0, guest_try_active(%rip)
	movl guest_try_vector(%rip), %eax
	popfq
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.section .note.GNU-stack, "", @progbits
