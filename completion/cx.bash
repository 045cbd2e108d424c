# bash completion for the cx tools: their options and verbs, and what
# an option's argument names (capabilities, securebits, controllers,
# cgroups, processes, users, groups, files).  In a chain, the words
# after a tool's own (its options and operands) are the next command,
# completed as a command line: by bash-completion's _command_offset when
# that is loaded, else a command name, then files.
#
# The options come from each tool's --help, so they are never out of
# date: a line "  -t, --target PID" is an option that takes the next
# word, "  -m, --mount[=FILE]" one whose argument comes only after '='.

# "NAME KIND" for each option of the command line "$@" --help, KIND
# arg (the next word is its argument), opt (only --name=ARG) or none.
_cx_options() {
	"$@" --help 2>/dev/null | sed -n -E \
		's/^ +(-([A-Za-z]), )?(--[a-z0-9-]+)(\[=[^]]*\]| [A-Z][^ ]*)?.*/\2 \3 \4/p' |
		while read -r short long rest; do
			# A line without a short name reads "--long REST".
			if [[ $short == --* ]]; then
				rest=$long
				long=$short
				short=
			fi
			case $rest in
			'') kind=none ;;
			'[='*) kind=opt ;;
			*) kind=arg ;;
			esac
			[ -n "$short" ] && echo "-$short $kind"
			echo "$long $kind"
		done
}

# Complete the last item of a comma-separated list in $cur from WORDS.
_cx_list() {
	local head='' item=$cur
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		item=${cur##*,}
	fi
	local w
	COMPREPLY=()
	while read -r w; do
		COMPREPLY+=("$head$w")
	done < <(compgen -W "$1" -- "$item")
	compopt -o nospace 2>/dev/null
}

# The cx tool NAME beside the one typed as $1 (from PATH if no path).
_cx_sibling() {
	if [[ $1 == */* ]]; then
		echo "${1%/*}/$2"
	else
		echo "$2"
	fi
}

# The capabilities the running kernel knows, by name.
_cx_capabilities() {
	"$(_cx_sibling "$1" cx-caps)" decode "$(printf '%x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))" \
		2>/dev/null | head -1 | tr ',' ' '
}

# The cgroups below the base, one whole name a line (from the JSON
# array, whose strings may hold commas and spaces).
_cx_cgroups() {
	"$(_cx_sibling "$1" cx-cgroup)" ls --json 2>/dev/null |
		sed -e 's/^\["//; s/"\]$//; /^\[\]$/d' -e 's/", "/\n/g' |
		sed -e 's/\\"/"/g; s/\\\\/\\/g'
}

# COMPREPLY: the lines of standard input that begin with $cur, each
# whole (a name with spaces stays one offer).
_cx_match() {
	local line
	COMPREPLY=()
	while IFS= read -r line; do
		[[ $line == "$cur"* ]] && COMPREPLY+=("$line")
	done
}

# Files and directories, quoted by bash as file names.
_cx_files() {
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

_cx_controllers() {
	local f
	for f in /sys/fs/cgroup/cgroup.controllers /sys/fs/cgroup/unified/cgroup.controllers; do
		[ -r "$f" ] && cat "$f"
	done
	for f in /sys/fs/cgroup/*/; do
		f=${f%/}
		f=${f##*/}
		[ "$f" = unified ] || [ "$f" = systemd ] || echo "${f//,/ }"
	done
}

# The argument of option $1.
_cx_argument() {
	local tool=$2
	case $1 in
	--drop | --keep | --add-ambient)
		_cx_list "$(_cx_capabilities "$tool")" ;;
	--secbits)
		_cx_list "noroot noroot_locked no_setuid_fixup no_setuid_fixup_locked keep_caps keep_caps_locked no_cap_ambient_raise no_cap_ambient_raise_locked" ;;
	--controllers)
		_cx_list "$(_cx_controllers | tr ' ' '\n' | sort -u)" ;;
	--propagation)
		mapfile -t COMPREPLY < <(compgen -W "private slave shared unbindable unchanged" -- "$cur") ;;
	-t | --target)
		mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur") ;;
	--user | --userspec | --map-user | -S | --setuid)
		mapfile -t COMPREPLY < <(compgen -u -- "$cur") ;;
	--groups | --map-group | -G | --setgid)
		_cx_list "$(compgen -g)" ;;
	--parent)
		_cx_match < <(_cx_cgroups "$tool") ;;
	--memory | --memory-swap | --memory-high | --cpus | --pids | \
	--cpu-weight | --io-weight | --cpuset | --set | --hostname | \
	--map-users | --map-groups | --kill-signal | --time-offset | \
	--monotonic | --boottime)
		COMPREPLY=() ;;
	*)
		_cx_files ;;
	esac
}

# The words from $1 on are a command of their own.
_cx_command() {
	if declare -F _command_offset >/dev/null; then
		_command_offset "$1"
	elif [ "$COMP_CWORD" -eq "$1" ]; then
		mapfile -t COMPREPLY < <(compgen -c -- "$cur")
	else
		_cx_files
	fi
}

# bash splits a word at '=' and ':' (COMP_WORDBREAKS): "--pivot=strict"
# comes as three words.  _cx reads them joined again, as the tool will.
_cx_join() {
	local i w glue=0 n=0
	cx_words=()
	cx_cword=0
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((n > 0)) && { [[ $w == "=" || $w == ":" ]] || ((glue)); }; then
			cx_words[n - 1]+=$w
			glue=0
			[[ $w == "=" || $w == ":" ]] && glue=1
		else
			cx_words[n]=$w
			n=$((n + 1))
		fi
		((i == COMP_CWORD)) && cx_cword=$((n - 1))
	done
}

_cx() {
	local -a cx_words
	local cx_cword bash_cur=${COMP_WORDS[COMP_CWORD]} typed i
	_cx_join
	# The words as the tool reads them, for _cx_words.
	local -a COMP_WORDS=("${cx_words[@]}")
	local COMP_CWORD=$cx_cword
	_cx_words
	# bash replaces only its own last word: what came before it in the
	# joined word ("--pivot" of "--pivot=st") is taken off each offer.
	typed=${COMP_WORDS[COMP_CWORD]}
	typed=${typed%"$bash_cur"}
	if [ -n "$typed" ]; then
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=${COMPREPLY[i]#"$typed"}
		done
	fi
	return 0
}

_cx_words() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=''
	local tool=${COMP_WORDS[0]} name=${COMP_WORDS[0]##*/}
	local verb='' verbs='' ops=0 before=0 dashdash='' i w
	local -a help=("$tool")
	local -A kind=()

	COMPREPLY=()
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	case $name in
	cx-cgroup) verbs="create set get rm ls attach stat run" before=-1 ;;
	cx-overlay) verbs="mount umount diff unpack commit image" before=-1 ;;
	cx-caps) verbs="show decode file predict" ;;
	cx-chroot) before=1 ;;
	cx-bind) before=2 ;;
	esac
	while read -r w k; do kind[$w]=$k; done < <(_cx_options "${help[@]}")

	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [ -z "$dashdash" ] && [ "$w" = -- ]; then
			dashdash=1
			continue
		fi
		if [ -z "$dashdash" ] && [[ $w == -?* ]]; then
			[ "${kind[$w]:-}" = arg ] && ((i++))
			# cx-bind -b and -u give the work: no operands.
			[ "$name" = cx-bind ] && [[ $w == -b || $w == --bind* || $w == -u || $w == --unmount* ]] && before=0
			continue
		fi
		# A verb: cx-caps's only as the very first word.
		if [ -n "$verbs" ] && [ -z "$verb" ] &&
			{ [ "$name" != cx-caps ] || [ "$i" -eq 1 ]; } &&
			[[ " $verbs " == *" $w "* ]]; then
			verb=$w
			case $name:$verb in
			cx-cgroup:run | cx-overlay:mount) before=1 ;;
			cx-cgroup:* | cx-overlay:* | cx-caps:*) before=-1 ;;
			esac
			if [ "$name" != cx-cgroup ]; then
				help=("$tool" "$verb")
				kind=()
				while read -r w k; do kind[$w]=$k; done < <(_cx_options "${help[@]}")
			fi
			continue
		fi
		[ -n "$verbs" ] && [ -z "$verb" ] && [ "$name" != cx-caps ] && continue
		((ops++))
		# The operands are done: the rest is the next command.
		if [ "$before" -ge 0 ] && [ "$ops" -gt "$before" ]; then
			_cx_command "$i"
			return 0
		fi
	done

	if [ -z "$dashdash" ] && [ "${kind[$prev]:-}" = arg ]; then
		_cx_argument "$prev" "$tool"
		return 0
	fi
	# --name=VALUE: the value, as the option's argument.
	if [ -z "$dashdash" ] && [[ $cur == --*=* ]] &&
		[ -n "${kind[${cur%%=*}]:-}" ]; then
		local opt=${cur%%=*}
		cur=${cur#*=}
		_cx_argument "$opt" "$tool"
		for i in "${!COMPREPLY[@]}"; do
			COMPREPLY[i]=$opt=${COMPREPLY[i]}
		done
		return 0
	fi
	if [ -z "$dashdash" ] && [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "${!kind[*]}" -- "$cur")
		return 0
	fi
	if [ -n "$verbs" ] && [ -z "$verb" ] &&
		{ [ "$name" != cx-caps ] || [ "$COMP_CWORD" -eq 1 ]; }; then
		mapfile -t COMPREPLY < <(compgen -W "$verbs" -- "$cur")
		[ "$name" != cx-caps ] && return 0
	fi
	# The first word of the command, once the operands are there.
	if [ "$before" -ge 0 ] && [ "$ops" -ge "$before" ]; then
		mapfile -t -O "${#COMPREPLY[@]}" COMPREPLY < <(compgen -c -- "$cur")
		return 0
	fi
	case $name:$verb in
	cx-cgroup:attach)
		if [ "$ops" -eq 0 ]; then
			_cx_match < <(_cx_cgroups "$tool")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && echo [0-9]*)" -- "$cur")
		fi ;;
	cx-cgroup:get)
		if [ "$ops" -eq 0 ]; then
			_cx_match < <(_cx_cgroups "$tool")
		else
			mapfile -t COMPREPLY < <(compgen -W "memory memory-swap memory-high cpus cpu-weight cpuset pids io-weight" -- "$cur")
		fi ;;
	cx-cgroup:*)
		_cx_match < <(_cx_cgroups "$tool") ;;
	cx-caps:file)
		if [ "$ops" -eq 0 ]; then
			mapfile -t COMPREPLY < <(compgen -W "get set rm" -- "$cur")
		else
			_cx_files
		fi ;;
	cx-caps:decode) ;;
	*)
		_cx_files ;;
	esac
	return 0
}

complete -F _cx -o bashdefault -o default cx-unshare cx-chroot cx-nsenter \
	cx-cgroup cx-caps cx-overlay cx-bind
