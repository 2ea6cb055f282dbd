# Pure sources each host unit test links, by test name (tests/unit/test_NAME.c).
unit_format_SRCS := lib/format.c lib/errcode.c
unit_frame_SRCS := lib/frame.c
unit_bootinfo_SRCS := boot/bootinfo.c boot/bootinfo_mb1.c boot/bootinfo_mb2.c lib/format.c
unit_kalloc_SRCS := lib/kalloc.c
unit_cmdline_SRCS := lib/cmdline.c lib/modcmd.c lib/format.c
unit_vmx_caps_SRCS := arch/x86/vmx_caps.c lib/format.c
unit_acpi_SRCS := arch/x86/acpi.c arch/x86/acpi_madt.c arch/x86/acpi_fadt.c arch/x86/acpi_mcfg.c arch/x86/acpi_hpet.c arch/x86/acpi_dmar.c arch/x86/acpi_print.c lib/format.c
unit_ept_SRCS := arch/x86/ept.c
unit_vpid_SRCS := lib/vpid.c
unit_gmem_SRCS := guest/gmem.c arch/x86/ept.c
unit_insn_decode_SRCS := arch/x86/insn_decode.c arch/x86/mmio_emul.c
unit_vmcs_check_SRCS := arch/x86/vmcs_check.c arch/x86/vmcs_check_ctls.c arch/x86/vmcs_check_host.c arch/x86/vmcs_check_guest.c arch/x86/vmcs_check_seg.c arch/x86/vmcs_check_state.c arch/x86/vmcs_names.c arch/x86/vmx_exit_reasons.c arch/x86/vmx_caps.c lib/format.c
unit_guest_config_SRCS := guest/guest_config.c lib/modcmd.c lib/cmdline.c lib/errcode.c lib/format.c lib/strcopy.c
unit_uart16550_SRCS := vio/uart16550.c
unit_guest_acpi_SRCS := guest/acpi_build.c guest/aml.c arch/x86/acpi.c arch/x86/acpi_madt.c arch/x86/acpi_fadt.c arch/x86/acpi_mcfg.c arch/x86/acpi_hpet.c arch/x86/acpi_dmar.c lib/format.c
unit_bzimage_SRCS := guest/bzimage.c
