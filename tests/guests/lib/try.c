/* The C half of guest_try (try.h, try64.S). */
#include "guest.h"

/* Shared with try64.S. */
uint64_t guest_try_rsp;
int32_t guest_try_active, guest_try_vector;
extern char guest_try_recover[];

static uint64_t try_error, try_rip;

bool try_fixup(struct guest_frame *f)
{
	/* #DF and #MC are aborts: the interrupted state cannot be trusted (SDM Vol. 3A 6.15). */
	if (!guest_try_active || f->vector >= 32 || f->vector == X86_DF || f->vector == X86_MC)
		return false;
	guest_try_vector = (int32_t)f->vector;
	try_error = f->error;
	try_rip = f->rip;
	/* fn may have changed SS (MOV SS, LSS) or set TF/DF/AC: return on clean ground. */
	f->rip = (uint64_t)guest_try_recover;
	f->cs = GUEST_SEL_CODE64;
	f->rflags = 0x2; /* bit 1 is always set; guest_try's POPFQ restores the caller's */
	f->rsp = guest_try_rsp;
	f->ss = GUEST_SEL_DATA;
	return true;
}

uint64_t guest_try_error(void)
{
	return try_error;
}

uint64_t guest_try_rip(void)
{
	return try_rip;
}

struct msr_op {
	uint32_t msr;
	uint64_t val;
};

static void do_rdmsr(void *arg)
{
	struct msr_op *op = arg;

	op->val = rdmsr(op->msr);
}

static void do_wrmsr(void *arg)
{
	struct msr_op *op = arg;

	wrmsr(op->msr, op->val);
}

int guest_try_rdmsr(uint32_t msr, uint64_t *val)
{
	struct msr_op op = {.msr = msr};
	int v = guest_try(do_rdmsr, &op);

	*val = v < 0 ? op.val : 0;
	return v;
}

int guest_try_wrmsr(uint32_t msr, uint64_t val)
{
	struct msr_op op = {.msr = msr, .val = val};

	return guest_try(do_wrmsr, &op);
}
