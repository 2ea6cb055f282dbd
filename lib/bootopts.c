/*
 * The options linked into the hypervisor: BOOT_OPTION_* place each one in
 * ".bootopts", which linker.ld gathers between __bootopts_start and
 * __bootopts_end. Kernel only; host tests call cmdline_apply() with a table.
 */
#include <cmdline.h>

extern const struct boot_option __bootopts_start[], __bootopts_end[];

int cmdline_apply_boot(const char *cmdline)
{
	return cmdline_apply(cmdline_skip_image_path(cmdline), __bootopts_start,
	                     (size_t)(__bootopts_end - __bootopts_start));
}

void cmdline_print_boot_options(void)
{
	cmdline_print_options(__bootopts_start, (size_t)(__bootopts_end - __bootopts_start));
}
