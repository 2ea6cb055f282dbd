/*
 * A virtual CPU on VMX. The guest's general-purpose registers live in
 * struct guest_regs, in the order of their encoding in instructions (SDM
 * Vol. 2A Table 2-2), so an instruction's register number indexes gpr[];
 * vmx_entry.S saves and loads them at the offsets asserted below. RSP and
 * RIP live in the VMCS; gpr[REG_RSP] is a copy made only while emulating.
 *
 * Locking: a vCPU runs on one pCPU at a time (its VMCS is current there);
 * only that pCPU touches the fields below, except `pending`, which other
 * CPUs set with atomic OR and the owner clears on the resume path, and the
 * scheduling fields, which x86/vcpu_sched.h describes (`blocked` and
 * `retiring` under the scheduler lock; `held` and `pcpu` read by kickers).
 */
#ifndef X86_VCPU_H
#define X86_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sched.h>
#include <steal_time.h>
#include <timerq.h>
#include <vcpu_time.h>
#include <vlapic.h>
#include <x86/vmx_exit_reasons.h>

enum gpr {
	REG_RAX,
	REG_RCX,
	REG_RDX,
	REG_RBX,
	REG_RSP,
	REG_RBP,
	REG_RSI,
	REG_RDI,
	REG_R8,
	REG_R9,
	REG_R10,
	REG_R11,
	REG_R12,
	REG_R13,
	REG_R14,
	REG_R15,
	REG_COUNT
};

struct guest_regs {
	uint64_t gpr[REG_COUNT];
	uint64_t cr2; /* not in the VMCS: switched by hand around entry */
};
#define GUEST_REGS_CR2 128 /* vmx_entry.S */
_Static_assert(offsetof(struct guest_regs, cr2) == GUEST_REGS_CR2, "vmx_entry.S layout");

/* How the vCPU starts (vmcs_setup.c builds the guest state for each). */
enum vcpu_mode {
	VCPU_MODE_REAL,   /* real mode, unrestricted guest: CS:IP = (entry >> 4):0 */
	VCPU_MODE_PROT32, /* 32-bit protected mode, paging off */
	VCPU_MODE_LONG64, /* 64-bit mode with the guest's page tables at cr3 */
};

/*
 * The architectural state of a vCPU's first entry. Selectors and the GDT
 * limit default (0) to the test-guest layout of tests/guests/layout.h:
 * 0x08 64-bit code, 0x10 data, 0x18 32-bit code, limit 31.
 */
struct vcpu_start {
	enum vcpu_mode mode;
	uint64_t rip; /* real mode: the linear address; CS = rip >> 4, IP = rip & 15 */
	uint64_t rsp, rsi;
	uint64_t cr3; /* the guest's page tables (64-bit only) */
	uint64_t gdt; /* guest-physical */
	uint16_t gdt_limit, cs, ds;
};

/*
 * Work for the single resume path, run before the next VM entry in bit
 * order (NOVA's "hazards"). Anyone may set bits; only the owner clears them.
 */
enum vcpu_pending {
	PEND_STOP = 1u << 0,      /* leave the run loop: the VM is stopping */
	PEND_FLUSH_EPT = 1u << 1, /* INVEPT before entry */
	PEND_TIMER = 1u << 2,     /* the one-shot hypercall timer has expired */
	PEND_INJECT = 1u << 3,    /* an event is queued in vcpu.inject */
	PEND_IRQ = 1u << 4,       /* its vLAPIC got an interrupt: look before entry */
	PEND_YIELD = 1u << 5,     /* leave the run loop, the VM keeps running (reschedule) */
};

/* An event to deliver at the next entry (SDM 26.6: VM-entry interruption information). */
struct vcpu_event {
	bool valid;
	uint8_t type; /* INTR_TYPE_* */
	uint8_t vector;
	bool has_error;
	uint32_t error;
	uint32_t insn_len; /* software interrupts and exceptions only */
};

struct vm;

struct vcpu {
	struct guest_regs regs; /* first: vmx_entry.S is handed &vcpu->regs */

	struct vm *vm;
	unsigned int id;   /* index in the VM */
	unsigned int pcpu; /* where its VMCS lives */
	uint64_t vmcs_pa;
	uint16_t vpid;
	bool launched;  /* VMLAUNCH done on this VMCS: VMRESUME next */
	bool halted;    /* in HLT, waiting for an event */
	bool wait_sipi; /* after INIT (an AP from power-on): runs only once a STARTUP comes */
	bool nmi;       /* an NMI waits for the guest to be able to take it */
	bool parked;    /* halted with interrupts disabled (counted in vm->parked_vcpus) */
	volatile uint32_t pending;

	struct vcpu_event inject; /* the event for the next entry */
	int irq_pending;          /* an external vector waiting for an interrupt window, or -1 */

	/* The TANDEM_HC_TIMER_ONESHOT timer (a stand-in until the virtual LAPIC). */
	uint64_t vtimer_deadline_tsc; /* 0: disarmed */
	uint8_t vtimer_vector;

	/* Accounting: exits and host cycles (TSC from exit to the next entry) per reason. */
	uint64_t exits[VMX_EXIT_REASON_MAX];
	uint64_t exit_cycles[VMX_EXIT_REASON_MAX];
	uint64_t entries;
	uint64_t entry_tsc, exit_tsc;
	uint64_t mark_exits[VMX_EXIT_REASON_MAX]; /* exits[] at the last statistics mark */
	uint64_t mark_tsc;                        /* when it was taken, 0: never */
	uint32_t last_reason;    /* whose handler the cycles up to the next entry belong to */
	uint64_t cr8;            /* the guest's TPR until the virtual LAPIC owns it */
	struct vlapic *lapic;    /* NULL: no virtual LAPIC (the test guests) */
	uint64_t lapic_deadline; /* the vLAPIC timer's next expiry (TSC), 0: none */
	uint64_t timer_armed_at; /* the host timer is armed for this TSC, 0: not armed */
	uint64_t xcr0;           /* the guest's XCR0 (loaded into the CPU by XSETBV) */
	/* APIC virtualization (vcpu_apicv.c); apic_page 0: off, the vLAPIC is fully emulated. */
	uint64_t apic_page;
	bool apicv_x2apic; /* "virtualize x2APIC mode" is set */
	struct vlapic_page_sync apicv_sync;
	uint64_t mtrr_def_type;
	struct timerq_entry vtimer; /* the host timer for its guest deadlines; stays where armed */

	/*
	 * State the VMCS does not switch (vcpu_context.c): live in the CPU while
	 * the VMCS is current somewhere, saved here otherwise.
	 */
	void *xsave;          /* XSAVE (or FXSAVE) area, 64-byte aligned */
	uint64_t xsave_xcr0;  /* XCR0 while saving and restoring: every guest-usable component */
	uint64_t msr_save[6]; /* KERNEL_GS_BASE, STAR, LSTAR, CSTAR, FMASK, TSC_AUX */
	uint64_t dr[4], dr6;
	bool ctx_live; /* the CPU holds it (between load and save) */
	bool got_once; /* vmx_vcpu_get has run (later ones flush only after a move) */

	/*
	 * Scheduling (vcpu_sched.c). scheduled false: the vCPU has a pCPU to
	 * itself and vcpu_run() waits in HLT itself (the test guests).
	 */
	bool scheduled;
	volatile bool blocked; /* given to sched_vcpu_block() (HLT, wait-for-SIPI, stopping) */
	bool retiring;         /* its VM stopped: never woken again */
	volatile bool held;    /* switched in on a pCPU (VMCS active there) until put */
	struct sched_vcpu sv;
	struct vcpu_time time;               /* run and steal time (ns; scheduler time) */
	uint64_t pv_yields;                  /* KVM_HC_SCHED_YIELD calls */
	uint64_t mark_run_ns, mark_steal_ns; /* at the last statistics mark */
	struct steal_time steal;             /* the guest's KVM steal-time area */
};

/*
 * Enters the guest on the current VMCS with the registers in regs; returns
 * at the next VM exit with them saved (0), or when VMLAUNCH/VMRESUME itself
 * fails: 1 for VMfailInvalid, 2 for VMfailValid (the error is in the VMCS).
 */
int vmx_enter(struct guest_regs *regs, bool launched);

#endif
