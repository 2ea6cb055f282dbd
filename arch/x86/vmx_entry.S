/*
 * VM entry and exit (SDM Vol. 3C 26, 27.5). vmx_enter saves the host's
 * callee-saved registers and the regs pointer on its stack, writes that
 * stack pointer to the VMCS host-RSP field, loads the guest registers and
 * launches or resumes. A VM exit lands at vmx_exit (the VMCS host-RIP) on
 * that same stack: it stores the guest registers back and returns 0 from
 * vmx_enter. If VMLAUNCH/VMRESUME falls through, the entry failed.
 *
 * Register slots follow struct guest_regs (arch/x86/include/x86/vcpu.h).
 */
#define VMCS_HOST_RSP_ENC 0x6c14
#define R(n) (n * 8)

	.text
	.globl vmx_enter, vmx_exit
/* int vmx_enter(struct guest_regs *regs [rdi], bool launched [esi]) */
vmx_enter:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdi			/* regs, for vmx_exit */
	movq $VMCS_HOST_RSP_ENC, %rax
	vmwrite %rsp, %rax
	jbe .Lfail_early		/* CF or ZF: VMfailInvalid / VMfailValid */

	movq R(16)(%rdi), %rax		/* guest CR2 */
	movq %rax, %cr2
	testl %esi, %esi		/* the flags survive the MOVs below */
	movq R(0)(%rdi), %rax
	movq R(1)(%rdi), %rcx
	movq R(2)(%rdi), %rdx
	movq R(3)(%rdi), %rbx
	movq R(5)(%rdi), %rbp
	movq R(6)(%rdi), %rsi
	movq R(8)(%rdi), %r8
	movq R(9)(%rdi), %r9
	movq R(10)(%rdi), %r10
	movq R(11)(%rdi), %r11
	movq R(12)(%rdi), %r12
	movq R(13)(%rdi), %r13
	movq R(14)(%rdi), %r14
	movq R(15)(%rdi), %r15
	movq R(7)(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp .Lfail
1:	vmresume
.Lfail:
	/* Entry failed: guest values are in the GPRs; the host's are on the stack. */
	movl $1, %eax
	jc 2f
	movl $2, %eax
2:	popq %rdi
	jmp .Lout

.Lfail_early:
	movl $1, %eax
	jc 3f
	movl $2, %eax
3:	popq %rdi
	jmp .Lout

vmx_exit:
	pushq %rdi			/* guest RDI */
	movq 8(%rsp), %rdi		/* regs */
	movq %rax, R(0)(%rdi)
	movq %rcx, R(1)(%rdi)
	movq %rdx, R(2)(%rdi)
	movq %rbx, R(3)(%rdi)
	movq %rbp, R(5)(%rdi)
	movq %rsi, R(6)(%rdi)
	movq %r8, R(8)(%rdi)
	movq %r9, R(9)(%rdi)
	movq %r10, R(10)(%rdi)
	movq %r11, R(11)(%rdi)
	movq %r12, R(12)(%rdi)
	movq %r13, R(13)(%rdi)
	movq %r14, R(14)(%rdi)
	movq %r15, R(15)(%rdi)
	popq R(7)(%rdi)
	movq %cr2, %rax
	movq %rax, R(16)(%rdi)
	popq %rdi
	xorl %eax, %eax
.Lout:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
