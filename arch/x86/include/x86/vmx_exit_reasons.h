/*
 * What a VM exit or a failed VMX instruction reports: the basic exit reasons
 * (SDM Vol. 3D Appendix C), the exit-reason field (Vol. 3C 24.9.1), the
 * interruption-information format shared by event injection and exits
 * (Tables 24-15..24-17), the VM-entry-failure qualifications (26.8), the
 * VM-instruction error numbers (30.4, Table 30-1) and decoders for the exit
 * qualifications Tandem handles (27.2.1, Tables 27-3, 27-5, 27-7).
 *
 * Each list is X(NAME, number, "name"); the name tables are in
 * vmx_exit_reasons.c.
 */
#ifndef X86_VMX_EXIT_REASONS_H
#define X86_VMX_EXIT_REASONS_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>

/* Appendix C, Table C-1. Numbers the list skips are unused. */
#define VMX_EXIT_REASONS(X)                                                                        \
	X(EXCEPTION_NMI, 0, "exception-or-nmi")                                                    \
	X(EXT_INTR, 1, "external-interrupt")                                                       \
	X(TRIPLE_FAULT, 2, "triple-fault")                                                         \
	X(INIT, 3, "init")                                                                         \
	X(SIPI, 4, "sipi")                                                                         \
	X(IO_SMI, 5, "io-smi")                                                                     \
	X(OTHER_SMI, 6, "other-smi")                                                               \
	X(INTR_WINDOW, 7, "interrupt-window")                                                      \
	X(NMI_WINDOW, 8, "nmi-window")                                                             \
	X(TASK_SWITCH, 9, "task-switch")                                                           \
	X(CPUID, 10, "cpuid")                                                                      \
	X(GETSEC, 11, "getsec")                                                                    \
	X(HLT, 12, "hlt")                                                                          \
	X(INVD, 13, "invd")                                                                        \
	X(INVLPG, 14, "invlpg")                                                                    \
	X(RDPMC, 15, "rdpmc")                                                                      \
	X(RDTSC, 16, "rdtsc")                                                                      \
	X(RSM, 17, "rsm")                                                                          \
	X(VMCALL, 18, "vmcall")                                                                    \
	X(VMCLEAR, 19, "vmclear")                                                                  \
	X(VMLAUNCH, 20, "vmlaunch")                                                                \
	X(VMPTRLD, 21, "vmptrld")                                                                  \
	X(VMPTRST, 22, "vmptrst")                                                                  \
	X(VMREAD, 23, "vmread")                                                                    \
	X(VMRESUME, 24, "vmresume")                                                                \
	X(VMWRITE, 25, "vmwrite")                                                                  \
	X(VMXOFF, 26, "vmxoff")                                                                    \
	X(VMXON, 27, "vmxon")                                                                      \
	X(CR_ACCESS, 28, "cr-access")                                                              \
	X(DR_ACCESS, 29, "mov-dr")                                                                 \
	X(IO, 30, "io-instruction")                                                                \
	X(RDMSR, 31, "rdmsr")                                                                      \
	X(WRMSR, 32, "wrmsr")                                                                      \
	X(ENTRY_FAIL_GUEST, 33, "entry-fail-guest-state")                                          \
	X(ENTRY_FAIL_MSR, 34, "entry-fail-msr-load")                                               \
	X(MWAIT, 36, "mwait")                                                                      \
	X(MTF, 37, "monitor-trap-flag")                                                            \
	X(MONITOR, 39, "monitor")                                                                  \
	X(PAUSE, 40, "pause")                                                                      \
	X(ENTRY_FAIL_MCE, 41, "entry-fail-machine-check")                                          \
	X(TPR_BELOW_THRESHOLD, 43, "tpr-below-threshold")                                          \
	X(APIC_ACCESS, 44, "apic-access")                                                          \
	X(VIRTUALIZED_EOI, 45, "virtualized-eoi")                                                  \
	X(GDTR_IDTR, 46, "gdtr-idtr-access")                                                       \
	X(LDTR_TR, 47, "ldtr-tr-access")                                                           \
	X(EPT_VIOLATION, 48, "ept-violation")                                                      \
	X(EPT_MISCONFIG, 49, "ept-misconfig")                                                      \
	X(INVEPT, 50, "invept")                                                                    \
	X(RDTSCP, 51, "rdtscp")                                                                    \
	X(PREEMPT_TIMER, 52, "preemption-timer")                                                   \
	X(INVVPID, 53, "invvpid")                                                                  \
	X(WBINVD, 54, "wbinvd")                                                                    \
	X(XSETBV, 55, "xsetbv")                                                                    \
	X(APIC_WRITE, 56, "apic-write")                                                            \
	X(RDRAND, 57, "rdrand")                                                                    \
	X(INVPCID, 58, "invpcid")                                                                  \
	X(VMFUNC, 59, "vmfunc")                                                                    \
	X(ENCLS, 60, "encls")                                                                      \
	X(RDSEED, 61, "rdseed")                                                                    \
	X(PML_FULL, 62, "pml-full")                                                                \
	X(XSAVES, 63, "xsaves")                                                                    \
	X(XRSTORS, 64, "xrstors")                                                                  \
	X(PCONFIG, 65, "pconfig")                                                                  \
	X(SPP, 66, "spp-event")                                                                    \
	X(UMWAIT, 67, "umwait")                                                                    \
	X(TPAUSE, 68, "tpause")                                                                    \
	X(LOADIWKEY, 69, "loadiwkey")                                                              \
	X(ENCLV, 70, "enclv")                                                                      \
	X(ENQCMD_PASID, 72, "enqcmd-pasid-fail")                                                   \
	X(ENQCMDS_PASID, 73, "enqcmds-pasid-fail")                                                 \
	X(BUS_LOCK, 74, "bus-lock")                                                                \
	X(INSN_TIMEOUT, 75, "instruction-timeout")                                                 \
	X(SEAMCALL, 76, "seamcall")                                                                \
	X(TDCALL, 77, "tdcall")                                                                    \
	X(RDMSRLIST, 78, "rdmsrlist")                                                              \
	X(WRMSRLIST, 79, "wrmsrlist")                                                              \
	X(URDMSR, 80, "urdmsr")                                                                    \
	X(UWRMSR, 81, "uwrmsr")                                                                    \
	X(RDMSR_IMM, 84, "rdmsr-imm")                                                              \
	X(WRMSRNS_IMM, 85, "wrmsrns-imm")

enum vmx_exit_reason {
#define X(name, nr, str) VMX_EXIT_##name = nr,
	VMX_EXIT_REASONS(X)
#undef X
	VMX_EXIT_REASON_MAX /* one past the highest: size of per-reason tables */
};

/* The exit-reason field (24.9.1, Table 24-14). */
#define VMX_EXIT_REASON_BASIC(r)   ((r)&0xffffu)
#define VMX_EXIT_REASON_ENCLAVE    BIT(27)
#define VMX_EXIT_REASON_PEND_MTF   BIT(28)
#define VMX_EXIT_REASON_FROM_ROOT  BIT(29)
#define VMX_EXIT_REASON_ENTRY_FAIL BIT(31)

/* "ept-violation", or NULL for a number Appendix C leaves unused. */
const char *vmx_exit_reason_name(uint32_t basic_reason);

/*
 * Exit qualification of VM-entry failures with reason 33 (26.8): which
 * check after the guest-state checks failed.
 */
enum vmx_entry_fail_qual {
	VMX_ENTRY_FAIL_DEFAULT = 0,
	VMX_ENTRY_FAIL_PDPTE = 2,    /* loading a PDPTE (26.3.1.6) */
	VMX_ENTRY_FAIL_NMI = 3,      /* injecting an NMI blocked by STI/MOV-SS/NMI */
	VMX_ENTRY_FAIL_VMCS_LINK = 4 /* the VMCS link pointer */
};

/* ---- Interruption information (Tables 24-15, 24-16, 24-17) ------------- */

/* Interruption types, bits 10:8; 1 is reserved. */
enum vmx_intr_type {
	INTR_TYPE_EXT_INTR = 0,
	INTR_TYPE_NMI = 2,
	INTR_TYPE_HW_EXC = 3,
	INTR_TYPE_SW_INTR = 4,
	INTR_TYPE_PRIV_SW_EXC = 5, /* INT1 (ICEBP) */
	INTR_TYPE_SW_EXC = 6,      /* INT3, INTO */
	INTR_TYPE_OTHER = 7,       /* injection only: pending MTF VM exit (vector 0) */
};

#define INTR_INFO_VECTOR_MASK 0xffu
#define INTR_INFO_TYPE_SHIFT  8
#define INTR_INFO_TYPE_MASK   (7u << INTR_INFO_TYPE_SHIFT)
#define INTR_INFO_ERRCODE     (1u << 11)  /* deliver (entry) / valid (exit) error code */
#define INTR_INFO_NMI_UNBLOCK (1u << 12)  /* exit only: NMI unblocking due to IRET */
#define INTR_INFO_RESERVED    0x7ffff000u /* on injection: bits 30:12 */
#define INTR_INFO_VALID       (1u << 31)

static inline uint32_t intr_info(enum vmx_intr_type type, uint8_t vector, bool errcode)
{
	return INTR_INFO_VALID | ((uint32_t)type << INTR_INFO_TYPE_SHIFT) | vector |
	       (errcode ? INTR_INFO_ERRCODE : 0);
}

static inline unsigned int intr_info_type(uint32_t info)
{
	return (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
}

static inline uint8_t intr_info_vector(uint32_t info)
{
	return (uint8_t)(info & INTR_INFO_VECTOR_MASK);
}

/* Exceptions that push an error code when delivered in protected mode (Vol. 3A Table 6-1). */
#define X86_EXC_ERRCODE_MASK                                                                       \
	((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 17))

static inline bool x86_exception_has_errcode(unsigned int vector)
{
	return vector < 32 && ((X86_EXC_ERRCODE_MASK >> vector) & 1);
}

/* ---- VM-instruction errors (30.4, Table 30-1) -------------------------- */

#define VMX_INSN_ERRORS(X)                                                                         \
	X(VMCALL_IN_ROOT, 1, "VMCALL executed in VMX root operation")                              \
	X(VMCLEAR_BAD_ADDR, 2, "VMCLEAR with invalid physical address")                            \
	X(VMCLEAR_VMXON_PTR, 3, "VMCLEAR with VMXON pointer")                                      \
	X(VMLAUNCH_NOT_CLEAR, 4, "VMLAUNCH with non-clear VMCS")                                   \
	X(VMRESUME_NOT_LAUNCHED, 5, "VMRESUME with non-launched VMCS")                             \
	X(VMRESUME_AFTER_VMXOFF, 6, "VMRESUME after VMXOFF")                                       \
	X(ENTRY_BAD_CONTROL, 7, "VM entry with invalid control field(s)")                          \
	X(ENTRY_BAD_HOST, 8, "VM entry with invalid host-state field(s)")                          \
	X(VMPTRLD_BAD_ADDR, 9, "VMPTRLD with invalid physical address")                            \
	X(VMPTRLD_VMXON_PTR, 10, "VMPTRLD with VMXON pointer")                                     \
	X(VMPTRLD_BAD_REVISION, 11, "VMPTRLD with incorrect VMCS revision identifier")             \
	X(BAD_COMPONENT, 12, "VMREAD/VMWRITE from/to unsupported VMCS component")                  \
	X(VMWRITE_RO, 13, "VMWRITE to read-only VMCS component")                                   \
	X(VMXON_IN_ROOT, 15, "VMXON executed in VMX root operation")                               \
	X(ENTRY_BAD_EXEC_VMCS, 16, "VM entry with invalid executive-VMCS pointer")                 \
	X(ENTRY_EXEC_NOT_LAUNCHED, 17, "VM entry with non-launched executive VMCS")                \
	X(ENTRY_EXEC_NOT_VMXON, 18, "VM entry with executive-VMCS pointer not VMXON pointer")      \
	X(VMCALL_NOT_CLEAR, 19, "VMCALL with non-clear VMCS")                                      \
	X(VMCALL_BAD_EXIT_CTLS, 20, "VMCALL with invalid VM-exit control fields")                  \
	X(VMCALL_BAD_MSEG, 22, "VMCALL with incorrect MSEG revision identifier")                   \
	X(VMXOFF_DUAL_MONITOR, 23, "VMXOFF under dual-monitor treatment of SMIs and SMM")          \
	X(VMCALL_BAD_SMM_FEATURES, 24, "VMCALL with invalid SMM-monitor features")                 \
	X(ENTRY_BAD_EXEC_CTLS, 25,                                                                 \
	  "VM entry with invalid VM-execution control fields in executive VMCS")                   \
	X(ENTRY_MOV_SS, 26, "VM entry with events blocked by MOV SS")                              \
	X(BAD_INVEPT_INVVPID, 28, "Invalid operand to INVEPT/INVVPID")

enum vmx_insn_error {
#define X(name, nr, str) VMX_INSN_ERR_##name = nr,
	VMX_INSN_ERRORS(X)
#undef X
};

/* The SDM's description of a VM-instruction error number, or NULL. */
const char *vmx_insn_error_name(uint32_t err);

/* ---- Exit qualifications (27.2.1) -------------------------------------- */

/* Control-register accesses (Table 27-3). */
enum vmx_cr_access_type {
	CR_ACCESS_MOV_TO = 0,
	CR_ACCESS_MOV_FROM = 1,
	CR_ACCESS_CLTS = 2,
	CR_ACCESS_LMSW = 3,
};

struct vmx_cr_qual {
	uint8_t cr;    /* bits 3:0; 0 for CLTS and LMSW */
	uint8_t type;  /* enum vmx_cr_access_type, bits 5:4 */
	bool lmsw_mem; /* bit 6: LMSW operand in memory (the address is the guest-linear address) */
	uint8_t gpr;   /* bits 11:8: register of MOV CR, in instruction-encoding order */
	uint16_t lmsw_data; /* bits 31:16: LMSW source */
};

static inline struct vmx_cr_qual vmx_cr_qual(uint64_t q)
{
	return (struct vmx_cr_qual){
	    .cr = q & 0xf,
	    .type = (q >> 4) & 3,
	    .lmsw_mem = (q >> 6) & 1,
	    .gpr = (q >> 8) & 0xf,
	    .lmsw_data = (uint16_t)(q >> 16),
	};
}

/* I/O instructions (Table 27-5). */
struct vmx_io_qual {
	uint8_t size;  /* bytes: 1, 2 or 4 (bits 2:0 hold size - 1) */
	bool in;       /* bit 3 */
	bool string;   /* bit 4: INS/OUTS */
	bool rep;      /* bit 5 */
	bool imm;      /* bit 6: port from an immediate, not DX */
	uint16_t port; /* bits 31:16 */
};

static inline struct vmx_io_qual vmx_io_qual(uint64_t q)
{
	return (struct vmx_io_qual){
	    .size = (uint8_t)((q & 7) + 1),
	    .in = (q >> 3) & 1,
	    .string = (q >> 4) & 1,
	    .rep = (q >> 5) & 1,
	    .imm = (q >> 6) & 1,
	    .port = (uint16_t)(q >> 16),
	};
}

/* EPT violations (Table 27-7). */
#define EPT_QUAL_READ         BIT(0) /* the access was a data read */
#define EPT_QUAL_WRITE        BIT(1) /* a data write */
#define EPT_QUAL_FETCH        BIT(2) /* an instruction fetch */
#define EPT_QUAL_READABLE     BIT(3) /* the translation allowed reads (AND over all levels) */
#define EPT_QUAL_WRITABLE     BIT(4)
#define EPT_QUAL_EXECUTABLE   BIT(5) /* supervisor-mode execute with mode-based control */
#define EPT_QUAL_USER_EXEC    BIT(6) /* user-mode execute, mode-based control only */
#define EPT_QUAL_GLA_VALID    BIT(7) /* the guest-linear-address field is valid */
#define EPT_QUAL_GLA_FINAL    BIT(8) /* with bit 7: the final access, not a paging-structure walk */
#define EPT_QUAL_USER         BIT(9) /* advanced exit information: user-mode linear address */
#define EPT_QUAL_RW_PAGE      BIT(10) /* advanced: the linear address was writable */
#define EPT_QUAL_NX_PAGE      BIT(11) /* advanced: the linear address was execute-disable */
#define EPT_QUAL_NMI_UNBLOCK  BIT(12) /* NMI unblocking due to IRET */
#define EPT_QUAL_SHADOW_STACK BIT(13)
#define EPT_QUAL_SSS          BIT(14) /* supervisor shadow stack */
#define EPT_QUAL_GUEST_PAGING BIT(15) /* guest-paging verification */
#define EPT_QUAL_ASYNC        BIT(16) /* asynchronous to instruction execution */

struct vmx_ept_qual {
	bool read, write, fetch;
	bool readable, writable, executable; /* what the EPT entries allowed */
	bool gla_valid;                      /* a guest-linear address caused it */
	bool gla_final; /* that address's own access (false: a guest page-table access) */
	bool nmi_unblock;
};

static inline struct vmx_ept_qual vmx_ept_qual(uint64_t q)
{
	return (struct vmx_ept_qual){
	    .read = q & EPT_QUAL_READ,
	    .write = q & EPT_QUAL_WRITE,
	    .fetch = q & EPT_QUAL_FETCH,
	    .readable = q & EPT_QUAL_READABLE,
	    .writable = q & EPT_QUAL_WRITABLE,
	    .executable = q & EPT_QUAL_EXECUTABLE,
	    .gla_valid = q & EPT_QUAL_GLA_VALID,
	    .gla_final = (q & EPT_QUAL_GLA_VALID) && (q & EPT_QUAL_GLA_FINAL),
	    .nmi_unblock = q & EPT_QUAL_NMI_UNBLOCK,
	};
}

#endif
