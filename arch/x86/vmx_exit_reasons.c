/* Name tables for x86/vmx_exit_reasons.h. Pure: host unit tests link it. */
#include <x86/vmx_exit_reasons.h>

static const char *const exit_names[VMX_EXIT_REASON_MAX] = {
#define X(name, nr, str) [nr] = str,
    VMX_EXIT_REASONS(X)
#undef X
};

static const char *const insn_error_names[] = {
#define X(name, nr, str) [nr] = str,
    VMX_INSN_ERRORS(X)
#undef X
};

const char *vmx_exit_reason_name(uint32_t basic_reason)
{
	return basic_reason < VMX_EXIT_REASON_MAX ? exit_names[basic_reason] : NULL;
}

const char *vmx_insn_error_name(uint32_t err)
{
	return err < ARRAY_SIZE(insn_error_names) ? insn_error_names[err] : NULL;
}
