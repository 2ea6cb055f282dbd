/*
 * VMX control bits: the pin-based, primary and secondary processor-based
 * VM-execution controls, the VM-exit and the VM-entry controls (SDM Vol. 3C
 * 24.6.1, 24.6.2, 24.7.1, 24.8.1; Tables 24-5, 24-6, 24-7, 24-13, 24-15).
 *
 * Each list is X(NAME, bit, "short-name") and is the one place a bit is
 * written down: it yields an enum of bit numbers (VMX_PIN_BIT_NMI_EXIT) and,
 * in vmx_caps.c, the name tables. Masks are spelt VMX_PIN(NMI_EXIT),
 * VMX_PROC(HLT_EXIT), VMX_PROC2(EPT), VMX_EXITCTL(HOST_64),
 * VMX_ENTRYCTL(IA32E_GUEST): uint32_t constant expressions. Bits a list
 * leaves out are reserved (some of them "default1": must be 1 in the
 * non-TRUE capability MSRs).
 */
#ifndef X86_VMX_CTLS_H
#define X86_VMX_CTLS_H

/* Pin-based VM-execution controls (Table 24-5). */
#define VMX_PIN_CTLS(X)                                                                            \
	X(EXT_INTR_EXIT, 0, "ext-intr-exit")                                                       \
	X(NMI_EXIT, 3, "nmi-exit")                                                                 \
	X(VIRTUAL_NMIS, 5, "virtual-nmis")                                                         \
	X(PREEMPT_TIMER, 6, "preempt-timer")                                                       \
	X(POSTED_INTR, 7, "posted-intr")

/* Primary processor-based VM-execution controls (Table 24-6). */
#define VMX_PROC_CTLS(X)                                                                           \
	X(INTR_WINDOW_EXIT, 2, "intr-window-exit")                                                 \
	X(TSC_OFFSET, 3, "tsc-offset")                                                             \
	X(HLT_EXIT, 7, "hlt-exit")                                                                 \
	X(INVLPG_EXIT, 9, "invlpg-exit")                                                           \
	X(MWAIT_EXIT, 10, "mwait-exit")                                                            \
	X(RDPMC_EXIT, 11, "rdpmc-exit")                                                            \
	X(RDTSC_EXIT, 12, "rdtsc-exit")                                                            \
	X(CR3_LOAD_EXIT, 15, "cr3-load-exit")                                                      \
	X(CR3_STORE_EXIT, 16, "cr3-store-exit")                                                    \
	X(TERTIARY, 17, "tertiary-ctls")                                                           \
	X(CR8_LOAD_EXIT, 19, "cr8-load-exit")                                                      \
	X(CR8_STORE_EXIT, 20, "cr8-store-exit")                                                    \
	X(TPR_SHADOW, 21, "tpr-shadow")                                                            \
	X(NMI_WINDOW_EXIT, 22, "nmi-window-exit")                                                  \
	X(MOV_DR_EXIT, 23, "mov-dr-exit")                                                          \
	X(UNCOND_IO_EXIT, 24, "uncond-io-exit")                                                    \
	X(IO_BITMAPS, 25, "io-bitmaps")                                                            \
	X(MTF, 27, "monitor-trap-flag")                                                            \
	X(MSR_BITMAPS, 28, "msr-bitmaps")                                                          \
	X(MONITOR_EXIT, 29, "monitor-exit")                                                        \
	X(PAUSE_EXIT, 30, "pause-exit")                                                            \
	X(SECONDARY, 31, "secondary-ctls")

/* Secondary processor-based VM-execution controls (Table 24-7). */
#define VMX_PROC2_CTLS(X)                                                                          \
	X(VIRT_APIC_ACCESS, 0, "virt-apic-access")                                                 \
	X(EPT, 1, "ept")                                                                           \
	X(DESC_TABLE_EXIT, 2, "desc-table-exit")                                                   \
	X(RDTSCP, 3, "rdtscp")                                                                     \
	X(VIRT_X2APIC, 4, "virt-x2apic")                                                           \
	X(VPID, 5, "vpid")                                                                         \
	X(WBINVD_EXIT, 6, "wbinvd-exit")                                                           \
	X(UNRESTRICTED_GUEST, 7, "unrestricted-guest")                                             \
	X(APIC_REG_VIRT, 8, "apic-reg-virt")                                                       \
	X(VIRT_INTR_DELIVERY, 9, "virt-intr-delivery")                                             \
	X(PAUSE_LOOP_EXIT, 10, "pause-loop-exit")                                                  \
	X(RDRAND_EXIT, 11, "rdrand-exit")                                                          \
	X(INVPCID, 12, "invpcid")                                                                  \
	X(VMFUNC, 13, "vmfunc")                                                                    \
	X(VMCS_SHADOWING, 14, "vmcs-shadowing")                                                    \
	X(ENCLS_EXIT, 15, "encls-exit")                                                            \
	X(RDSEED_EXIT, 16, "rdseed-exit")                                                          \
	X(PML, 17, "pml")                                                                          \
	X(EPT_VE, 18, "ept-violation-ve")                                                          \
	X(PT_CONCEAL_VMX, 19, "pt-conceal-vmx")                                                    \
	X(XSAVES, 20, "xsaves")                                                                    \
	X(PASID_TRANSLATION, 21, "pasid-translation")                                              \
	X(MODE_BASED_EPT_EXEC, 22, "mode-based-ept-exec")                                          \
	X(EPT_SUBPAGE_WRITE, 23, "ept-subpage-write")                                              \
	X(PT_USE_GPA, 24, "pt-use-gpa")                                                            \
	X(TSC_SCALING, 25, "tsc-scaling")                                                          \
	X(USER_WAIT_PAUSE, 26, "user-wait-pause")                                                  \
	X(PCONFIG, 27, "pconfig")                                                                  \
	X(ENCLV_EXIT, 28, "enclv-exit")                                                            \
	X(BUS_LOCK_DETECT, 30, "bus-lock-detect")                                                  \
	X(INSTR_TIMEOUT, 31, "instr-timeout")

/* Primary VM-exit controls (Table 24-13). */
#define VMX_EXIT_CTLS(X)                                                                           \
	X(SAVE_DEBUG_CTLS, 2, "save-debug-ctls")                                                   \
	X(HOST_64, 9, "host-64bit")                                                                \
	X(LOAD_PERF_GLOBAL, 12, "load-perf-global")                                                \
	X(ACK_INTR, 15, "ack-intr-on-exit")                                                        \
	X(SAVE_PAT, 18, "save-pat")                                                                \
	X(LOAD_PAT, 19, "load-pat")                                                                \
	X(SAVE_EFER, 20, "save-efer")                                                              \
	X(LOAD_EFER, 21, "load-efer")                                                              \
	X(SAVE_PREEMPT_TIMER, 22, "save-preempt-timer")                                            \
	X(CLEAR_BNDCFGS, 23, "clear-bndcfgs")                                                      \
	X(PT_CONCEAL_VMX, 24, "pt-conceal-vmx")                                                    \
	X(CLEAR_RTIT_CTL, 25, "clear-rtit-ctl")                                                    \
	X(CLEAR_LBR_CTL, 26, "clear-lbr-ctl")                                                      \
	X(CLEAR_UINV, 27, "clear-uinv")                                                            \
	X(LOAD_CET, 28, "load-cet")                                                                \
	X(LOAD_PKRS, 29, "load-pkrs")                                                              \
	X(SAVE_PERF_GLOBAL, 30, "save-perf-global")                                                \
	X(SECONDARY, 31, "secondary-exit-ctls")

/* VM-entry controls (Table 24-15). */
#define VMX_ENTRY_CTLS(X)                                                                          \
	X(LOAD_DEBUG_CTLS, 2, "load-debug-ctls")                                                   \
	X(IA32E_GUEST, 9, "ia32e-guest")                                                           \
	X(ENTRY_TO_SMM, 10, "entry-to-smm")                                                        \
	X(DEACT_DUAL_MONITOR, 11, "deact-dual-monitor")                                            \
	X(LOAD_PERF_GLOBAL, 13, "load-perf-global")                                                \
	X(LOAD_PAT, 14, "load-pat")                                                                \
	X(LOAD_EFER, 15, "load-efer")                                                              \
	X(LOAD_BNDCFGS, 16, "load-bndcfgs")                                                        \
	X(PT_CONCEAL_VMX, 17, "pt-conceal-vmx")                                                    \
	X(LOAD_RTIT_CTL, 18, "load-rtit-ctl")                                                      \
	X(LOAD_UINV, 19, "load-uinv")                                                              \
	X(LOAD_CET, 20, "load-cet")                                                                \
	X(LOAD_LBR_CTL, 21, "load-lbr-ctl")                                                        \
	X(LOAD_PKRS, 22, "load-pkrs")

enum vmx_pin_bit {
#define X(name, bit, str) VMX_PIN_BIT_##name = bit,
	VMX_PIN_CTLS(X)
#undef X
};
enum vmx_proc_bit {
#define X(name, bit, str) VMX_PROC_BIT_##name = bit,
	VMX_PROC_CTLS(X)
#undef X
};
enum vmx_proc2_bit {
#define X(name, bit, str) VMX_PROC2_BIT_##name = bit,
	VMX_PROC2_CTLS(X)
#undef X
};
enum vmx_exit_bit {
#define X(name, bit, str) VMX_EXITCTL_BIT_##name = bit,
	VMX_EXIT_CTLS(X)
#undef X
};
enum vmx_entry_bit {
#define X(name, bit, str) VMX_ENTRYCTL_BIT_##name = bit,
	VMX_ENTRY_CTLS(X)
#undef X
};

#define VMX_PIN(name)      (1u << VMX_PIN_BIT_##name)
#define VMX_PROC(name)     (1u << VMX_PROC_BIT_##name)
#define VMX_PROC2(name)    (1u << VMX_PROC2_BIT_##name)
#define VMX_EXITCTL(name)  (1u << VMX_EXITCTL_BIT_##name)
#define VMX_ENTRYCTL(name) (1u << VMX_ENTRYCTL_BIT_##name)

#endif
