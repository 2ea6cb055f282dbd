/* Per-vCPU exit accounting, printed as a table. */
#include <log.h>
#include <vm.h>
#include <x86/vmx_exit_reasons.h>
#include <x86/vmx_vm.h>

void vcpu_print_stats(const struct vcpu *v)
{
	uint64_t total = 0;

	for (unsigned int r = 0; r < VMX_EXIT_REASON_MAX; r++)
		total += v->exits[r];
	log_info("%s: vCPU %u: %lu entries, %lu exits (host cycles from exit to next entry):",
	         v->vm->name, v->id, v->entries, total);
	for (unsigned int r = 0; r < VMX_EXIT_REASON_MAX; r++) {
		if (!v->exits[r])
			continue;
		log_info("%s:   %-20s %8lu exits  %10lu cycles avg", v->vm->name,
		         vmx_exit_reason_name(r), v->exits[r], v->exit_cycles[r] / v->exits[r]);
	}
}
