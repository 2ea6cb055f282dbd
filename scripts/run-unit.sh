#!/bin/sh
# Runs each host unit-test binary and appends its PASS/FAIL lines, prefixed
# with "unit/<binary>:", to $RESULTS (default build/results/unit.txt).
set -u
results=${RESULTS:-build/results/unit.txt}
mkdir -p "$(dirname "$results")"
: > "$results"
status=0
for t in "$@"; do
	name=$(basename "$t")
	if [ ! -x "$t" ]; then
		echo "FAIL unit/$name:build" >> "$results"
		echo "  [$name] did not build"
		status=1
		continue
	fi
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -n "s/^\(PASS\|FAIL\) \(.*\)/\1 unit\/$name:\2/p" >> "$results"
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^PASS ' | sed "s/^/  [$name] /"
		# A crash (sanitizer, abort) before the summary is a failure of its own.
		printf '%s\n' "$out" | grep -q 'passed, .* failed$' || echo "FAIL unit/$name:crashed(rc=$rc)" >> "$results"
		status=1
	fi
done
p=$(grep -c '^PASS' "$results"); f=$(grep -c '^FAIL' "$results")
echo "unit tests: $p passed, $f failed"
exit $status
