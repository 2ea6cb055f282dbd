/* Credit scheduler: refusing bad parameters and guest configurations, with a reason. */
#include <errcode.h>

#include "test_sched_fixture.h"

static struct sched_dom_cfg good(void)
{
	return (struct sched_dom_cfg){.weight = 256, .cap = 0, .vcpus = 2, .hard = 0xf, .soft = 0};
}

TEST(good_config_accepted)
{
	struct sched_dom_cfg c = good();
	const char *why = "untouched";

	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), 0);
	CHECK_STR(why, "untouched");
	c.cap = 200; /* 100 x vcpus: both vCPUs' whole pCPUs */
	c.weight = 65535;
	c.soft = 0x1;
	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), 0);
	c.hard = UINT64_C(1) << 63;
	CHECK_EQ(sched_dom_cfg_check(&c, 64, &why), 0);
	CHECK_EQ(sched_dom_cfg_check(&c, 4, NULL), -ERR_RANGE); /* why may be NULL */
}

TEST(weight_zero_refused)
{
	struct sched_dom_cfg c = good();
	const char *why = NULL;

	c.weight = 0;
	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), -ERR_INVAL);
	CHECK(why && strstr(why, "weight"));
	c.weight = 65536;
	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), -ERR_RANGE);
	CHECK(why && strstr(why, "weight"));
}

TEST(cap_above_vcpus_refused)
{
	struct sched_dom_cfg c = good();
	const char *why = NULL;

	c.cap = 201;
	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), -ERR_RANGE);
	CHECK(why && strstr(why, "cap"));
}

TEST(pinning_to_absent_pcpu_refused)
{
	struct sched_dom_cfg c = good();
	const char *why = NULL;

	c.hard = 0x10; /* pCPU 4 of 4 */
	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), -ERR_RANGE);
	CHECK(why && strstr(why, "pcpus") && strstr(why, "not present"));
	c.hard = 0;
	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), -ERR_INVAL);
	CHECK(why && strstr(why, "pcpus"));
	c.hard = 1;
	c.soft = 0x100;
	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), -ERR_RANGE);
	CHECK(why && strstr(why, "soft"));
	c.soft = 0;
	CHECK_EQ(sched_dom_cfg_check(&c, 65, &why), -ERR_RANGE);
	CHECK(why && strstr(why, "64"));
}

TEST(vcpus_zero_refused)
{
	struct sched_dom_cfg c = good();
	const char *why = NULL;

	c.vcpus = 0;
	CHECK_EQ(sched_dom_cfg_check(&c, 4, &why), -ERR_INVAL);
	CHECK(why && strstr(why, "vcpus"));
}

TEST(params_ranges)
{
	struct sched_params p = SCHED_PARAMS_DEFAULT;
	const char *why = NULL;

	CHECK_EQ(sched_params_check(&p, &why), 0);
	p.tslice_ns = SCHED_US(999);
	CHECK_EQ(sched_params_check(&p, &why), -ERR_RANGE);
	CHECK(why && strstr(why, "tslice"));
	p.tslice_ns = SCHED_MS(1001);
	CHECK(sched_params_check(&p, &why) < 0);
	p.tslice_ns = SCHED_MS(1);
	CHECK_EQ(sched_params_check(&p, &why), 0); /* ratelimit 1 ms = slice: allowed */
	p.ratelimit_ns = SCHED_MS(2);
	CHECK(sched_params_check(&p, &why) < 0);
	CHECK(why && strstr(why, "ratelimit"));
	p.tslice_ns = SCHED_MS(30);
	p.ratelimit_ns = SCHED_US(99);
	CHECK(sched_params_check(&p, &why) < 0);
	p.ratelimit_ns = 0;
	CHECK_EQ(sched_params_check(&p, &why), 0);
	p.migrate_delay_ns = SCHED_MS(101);
	CHECK(sched_params_check(&p, &why) < 0);
	CHECK(why && strstr(why, "migrate"));
}

TEST(init_refuses_bad_sizes_and_params)
{
	struct sched_params p = SCHED_PARAMS_DEFAULT;

	CHECK_EQ(sched_init(&fx.s, 0, NULL, &fx_ops, NULL), -ERR_RANGE);
	CHECK_EQ(sched_init(&fx.s, 65, NULL, &fx_ops, NULL), -ERR_RANGE);
	CHECK(unit_log_contains("sched: 65 pCPUs"));
	p.tslice_ns = 0;
	CHECK_EQ(sched_init(&fx.s, 4, &p, &fx_ops, NULL), -ERR_RANGE);
	CHECK(unit_log_contains("sched_tslice"));
	CHECK_EQ(sched_init(&fx.s, 64, NULL, &fx_ops, NULL), 0);
	CHECK_EQ(fx.s.online, ~UINT64_C(0));
}

TEST(add_refuses_bad_placement)
{
	fx_init(4, NULL);
	CHECK_EQ(sched_vcpu_add(&fx.s, &fx.v[0], &fx.d[0], 0, 0x2, 0, 0),
	         -ERR_RANGE); /* 0 not in hard */
	CHECK_EQ(sched_vcpu_add(&fx.s, &fx.v[0], &fx.d[0], 0, 0x1f, 0, 0), -ERR_RANGE); /* pCPU 4 */
	CHECK_EQ(sched_vcpu_add(&fx.s, &fx.v[0], &fx.d[0], 0, 0x1, 0x10, 0), -ERR_RANGE);
	CHECK_EQ(sched_vcpu_add(&fx.s, &fx.v[0], &fx.d[0], 0, 0x10, 0, 4), -ERR_RANGE);
	CHECK_EQ(fx.d[0].nvcpus, 0);
	CHECK_EQ(sched_dom_init(&fx.s, &fx.d[1], 1, 0, 0), -ERR_INVAL);
	CHECK_EQ(sched_dom_init(&fx.s, &fx.d[1], 1, 70000, 0), -ERR_INVAL);
}

static void remove_running(void)
{
	fx_init(1, NULL);
	sched_vcpu_wake(&fx.s, fx_add(0, 0, 1, 0, 0), 0);
	fx_pick(0);
	sched_vcpu_remove(&fx.s, &fx.v[0]);
}

TEST(remove)
{
	struct sched_vcpu *a, *b;

	fx_init(1, NULL);
	a = fx_add(0, 0, 1, 0, 0);
	b = fx_add(1, 0, 1, 0, 0);
	sched_vcpu_wake(&fx.s, a, 0);
	sched_vcpu_wake(&fx.s, b, 0);
	fx_run(SCHED_MS(50)); /* both active in accounting */
	CHECK_EQ(fx.s.weight, 512);
	REQUIRE(sched_curr(&fx.s, 0) == b);
	sched_vcpu_remove(&fx.s, a); /* queued */
	CHECK_EQ(sched_nqueued(&fx.s, 0), 0);
	CHECK_EQ(fx.s.weight, 256);
	CHECK_EQ(fx.d[0].nvcpus, 1);
	sched_vcpu_block(&fx.s, b, fx.now);
	fx_pick(0);
	sched_vcpu_remove(&fx.s, b); /* blocked */
	CHECK_EQ(fx.s.weight, 0);
	CHECK_EQ(fx.d[0].nvcpus, 0);
	CHECK(unit_panics(remove_running, "assertion failed"));
}
