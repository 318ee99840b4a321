# bash completion for mguard(8)

# Scope names of the running policy: the daemon's state file (one per pin folder).
_mguard_scopes()
{
	local pin=/sys/fs/bpf/mguard i
	for ((i = 1; i < ${#words[@]} - 1; i++)); do
		[[ ${words[i]} == --pin-dir ]] && pin=${words[i + 1]}
	done
	awk -F'\t' '$1 == "scope" { print $2 }' "/run/mguard/${pin##*/}.state" 2>/dev/null
}

_mguard()
{
	local cur prev words cword
	_init_completion || return

	local commands="probe start stop reload status events report policy license model audit run oci-hook killswitch version help"
	if [[ $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--policy | --pin-dir | --log-dir)
		_filedir -d
		return
		;;
	--metrics-file | --key | --output | -o | --license | --audit-key | --out | --pub)
		_filedir
		return
		;;
	--metrics-listen)
		COMPREPLY=($(compgen -W "127.0.0.1:9464 [::1]:9464" -- "$cur"))
		return
		;;
	--scope)
		COMPREPLY=($(compgen -W "$(_mguard_scopes)" -- "$cur"))
		return
		;;
	--event-rate | --lines | -n | --since | --until | --audit-interval | --log-max-size)
		return
		;;
	esac
	# Each command's own options (as 'mguard COMMAND --help' lists them).
	local opts
	case ${words[1]} in
	probe) opts="--json --verbose --help" ;;
	start) opts="--foreground --policy --pin-dir --log-dir --syslog --journal --metrics-file --metrics-listen --event-rate --audit-key --audit-interval --log-max-size --verbose --help" ;;
	stop) opts="--leave-enforcing --pin-dir --verbose --help" ;;
	reload) opts="--policy --pin-dir --verbose --help" ;;
	status) opts="--json --pin-dir --verbose --help" ;;
	events) opts="--follow --json --lines --log-dir --pin-dir --help" ;;
	report) opts="--since --until --json --html --log-dir --pin-dir --help" ;;
	killswitch) opts="--pin-dir --verbose --help" ;;
	run) opts="--scope --policy --license --pin-dir --help --" ;;
	oci-hook) opts="--pin-dir --help" ;;
	policy) opts="--json --policy --offline --verbose --help" ;;
	license) opts="--key --output --help" ;;
	model) opts="--pin-dir --verbose --help" ;;
	audit)
		case ${words[2]} in
		keygen) opts="--out --pub --help" ;;
		*) opts="--key --strict --help" ;;
		esac
		;;
	version) opts="" ;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	case ${words[1]} in
	policy)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "check show scan" -- "$cur")) || _filedir -d
		;;
	license)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "keygen sign verify" -- "$cur")) || _filedir
		;;
	audit)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "keygen verify" -- "$cur")) || _filedir
		;;
	killswitch)
		COMPREPLY=($(compgen -W "on off" -- "$cur"))
		;;
	model)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "reseal seal" -- "$cur")) || _filedir
		;;
	report)
		_filedir
		;;
	esac
} && complete -F _mguard mguard
