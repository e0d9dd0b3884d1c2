#!/usr/bin/env bash
# make-fixtures.sh — regenerate the committed log fixtures in fixtures/.
#
# Usage: tests/harness/make-fixtures.sh            regenerate and verify
#        tests/harness/make-fixtures.sh --verify   only recount and verify
#
# Plays build/workload fixture against four throwaway servers
# (with-postgres.sh), each with the same settings and a different log format:
#   workload.log/.csv/.json     stderr + csvlog + jsonlog of one run, rich prefix
#   workload-rds.log            stderr, RDS's prefix
#   workload-logstatement.log   stderr, log_statement=all + log_duration=on
#   workload-debian.log         stderr, Debian's default prefix; converted by
#                               to-syslog.pl into workload-syslog.log (classic)
#                               and workload-syslog2.log (ISO timestamps)
# then counts events of each kind in every fixture and fails if formats of
# the same run disagree, or if runs that should log the same do not.  The
# counts go to fixtures/expected-counts.tsv and into fixtures/README.md,
# between the "counts:begin" and "counts:end" markers; end-to-end tests
# assert them.  See fixtures/README.md.

set -euo pipefail

cd "$(dirname "$0")/../.."
harness=tests/harness
fixtures=fixtures
verify_only=false
case "${1:-}" in
--verify) verify_only=true ;;
"") ;;
*)
	echo "usage: make-fixtures.sh [--verify]" >&2
	exit 2
	;;
esac

# Settings shared by every run: everything logged, autovacuum off (its
# lines would come and go), few connection slots for the refusal part.
common_settings=(
	--set log_min_duration_statement=0
	--set log_connections=on
	--set log_disconnections=on
	--set log_lock_waits=on
	--set deadlock_timeout=200ms
	--set log_temp_files=0
	--set log_checkpoints=on
	--set autovacuum=off
	--set max_connections=10
	--set superuser_reserved_connections=3
)
rich_prefix='%m [%p] %q%u@%d %a %r %c %l %x %v %e %Q '
rds_prefix='%t:%r:%u@%d:[%p]:'
default_prefix='%m [%p] '
debian_prefix='%m [%p] %q%u@%d '

work=$(mktemp -d "${TMPDIR:-/tmp}/pgsift-fixtures.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run_workload NAME with-postgres-options... : one server run, logs kept in
# $work/NAME.
run_workload() {
	local name=$1
	shift
	echo "make-fixtures.sh: run $name"
	"$harness/with-postgres.sh" "$@" --keep-logs "$work/$name" -- build/workload fixture
}

generate() {
	if [ ! -x build/workload ] || [ "$harness/workload.c" -nt build/workload ]; then
		mkdir -p build
		cc -std=gnu11 -Wall -Wextra -Werror -I/usr/include/postgresql \
			"$harness/workload.c" -lpq -o build/workload
	fi

	run_workload all --log-destination all --prefix "$rich_prefix" "${common_settings[@]}"
	run_workload rds --prefix "$rds_prefix" "${common_settings[@]}"
	run_workload logstatement --prefix "$default_prefix" "${common_settings[@]}" \
		--set log_min_duration_statement=-1 --set log_statement=all --set log_duration=on
	run_workload debian --prefix "$debian_prefix" "${common_settings[@]}"

	mkdir -p "$fixtures"
	cp "$work/all/postgresql.log" "$fixtures/workload.log"
	cp "$work/all/postgresql.csv" "$fixtures/workload.csv"
	cp "$work/all/postgresql.json" "$fixtures/workload.json"
	cp "$work/rds/postgresql.log" "$fixtures/workload-rds.log"
	cp "$work/logstatement/postgresql.log" "$fixtures/workload-logstatement.log"
	cp "$work/debian/postgresql.log" "$fixtures/workload-debian.log"
	"$harness/to-syslog.pl" --format classic <"$fixtures/workload-debian.log" >"$fixtures/workload-syslog.log"
	"$harness/to-syslog.pl" --format iso <"$fixtures/workload-debian.log" >"$fixtures/workload-syslog2.log"
}

# count_events: print a table of event counts, one row per kind, one column
# per fixture; exit 1 if fixtures that must agree do not.
count_events() {
	perl - "$fixtures" <<'PERL'
use strict;
use warnings;
use JSON::PP;

my $dir = shift;
my @columns = (
	[ 'stderr',       'workload.log',              'stderr' ],
	[ 'csv',          'workload.csv',              'csv' ],
	[ 'json',         'workload.json',             'json' ],
	[ 'rds',          'workload-rds.log',          'stderr' ],
	[ 'debian',       'workload-debian.log',       'stderr' ],
	[ 'syslog',       'workload-syslog.log',       'syslog' ],
	[ 'syslog2',      'workload-syslog2.log',      'syslog' ],
	[ 'logstatement', 'workload-logstatement.log', 'stderr' ],
);
my $SEV = qr/(LOG|ERROR|WARNING|FATAL|PANIC|INFO|NOTICE|DEBUG[1-5]|DETAIL|HINT|QUERY|CONTEXT|STATEMENT|LOCATION)/;
my %FOLLOWS = map { $_ => 1 } qw(DETAIL HINT QUERY CONTEXT STATEMENT LOCATION);

# SQLSTATEs of the messages the workload provokes, for formats without %e.
my @STATE_OF = (
	[ qr/^syntax error at or near/,                        '42601' ],
	[ qr/^division by zero/,                               '22012' ],
	[ qr/^duplicate key value violates unique constraint/, '23505' ],
	[ qr/^relation ".*" does not exist/,                   '42P01' ],
	[ qr/^invalid input syntax for type/,                  '22P02' ],
	[ qr/^there is no transaction in progress/,            '25P01' ],
	[ qr/^current transaction is aborted/,                 '25P02' ],
	[ qr/^canceling statement due to statement timeout/,   '57014' ],
	[ qr/^sorry, too many clients already/,                '53300' ],
	[ qr/^remaining connection slots are reserved/,        '53300' ],
);

sub slurp { my ($f) = @_; open my $fh, '<:raw', $f or die "$f: $!\n"; local $/; return <$fh>; }

# Each reader returns a list of { severity, message, detail, state }.
sub read_stderr {
	my ($text) = @_;
	my (@entries, %open, $last);
	for my $line (split /\n/, $text) {
		if ($line =~ /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/ && $line =~ /(?:^|[\s:])$SEV:  (.*)$/) {
			my ($sev, $msg) = ($1, $2);
			my ($pid) = $line =~ /\[(\d+)\]/;
			if ($FOLLOWS{$sev} && $open{$pid}) {
				$open{$pid}{lc $sev} //= $msg;
				$last = \$open{$pid}{lc $sev};
			} else {
				push @entries, { severity => $sev, message => $msg };
				$open{$pid} = $entries[-1];
				$last = \$entries[-1]{message};
			}
		} elsif (defined $last) {
			$$last .= "\n" . ($line =~ s/^\t//r);
		} else {
			die "unexpected first line: $line\n";
		}
	}
	return @entries;
}

sub read_csv {
	my ($text) = @_;
	my (@entries, @row);
	while ($text =~ /\G(?:"((?:[^"]|"")*)"|([^",\n]*))(,|\n|\z)/gc) {
		my ($quoted, $plain, $end) = ($1, $2, $3);
		push @row, defined $quoted ? ($quoted =~ s/""/"/gr) : $plain;
		next if $end eq ',';
		if (@row > 1) {
			@row == 26 or die "csv record with " . scalar(@row) . " fields\n";
			push @entries, { severity => $row[11], state => $row[12],
							 message => $row[13], detail => $row[14] };
		}
		@row = ();
		last if pos($text) >= length $text;
	}
	return @entries;
}

sub read_json {
	my ($text) = @_;
	my $json = JSON::PP->new->utf8;
	return map {
		my $o = $json->decode($_);
		{ severity => $o->{error_severity}, state => $o->{state_code},
		  message => $o->{message}, detail => $o->{detail} }
	} grep { length } split /\n/, $text;
}

sub read_syslog {
	my ($text) = @_;
	my (@entries, %by_key);
	for my $line (split /\n/, $text) {
		$line =~ /^(?:\w{3} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) \S+ \w+\[(\d+)\]: \[(\d+)-(\d+)\] (.*)$/
		  or die "not a syslog line: $line\n";
		my ($pid, $n, $part, $body) = ($1, $2, $3, $4);
		$body =~ s/#011/\t/g;
		if ($part == 1) {
			$body =~ /^(?:\S+ )?$SEV:  (.*)$/ or die "no severity: $line\n";
			push @entries, { severity => $1, message => $2 };
			$by_key{"$pid/$n"} = $entries[-1];
			next;
		}
		my $e = $by_key{"$pid/$n"} or die "part without a first part: $line\n";
		if ($body =~ /^(?:\S+ )?$SEV:  (.*)$/ && $FOLLOWS{$1}) {
			$e->{lc $1} //= $2;
		} elsif (!$e->{detail} && !$e->{statement}) {
			$e->{message} .= "\n" . ($body =~ s/^\t//r);
		}
	}
	return @entries;
}

sub categorize {
	my ($e) = @_;
	my ($sev, $m, $d) = ($e->{severity}, $e->{message} // '', $e->{detail} // '');
	my @c = ('entries', "severity $sev");
	push @c, 'duration + statement'         if $m =~ /^duration: [\d.]+ ms  statement: /;
	push @c, "duration + $1"                if $m =~ /^duration: [\d.]+ ms  (parse|bind|execute) [^:]+: /;
	push @c, 'duration + plan (text)'       if $m =~ /^duration: [\d.]+ ms  plan:\n\s*Query Text: /;
	push @c, 'duration + plan (json)'       if $m =~ /^duration: [\d.]+ ms  plan:\n\s*\{/;
	push @c, 'duration alone'               if $m =~ /^duration: [\d.]+ ms$/;
	push @c, 'statement (log_statement)'    if $m =~ /^statement: /;
	push @c, 'execute (log_statement)'      if $m =~ /^execute [^:]+: /;
	push @c, 'DETAIL parameters'            if $d =~ /^parameters: /;
	push @c, 'connection received'          if $m =~ /^connection received: /;
	push @c, 'connection authorized'        if $m =~ /^connection authorized: /;
	push @c, 'disconnection'                if $m =~ /^disconnection: /;
	push @c, 'refused: too many clients'    if $m =~ /^sorry, too many clients already/;
	push @c, 'refused: reserved slots'      if $m =~ /^remaining connection slots are reserved/;
	push @c, 'lock: still waiting'          if $m =~ /^process \d+ still waiting for /;
	push @c, 'lock: acquired'               if $m =~ /^process \d+ acquired /;
	push @c, 'temporary file'               if $m =~ /^temporary file: /;
	push @c, 'checkpoint starting'          if $m =~ /^checkpoint starting: /;
	push @c, 'checkpoint complete'          if $m =~ /^checkpoint complete: /;
	push @c, 'statement timeout'            if $m =~ /^canceling statement due to statement timeout/;
	if ($sev ne 'LOG') {
		my $state = $e->{state};
		if (!defined $state || $state eq '') {
			for (@STATE_OF) { if ($m =~ $_->[0]) { $state = $_->[1]; last; } }
		}
		push @c, "$sev " . ($state // '?????');
	}
	return @c;
}

my (%count, %seen);
for my $col (@columns) {
	my ($name, $file, $format) = @$col;
	my $text = slurp("$dir/$file");
	my @entries = $format eq 'csv'  ? read_csv($text)
				: $format eq 'json' ? read_json($text)
				: $format eq 'syslog' ? read_syslog($text)
				: read_stderr($text);
	for my $e (@entries) {
		for my $c (categorize($e)) { $count{$c}{$name}++; $seen{$c} = 1; }
	}
}

my @names = map { $_->[0] } @columns;
print join("\t", 'event', @names), "\n";
for my $c (sort keys %seen) {
	print join("\t", $c, map { $count{$c}{$_} // 0 } @names), "\n";
}

# Formats of one run must agree; runs with the same settings must agree;
# the logstatement run differs only in how statements are logged.
my $bad = 0;
my $STATEMENT_KINDS = qr/^(entries|severity LOG|duration|statement|execute|DETAIL parameters)/;
for my $c (sort keys %seen) {
	my %n = map { $_ => $count{$c}{$_} // 0 } @names;
	for my $other (qw(csv json rds debian)) {
		next if $n{$other} == $n{stderr};
		print STDERR "mismatch: \"$c\": stderr $n{stderr}, $other $n{$other}\n";
		$bad = 1;
	}
	for my $other (qw(syslog syslog2)) {
		next if $n{$other} == $n{debian};
		print STDERR "mismatch: \"$c\": debian $n{debian}, $other $n{$other}\n";
		$bad = 1;
	}
	next if $c =~ $STATEMENT_KINDS;
	if ($n{logstatement} != $n{stderr}) {
		print STDERR "mismatch: \"$c\": stderr $n{stderr}, logstatement $n{logstatement}\n";
		$bad = 1;
	}
}
exit $bad;
PERL
}

# Replace the lines between the counts markers of fixtures/README.md with a
# Markdown table of the counts.
update_readme() {
	local readme=$fixtures/README.md table
	[ -f "$readme" ] || return 0
	grep -q '<!-- counts:begin -->' "$readme" || return 0
	table=$(awk -F '\t' '
		NR == 1 { printf "|"; for (i = 1; i <= NF; i++) printf " %s |", $i; printf "\n|";
		          for (i = 1; i <= NF; i++) printf "%s", (i == 1 ? " --- |" : " ---: |"); printf "\n"; next }
		{ printf "|"; for (i = 1; i <= NF; i++) printf " %s |", $i; printf "\n" }
	' "$fixtures/expected-counts.tsv")
	TABLE=$table perl -0pi -e \
		's/(<!-- counts:begin -->\n).*?(<!-- counts:end -->)/$1$ENV{TABLE}\n$2/s' "$readme"
}

$verify_only || generate

if ! count_events >"$work/counts.tsv"; then
	cat "$work/counts.tsv"
	echo "make-fixtures.sh: the fixtures disagree (see the mismatches above)" >&2
	exit 1
fi
if $verify_only; then
	if ! diff -u "$fixtures/expected-counts.tsv" "$work/counts.tsv"; then
		echo "make-fixtures.sh: the counts differ from fixtures/expected-counts.tsv" >&2
		exit 1
	fi
	echo "make-fixtures.sh: fixtures verified"
	exit 0
fi
if [ -f "$fixtures/expected-counts.tsv" ] && ! cmp -s "$fixtures/expected-counts.tsv" "$work/counts.tsv"; then
	echo "make-fixtures.sh: note: the counts changed:" >&2
	diff -u "$fixtures/expected-counts.tsv" "$work/counts.tsv" >&2 || true
fi
cp "$work/counts.tsv" "$fixtures/expected-counts.tsv"
update_readme
echo "make-fixtures.sh: fixtures written; counts in $fixtures/expected-counts.tsv"
