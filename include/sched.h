/*
 * The credit scheduler: Xen's credit1 policy (xen/common/sched/credit.c) as
 * pure code. Time is an argument (`now`, nanoseconds, any epoch); hardware
 * effects leave through struct sched_ops. No allocation: the caller owns
 * and embeds every structure below. docs/sched.md has the design, the
 * deviations from Xen and how to drive the simulator.
 *
 * Locking: none inside. The caller serialises every call on one struct
 * sched (the hypervisor holds one scheduler lock around each call); Xen has
 * a lock per run queue plus a private lock instead. Calls may come from any
 * pCPU; `now` may lag a previous call's by a little (clocks read before the
 * lock was taken): negative intervals count as zero.
 *
 * Lifetimes: struct sched lives as long as the scheduler; a struct
 * sched_dom from sched_dom_init() until its last vCPU is removed; a struct
 * sched_vcpu from sched_vcpu_add() to sched_vcpu_remove().
 *
 * Per pCPU the caller does three things:
 *  - when ops->kick(pcpu) was called (a local "reschedule" work bit, or an
 *    IPI to a remote pCPU), call sched_pick() on that pCPU before it runs
 *    guest code again, and run what it returns;
 *  - program a one-shot timer for the decision's deadline, and when it
 *    fires call sched_tick(), which returns the next deadline;
 *  - report the running vCPU's block (HLT), yield (PAUSE-loop exit) and
 *    every wake (interrupt injected into a blocked vCPU).
 *
 * Limits: at most SCHED_MAX_PCPUS (64) pCPUs, because affinities are
 * uint64_t bitmaps; any number of vCPUs (each costs one struct sched_vcpu).
 */
#ifndef TANDEM_SCHED_H
#define TANDEM_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#define SCHED_MAX_PCPUS      64
#define SCHED_WEIGHT_MAX     65535 /* Xen's weights are uint16_t */
#define SCHED_DEFAULT_WEIGHT 256
#define SCHED_NEVER          UINT64_MAX

#define SCHED_US(x) ((uint64_t)(x)*1000u)
#define SCHED_MS(x) ((uint64_t)(x)*1000000u)

/* Xen's defaults: 30 ms slice (and accounting period), 1 ms ratelimit, no migration delay. */
#define SCHED_PARAMS_DEFAULT                                                                       \
	{                                                                                          \
		.tslice_ns = SCHED_MS(30), .ratelimit_ns = SCHED_US(1000), .migrate_delay_ns = 0,  \
	}

/* Higher is better, as in Xen. A vCPU's priority is never IDLE: that is "no vCPU". */
enum sched_pri {
	SCHED_PRI_IDLE = 0,
	SCHED_PRI_OVER,  /* has overspent its credit */
	SCHED_PRI_UNDER, /* has credit left */
	SCHED_PRI_BOOST, /* woke from blocking with credit left; until its next tick */
	SCHED_NPRI,
};

/* What a vCPU is doing, for run-state queries (hBalance, IRS, steal time). */
enum sched_vstate {
	SCHED_BLOCKED,  /* waiting for a wake (HLT, or newly added) */
	SCHED_RUNNABLE, /* on a run queue */
	SCHED_RUNNING,  /* the current vCPU of its pCPU */
	SCHED_PARKED,   /* runnable but its domain hit its cap; back at a later accounting */
};

struct sched_params {
	/*
	 * Time slice, 1 ms .. 1 s. Also the accounting period (credits are
	 * handed out every slice) and the tick: a third of it (a whole slice
	 * under 3 ms), so 10 ms by default. As in Xen.
	 */
	uint64_t tslice_ns;
	/*
	 * 0 (off), or 100 us .. min(500 ms, tslice). A running vCPU that has
	 * run less than this since it was switched in keeps its pCPU at
	 * sched_pick(), whoever is waiting, BOOST included; only its own
	 * block or yield (or park) ends its turn early. As in Xen.
	 */
	uint64_t ratelimit_ns;
	/* 0 .. 100 ms: a vCPU descheduled less than this ago is not stolen (cache-hot). */
	uint64_t migrate_delay_ns;
};

struct sched_trace;
struct sched_trace_rec;

struct sched_ops {
	/*
	 * Asks pcpu to call sched_pick() soon: an IPI for a remote pCPU, the
	 * local reschedule work bit for the calling one. Called with the
	 * caller's serialisation held; must not call back into the scheduler.
	 */
	void (*kick)(void *ctx, unsigned int pcpu);
	/* Optional: every trace event as it happens (whether or not a ring is attached). */
	void (*trace)(void *ctx, const struct sched_trace_rec *r);
};

/* An intrusive list link; NULL next means "on no list". */
struct sched_link {
	struct sched_link *next, *prev;
};

/* A domain (guest). Public fields are read-only outside sched/. */
struct sched_dom {
	uint16_t id;
	uint16_t weight; /* 1 .. SCHED_WEIGHT_MAX: share of the machine against other domains */
	uint32_t cap;    /* percent of one pCPU the whole domain may use; 0 = no cap */

	/* Private to sched/. */
	struct sched_link active_link;  /* on sched.active_doms while it has active vCPUs */
	struct sched_link active_vcpus; /* its active vCPUs (sched_vcpu.active_link) */
	unsigned int nactive;
	unsigned int nvcpus;
};

/* A vCPU. Public fields are read-only outside sched/. */
struct sched_vcpu {
	struct sched_dom *dom;
	uint16_t id;   /* within its domain; for traces */
	uint64_t hard; /* pCPUs it may run on */
	uint64_t soft; /* pCPUs it prefers (tried first), within hard */

	/* Private to sched/: use the accessors below. */
	struct sched_link q;           /* on a run queue (runq[pri] of pcpu) */
	struct sched_link active_link; /* in accounting: dom->active_vcpus */
	int64_t credit;                /* ns of pCPU time it may still use */
	uint64_t burnt_to;             /* credit debited up to this time (while running) */
	uint64_t run_start;            /* switched in at (ratelimit) */
	uint64_t last_desched;         /* last left its pCPU (migration delay) */
	uint16_t pcpu;                 /* the pCPU it runs or queues on, or last ran on */
	uint8_t pri;                   /* enum sched_pri */
	uint8_t flags;                 /* SCHED_VF_* in sched/credit_priv.h */
};

/* One pCPU's scheduling state. Private to sched/. */
struct sched_pcpu {
	struct sched_link runq[SCHED_NPRI]; /* FIFO per priority; [SCHED_PRI_IDLE] unused */
	struct sched_vcpu *curr;            /* NULL: idle */
	unsigned int nqueued;
	unsigned int nq_pinned; /* queued vCPUs whose hard affinity is this pCPU alone */
	unsigned int nq_soft;   /* queued vCPUs with a useful soft affinity */
	uint64_t slice_end;     /* sched_pick() is due then (SCHED_NEVER when idle) */
	uint64_t tick_due;      /* the next tick (SCHED_NEVER when idle: no tick, as in Xen) */
	bool released; /* sched_pcpu_release() until the next pick: busy, its queue stealable */
};

/* Counters since sched_init(), read-only outside sched/. */
struct sched_stats {
	uint64_t picks;      /* sched_pick() calls */
	uint64_t switches;   /* picks that changed the pCPU's vCPU */
	uint64_t migrations; /* vCPUs stolen by another pCPU */
	uint64_t kicks;      /* ops->kick() calls */
	uint64_t ratelimited;
	uint64_t parks, unparks;
	uint64_t acct_runs;
};

struct sched {
	/* Set by sched_init(), constant afterwards. */
	struct sched_params p;
	uint64_t tick_ns;
	const struct sched_ops *ops;
	void *ctx;
	unsigned int npcpus;
	uint64_t online; /* pCPUs 0 .. npcpus-1 */

	/* Private to sched/. */
	uint64_t idlers; /* pCPUs idle and not yet kicked */
	unsigned int steal_bias, tickle_bias;
	struct sched_link active_doms;
	uint64_t weight;        /* sum over active vCPUs of their domain's weight */
	int64_t credit_balance; /* sum of active credits after the last accounting */
	uint64_t acct_due;      /* next accounting (0: not started) */
	unsigned int nparked;   /* while non-zero, idle pCPUs keep the accounting timer */
	struct sched_trace *trace;
	struct sched_stats stats;
	struct sched_pcpu pcpu[SCHED_MAX_PCPUS];
};

/* What sched_pick() decided for one pCPU. */
struct sched_decision {
	struct sched_vcpu *next; /* run this; NULL: idle until kicked */
	/*
	 * Call sched_tick() on this pCPU at this time (absolute ns): the
	 * slice end, the next tick or accounting, whichever is first. When
	 * idle: SCHED_NEVER, or the next accounting while a vCPU is parked
	 * (only accounting can unpark it).
	 */
	uint64_t deadline;
	bool migrated; /* next was taken from another pCPU's queue */
};

/* Validation. Each returns 0, or a negative error code and *why naming the option. */

/* Checks scheduler parameters (ranges above). -ERR_RANGE. */
int sched_params_check(const struct sched_params *p, const char **why);

/*
 * A guest's scheduling configuration as guest_config.c will read it:
 * weight= (1 .. 65535), cap= (0 .. 100 x vcpus), vcpus=, pcpus= (hard
 * affinity: non-empty, present pCPUs only), soft affinity (present pCPUs
 * only; 0 = none). -ERR_INVAL for a zero weight or vCPU count, -ERR_RANGE
 * for a value too large or a pCPU that is not present.
 */
struct sched_dom_cfg {
	unsigned int weight;
	unsigned int cap;
	unsigned int vcpus;
	uint64_t hard;
	uint64_t soft;
};
int sched_dom_cfg_check(const struct sched_dom_cfg *c, unsigned int npcpus, const char **why);

/*
 * Initialises s for pCPUs 0 .. npcpus-1, all idle. p NULL means
 * SCHED_PARAMS_DEFAULT. ops->kick is required. Returns 0, -ERR_RANGE
 * (npcpus 0 or above 64) or the error of sched_params_check(), logged.
 */
int sched_init(struct sched *s, unsigned int npcpus, const struct sched_params *p,
               const struct sched_ops *ops, void *ctx);

/* Initialises d with no vCPUs. Returns 0, or -ERR_INVAL (weight out of 1 .. 65535). */
int sched_dom_init(struct sched *s, struct sched_dom *d, unsigned int id, unsigned int weight,
                   unsigned int cap);

/*
 * Changes a domain's weight and cap at any time (Xen's putinfo); takes
 * effect at the next accounting. Returns 0 or -ERR_INVAL, changing nothing.
 */
int sched_dom_set(struct sched *s, struct sched_dom *d, unsigned int weight, unsigned int cap);

/*
 * Adds v to d, BLOCKED on pcpu with no credit and priority UNDER; the
 * caller makes it runnable with sched_vcpu_wake() (boot vCPU at once, an AP at
 * its SIPI). hard must include pcpu, and soft matters only within hard.
 * Returns 0, or -ERR_RANGE (pcpu absent or not in hard, hard naming
 * absent pCPUs), changing nothing.
 */
int sched_vcpu_add(struct sched *s, struct sched_vcpu *v, struct sched_dom *d, unsigned int id,
                   uint64_t hard, uint64_t soft, unsigned int pcpu);

/*
 * Removes v. Precondition (asserted): v is not a pCPU's current vCPU;
 * block it and let sched_pick() run there first. v may be queued, blocked
 * or parked.
 */
void sched_vcpu_remove(struct sched *s, struct sched_vcpu *v);

/*
 * v becomes runnable (an interrupt for a blocked vCPU). A no-op unless v
 * is blocked. A vCPU with credit left (UNDER) is boosted, queued on its
 * last pCPU, and a pCPU is kicked to run it if one should (an idle one in
 * its affinity, soft first, or its own when v outranks what runs there):
 * Xen's __runq_tickle. A vCPU blocked while still current is simply
 * running again; a parked one waits for its unpark.
 */
void sched_vcpu_wake(struct sched *s, struct sched_vcpu *v, uint64_t now);

/*
 * v blocks. When v is running, its credit is debited to now and its pCPU
 * kicked: the next sched_pick() there runs someone else. A queued v
 * leaves its queue (a remote pause). A no-op if already blocked.
 */
void sched_vcpu_block(struct sched *s, struct sched_vcpu *v, uint64_t now);

/*
 * The running vCPU v yields: its pCPU is kicked, and the next
 * sched_pick() there ignores the ratelimit and runs anyone else of v's
 * priority or, failing that, one vCPU of the next lower priority before
 * v. A no-op unless v is running.
 */
void sched_vcpu_yield(struct sched *s, struct sched_vcpu *v, uint64_t now);

/*
 * The timer handler of pcpu (any time; early calls only re-check). When a
 * tick is due: the running vCPU loses BOOST, is debited, and joins
 * accounting if it was idle in it; accounting runs when due (from
 * whichever pCPU ticks first); when the slice is over, or the running vCPU
 * was parked, pcpu is kicked. Returns when to call it next (as
 * sched_decision.deadline).
 */
uint64_t sched_tick(struct sched *s, unsigned int pcpu, uint64_t now);

/*
 * Chooses what pcpu runs next: Xen's csched_schedule(). Debits the
 * current vCPU; keeps it if it is within its ratelimit; otherwise queues
 * it (if still runnable) and takes the best queued vCPU, stealing from
 * another pCPU when the best local one is OVER or there is none. The
 * decision's vCPU becomes pcpu's current vCPU.
 */
struct sched_decision sched_pick(struct sched *s, unsigned int pcpu, uint64_t now);

/*
 * pcpu stops running its current vCPU without taking another, because the
 * hypervisor needs it for a while (tearing a VM down, loading one): the
 * vCPU is debited, queued again if still runnable, and an idle pCPU of its
 * affinity is kicked to steal it. Meanwhile pcpu is no idler (wakes do not
 * count on it to steal work), its queue may be stolen from, and it has no
 * tick; its next sched_pick() ends the pause.
 */
void sched_pcpu_release(struct sched *s, unsigned int pcpu, uint64_t now);

/*
 * Xen's csched_acct(): hands out one slice of credit per pCPU across
 * active vCPUs by their domain's weight, applies caps (park/unpark),
 * recomputes priorities, retires vCPUs with more credit than a slice.
 * sched_tick() calls it when due; exported for tests and the simulator.
 */
void sched_account(struct sched *s, uint64_t now);

/* Read-only queries. */
enum sched_vstate sched_vcpu_state(const struct sched *s, const struct sched_vcpu *v);
enum sched_pri sched_vcpu_pri(const struct sched_vcpu *v);
int64_t sched_vcpu_credit(const struct sched_vcpu *v);
struct sched_vcpu *sched_curr(const struct sched *s, unsigned int pcpu);
unsigned int sched_nqueued(const struct sched *s, unsigned int pcpu);

/* Logs every pCPU's current vCPU and queue (the debug-key run-queue dump). */
void sched_dump(const struct sched *s);

#endif
