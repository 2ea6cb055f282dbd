/*
 * A software VM-entry checker: validates a snapshot of a VMCS against the
 * checks the CPU makes on VMLAUNCH/VMRESUME (SDM Vol. 3C 26.2, 26.3.1), so a
 * bad VMCS is explained field by field before entry instead of as a bare
 * "VM-instruction error 7" or exit reason 33. Pure C: no VMREAD, no MSR; the
 * kernel fills the snapshot (vmcs_snapshot_read() in vmcs_dump.c) and host
 * unit tests build snapshots by hand. Bochs 2.7 skips some of these checks
 * (PLATFORM.md), so this is also how Tandem learns its VMCS is only
 * "accepted by Bochs" rather than correct.
 *
 * Covered: 26.2.1.1-26.2.1.3 (execution, exit and entry controls, including
 * event injection), 26.2.2-26.2.4 (host state), 26.3.1.1-26.3.1.6 (guest
 * state, PDPTEs when EPT is on). The list of rules is VMCS_CHECK_RULES below.
 * Not covered: anything that needs memory (the MSR-load lists, the VMCS
 * link pointer's target, the PDPTEs without EPT, the TPR shadow unless the
 * caller supplies it), IA32_PERF_GLOBAL_CTRL reserved bits (they depend on
 * the PMU), CET/PKRS/RTIT/FRED/LBR state, the tertiary and secondary-exit
 * controls, SMM and dual-monitor treatment beyond "not in SMM", SGX enclave
 * interruption, the executive-VMCS pointer, and the "Intel PT uses guest
 * physical addresses", HLAT, IPI-virtualization and PASID rules.
 */
#ifndef X86_VMCS_CHECK_H
#define X86_VMCS_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <x86/vmcs_fields.h>
#include <x86/vmx_caps.h>

/*
 * A VMCS as values: val[VMCS_IDX_*] with bit i of present[] set when field
 * i was read. An absent field reads as 0. The last members describe the CPU
 * and memory, not the VMCS.
 */
struct vmcs_snapshot {
	uint64_t val[VMCS_FIELD_COUNT];
	uint64_t present[(VMCS_FIELD_COUNT + 63) / 64];

	uint8_t maxphyaddr; /* CPUID.80000008H:EAX[7:0]; 0: taken as 52 */
	uint8_t linaddr;    /* linear-address bits (48, or 57 with LA57); 0: taken as 48 */
	bool have_vtpr;     /* vtpr holds byte 80H of the virtual-APIC page */
	uint8_t vtpr;
};

/* Clears s to "nothing read" (and the CPU description to its defaults). */
void vmcs_snap_clear(struct vmcs_snapshot *s);
/* Sets field enc (a listed encoding, bit 0 clear) and marks it present; false if not listed. */
bool vmcs_snap_set(struct vmcs_snapshot *s, uint32_t enc, uint64_t v);
/* Marks enc absent (as if VMREAD had failed). */
void vmcs_snap_unset(struct vmcs_snapshot *s, uint32_t enc);
bool vmcs_snap_has(const struct vmcs_snapshot *s, uint32_t enc);
/* The value of enc, 0 when absent or not listed. */
uint64_t vmcs_snap_get(const struct vmcs_snapshot *s, uint32_t enc);

/*
 * Fills s from the current VMCS with one VMREAD per listed field (fields the
 * CPU does not support stay absent), and the CPU description from CPUID.
 * Kernel only (vmcs_dump.c); s is ~1.7 KiB.
 */
void vmcs_snapshot_read(struct vmcs_snapshot *s);

/*
 * The rules: X(ID, "SDM section", "what the rule says"). A violation is
 * logged as "vmcs-check: <section>: <field> <value> <what is wrong>".
 */
#define VMCS_CHECK_RULES(X)                                                                        \
	X(PIN_CTLS, "26.2.1.1", "pin-based controls honour IA32_VMX_(TRUE_)PINBASED_CTLS")         \
	X(PROC_CTLS, "26.2.1.1", "primary controls honour IA32_VMX_(TRUE_)PROCBASED_CTLS")         \
	X(PROC2_CTLS, "26.2.1.1", "secondary controls honour IA32_VMX_PROCBASED_CTLS2")            \
	X(CR3_TARGET_COUNT, "26.2.1.1", "CR3-target count at most IA32_VMX_MISC[24:16]")           \
	X(IO_BITMAP_ADDR, "26.2.1.1", "I/O-bitmap addresses 4K-aligned, within the address width") \
	X(MSR_BITMAP_ADDR, "26.2.1.1", "MSR-bitmap address 4K-aligned, within the address width")  \
	X(VAPIC_ADDR, "26.2.1.1", "virtual-APIC address 4K-aligned, within the address width")     \
	X(TPR_THRESHOLD, "26.2.1.1", "TPR threshold bits 31:4 zero without virtual-intr delivery") \
	X(TPR_VTPR, "26.2.1.1", "TPR threshold not above the virtual TPR's bits 7:4")              \
	X(APICV_NEEDS_TPR_SHADOW, "26.2.1.1", "x2APIC/APIC-register virt/VID need TPR shadow")     \
	X(VNMI_NEEDS_NMI_EXIT, "26.2.1.1", "virtual NMIs need NMI exiting")                        \
	X(NMI_WINDOW_NEEDS_VNMI, "26.2.1.1", "NMI-window exiting needs virtual NMIs")              \
	X(APIC_ACCESS_ADDR, "26.2.1.1",                                                            \
	  "APIC-access address 4K-aligned, within the address width")                              \
	X(X2APIC_AND_APIC_ACCESS, "26.2.1.1", "virtualize x2APIC and APIC accesses exclude")       \
	X(VID_NEEDS_EXT_INTR_EXIT, "26.2.1.1",                                                     \
	  "virtual-interrupt delivery needs ext-intr exiting")                                     \
	X(PI_NEEDS_VID, "26.2.1.1", "posted interrupts need virtual-interrupt delivery")           \
	X(PI_NEEDS_ACK_INTR, "26.2.1.1", "posted interrupts need acknowledge-on-exit")             \
	X(PI_VECTOR, "26.2.1.1", "posted-interrupt notification vector bits 15:8 zero")            \
	X(PI_DESC_ADDR, "26.2.1.1", "posted-interrupt descriptor 64-byte aligned, within width")   \
	X(VPID_ZERO, "26.2.1.1", "VPID not 0 when enabled")                                        \
	X(EPTP_MEMTYPE, "26.2.1.1", "EPTP memory type supported (UC or WB)")                       \
	X(EPTP_WALK, "26.2.1.1", "EPTP page-walk length supported")                                \
	X(EPTP_AD, "26.2.1.1", "EPTP A/D enable only when supported")                              \
	X(EPTP_RESERVED, "26.2.1.1", "EPTP reserved bits zero, within the address width")          \
	X(UG_NEEDS_EPT, "26.2.1.1", "unrestricted guest needs EPT")                                \
	X(PML_NEEDS_EPT, "26.2.1.1", "PML needs EPT")                                              \
	X(PML_ADDR, "26.2.1.1", "PML address 4K-aligned, within the address width")                \
	X(MBEC_NEEDS_EPT, "26.2.1.1", "mode-based execute control needs EPT")                      \
	X(SPP_NEEDS_EPT, "26.2.1.1", "sub-page write permissions need EPT")                        \
	X(VMFUNC_CTLS, "26.2.1.1", "VM-function controls honour IA32_VMX_VMFUNC")                  \
	X(EPTP_SWITCH, "26.2.1.1", "EPTP switching needs EPT and an aligned EPTP-list address")    \
	X(SHADOW_BITMAPS, "26.2.1.1", "VMREAD/VMWRITE bitmaps 4K-aligned, within the width")       \
	X(VE_INFO_ADDR, "26.2.1.1", "#VE information address 4K-aligned, within the width")        \
	X(EXIT_CTLS, "26.2.1.2", "VM-exit controls honour IA32_VMX_(TRUE_)EXIT_CTLS")              \
	X(SAVE_TIMER_NEEDS_TIMER, "26.2.1.2", "save preemption timer needs the timer active")      \
	X(EXIT_MSR_STORE, "26.2.1.2", "VM-exit MSR-store list 16-byte aligned, within the width")  \
	X(EXIT_MSR_LOAD, "26.2.1.2", "VM-exit MSR-load list 16-byte aligned, within the width")    \
	X(ENTRY_CTLS, "26.2.1.3", "VM-entry controls honour IA32_VMX_(TRUE_)ENTRY_CTLS")           \
	X(ENTRY_SMM, "26.2.1.3", "entry to SMM / deactivate dual-monitor only in SMM")             \
	X(ENTRY_MSR_LOAD, "26.2.1.3", "VM-entry MSR-load list 16-byte aligned, within the width")  \
	X(EVENT_TYPE, "26.2.1.3", "injected event type not reserved")                              \
	X(EVENT_VECTOR, "26.2.1.3",                                                                \
	  "injected vector fits the type (NMI 2, exception < 32, other 0)")                        \
	X(EVENT_ERRCODE, "26.2.1.3", "deliver-error-code set exactly for error-code exceptions")   \
	X(EVENT_RESERVED, "26.2.1.3", "interruption-information bits 30:12 zero")                  \
	X(EVENT_ERRCODE_VALUE, "26.2.1.3", "injected error code bits 31:16 zero")                  \
	X(EVENT_INSN_LEN, "26.2.1.3", "software event instruction length 1-15")                    \
	X(HOST_CR0, "26.2.2", "host CR0 honours IA32_VMX_CR0_FIXED0/1")                            \
	X(HOST_CR4, "26.2.2", "host CR4 honours IA32_VMX_CR4_FIXED0/1")                            \
	X(HOST_CR3, "26.2.2", "host CR3 within the physical-address width")                        \
	X(HOST_SYSENTER, "26.2.2", "host SYSENTER_ESP/EIP canonical")                              \
	X(HOST_PAT, "26.2.2", "host PAT entries are valid memory types")                           \
	X(HOST_EFER, "26.2.2",                                                                     \
	  "host EFER reserved bits zero, LMA = LME = host address-space size")                     \
	X(HOST_SEL, "26.2.3", "host selectors have RPL 0 and TI 0")                                \
	X(HOST_SEL_NULL, "26.2.3", "host CS and TR (and SS of a 32-bit host) not null")            \
	X(HOST_BASE, "26.2.3", "host FS/GS/TR/GDTR/IDTR bases canonical")                          \
	X(HOST_ADDR_SPACE, "26.2.4", "host address-space size set (entry from IA-32e mode)")       \
	X(HOST_PAE, "26.2.4", "64-bit host has CR4.PAE")                                           \
	X(HOST_RIP, "26.2.4", "host RIP canonical (64-bit) or below 4G (32-bit)")                  \
	X(HOST_PCIDE, "26.2.4", "32-bit host without CR4.PCIDE")                                   \
	X(GUEST_CR0, "26.3.1.1", "guest CR0 honours the fixed bits (PE/PG free with UG)")          \
	X(GUEST_CR0_PG_PE, "26.3.1.1", "guest CR0.PG needs CR0.PE")                                \
	X(GUEST_CR4, "26.3.1.1", "guest CR4 honours IA32_VMX_CR4_FIXED0/1")                        \
	X(GUEST_CET_WP, "26.3.1.1", "guest CR4.CET needs CR0.WP")                                  \
	X(GUEST_DEBUGCTL, "26.3.1.1", "guest IA32_DEBUGCTL reserved bits zero")                    \
	X(GUEST_IA32E, "26.3.1.1", "IA-32e mode guest has CR0.PG and CR4.PAE")                     \
	X(GUEST_PCIDE, "26.3.1.1", "CR4.PCIDE only in an IA-32e mode guest")                       \
	X(GUEST_CR3, "26.3.1.1", "guest CR3 within the physical-address width")                    \
	X(GUEST_DR7, "26.3.1.1", "guest DR7 bits 63:32 zero")                                      \
	X(GUEST_SYSENTER, "26.3.1.1", "guest SYSENTER_ESP/EIP canonical")                          \
	X(GUEST_PAT, "26.3.1.1", "guest PAT entries are valid memory types")                       \
	X(GUEST_EFER, "26.3.1.1", "guest EFER reserved bits zero")                                 \
	X(GUEST_EFER_LMA, "26.3.1.1", "guest EFER.LMA = IA-32e mode guest")                        \
	X(GUEST_EFER_LME, "26.3.1.1", "guest EFER.LME = IA-32e mode guest when CR0.PG")            \
	X(GUEST_BNDCFGS, "26.3.1.1", "guest BNDCFGS reserved bits zero, base canonical")           \
	X(SEG_SEL, "26.3.1.2", "TR/LDTR TI 0; SS.RPL = CS.RPL")                                    \
	X(SEG_V86, "26.3.1.2", "virtual-8086 segments: base = sel << 4, limit FFFFH, AR F3H")      \
	X(SEG_BASE, "26.3.1.2", "segment bases canonical / bits 63:32 zero")                       \
	X(SEG_TYPE, "26.3.1.2", "segment types valid for the register")                            \
	X(SEG_S, "26.3.1.2", "S set for code/data, clear for TR/LDTR")                             \
	X(SEG_DPL, "26.3.1.2", "segment DPLs consistent")                                          \
	X(SEG_P, "26.3.1.2", "usable segments present")                                            \
	X(SEG_RESERVED, "26.3.1.2", "access-rights bits 11:8 and 31:17 zero")                      \
	X(SEG_CS_DB, "26.3.1.2", "64-bit CS (L=1) has D/B 0")                                      \
	X(SEG_G, "26.3.1.2", "granularity consistent with the limit")                              \
	X(SEG_TR_UNUSABLE, "26.3.1.2", "TR usable")                                                \
	X(GUEST_DESC_BASE, "26.3.1.3", "GDTR/IDTR bases canonical")                                \
	X(GUEST_DESC_LIMIT, "26.3.1.3", "GDTR/IDTR limits bits 31:16 zero")                        \
	X(GUEST_RIP, "26.3.1.4", "RIP bits 63:32 zero outside 64-bit mode, canonical in it")       \
	X(GUEST_RFLAGS, "26.3.1.4", "RFLAGS reserved bits zero and bit 1 set")                     \
	X(GUEST_RFLAGS_VM, "26.3.1.4", "RFLAGS.VM clear in IA-32e mode and real mode")             \
	X(GUEST_RFLAGS_IF, "26.3.1.4", "RFLAGS.IF set when injecting an external interrupt")       \
	X(ACTIVITY, "26.3.1.5", "activity state valid and supported (IA32_VMX_MISC)")              \
	X(ACTIVITY_HLT_DPL, "26.3.1.5", "HLT activity needs SS.DPL 0")                             \
	X(ACTIVITY_BLOCKING, "26.3.1.5", "STI/MOV-SS blocking needs the active state")             \
	X(ACTIVITY_EVENT, "26.3.1.5", "injected event not blocked in the activity state")          \
	X(INTR_RESERVED, "26.3.1.5", "interruptibility bits 31:5 zero")                            \
	X(INTR_STI_MOVSS, "26.3.1.5", "not both STI and MOV-SS blocking")                          \
	X(INTR_STI_IF, "26.3.1.5", "STI blocking needs RFLAGS.IF")                                 \
	X(INTR_EVENT, "26.3.1.5", "blocking consistent with the injected event")                   \
	X(INTR_SMI, "26.3.1.5", "SMI blocking only in SMM")                                        \
	X(PENDING_DBG, "26.3.1.5", "pending debug exceptions reserved bits zero")                  \
	X(PENDING_DBG_BS, "26.3.1.5", "pending BS consistent with RFLAGS.TF and DEBUGCTL.BTF")     \
	X(PENDING_DBG_RTM, "26.3.1.5", "pending RTM debug exception consistent")                   \
	X(LINK_PTR, "26.3.1.5", "VMCS link pointer 4K-aligned, within the width")                  \
	X(LINK_PTR_UNUSED, "26.3.1.5", "VMCS link pointer all ones without VMCS shadowing")        \
	X(GUEST_PDPTE, "26.3.1.6", "PAE PDPTEs (EPT on): reserved bits zero in present entries")

enum vmcs_rule {
#define X(id, sec, what) VMCS_RULE_##id,
	VMCS_CHECK_RULES(X)
#undef X
	VMCS_RULE_COUNT
};

#define VMCS_CHECK_REPORT_MAX 64

/* What vmcs_check() found: the count, and the first VMCS_CHECK_REPORT_MAX rules in check order. */
struct vmcs_check_report {
	unsigned int count;
	uint16_t rules[VMCS_CHECK_REPORT_MAX];
};

/*
 * Checks s against the VM-entry rules for a CPU with capabilities caps,
 * assuming the entry is made from 64-bit mode outside SMM (Tandem's only
 * case). Logs one line per violation; fills rep when not NULL. Returns the
 * number of violations (0: the CPU should accept the VMCS, as far as the
 * covered checks go).
 */
unsigned int vmcs_check(const struct vmcs_snapshot *s, const struct vmx_caps *caps,
                        struct vmcs_check_report *rep);

/* True when rep lists rule r. */
bool vmcs_check_found(const struct vmcs_check_report *rep, enum vmcs_rule r);
/* "GUEST_CR0", and the section "26.3.1.1", of rule r. */
const char *vmcs_rule_name(enum vmcs_rule r);
const char *vmcs_rule_section(enum vmcs_rule r);

#endif
