# Pure sources each host unit test links, by test name (tests/unit/test_NAME.c).
unit_format_SRCS := lib/format.c lib/errcode.c
