#!/bin/bash
# Module lint: common/ is divided by concern, and a module's name says
# whom it serves.  A module named for a tool (common/TOOL.c or
# common/TOOL-*.c, TOOL a tools/cx-TOOL.c without "cx-") ends up in
# that tool alone; any other module ends up in two tools or more.
# "Ends up in" is what the static link takes from libcx.a: the modules
# whose symbols the tool's object needs, then the modules those need,
# as nm shows them.  Unit tests and fuzz targets do not count: a module
# that only a test uses serves no tool.
# Usage: lint-modules.sh BUILD
set -u
[ $# -eq 1 ] || { echo "usage: lint-modules.sh BUILD" >&2; exit 2; }
build=$1
src=$(dirname "$0")/..
pass=0 fail=0

ok() {
	echo "ok - $1"
	pass=$((pass + 1))
}

not_ok() {
	echo "not ok - $1"
	fail=$((fail + 1))
}

if ! command -v nm >/dev/null 2>&1; then
	not_ok "nm is installed"
	echo "modules: $pass passed, $fail failed"
	exit 1
fi

# The sources decide which objects count: an object left in BUILD by a
# module since renamed or removed would otherwise still be read.
modules=() tools=()
for c in "$src"/common/*.c; do
	[ -f "$c" ] || continue
	m=${c##*/}
	modules+=("${m%.c}")
done
for c in "$src"/tools/cx-*.c; do
	[ -f "$c" ] || continue
	t=${c##*/cx-}
	tools+=("${t%.c}")
done
if [ ${#modules[@]} -eq 0 ] || [ ${#tools[@]} -eq 0 ]; then
	not_ok "modules in common/ and tools in tools/"
	echo "modules: $pass passed, $fail failed"
	exit 1
fi

declare -A owner	# symbol -> the module that defines it
declare -A wants	# module or tool -> the symbols it leaves undefined
declare -A unbuilt	# module -> 1 when its object is missing

# nm -P: "NAME TYPE [VALUE SIZE]", one a line.  U is undefined, and so
# is a weak reference with no default (w, v).
read_obj() {
	local key=$1 obj=$2 define=$3 sym type

	if [ ! -f "$obj" ]; then
		not_ok "$obj is built"
		unbuilt[$key]=1
		return
	fi
	while read -r sym type _; do
		case $type in
		U | w | v) wants[$key]+=" $sym" ;;
		*) [ "$define" = yes ] && owner[$sym]=$key ;;
		esac
	done < <(nm -P -g "$obj")
}

for m in "${modules[@]}"; do
	read_obj "$m" "$build/common/$m.o" yes
done
for t in "${tools[@]}"; do
	read_obj "cx-$t" "$build/tools/cx-$t.o" no
done

# The modules KEY needs directly, each once.
needs() {
	local sym m
	declare -A seen=()

	for sym in ${wants[$1]-}; do
		m=${owner[$sym]-}
		[ -n "$m" ] && [ "$m" != "$1" ] && seen[$m]=1
	done
	echo "${!seen[@]}"
}

declare -A direct
for m in "${modules[@]}"; do
	direct[$m]=$(needs "$m")
done

# Each tool's closure: what it needs, then what that needs, and so on.
declare -A users	# module -> the tools it ends up in
for t in "${tools[@]}"; do
	declare -A in=()
	read -ra todo <<<"$(needs "cx-$t")"
	while [ ${#todo[@]} -gt 0 ]; do
		m=${todo[0]}
		todo=("${todo[@]:1}")
		[ -n "${in[$m]-}" ] && continue
		in[$m]=1
		read -ra more <<<"${direct[$m]}"
		todo+=("${more[@]}")
	done
	for m in "${!in[@]}"; do
		users[$m]+=" cx-$t"
	done
	unset in
done

# The tool a module is named for, if any: the longest name that fits,
# should one tool's name begin another's.
named_for() {
	local t best=

	for t in "${tools[@]}"; do
		case $1 in
		"$t" | "$t"-*) [ ${#t} -gt ${#best} ] && best=$t ;;
		esac
	done
	echo "$best"
}

for m in "${modules[@]}"; do
	[ -n "${unbuilt[$m]-}" ] && continue
	used=$(tr ' ' '\n' <<<"${users[$m]-}" | grep . | sort | paste -sd ' ')
	n=$(wc -w <<<"$used")
	t=$(named_for "$m")
	if [ "$n" -eq 0 ]; then
		not_ok "common/$m ends up in no tool"
	elif [ -n "$t" ]; then
		if [ "$used" = "cx-$t" ]; then
			ok "common/$m serves cx-$t alone"
		else
			not_ok "common/$m is named for cx-$t but ends up in $used"
		fi
	elif [ "$n" -ge 2 ]; then
		ok "common/$m is shared by $used"
	else
		not_ok "common/$m has a shared name but ends up in $used alone: name it for that tool"
	fi
done

echo "modules: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
