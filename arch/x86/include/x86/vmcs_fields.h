/*
 * VMCS fields: the encodings (SDM Vol. 3D Appendix B), the formats of the
 * guest-state fields the VM-entry checks read (Vol. 3C 24.4), and width-checked
 * VMREAD/VMWRITE.
 *
 * An encoding is 32 bits (Vol. 3C 24.11.2, Table 24-21): bit 0 is the access
 * type (1 = the high 32 bits of a 64-bit field), bits 9:1 the index, bits
 * 11:10 the type (control, read-only data, guest state, host state), bit 12
 * reserved, bits 14:13 the width (16-bit, 64-bit, 32-bit, natural).
 *
 * Each list below is one table of Appendix B, X(NAME, encoding, "name"); the
 * lists together are the one place an encoding is written down. They yield
 * enum vmcs_field (VMCS_GUEST_CR0 = 0x6800), a dense index (VMCS_IDX_GUEST_CR0)
 * for struct vmcs_snapshot, and the name table of vmcs_names.c, which also
 * checks at build time that each field's width and type bits match its table.
 *
 * Accessors: vmcs_read16/32/64/nat(F) and vmcs_write16/32/64/nat(F, v) take
 * a constant field whose width must match, or the build fails. A failed
 * VMREAD/VMWRITE is recorded per CPU (vmx_fail_take() in x86/vmx_insn.h) and
 * logged once; vmcs_read_checked()/vmcs_write_checked() take any field at
 * run time and return false instead, recording nothing.
 */
#ifndef X86_VMCS_FIELDS_H
#define X86_VMCS_FIELDS_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>
#include <x86/vmx_insn.h>

/* Table B-1: 16-bit control fields (0000_00xx_xxxx_xxx0B). */
#define VMCS_FIELDS_CTRL16(X)                                                                      \
	X(VPID, 0x0000, "vpid")                                                                    \
	X(POSTED_INTR_NV, 0x0002, "posted_intr_nv")                                                \
	X(EPTP_INDEX, 0x0004, "eptp_index")                                                        \
	X(HLAT_PREFIX_SIZE, 0x0006, "hlat_prefix_size")                                            \
	X(LAST_PID_PTR_INDEX, 0x0008, "last_pid_ptr_index")

/* Table B-2: 16-bit guest-state fields (0000_10xx_xxxx_xxx0B). */
#define VMCS_FIELDS_GUEST16(X)                                                                     \
	X(GUEST_ES_SEL, 0x0800, "guest_es_sel")                                                    \
	X(GUEST_CS_SEL, 0x0802, "guest_cs_sel")                                                    \
	X(GUEST_SS_SEL, 0x0804, "guest_ss_sel")                                                    \
	X(GUEST_DS_SEL, 0x0806, "guest_ds_sel")                                                    \
	X(GUEST_FS_SEL, 0x0808, "guest_fs_sel")                                                    \
	X(GUEST_GS_SEL, 0x080a, "guest_gs_sel")                                                    \
	X(GUEST_LDTR_SEL, 0x080c, "guest_ldtr_sel")                                                \
	X(GUEST_TR_SEL, 0x080e, "guest_tr_sel")                                                    \
	X(GUEST_INTR_STATUS, 0x0810, "guest_intr_status")                                          \
	X(GUEST_PML_INDEX, 0x0812, "guest_pml_index")                                              \
	X(GUEST_UINV, 0x0814, "guest_uinv")

/* Table B-3: 16-bit host-state fields (0000_11xx_xxxx_xxx0B). */
#define VMCS_FIELDS_HOST16(X)                                                                      \
	X(HOST_ES_SEL, 0x0c00, "host_es_sel")                                                      \
	X(HOST_CS_SEL, 0x0c02, "host_cs_sel")                                                      \
	X(HOST_SS_SEL, 0x0c04, "host_ss_sel")                                                      \
	X(HOST_DS_SEL, 0x0c06, "host_ds_sel")                                                      \
	X(HOST_FS_SEL, 0x0c08, "host_fs_sel")                                                      \
	X(HOST_GS_SEL, 0x0c0a, "host_gs_sel")                                                      \
	X(HOST_TR_SEL, 0x0c0c, "host_tr_sel")

/* Table B-4: 64-bit control fields (0010_00xx_xxxx_xxxAB). */
#define VMCS_FIELDS_CTRL64(X)                                                                      \
	X(IO_BITMAP_A, 0x2000, "io_bitmap_a")                                                      \
	X(IO_BITMAP_B, 0x2002, "io_bitmap_b")                                                      \
	X(MSR_BITMAP, 0x2004, "msr_bitmap")                                                        \
	X(EXIT_MSR_STORE_ADDR, 0x2006, "exit_msr_store_addr")                                      \
	X(EXIT_MSR_LOAD_ADDR, 0x2008, "exit_msr_load_addr")                                        \
	X(ENTRY_MSR_LOAD_ADDR, 0x200a, "entry_msr_load_addr")                                      \
	X(EXECUTIVE_VMCS_PTR, 0x200c, "executive_vmcs_ptr")                                        \
	X(PML_ADDR, 0x200e, "pml_addr")                                                            \
	X(TSC_OFFSET, 0x2010, "tsc_offset")                                                        \
	X(VIRTUAL_APIC_ADDR, 0x2012, "virtual_apic_addr")                                          \
	X(APIC_ACCESS_ADDR, 0x2014, "apic_access_addr")                                            \
	X(POSTED_INTR_DESC_ADDR, 0x2016, "posted_intr_desc_addr")                                  \
	X(VMFUNC_CTLS, 0x2018, "vmfunc_ctls")                                                      \
	X(EPTP, 0x201a, "eptp")                                                                    \
	X(EOI_EXIT_BITMAP0, 0x201c, "eoi_exit_bitmap0")                                            \
	X(EOI_EXIT_BITMAP1, 0x201e, "eoi_exit_bitmap1")                                            \
	X(EOI_EXIT_BITMAP2, 0x2020, "eoi_exit_bitmap2")                                            \
	X(EOI_EXIT_BITMAP3, 0x2022, "eoi_exit_bitmap3")                                            \
	X(EPTP_LIST_ADDR, 0x2024, "eptp_list_addr")                                                \
	X(VMREAD_BITMAP, 0x2026, "vmread_bitmap")                                                  \
	X(VMWRITE_BITMAP, 0x2028, "vmwrite_bitmap")                                                \
	X(VE_INFO_ADDR, 0x202a, "ve_info_addr")                                                    \
	X(XSS_EXIT_BITMAP, 0x202c, "xss_exit_bitmap")                                              \
	X(ENCLS_EXIT_BITMAP, 0x202e, "encls_exit_bitmap")                                          \
	X(SPPTP, 0x2030, "spptp")                                                                  \
	X(TSC_MULTIPLIER, 0x2032, "tsc_multiplier")                                                \
	X(PROC3_CTLS, 0x2034, "proc3_ctls")                                                        \
	X(ENCLV_EXIT_BITMAP, 0x2036, "enclv_exit_bitmap")                                          \
	X(LO_PASID_DIR, 0x2038, "lo_pasid_dir")                                                    \
	X(HI_PASID_DIR, 0x203a, "hi_pasid_dir")                                                    \
	X(SHARED_EPTP, 0x203c, "shared_eptp")                                                      \
	X(PCONFIG_EXIT_BITMAP, 0x203e, "pconfig_exit_bitmap")                                      \
	X(HLATP, 0x2040, "hlatp")                                                                  \
	X(PID_PTR_TABLE, 0x2042, "pid_ptr_table")                                                  \
	X(EXIT2_CTLS, 0x2044, "exit2_ctls")                                                        \
	X(SPEC_CTRL_MASK, 0x204a, "spec_ctrl_mask")                                                \
	X(SPEC_CTRL_SHADOW, 0x204c, "spec_ctrl_shadow")                                            \
	X(INJECTED_EVENT_DATA, 0x2052, "injected_event_data")

/* Table B-5: 64-bit read-only data fields (0010_01xx_xxxx_xxxAB). */
#define VMCS_FIELDS_RO64(X)                                                                        \
	X(GUEST_PHYS_ADDR, 0x2400, "guest_phys_addr")                                              \
	X(MSR_DATA, 0x2402, "msr_data")                                                            \
	X(ORIGINAL_EVENT_DATA, 0x2404, "original_event_data")

/* Table B-6: 64-bit guest-state fields (0010_10xx_xxxx_xxxAB). */
#define VMCS_FIELDS_GUEST64(X)                                                                     \
	X(VMCS_LINK_PTR, 0x2800, "vmcs_link_ptr")                                                  \
	X(GUEST_DEBUGCTL, 0x2802, "guest_debugctl")                                                \
	X(GUEST_PAT, 0x2804, "guest_pat")                                                          \
	X(GUEST_EFER, 0x2806, "guest_efer")                                                        \
	X(GUEST_PERF_GLOBAL_CTRL, 0x2808, "guest_perf_global_ctrl")                                \
	X(GUEST_PDPTE0, 0x280a, "guest_pdpte0")                                                    \
	X(GUEST_PDPTE1, 0x280c, "guest_pdpte1")                                                    \
	X(GUEST_PDPTE2, 0x280e, "guest_pdpte2")                                                    \
	X(GUEST_PDPTE3, 0x2810, "guest_pdpte3")                                                    \
	X(GUEST_BNDCFGS, 0x2812, "guest_bndcfgs")                                                  \
	X(GUEST_RTIT_CTL, 0x2814, "guest_rtit_ctl")                                                \
	X(GUEST_LBR_CTL, 0x2816, "guest_lbr_ctl")                                                  \
	X(GUEST_PKRS, 0x2818, "guest_pkrs")                                                        \
	X(GUEST_FRED_CONFIG, 0x281a, "guest_fred_config")                                          \
	X(GUEST_FRED_RSP1, 0x281c, "guest_fred_rsp1")                                              \
	X(GUEST_FRED_RSP2, 0x281e, "guest_fred_rsp2")                                              \
	X(GUEST_FRED_RSP3, 0x2820, "guest_fred_rsp3")                                              \
	X(GUEST_FRED_STKLVLS, 0x2822, "guest_fred_stklvls")                                        \
	X(GUEST_FRED_SSP1, 0x2824, "guest_fred_ssp1")                                              \
	X(GUEST_FRED_SSP2, 0x2826, "guest_fred_ssp2")                                              \
	X(GUEST_FRED_SSP3, 0x2828, "guest_fred_ssp3")                                              \
	X(GUEST_SPEC_CTRL, 0x282e, "guest_spec_ctrl")

/* Table B-7: 64-bit host-state fields (0010_11xx_xxxx_xxxAB). */
#define VMCS_FIELDS_HOST64(X)                                                                      \
	X(HOST_PAT, 0x2c00, "host_pat")                                                            \
	X(HOST_EFER, 0x2c02, "host_efer")                                                          \
	X(HOST_PERF_GLOBAL_CTRL, 0x2c04, "host_perf_global_ctrl")                                  \
	X(HOST_PKRS, 0x2c06, "host_pkrs")                                                          \
	X(HOST_FRED_CONFIG, 0x2c08, "host_fred_config")                                            \
	X(HOST_FRED_RSP1, 0x2c0a, "host_fred_rsp1")                                                \
	X(HOST_FRED_RSP2, 0x2c0c, "host_fred_rsp2")                                                \
	X(HOST_FRED_RSP3, 0x2c0e, "host_fred_rsp3")                                                \
	X(HOST_FRED_STKLVLS, 0x2c10, "host_fred_stklvls")                                          \
	X(HOST_FRED_SSP1, 0x2c12, "host_fred_ssp1")                                                \
	X(HOST_FRED_SSP2, 0x2c14, "host_fred_ssp2")                                                \
	X(HOST_FRED_SSP3, 0x2c16, "host_fred_ssp3")                                                \
	X(HOST_SPEC_CTRL, 0x2c1a, "host_spec_ctrl")

/* Table B-8: 32-bit control fields (0100_00xx_xxxx_xxx0B). */
#define VMCS_FIELDS_CTRL32(X)                                                                      \
	X(PIN_CTLS, 0x4000, "pin_ctls")                                                            \
	X(PROC_CTLS, 0x4002, "proc_ctls")                                                          \
	X(EXCEPTION_BITMAP, 0x4004, "exception_bitmap")                                            \
	X(PF_ERRCODE_MASK, 0x4006, "pf_errcode_mask")                                              \
	X(PF_ERRCODE_MATCH, 0x4008, "pf_errcode_match")                                            \
	X(CR3_TARGET_COUNT, 0x400a, "cr3_target_count")                                            \
	X(EXIT_CTLS, 0x400c, "exit_ctls")                                                          \
	X(EXIT_MSR_STORE_COUNT, 0x400e, "exit_msr_store_count")                                    \
	X(EXIT_MSR_LOAD_COUNT, 0x4010, "exit_msr_load_count")                                      \
	X(ENTRY_CTLS, 0x4012, "entry_ctls")                                                        \
	X(ENTRY_MSR_LOAD_COUNT, 0x4014, "entry_msr_load_count")                                    \
	X(ENTRY_INTR_INFO, 0x4016, "entry_intr_info")                                              \
	X(ENTRY_EXCEPTION_ERRCODE, 0x4018, "entry_exception_errcode")                              \
	X(ENTRY_INSN_LEN, 0x401a, "entry_insn_len")                                                \
	X(TPR_THRESHOLD, 0x401c, "tpr_threshold")                                                  \
	X(PROC2_CTLS, 0x401e, "proc2_ctls")                                                        \
	X(PLE_GAP, 0x4020, "ple_gap")                                                              \
	X(PLE_WINDOW, 0x4022, "ple_window")                                                        \
	X(INSN_TIMEOUT_CTL, 0x4024, "insn_timeout_ctl")

/* Table B-9: 32-bit read-only data fields (0100_01xx_xxxx_xxx0B). */
#define VMCS_FIELDS_RO32(X)                                                                        \
	X(VM_INSN_ERROR, 0x4400, "vm_insn_error")                                                  \
	X(EXIT_REASON, 0x4402, "exit_reason")                                                      \
	X(EXIT_INTR_INFO, 0x4404, "exit_intr_info")                                                \
	X(EXIT_INTR_ERRCODE, 0x4406, "exit_intr_errcode")                                          \
	X(IDT_VECTORING_INFO, 0x4408, "idt_vectoring_info")                                        \
	X(IDT_VECTORING_ERRCODE, 0x440a, "idt_vectoring_errcode")                                  \
	X(EXIT_INSN_LEN, 0x440c, "exit_insn_len")                                                  \
	X(EXIT_INSN_INFO, 0x440e, "exit_insn_info")

/* Table B-10: 32-bit guest-state fields (0100_10xx_xxxx_xxx0B). */
#define VMCS_FIELDS_GUEST32(X)                                                                     \
	X(GUEST_ES_LIMIT, 0x4800, "guest_es_limit")                                                \
	X(GUEST_CS_LIMIT, 0x4802, "guest_cs_limit")                                                \
	X(GUEST_SS_LIMIT, 0x4804, "guest_ss_limit")                                                \
	X(GUEST_DS_LIMIT, 0x4806, "guest_ds_limit")                                                \
	X(GUEST_FS_LIMIT, 0x4808, "guest_fs_limit")                                                \
	X(GUEST_GS_LIMIT, 0x480a, "guest_gs_limit")                                                \
	X(GUEST_LDTR_LIMIT, 0x480c, "guest_ldtr_limit")                                            \
	X(GUEST_TR_LIMIT, 0x480e, "guest_tr_limit")                                                \
	X(GUEST_GDTR_LIMIT, 0x4810, "guest_gdtr_limit")                                            \
	X(GUEST_IDTR_LIMIT, 0x4812, "guest_idtr_limit")                                            \
	X(GUEST_ES_AR, 0x4814, "guest_es_ar")                                                      \
	X(GUEST_CS_AR, 0x4816, "guest_cs_ar")                                                      \
	X(GUEST_SS_AR, 0x4818, "guest_ss_ar")                                                      \
	X(GUEST_DS_AR, 0x481a, "guest_ds_ar")                                                      \
	X(GUEST_FS_AR, 0x481c, "guest_fs_ar")                                                      \
	X(GUEST_GS_AR, 0x481e, "guest_gs_ar")                                                      \
	X(GUEST_LDTR_AR, 0x4820, "guest_ldtr_ar")                                                  \
	X(GUEST_TR_AR, 0x4822, "guest_tr_ar")                                                      \
	X(GUEST_INTERRUPTIBILITY, 0x4824, "guest_interruptibility")                                \
	X(GUEST_ACTIVITY, 0x4826, "guest_activity")                                                \
	X(GUEST_SMBASE, 0x4828, "guest_smbase")                                                    \
	X(GUEST_SYSENTER_CS, 0x482a, "guest_sysenter_cs")                                          \
	X(PREEMPT_TIMER_VALUE, 0x482e, "preempt_timer_value")

/* Table B-11: 32-bit host-state field (0100_11xx_xxxx_xxx0B). */
#define VMCS_FIELDS_HOST32(X) X(HOST_SYSENTER_CS, 0x4c00, "host_sysenter_cs")

/* Table B-12: natural-width control fields (0110_00xx_xxxx_xxx0B). */
#define VMCS_FIELDS_CTRLN(X)                                                                       \
	X(CR0_MASK, 0x6000, "cr0_mask")                                                            \
	X(CR4_MASK, 0x6002, "cr4_mask")                                                            \
	X(CR0_SHADOW, 0x6004, "cr0_shadow")                                                        \
	X(CR4_SHADOW, 0x6006, "cr4_shadow")                                                        \
	X(CR3_TARGET0, 0x6008, "cr3_target0")                                                      \
	X(CR3_TARGET1, 0x600a, "cr3_target1")                                                      \
	X(CR3_TARGET2, 0x600c, "cr3_target2")                                                      \
	X(CR3_TARGET3, 0x600e, "cr3_target3")

/* Table B-13: natural-width read-only data fields (0110_01xx_xxxx_xxx0B). */
#define VMCS_FIELDS_RON(X)                                                                         \
	X(EXIT_QUAL, 0x6400, "exit_qual")                                                          \
	X(IO_RCX, 0x6402, "io_rcx")                                                                \
	X(IO_RSI, 0x6404, "io_rsi")                                                                \
	X(IO_RDI, 0x6406, "io_rdi")                                                                \
	X(IO_RIP, 0x6408, "io_rip")                                                                \
	X(GUEST_LINEAR_ADDR, 0x640a, "guest_linear_addr")

/* Table B-14: natural-width guest-state fields (0110_10xx_xxxx_xxx0B). */
#define VMCS_FIELDS_GUESTN(X)                                                                      \
	X(GUEST_CR0, 0x6800, "guest_cr0")                                                          \
	X(GUEST_CR3, 0x6802, "guest_cr3")                                                          \
	X(GUEST_CR4, 0x6804, "guest_cr4")                                                          \
	X(GUEST_ES_BASE, 0x6806, "guest_es_base")                                                  \
	X(GUEST_CS_BASE, 0x6808, "guest_cs_base")                                                  \
	X(GUEST_SS_BASE, 0x680a, "guest_ss_base")                                                  \
	X(GUEST_DS_BASE, 0x680c, "guest_ds_base")                                                  \
	X(GUEST_FS_BASE, 0x680e, "guest_fs_base")                                                  \
	X(GUEST_GS_BASE, 0x6810, "guest_gs_base")                                                  \
	X(GUEST_LDTR_BASE, 0x6812, "guest_ldtr_base")                                              \
	X(GUEST_TR_BASE, 0x6814, "guest_tr_base")                                                  \
	X(GUEST_GDTR_BASE, 0x6816, "guest_gdtr_base")                                              \
	X(GUEST_IDTR_BASE, 0x6818, "guest_idtr_base")                                              \
	X(GUEST_DR7, 0x681a, "guest_dr7")                                                          \
	X(GUEST_RSP, 0x681c, "guest_rsp")                                                          \
	X(GUEST_RIP, 0x681e, "guest_rip")                                                          \
	X(GUEST_RFLAGS, 0x6820, "guest_rflags")                                                    \
	X(GUEST_PENDING_DBG, 0x6822, "guest_pending_dbg")                                          \
	X(GUEST_SYSENTER_ESP, 0x6824, "guest_sysenter_esp")                                        \
	X(GUEST_SYSENTER_EIP, 0x6826, "guest_sysenter_eip")                                        \
	X(GUEST_S_CET, 0x6828, "guest_s_cet")                                                      \
	X(GUEST_SSP, 0x682a, "guest_ssp")                                                          \
	X(GUEST_INTR_SSP_TABLE, 0x682c, "guest_intr_ssp_table")

/* Table B-15: natural-width host-state fields (0110_11xx_xxxx_xxx0B). */
#define VMCS_FIELDS_HOSTN(X)                                                                       \
	X(HOST_CR0, 0x6c00, "host_cr0")                                                            \
	X(HOST_CR3, 0x6c02, "host_cr3")                                                            \
	X(HOST_CR4, 0x6c04, "host_cr4")                                                            \
	X(HOST_FS_BASE, 0x6c06, "host_fs_base")                                                    \
	X(HOST_GS_BASE, 0x6c08, "host_gs_base")                                                    \
	X(HOST_TR_BASE, 0x6c0a, "host_tr_base")                                                    \
	X(HOST_GDTR_BASE, 0x6c0c, "host_gdtr_base")                                                \
	X(HOST_IDTR_BASE, 0x6c0e, "host_idtr_base")                                                \
	X(HOST_SYSENTER_ESP, 0x6c10, "host_sysenter_esp")                                          \
	X(HOST_SYSENTER_EIP, 0x6c12, "host_sysenter_eip")                                          \
	X(HOST_RSP, 0x6c14, "host_rsp")                                                            \
	X(HOST_RIP, 0x6c16, "host_rip")                                                            \
	X(HOST_S_CET, 0x6c18, "host_s_cet")                                                        \
	X(HOST_SSP, 0x6c1a, "host_ssp")                                                            \
	X(HOST_INTR_SSP_TABLE, 0x6c1c, "host_intr_ssp_table")

/* Every field, in Appendix B order (which is also ascending encoding order). */
#define VMCS_FIELDS(X)                                                                             \
	VMCS_FIELDS_CTRL16(X)                                                                      \
	VMCS_FIELDS_GUEST16(X)                                                                     \
	VMCS_FIELDS_HOST16(X)                                                                      \
	VMCS_FIELDS_CTRL64(X)                                                                      \
	VMCS_FIELDS_RO64(X)                                                                        \
	VMCS_FIELDS_GUEST64(X)                                                                     \
	VMCS_FIELDS_HOST64(X)                                                                      \
	VMCS_FIELDS_CTRL32(X)                                                                      \
	VMCS_FIELDS_RO32(X)                                                                        \
	VMCS_FIELDS_GUEST32(X)                                                                     \
	VMCS_FIELDS_HOST32(X)                                                                      \
	VMCS_FIELDS_CTRLN(X)                                                                       \
	VMCS_FIELDS_RON(X)                                                                         \
	VMCS_FIELDS_GUESTN(X)                                                                      \
	VMCS_FIELDS_HOSTN(X)

enum vmcs_field {
#define X(name, enc, str) VMCS_##name = enc,
	VMCS_FIELDS(X)
#undef X
};

/* Dense index of each listed field, for tables such as struct vmcs_snapshot. */
enum vmcs_field_idx {
#define X(name, enc, str) VMCS_IDX_##name,
	VMCS_FIELDS(X)
#undef X
	VMCS_FIELD_COUNT
};

/* Encoding layout (Table 24-21). */
#define VMCS_ENC_HIGH         0x1u /* access the high 32 bits of a 64-bit field */
#define VMCS_ENC_TYPE_SHIFT   10
#define VMCS_ENC_WIDTH_SHIFT  13
#define VMCS_FIELD_WIDTH(enc) (((enc) >> VMCS_ENC_WIDTH_SHIFT) & 3u)
#define VMCS_FIELD_TYPE(enc)  (((enc) >> VMCS_ENC_TYPE_SHIFT) & 3u)
#define VMCS_HIGH(enc)        ((enc) | VMCS_ENC_HIGH)

enum vmcs_width {
	VMCS_WIDTH_16 = 0,
	VMCS_WIDTH_64 = 1,
	VMCS_WIDTH_32 = 2,
	VMCS_WIDTH_NAT = 3,
};

enum vmcs_type {
	VMCS_TYPE_CONTROL = 0,
	VMCS_TYPE_RO = 1, /* VM-exit information */
	VMCS_TYPE_GUEST = 2,
	VMCS_TYPE_HOST = 3,
};

static inline enum vmcs_width vmcs_field_width(uint32_t enc)
{
	return (enum vmcs_width)VMCS_FIELD_WIDTH(enc);
}

/* Value bits an access to enc carries: 16, 32 or 64 (the high half of a 64-bit field: 32). */
static inline unsigned int vmcs_field_bits(uint32_t enc)
{
	static const unsigned char bits[4] = {16, 64, 32, 64};
	return (enc & VMCS_ENC_HIGH) ? 32 : bits[VMCS_FIELD_WIDTH(enc)];
}

/* "guest_cr0", or NULL for an encoding not listed above (vmcs_names.c). */
const char *vmcs_field_name(uint32_t enc);
/* VMCS_IDX_* of a listed encoding (the full access, bit 0 clear), or -1. */
int vmcs_field_index(uint32_t enc);
/* The encoding of VMCS_IDX_* idx (idx < VMCS_FIELD_COUNT). */
uint32_t vmcs_field_at(unsigned int idx);
/* "16-bit control", "natural-width guest-state", ...: the Appendix B table of enc. */
const char *vmcs_field_group(uint32_t enc);

/*
 * VMREADs every listed field of the current VMCS and logs them grouped,
 * several to a line, skipping those VMREAD rejects (vmcs_dump.c; kernel
 * only). Needs VMX root operation and a current VMCS.
 */
void vmcs_dump(void);

/* ---- Field formats the VM-entry checks use (Vol. 3C 24.4) ---------------- */

/* Segment access rights (Table 24-2): the descriptor's bits 47:40 and 55:52, plus "unusable". */
#define VMX_AR_TYPE_MASK       0xfu
#define VMX_AR_TYPE_ACCESSED   0x1u
#define VMX_AR_TYPE_WRITABLE   0x2u /* data: writable; code: readable */
#define VMX_AR_TYPE_CONFORMING 0x4u /* code: conforming; data: expand-down */
#define VMX_AR_TYPE_CODE       0x8u
#define VMX_AR_S               BIT(4)
#define VMX_AR_DPL_SHIFT       5
#define VMX_AR_DPL(ar)         (((ar) >> VMX_AR_DPL_SHIFT) & 3u)
#define VMX_AR_P               BIT(7)
#define VMX_AR_AVL             BIT(12)
#define VMX_AR_L               BIT(13)
#define VMX_AR_DB              BIT(14)
#define VMX_AR_G               BIT(15)
#define VMX_AR_UNUSABLE        BIT(16)
#define VMX_AR_RESERVED        0xfffe0f00u /* bits 11:8 and 31:17 */

/* System-segment types in the access rights (Vol. 3A Table 3-2). */
#define VMX_AR_TYPE_LDT        2
#define VMX_AR_TYPE_TSS16_BUSY 3
#define VMX_AR_TYPE_TSS_BUSY   11 /* 32-bit, or 64-bit in IA-32e mode */

/* Activity state (24.4.2). */
enum vmx_activity {
	VMX_ACTIVITY_ACTIVE = 0,
	VMX_ACTIVITY_HLT = 1,
	VMX_ACTIVITY_SHUTDOWN = 2,
	VMX_ACTIVITY_WAIT_SIPI = 3,
};

/* Interruptibility state (Table 24-3). */
#define VMX_INTR_BLOCK_STI    BIT(0)
#define VMX_INTR_BLOCK_MOV_SS BIT(1)
#define VMX_INTR_BLOCK_SMI    BIT(2)
#define VMX_INTR_BLOCK_NMI    BIT(3)
#define VMX_INTR_ENCLAVE      BIT(4)
#define VMX_INTR_RESERVED     0xffffffe0u

/* Pending debug exceptions (Table 24-4). */
#define VMX_PENDING_DBG_B0_3     UINT64_C(0xf)
#define VMX_PENDING_DBG_BP       BIT(12) /* an enabled breakpoint */
#define VMX_PENDING_DBG_BS       BIT(14)
#define VMX_PENDING_DBG_RTM      BIT(16)
#define VMX_PENDING_DBG_RESERVED (~UINT64_C(0x1500f)) /* bits 11:4, 13, 15, 63:17 */

/* The VMCS link pointer of a VMCS without a shadow (24.4.2). */
#define VMX_VMCS_LINK_NONE (~UINT64_C(0))

/* EPTP (24.6.11, Table 24-8). */
#define VMX_EPTP_MEMTYPE_MASK UINT64_C(0x7)
#define VMX_EPTP_WALK_SHIFT   3 /* page-walk length - 1 */
#define VMX_EPTP_WALK_MASK    (UINT64_C(0x7) << VMX_EPTP_WALK_SHIFT)
#define VMX_EPTP_AD           BIT(6)
#define VMX_EPTP_SSS          BIT(7)          /* supervisor shadow-stack control */
#define VMX_EPTP_RESERVED_LOW UINT64_C(0xf00) /* bits 11:8 */

/* VM-function controls (24.6.14). */
#define VMX_VMFUNC_EPTP_SWITCH BIT(0)

/* ---- VMREAD and VMWRITE ------------------------------------------------ */

/* Raw VMREAD/VMWRITE of any encoding; *v is 0 when the read fails. Nothing is recorded. */
static inline enum vmx_status vmcs_read_status(uint64_t field, uint64_t *v)
{
	bool cf, zf;
	uint64_t val;

	__asm__ __volatile__("vmread %[f], %[v]"
	                     : [v] "=rm"(val), "=@ccc"(cf), "=@ccz"(zf)
	                     : [f] "r"(field));
	*v = (cf || zf) ? 0 : val;
	return vmx_status_of(cf, zf);
}

static inline enum vmx_status vmcs_write_status(uint64_t field, uint64_t v)
{
	bool cf, zf;

	__asm__ __volatile__("vmwrite %[v], %[f]"
	                     : "=@ccc"(cf), "=@ccz"(zf)
	                     : [f] "r"(field), [v] "rm"(v)
	                     : "memory");
	return vmx_status_of(cf, zf);
}

/* Any field at run time: true on success, false on VMfailInvalid/VMfailValid; not recorded. */
static inline bool vmcs_read_checked(uint64_t field, uint64_t *v)
{
	return vmcs_read_status(field, v) == VMX_SUCCEED;
}

static inline bool vmcs_write_checked(uint64_t field, uint64_t v)
{
	return vmcs_write_status(field, v) == VMX_SUCCEED;
}

/*
 * VMREAD/VMWRITE that record a failure in this CPU's VMX failure record
 * (vmx_fail_take()) and log the first one; a failed read returns 0.
 */
static inline uint64_t __vmcs_read(uint64_t field)
{
	uint64_t v;
	enum vmx_status st = vmcs_read_status(field, &v);

	if (unlikely(st != VMX_SUCCEED))
		vmx_fail_record(VMX_OP_VMREAD, st, field, 0);
	return v;
}

static inline bool __vmcs_write(uint64_t field, uint64_t v)
{
	enum vmx_status st = vmcs_write_status(field, v);

	if (likely(st == VMX_SUCCEED))
		return true;
	vmx_fail_record(VMX_OP_VMWRITE, st, field, v);
	return false;
}

/* Build-time check that F is a constant full-access field of width W. */
#define VMCS_ASSERT_WIDTH(f, w, what)                                                              \
	_Static_assert(VMCS_FIELD_WIDTH(f) == (w) && ((f)&VMCS_ENC_HIGH) == 0,                     \
	               "VMCS field " #f " is not " what)

#define vmcs_read16(f)                                                                             \
	({                                                                                         \
		VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_16, "16-bit");                                     \
		(uint16_t) __vmcs_read(f);                                                         \
	})
#define vmcs_read32(f)                                                                             \
	({                                                                                         \
		VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_32, "32-bit");                                     \
		(uint32_t) __vmcs_read(f);                                                         \
	})
#define vmcs_read64(f)                                                                             \
	({                                                                                         \
		VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_64, "64-bit");                                     \
		(uint64_t) __vmcs_read(f);                                                         \
	})
#define vmcs_readnat(f)                                                                            \
	({                                                                                         \
		VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_NAT, "natural-width");                             \
		(uint64_t) __vmcs_read(f);                                                         \
	})

/* The writes evaluate to true on success; the value is converted to the field's width first. */
#define vmcs_write16(f, v)                                                                         \
	({                                                                                         \
		VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_16, "16-bit");                                     \
		__vmcs_write(f, (uint16_t)(v));                                                    \
	})
#define vmcs_write32(f, v)                                                                         \
	({                                                                                         \
		VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_32, "32-bit");                                     \
		__vmcs_write(f, (uint32_t)(v));                                                    \
	})
#define vmcs_write64(f, v)                                                                         \
	({                                                                                         \
		VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_64, "64-bit");                                     \
		__vmcs_write(f, (uint64_t)(v));                                                    \
	})
#define vmcs_writenat(f, v)                                                                        \
	({                                                                                         \
		VMCS_ASSERT_WIDTH(f, VMCS_WIDTH_NAT, "natural-width");                             \
		__vmcs_write(f, (uint64_t)(v));                                                    \
	})

#endif
