/* Per-vCPU exit accounting, printed as a table. */
#include <log.h>
#include <vm.h>
#include <x86/cpu.h>
#include <x86/tsc.h>
#include <x86/vcpu_sched.h>
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

void vcpu_stats_mark(struct vcpu *v, unsigned int mark)
{
	uint64_t now = rdtsc(), total = 0, ms;

	for (unsigned int r = 0; r < VMX_EXIT_REASON_MAX; r++)
		total += v->exits[r] - v->mark_exits[r];
	ms = v->mark_tsc ? tsc_to_ns(now - v->mark_tsc) / 1000000 : 0;
	log_info("%s: vCPU %u: mark %u: %lu exits in %lu ms since the last mark (%lu/s)",
	         v->vm->name, v->id, mark, total, ms, ms ? total * 1000 / ms : 0);
	if (v->scheduled) {
		uint64_t run, steal;

		vcpu_sched_times(v, &run, &steal);
		log_info("%s: vCPU %u: mark %u: ran %lu ms, steal %lu ms since the last mark",
		         v->vm->name, v->id, mark, (run - v->mark_run_ns) / 1000000,
		         (steal - v->mark_steal_ns) / 1000000);
		v->mark_run_ns = run;
		v->mark_steal_ns = steal;
	}
	for (unsigned int r = 0; r < VMX_EXIT_REASON_MAX; r++) {
		uint64_t n = v->exits[r] - v->mark_exits[r];

		if (n)
			log_info("%s:   mark %u: %-20s %8lu exits %8lu/s", v->vm->name, mark,
			         vmx_exit_reason_name(r), n, ms ? n * 1000 / ms : 0);
		v->mark_exits[r] = v->exits[r];
	}
	v->mark_tsc = now;
}
