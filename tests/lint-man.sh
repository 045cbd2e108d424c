#!/bin/sh
# Man page lint: every page passes mandoc -Tlint at warning level, and
# every long option a tool's --help prints appears in that tool's page.
# Usage: lint-man.sh BUILD TOOL...
set -u
[ $# -ge 1 ] || { echo "usage: lint-man.sh BUILD TOOL..." >&2; exit 2; }
build=$1
shift
man=$(dirname "$0")/../man
pass=0 fail=0

ok() {
	echo "ok - $1"
	pass=$((pass + 1))
}

not_ok() {
	echo "not ok - $1"
	fail=$((fail + 1))
}

# Indent a diagnostic so that it reads as one (TAP style).
diag() {
	printf '%s\n' "$1" | sed 's/^/# /'
}

if ! command -v mandoc >/dev/null 2>&1; then
	not_ok "mandoc is installed"
	echo "man: $pass passed, $fail failed"
	exit 1
fi

# One test per page: clean output at -W warning, and a zero exit.
pages=0
for page in "$man"/*.[1-8]; do
	[ -f "$page" ] || continue
	pages=$((pages + 1))
	name=${page##*/}
	out=$(mandoc -Tlint -W warning "$page" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		ok "mandoc -Tlint $name"
	else
		not_ok "mandoc -Tlint $name"
		[ -z "$out" ] || diag "$out"
	fi
done
[ "$pages" -gt 0 ] || not_ok "man pages found in man/"

# One test per long option: the first --name on each option line of
# --help (descriptions may name other options) must appear, as a whole
# word, in the rendered page.
for tool in "$@"; do
	page=$man/$tool.1
	if ! help=$("$build/$tool" --help 2>&1); then
		not_ok "$tool --help runs"
		diag "$help"
		continue
	fi
	opts=$(printf '%s\n' "$help" |
	       sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\}\(--[A-Za-z0-9][A-Za-z0-9-]*\).*/\2/p')
	if [ -z "$opts" ]; then
		not_ok "$tool --help lists long options"
		continue
	fi
	if [ -f "$page" ]; then
		text=$(mandoc -Tascii "$page" 2>/dev/null | col -b)
	else
		text=
	fi
	for opt in $opts; do
		if printf '%s\n' "$text" |
		   grep -Eq -e "(^|[^A-Za-z0-9-])$opt([^A-Za-z0-9-]|\$)"; then
			ok "$tool.1 documents $opt"
		else
			not_ok "$tool.1 documents $opt"
		fi
	done
done

echo "man: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
