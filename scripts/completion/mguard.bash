# bash completion for mguard(8)
_mguard()
{
	local cur prev words cword
	_init_completion || return

	local commands="probe start stop reload status events policy license run killswitch version help"
	if [[ $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		return
	fi
	case $prev in
	--policy | --pin-dir | --log-dir)
		_filedir -d
		return
		;;
	--metrics-file | --key | -o)
		_filedir
		return
		;;
	--metrics-listen)
		COMPREPLY=($(compgen -W "127.0.0.1:9464 [::1]:9464" -- "$cur"))
		return
		;;
	esac
	case ${words[1]} in
	policy)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "check show scan" -- "$cur")) || _filedir -d
		;;
	license)
		[[ $cword -eq 2 ]] && COMPREPLY=($(compgen -W "keygen sign verify" -- "$cur")) || _filedir
		;;
	killswitch)
		COMPREPLY=($(compgen -W "on off" -- "$cur"))
		;;
	start)
		COMPREPLY=($(compgen -W "--foreground --policy --pin-dir --log-dir --syslog --journal --metrics-file --metrics-listen --event-rate --verbose" -- "$cur"))
		;;
	stop)
		COMPREPLY=($(compgen -W "--leave-enforcing --pin-dir" -- "$cur"))
		;;
	status | probe)
		COMPREPLY=($(compgen -W "--json --pin-dir" -- "$cur"))
		;;
	events)
		COMPREPLY=($(compgen -W "--follow --json --lines --log-dir" -- "$cur"))
		;;
	run)
		COMPREPLY=($(compgen -W "--scope --policy --license --" -- "$cur"))
		;;
	esac
} && complete -F _mguard mguard
