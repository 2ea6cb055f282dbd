#!/bin/sh
# The tree follows .clang-format. Lists every file clang-format would change.
set -u
bad=0
for f in "$@"; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "check-format: $f is not clang-formatted (make format)"
		bad=1
	fi
done
exit $bad
