/*
 * The VMX instructions (SDM Vol. 3C 30: VMXON, VMXOFF, VMCLEAR, VMPTRLD,
 * VMPTRST, INVEPT, INVVPID) as inline functions that return true on
 * success. VMLAUNCH/VMRESUME live in vmx_entry.S.
 *
 * Every VMX instruction reports failure in RFLAGS (30.2): CF = VMfailInvalid
 * (no current VMCS, or VMX not on), ZF = VMfailValid (the reason is in the
 * VM-instruction error field of the current VMCS). A failure here, and a
 * failed VMREAD/VMWRITE through vmcs_fields.h, is recorded in this CPU's
 * failure record and the first one since the last vmx_fail_take() is logged
 * (vmx_insn.c). The resume path should call vmx_fail_take() before each VM
 * entry: a VMCS that a VMWRITE silently missed is the classic cause of an
 * "invalid control field" entry failure.
 */
#ifndef X86_VMX_INSN_H
#define X86_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>
#include <compiler.h>

enum vmx_op {
	VMX_OP_VMXON,
	VMX_OP_VMXOFF,
	VMX_OP_VMCLEAR,
	VMX_OP_VMPTRLD,
	VMX_OP_VMPTRST,
	VMX_OP_VMREAD,
	VMX_OP_VMWRITE,
	VMX_OP_INVEPT,
	VMX_OP_INVVPID,
	VMX_OP_COUNT
};

/* How a VMX instruction ended, from CF and ZF (30.2). */
enum vmx_status {
	VMX_SUCCEED = 0,
	VMX_FAIL_INVALID = 1, /* CF: no current VMCS / not in VMX operation */
	VMX_FAIL_VALID = 2,   /* ZF: see the VM-instruction error field */
};

static inline enum vmx_status vmx_status_of(bool cf, bool zf)
{
	return cf ? VMX_FAIL_INVALID : zf ? VMX_FAIL_VALID : VMX_SUCCEED;
}

/* A CPU's first VMX instruction failure since the last take. */
struct vmx_fail {
	enum vmx_op op;
	bool valid;          /* VMfailValid (ZF); otherwise VMfailInvalid (CF) */
	uint32_t insn_error; /* VM-instruction error number (vmx_exit_reasons.h), 0 if !valid */
	uint64_t arg;        /* the field (VMREAD/VMWRITE), address, or INVEPT/INVVPID type */
	uint64_t value;      /* the value VMWRITE tried to write */
	uint32_t count;      /* failures since the last take, this one included */
};

/*
 * Records a failure st of op on this CPU (with the VM-instruction error when
 * st is VMX_FAIL_VALID); logs the first one since the last take. The
 * wrappers call it; callers need not.
 */
void vmx_fail_record(enum vmx_op op, enum vmx_status st, uint64_t arg, uint64_t value);
/* Copies this CPU's record into out (may be NULL), clears it, and returns whether there was one. */
bool vmx_fail_take(struct vmx_fail *out);
/* "VMXON", "VMWRITE", ... */
const char *vmx_op_name(enum vmx_op op);

/* Runs insn, records a failure from CF/ZF, and is true on success. */
#define VMX_INSN(op, insn, arg, ...)                                                               \
	({                                                                                         \
		bool cf_, zf_;                                                                     \
		__asm__ __volatile__(insn : "=@ccc"(cf_), "=@ccz"(zf_) : __VA_ARGS__ : "memory");  \
		if (unlikely(cf_ || zf_))                                                          \
			vmx_fail_record(op, vmx_status_of(cf_, zf_), arg, 0);                      \
		!(cf_ || zf_);                                                                     \
	})

/* pa: the 4-KiB VMXON region, its first word the VMCS revision (24.11.5). */
static inline bool vmxon(uint64_t pa)
{
	return VMX_INSN(VMX_OP_VMXON, "vmxon %[pa]", pa, [pa] "m"(pa));
}

static inline bool vmxoff(void)
{
	bool cf, zf;

	__asm__ __volatile__("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	if (unlikely(cf || zf))
		vmx_fail_record(VMX_OP_VMXOFF, vmx_status_of(cf, zf), 0, 0);
	return !(cf || zf);
}

/* Flushes the VMCS at pa to memory and makes it clear (not current, not launched). */
static inline bool vmclear(uint64_t pa)
{
	return VMX_INSN(VMX_OP_VMCLEAR, "vmclear %[pa]", pa, [pa] "m"(pa));
}

/* Makes the VMCS at pa current (and active) on this CPU. */
static inline bool vmptrld(uint64_t pa)
{
	return VMX_INSN(VMX_OP_VMPTRLD, "vmptrld %[pa]", pa, [pa] "m"(pa));
}

/* The current-VMCS pointer, ~0 when there is none. */
static inline uint64_t vmptrst(void)
{
	uint64_t pa = ~UINT64_C(0);

	__asm__ __volatile__("vmptrst %0" : "=m"(pa) : : "memory");
	return pa;
}

/* INVEPT types (30.3 "INVEPT"). */
enum invept_type {
	INVEPT_SINGLE = 1, /* mappings tagged with one EPTP */
	INVEPT_ALL = 2,
};

/* INVVPID types (30.3 "INVVPID"). */
enum invvpid_type {
	INVVPID_ADDR = 0,            /* one linear address of one VPID */
	INVVPID_SINGLE = 1,          /* one VPID */
	INVVPID_ALL = 2,             /* every VPID but 0 */
	INVVPID_SINGLE_NONGLOBAL = 3 /* one VPID, keeping global translations */
};

static inline bool invept(enum invept_type type, uint64_t eptp)
{
	struct {
		uint64_t eptp, reserved;
	} desc = {eptp, 0};
	uint64_t t = type;

	return VMX_INSN(VMX_OP_INVEPT, "invept %[d], %[t]", t, [d] "m"(desc), [t] "r"(t));
}

static inline bool invept_single(uint64_t eptp)
{
	return invept(INVEPT_SINGLE, eptp);
}

static inline bool invept_all(void)
{
	return invept(INVEPT_ALL, 0);
}

/* gla is used by INVVPID_ADDR only; vpid 0 (the host's) is invalid for types 0, 1 and 3. */
static inline bool invvpid(enum invvpid_type type, uint16_t vpid, uint64_t gla)
{
	struct {
		uint64_t vpid, gla; /* VPID in bits 15:0; bits 63:16 reserved */
	} desc = {vpid, gla};
	uint64_t t = type;

	return VMX_INSN(VMX_OP_INVVPID, "invvpid %[d], %[t]", t, [d] "m"(desc), [t] "r"(t));
}

#endif
