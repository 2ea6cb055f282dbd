/*
 * The ACPI PM block model (vio/acpi_pm.c) with the ports the guest's FADT
 * names: power-off only for SLP_EN with the \_S5 type, PM1_STS write-one-
 * to-clear, a 32-bit timer read as one sample, the reset value.
 */
#include <acpi_pm.h>
#include <guest_acpi.h>

#include "unit.h"

static unsigned int poweroffs, resets, timer_reads;
static uint32_t timer_now;

static uint32_t fake_timer(void *ctx)
{
	timer_reads++;
	return timer_now;
}

static void fake_poweroff(void *ctx)
{
	poweroffs++;
}

static void fake_reset(void *ctx)
{
	resets++;
}

static void setup(struct acpi_pm *pm)
{
	*pm = (struct acpi_pm){.evt_port = GUEST_ACPI_PM1A_EVT,
	                       .cnt_port = GUEST_ACPI_PM1A_CNT,
	                       .tmr_port = GUEST_ACPI_PM_TMR,
	                       .reset_port = GUEST_ACPI_RESET_PORT,
	                       .reset_value = GUEST_ACPI_RESET_VALUE,
	                       .s5_slp_typ = GUEST_ACPI_S5_SLP_TYP,
	                       .timer = fake_timer,
	                       .poweroff = fake_poweroff,
	                       .reset = fake_reset};
	acpi_pm_init(pm);
	poweroffs = resets = timer_reads = 0;
}

TEST(poweroff_only_for_s5_with_slp_en)
{
	struct acpi_pm pm;
	uint32_t s5 = GUEST_ACPI_S5_SLP_TYP << 10;

	setup(&pm);
	CHECK(acpi_pm_read(&pm, GUEST_ACPI_PM1A_CNT, 2) & ACPI_PM1_CNT_SCI_EN);
	acpi_pm_write(&pm, GUEST_ACPI_PM1A_CNT, 2, s5); /* type without SLP_EN: nothing */
	CHECK_EQ(poweroffs, 0);
	acpi_pm_write(&pm, GUEST_ACPI_PM1A_CNT, 2, (3u << 10) | ACPI_PM1_CNT_SLP_EN); /* S3 */
	CHECK_EQ(poweroffs, 0);
	CHECK(unit_log_contains("sleep type 3 requested"));
	CHECK_EQ(acpi_pm_read(&pm, GUEST_ACPI_PM1A_CNT, 2) & ACPI_PM1_CNT_SLP_EN, 0);
	acpi_pm_write(&pm, GUEST_ACPI_PM1A_CNT, 2, s5 | ACPI_PM1_CNT_SLP_EN);
	CHECK_EQ(poweroffs, 1);
}

TEST(poweroff_by_byte_writes)
{
	struct acpi_pm pm;
	uint32_t v = (GUEST_ACPI_S5_SLP_TYP << 10) | ACPI_PM1_CNT_SLP_EN;

	setup(&pm);
	acpi_pm_write(&pm, GUEST_ACPI_PM1A_CNT + 1, 1, v >> 8);
	CHECK_EQ(poweroffs, 1);
}

TEST(status_is_write_one_to_clear)
{
	struct acpi_pm pm;

	setup(&pm);
	pm.sts = ACPI_PM1_STS_TMR | ACPI_PM1_STS_PWRBTN;
	acpi_pm_write(&pm, GUEST_ACPI_PM1A_EVT, 2, ACPI_PM1_STS_TMR);
	CHECK_EQ(acpi_pm_read(&pm, GUEST_ACPI_PM1A_EVT, 2), ACPI_PM1_STS_PWRBTN);
	acpi_pm_write(&pm, GUEST_ACPI_PM1A_EVT + 2, 2, 0x0120); /* PM1_EN is plain */
	CHECK_EQ(acpi_pm_read(&pm, GUEST_ACPI_PM1A_EVT + 2, 2), 0x0120);
	CHECK_EQ(acpi_pm_read(&pm, GUEST_ACPI_PM1A_EVT, 4), 0x01200000u | ACPI_PM1_STS_PWRBTN);
}

TEST(timer_is_one_sample_and_read_only)
{
	struct acpi_pm pm;

	setup(&pm);
	timer_now = 0xdeadbeef;
	CHECK_EQ(acpi_pm_read(&pm, GUEST_ACPI_PM_TMR, 4), 0xdeadbeef);
	CHECK_EQ(timer_reads, 1);
	CHECK_EQ(acpi_pm_read(&pm, GUEST_ACPI_PM_TMR + 2, 2), 0xdead);
	acpi_pm_write(&pm, GUEST_ACPI_PM_TMR, 4, 0);
	CHECK_EQ(acpi_pm_read(&pm, GUEST_ACPI_PM_TMR, 4), 0xdeadbeef);
}

TEST(reset_only_with_the_reset_value)
{
	struct acpi_pm pm;

	setup(&pm);
	acpi_pm_write(&pm, GUEST_ACPI_RESET_PORT, 1, 0x02);
	CHECK_EQ(resets, 0);
	acpi_pm_write(&pm, GUEST_ACPI_RESET_PORT, 1, GUEST_ACPI_RESET_VALUE);
	CHECK_EQ(resets, 1);
	CHECK(acpi_pm_claims(&pm, GUEST_ACPI_RESET_PORT));
	CHECK(!acpi_pm_claims(&pm, 0x3f8));
	CHECK_EQ(acpi_pm_read(&pm, 0x3f8, 1), 0xff);
}
