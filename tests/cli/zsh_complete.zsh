#!/usr/bin/env zsh
# zsh_complete.zsh DIR LINE — print, one a line, the completions that zsh
# offers for the command line LINE (a tab typed at its end), with the
# completion functions of DIR first in $fpath.  Used by
# tests/cli/test_cli_docs.c to check completion/_pgsift.
#
# An interactive zsh runs in a pseudo-terminal (zsh/zpty); compadd is
# wrapped to print each match after a "<m>" marker, and a post-completion
# function prints "<end>" and exits, which ends the read.  compinit runs
# with -D: no dump file (its dump is written beside the path given and
# moved over it, so "-d /dev/null" would replace the device).
dir=$1
line=$2
zmodload zsh/zpty || exit 2
zpty z zsh -f -i || exit 2
zpty -w z "PROMPT='' RPROMPT='' PS2=''"
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd () { local -a __h; builtin compadd -O __h "$@"; (( $#__h )) && print -rl -- "<""m>"${^__h}; builtin compadd "$@" }'
zpty -w z 'comppostfuncs=(__done); __done () { print -r -- "<""end>"; exit }'
zpty -w z "bindkey '^I' complete-word"
zpty -n -w z "$line"$'\t'
out=
while zpty -r -t z chunk 2>/dev/null || zpty -r z chunk; do
	out+=$chunk
	[[ $chunk == *'<end>'* ]] && break
done
zpty -d z
for m in ${(f)${out//$'\r'/}}; do
	[[ $m == *'<m>'* ]] && print -r -- ${m##*<m>}
done
exit 0
