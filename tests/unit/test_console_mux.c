/* Guest console multiplexing: prefixed lines, focus, the escape key. */
#include <console_mux.h>
#include <errcode.h>
#include "unit.h"

static char out[4096];
static size_t out_len;

static void print(const char *s, size_t n)
{
	if (out_len + n < sizeof(out)) {
		memcpy(out + out_len, s, n);
		out_len += n;
		out[out_len] = '\0';
	}
}

struct fake_guest {
	struct console_sink sink;
	char got[64];
	unsigned int n;
};

static void input(void *ctx, uint8_t b)
{
	struct fake_guest *g = ctx;

	if (g->n < sizeof(g->got) - 1)
		g->got[g->n++] = (char)b;
}

static struct console_mux mux;
static struct fake_guest ga, gb, gc;

static void setup(void)
{
	out_len = 0;
	out[0] = '\0';
	console_mux_init(&mux, print);
	ga = (struct fake_guest){.sink = {.name = "a", .input = input, .ctx = &ga}};
	gb = (struct fake_guest){.sink = {.name = "bee", .input = input, .ctx = &gb}};
	gc = (struct fake_guest){.sink = {.name = "c", .input = input, .ctx = &gc}};
	CHECK_EQ(console_mux_add(&mux, &ga.sink), 0);
	CHECK_EQ(console_mux_add(&mux, &gb.sink), 0);
}

static void type(const char *s)
{
	while (*s)
		console_mux_in(&mux, (uint8_t)*s++);
}

static void emit(struct fake_guest *g, const char *s)
{
	while (*s)
		console_mux_out(&mux, &g->sink, (uint8_t)*s++);
}

TEST(output_is_prefixed_per_line)
{
	setup();
	emit(&ga, "hel");
	emit(&gb, "world\r\n");
	emit(&ga, "lo\n");
	CHECK_STR(out, "bee| world\na| hello\n");
}

static char seen_line[64];

static void on_line(void *ctx, const char *text, size_t n)
{
	snprintf(seen_line, sizeof(seen_line), "%.*s", (int)n, text);
}

TEST(line_hook_sees_each_complete_line)
{
	setup();
	ga.sink.on_line = on_line;
	emit(&ga, "TANDEM-MARK 2\r");
	CHECK_STR(seen_line, "");
	emit(&ga, "\n");
	CHECK_STR(seen_line, "TANDEM-MARK 2");
	CHECK_STR(out, "a| TANDEM-MARK 2\n");
}

TEST(control_bytes_show_as_question_marks)
{
	setup();
	emit(&ga, "\x1b[0mok\tx\n");
	CHECK_STR(out, "a| ?[0mok\tx\n");
}

TEST(partial_line_printed_on_flush_only)
{
	setup();
	emit(&ga, "/ # ");
	CHECK_EQ(out_len, 0);
	console_mux_flush(&mux, &ga.sink);
	CHECK_STR(out, "a| / # \n");
	console_mux_flush(&mux, &ga.sink); /* nothing new: nothing printed */
	CHECK_STR(out, "a| / # \n");
}

TEST(partial_line_printed_after_idle_grace)
{
	setup();
	emit(&ga, "/ # ");
	console_mux_idle(&mux, &ga.sink, 1000);
	console_mux_idle(&mux, &ga.sink, 1000 + CONSOLE_IDLE_NS - 1);
	CHECK_EQ(out_len, 0);
	console_mux_idle(&mux, &ga.sink, 1000 + CONSOLE_IDLE_NS);
	CHECK_STR(out, "a| / # \n");
}

TEST(line_written_in_pieces_is_not_split_by_idle)
{
	setup();
	emit(&ga, "CPUTIME");
	console_mux_idle(&mux, &ga.sink, 0); /* another vCPU halts */
	emit(&ga, ": cpu1");
	console_mux_idle(&mux, &ga.sink, CONSOLE_IDLE_NS); /* grew since: the grace restarts */
	emit(&ga, " busy=940\n");
	CHECK_STR(out, "a| CPUTIME: cpu1 busy=940\n");
}

TEST(long_line_is_split)
{
	setup();
	for (int i = 0; i < CONSOLE_LINE_MAX + 5; i++)
		console_mux_out(&mux, &ga.sink, 'x');
	CHECK_EQ(out_len, 3 + CONSOLE_LINE_MAX + 1);
	console_mux_out(&mux, &ga.sink, '\n');
	CHECK(strstr(out, "a| xxxxx\n") != NULL);
}

TEST(input_goes_to_first_guest)
{
	setup();
	type("ls\r");
	CHECK_STR(ga.got, "ls\r");
	CHECK_EQ(gb.n, 0);
}

TEST(escape_digit_moves_focus)
{
	setup();
	type("\x14"
	     "1pwd");
	CHECK_STR(gb.got, "pwd");
	CHECK_EQ(ga.n, 0);
	CHECK(strstr(out, "input goes to bee") != NULL);
	type("\x14"
	     "0x");
	CHECK_STR(ga.got, "x");
}

TEST(escape_next_wraps)
{
	setup();
	type("\x14n1\x14n2");
	CHECK_STR(gb.got, "1");
	CHECK_STR(ga.got, "2");
}

TEST(double_escape_sends_one)
{
	setup();
	type("\x14\x14z");
	CHECK_EQ(ga.n, 2);
	CHECK_EQ((uint8_t)ga.got[0], 0x14);
	CHECK_EQ(ga.got[1], 'z');
}

TEST(bad_guest_number_keeps_focus)
{
	setup();
	type("\x14"
	     "7q");
	CHECK(strstr(out, "no such guest") != NULL);
	CHECK_STR(ga.got, "q");
}

TEST(help_lists_guests_with_focus_mark)
{
	setup();
	type("\x14?");
	CHECK(strstr(out, "* 0 a") != NULL);
	CHECK(strstr(out, "  1 bee") != NULL);
	CHECK_EQ(ga.n, 0);
}

TEST(remove_keeps_focus_on_same_guest)
{
	setup();
	CHECK_EQ(console_mux_add(&mux, &gc.sink), 0);
	type("\x14"
	     "2");
	console_mux_remove(&mux, &ga.sink);
	type("k");
	CHECK_STR(gc.got, "k");
	console_mux_remove(&mux, &gc.sink);
	type("m");
	CHECK_STR(gb.got, "m");
	console_mux_remove(&mux, &gb.sink);
	type("z");
	CHECK_EQ(mux.dropped, 1);
	CHECK_EQ(mux.focus, -1);
}

TEST(table_full_is_refused)
{
	static struct console_sink many[CONSOLE_MUX_MAX];

	console_mux_init(&mux, print);
	for (int i = 0; i < CONSOLE_MUX_MAX; i++) {
		many[i].name = "g";
		CHECK_EQ(console_mux_add(&mux, &many[i]), 0);
	}
	CHECK_EQ(console_mux_add(&mux, &ga.sink), -ERR_RANGE);
}

TEST(no_guests_drops_input)
{
	console_mux_init(&mux, print);
	type("abc");
	CHECK_EQ(mux.dropped, 3);
}
