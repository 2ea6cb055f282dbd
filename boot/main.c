/* boot_main: the BSP's path from long mode to a running hypervisor. */
#include <arch.h>
#include <log.h>
#include <testcase.h>
#include <x86/serial.h>

void boot_main(uint32_t magic, uint32_t info);

void boot_main(uint32_t magic, uint32_t info)
{
	serial_init();
	log_info("booting (magic %#x, info %#x)", magic, info);
	if (testcases_linked())
		tests_run_all();
	arch_halt();
}
