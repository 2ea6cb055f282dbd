/*
 * VMX operation on the host CPUs: VMXON/VMXOFF per CPU, and the capability
 * snapshot every VMCS is built from. A CPU that cannot enter VMX operation
 * says why, once, and runs no guests.
 */
#ifndef X86_VMX_H
#define X86_VMX_H

#include <stdbool.h>
#include <x86/vmx_caps.h>

/*
 * BSP, once: reads and checks the capabilities (one message per missing
 * required feature). Returns 0, or -ERR_NOTSUP when VMX is unusable here.
 */
int vmx_init_bsp(void);

/* Enters VMX root operation on the calling CPU (after vmx_init_bsp succeeded). */
int vmx_cpu_on(void);

/* Leaves VMX operation on the calling CPU; VMCSs it held are cleared first by their owners. */
void vmx_cpu_off(void);

/* True when vmx_init_bsp succeeded: VMX guests can run. */
bool vmx_usable(void);

/* The capabilities every CPU shares (the BSP's). */
const struct vmx_caps *vmx_caps(void);

#endif
