/*
 * VMX capabilities: the IA32_VMX_* MSRs (0x480-0x491, SDM Vol. 3C Appendix A)
 * and what they say. vmx_caps_decode() is pure (raw values in, decoded
 * fields out) so host tests feed it canned values; vmx_caps_read() fills the
 * raw values from the running CPU (arch/x86/vmx_caps_read.c).
 */
#ifndef X86_VMX_CAPS_H
#define X86_VMX_CAPS_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>
#include <x86/msr.h>
#include <x86/vmx_ctls.h>

/* The raw MSRs: raw[msr - VMX_CAP_MSR_FIRST] for MSR_IA32_VMX_BASIC ... _VMFUNC. */
#define VMX_CAP_MSR_FIRST   MSR_IA32_VMX_BASIC
#define VMX_CAP_MSR_COUNT   (MSR_IA32_VMX_VMFUNC - MSR_IA32_VMX_BASIC + 1)
#define VMX_CAP_IDX(name)   (MSR_IA32_VMX_##name - VMX_CAP_MSR_FIRST)
#define VMX_CAP_PRESENT_ALL ((1u << VMX_CAP_MSR_COUNT) - 1)

/* IA32_VMX_BASIC (A.1). */
#define VMX_BASIC_REVISION_MASK 0x7fffffffull
#define VMX_BASIC_SIZE_SHIFT    32
#define VMX_BASIC_SIZE_MASK     0x1fffull
#define VMX_BASIC_ADDR32        BIT(48) /* VMXON/VMCS/bitmap addresses limited to 32 bits */
#define VMX_BASIC_DUAL_MONITOR  BIT(49)
#define VMX_BASIC_MEMTYPE_SHIFT 50
#define VMX_BASIC_MEMTYPE_MASK  0xfull
#define VMX_BASIC_INS_OUTS_INFO BIT(54)
#define VMX_BASIC_TRUE_CTLS     BIT(55)
#define VMX_BASIC_ANY_ERRCODE   BIT(56) /* entry may deliver any exception with/without error code */
#define VMX_MEMTYPE_UC          0
#define VMX_MEMTYPE_WB          6

/* IA32_VMX_MISC (A.6). */
#define VMX_MISC_TIMER_RATE_MASK  0x1full
#define VMX_MISC_STORE_LMA        BIT(5)
#define VMX_MISC_ACT_HLT          BIT(6)
#define VMX_MISC_ACT_SHUTDOWN     BIT(7)
#define VMX_MISC_ACT_WAIT_SIPI    BIT(8)
#define VMX_MISC_PT_IN_VMX        BIT(14)
#define VMX_MISC_SMBASE_RDMSR     BIT(15)
#define VMX_MISC_CR3_TARGET_SHIFT 16
#define VMX_MISC_CR3_TARGET_MASK  0x1ffull
#define VMX_MISC_MSR_LIST_SHIFT   25
#define VMX_MISC_MSR_LIST_MASK    0x7ull
#define VMX_MISC_SMM_VMXOFF_BLOCK BIT(28)
#define VMX_MISC_VMWRITE_ANY      BIT(29) /* VMWRITE may write VM-exit information fields */
#define VMX_MISC_INJECT_LEN0      BIT(30) /* entry may inject a soft event with length 0 */
#define VMX_MISC_MSEG_REV_SHIFT   32

/* IA32_VMX_VMCS_ENUM (A.9): highest index value used in any VMCS encoding. */
#define VMX_VMCS_ENUM_MAX_INDEX_SHIFT 1
#define VMX_VMCS_ENUM_MAX_INDEX_MASK  0x1ffull

/* IA32_VMX_EPT_VPID_CAP (A.10). */
#define VMX_EPT_EXEC_ONLY      BIT(0)
#define VMX_EPT_PWL4           BIT(6)
#define VMX_EPT_PWL5           BIT(7)
#define VMX_EPT_UC             BIT(8)
#define VMX_EPT_WB             BIT(14)
#define VMX_EPT_2M             BIT(16)
#define VMX_EPT_1G             BIT(17)
#define VMX_EPT_INVEPT         BIT(20)
#define VMX_EPT_AD             BIT(21)
#define VMX_EPT_ADV_EXIT_INFO  BIT(22)
#define VMX_EPT_SSS            BIT(23) /* supervisor shadow-stack control */
#define VMX_EPT_INVEPT_SINGLE  BIT(25)
#define VMX_EPT_INVEPT_ALL     BIT(26)
#define VMX_VPID_INVVPID       BIT(32)
#define VMX_VPID_INV_ADDR      BIT(40)
#define VMX_VPID_INV_SINGLE    BIT(41)
#define VMX_VPID_INV_ALL       BIT(42)
#define VMX_VPID_INV_SINGLE_NG BIT(43) /* single context, retaining globals */

/* IA32_VMX_VMFUNC (A.11). */
#define VMX_VMFUNC_EPTP_SWITCHING BIT(0)

/* One control MSR's answer: a VMCS control value v is allowed iff
 * (v & must1) == must1 and (v & ~may1) == 0. */
struct vmx_ctl_caps {
	uint32_t must1; /* allowed-0 settings (low half): bits that must be 1 */
	uint32_t may1;  /* allowed-1 settings (high half): bits that may be 1 */
};

enum vmx_ctl_kind {
	VMX_CTL_PIN,
	VMX_CTL_PROC,
	VMX_CTL_PROC2,
	VMX_CTL_EXIT,
	VMX_CTL_ENTRY,
	VMX_CTL_KINDS
};

struct vmx_caps {
	uint64_t raw[VMX_CAP_MSR_COUNT];
	uint32_t present; /* bit i: raw[i] was read (the MSR exists) */

	/* IA32_VMX_BASIC */
	uint32_t vmcs_revision;
	uint32_t vmcs_size; /* bytes of VMXON region and VMCS */
	uint8_t vmcs_memtype;
	bool addr32, dual_monitor, ins_outs_info, any_errcode;
	bool true_ctls; /* the controls below come from the IA32_VMX_TRUE_* MSRs */

	/* The controls; proc2 is all zero when "activate secondary controls" may not be 1. */
	struct vmx_ctl_caps pin, proc, proc2, exit, entry;

	struct {
		uint8_t timer_rate; /* preemption timer counts down every 2^rate TSC ticks */
		bool store_lma, act_hlt, act_shutdown, act_wait_sipi, pt_in_vmx, smbase_rdmsr;
		bool smm_vmxoff_block, vmwrite_any, inject_len0;
		uint16_t cr3_targets;
		uint32_t max_msr_list; /* recommended maximum entries per MSR load/store list */
		uint32_t mseg_revision;
	} misc;

	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint32_t vmcs_max_index;

	/* EPT capabilities; all false unless the MSR exists (EPT or VPID may be 1). */
	struct {
		bool exec_only, pwl4, pwl5, uc, wb, page_2m, page_1g, invept, ad, adv_exit_info;
		bool invept_single, invept_all;
	} ept;
	struct {
		bool invvpid, inv_addr, inv_single, inv_all, inv_single_ng;
	} vpid;
	uint64_t vmfunc; /* allowed VM functions (0 when VM functions may not be enabled) */
};

/*
 * Decodes raw MSR values (raw[i] is MSR 0x480 + i, valid when bit i of
 * present is set) into c, which it overwrites. Uses the TRUE_* control MSRs
 * when BASIC bit 55 says they exist and they are present.
 */
void vmx_caps_decode(struct vmx_caps *c, const uint64_t raw[VMX_CAP_MSR_COUNT], uint32_t present);

/* Logs the decoded capabilities, several "vmx: ..." lines. */
void vmx_caps_print(const struct vmx_caps *c);

/*
 * Logs one line per feature Tandem requires that is missing (secondary
 * controls, EPT with a 4-level walk, WB structures and INVEPT, unrestricted
 * guest, VPID with INVVPID, the VMX-preemption timer, MSR bitmaps, I/O
 * bitmaps) and one line listing the optional features (APIC-register
 * virtualization, virtual-interrupt delivery, posted interrupts, PML).
 * Returns the number of required features missing.
 */
int vmx_caps_check(const struct vmx_caps *c);

/* The short name of a control bit ("hlt-exit"), or NULL for a reserved bit. */
const char *vmx_ctl_name(enum vmx_ctl_kind kind, unsigned int bit);
/* "pin", "proc", "proc2", "exit", "entry". */
const char *vmx_ctl_kind_name(enum vmx_ctl_kind kind);
const struct vmx_ctl_caps *vmx_caps_ctl(const struct vmx_caps *c, enum vmx_ctl_kind kind);

/* True when every bit in bits may be set to 1. */
static inline bool vmx_ctl_allowed(const struct vmx_ctl_caps *ctl, uint32_t bits)
{
	return (ctl->may1 & bits) == bits;
}

/* True when v is an allowed value for the whole control field. */
static inline bool vmx_ctl_valid(const struct vmx_ctl_caps *ctl, uint32_t v)
{
	return (v & ctl->must1) == ctl->must1 && (v & ~ctl->may1) == 0;
}

/* The wanted controls plus the must-be-1 ones, minus those not allowed. */
static inline uint32_t vmx_ctl_adjust(const struct vmx_ctl_caps *ctl, uint32_t want)
{
	return (want | ctl->must1) & ctl->may1;
}

/*
 * The running CPU (vmx_caps_read.c). vmx_caps_read() fills c and returns
 * true, or returns false when CPUID.1:ECX.VMX is 0. vmx_caps_report() reads
 * the BSP's capabilities, logs them and the check, and keeps them for
 * vmx_caps_boot(), which returns NULL until then or without VMX.
 */
bool vmx_caps_read(struct vmx_caps *c);
void vmx_caps_report(void);
const struct vmx_caps *vmx_caps_boot(void);

#endif
