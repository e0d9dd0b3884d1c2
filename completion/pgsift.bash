# bash completion for pgsift                                  -*- shell-script -*-
#
# Installed by `make install` as $(PREFIX)/share/bash-completion/completions/pgsift,
# where bash-completion loads it on first use; or source it from ~/.bashrc.
# Completes the commands, each command's options, the values of --format,
# --log-format, --color, --measure and --fail-on, rule ids for `pgsift
# rules`, and file names.  It needs nothing of the bash-completion package.
#
# tests/cli/test_cli_docs.c checks that it offers every long option each
# command's --help lists, and the values pgsift accepts.

_pgsift_options()
{
	case $1 in
	analyze)
		echo "-f --log-format --prefix -j --jobs --syslog-year --store --dsn --measure
			--statement-timeout --lock-timeout --explain-top --interval --max-build-size
			--server-cores --spindles --config --fail-on --since --until --dbname --user --app
			--format -o --output --top --html-max-bytes --max-fingerprints --color --color= -q --quiet -V --version
			-h --help"
		;;
	report)
		echo "--store --format -o --output --top --html-max-bytes --config --color --color= -q --quiet
			-V --version -h --help"
		;;
	explain)
		echo "--dsn --param -f --file --format --no-analyze --measure --statement-timeout
			--lock-timeout --execute-volatile -q --quiet -h --help"
		;;
	migration)
		echo "--dsn --measure --workload --statement-timeout --lock-timeout --pg-version
			--single-transaction --format -o --output --fail-on --config -h --help"
		;;
	esac
}

# The values of option $2 of command $1; "FILE" for a file name, "" for
# free text (nothing to offer), "NONE" when $2 takes no value.
_pgsift_values()
{
	case $1:$2 in
	analyze:--format | report:--format) echo "text json markdown html" ;;
	explain:--format) echo "text json" ;;
	migration:--format) echo "text json markdown sarif github" ;;
	*:-f | *:--log-format)
		if [ "$1" = explain ]; then
			echo FILE
		else
			echo "auto stderr csvlog jsonlog syslog syslog2 rds logplex cnpg cloudsql pgbouncer"
		fi
		;;
	*:--color) echo "auto always never" ;;
	migration:--measure) echo "off plan real" ;;
	*:--measure) echo "off hypo real" ;;
	migration:--fail-on) echo "info low medium high critical none" ;;
	*:--fail-on) echo "info low medium high critical" ;;
	*:-o | *:--output | *:--store | *:--config | *:--workload | *:--file) echo FILE ;;
	*:--prefix | *:-j | *:--jobs | *:--syslog-year | *:--dsn | *:--statement-timeout | \
		*:--lock-timeout | *:--explain-top | *:--interval | *:--max-build-size | \
		*:--server-cores | *:--spindles | *:--since | *:--until | *:--dbname | *:--user | \
		*:--app | *:--top | *:--html-max-bytes | *:--max-fingerprints | *:--param | *:--pg-version)
		echo ""
		;;
	*) echo NONE ;;
	esac
}

_pgsift()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= opt= prefix= values i

	COMPREPLY=()
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		analyze | report | explain | migration | rules)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "analyze report explain migration rules --help --version" -- "$cur"))
		return 0
	fi
	if [ "$cmd" = rules ]; then
		[ "$prev" = rules ] &&
			COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" rules 2>/dev/null | awk 'NR > 1 { print $1 }')" -- "$cur"))
		return 0
	fi

	# --opt=value: one word, or three when "=" breaks words (bash's default)
	if [[ $cur == --*=* ]]; then
		opt=${cur%%=*}
		prefix=$opt=
		cur=${cur#*=}
	elif [ "$cur" = "=" ]; then
		opt=$prev
		cur=
	elif [ "$prev" = "=" ] && [ "$COMP_CWORD" -gt 1 ]; then
		opt=${COMP_WORDS[COMP_CWORD - 2]}
	elif [[ $prev == -* ]] && [ "$prev" != --color ]; then
		opt=$prev
	fi
	if [ -n "$opt" ]; then
		values=$(_pgsift_values "$cmd" "$opt")
		case $values in
		NONE) ;;
		FILE)
			COMPREPLY=($(compgen -f -- "$cur"))
			return 0
			;;
		*)
			COMPREPLY=($(compgen -P "$prefix" -W "$values" -- "$cur"))
			return 0
			;;
		esac
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_pgsift_options "$cmd")" -- "$cur"))
		[[ ${COMPREPLY[0]} == *= ]] && [ ${#COMPREPLY[@]} -eq 1 ] && compopt -o nospace 2>/dev/null
		return 0
	fi
	COMPREPLY=($(compgen -f -- "$cur"))
	return 0
}

complete -o filenames -F _pgsift pgsift
