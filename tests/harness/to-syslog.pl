#!/usr/bin/perl
# to-syslog.pl — turn a PostgreSQL stderr log into what the same server
# would have left in a syslog file (log_destination = 'syslog').
#
# Usage: to-syslog.pl [--format classic|iso|logplex] [--host NAME] [--ident NAME]
#                     [--color NAME] < stderr.log > syslog.log
#
# No syslog daemon runs where the fixtures are made, so make-fixtures.sh
# writes the syslog fixtures with this script.  The input's log_line_prefix
# must start with '%m [%p] ' and the time zone must be UTC; those two fields
# move into the syslog header, and the rest of the prefix stays in the
# message, as PostgreSQL writes it with log_line_prefix = '%q%u@%d ' when the
# input used '%m [%p] %q%u@%d '.
#
# What PostgreSQL does (elog.c, write_syslog), reproduced here:
#   - one log message (with its DETAIL/HINT/CONTEXT/STATEMENT lines) is one
#     syslog message, numbered by a per-process counter N;
#   - it is sent in parts [N-1], [N-2], ...: one per line of the message,
#     and lines longer than 900 bytes are cut, at a space if there is one;
#   - a forked process inherits the postmaster's counter; this script starts
#     a process at the postmaster's count when the process first logs (for
#     the startup process and the checkpointer, which are forked before the
#     postmaster says "database system is ready to accept connections", at
#     the count before that message).
# And what rsyslog does: control characters in a part become #ooo (a tab,
# which PostgreSQL puts at the start of each continuation line, is #011);
# classic format: 'Mon DD HH:MM:SS host ident[pid]: [N-M] text' (day padded
# with a space), iso format (RSYSLOG_FileFormat):
# 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00 host ident[pid]: [N-M] text'.
# logplex format: what Heroku Postgres's server sends through logplex, as
# "heroku logs" prints it (Heroku's log format: RFC 5424 time, source and
# dyno, then the message; the dyno of a Postgres backend is postgres.PID
# and its message starts with the database attachment's color):
# 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00 app[postgres.PID]: [COLOR] [N-M] text'.
# Heroku's log_line_prefix is ' sql_error_code = %e ': give the input
# server '%m [%p]  sql_error_code = %e ' (two spaces) to get its lines.

use strict;
use warnings;
use Getopt::Long;

my $format = 'classic';
my $host   = 'db1';
my $ident  = 'postgres';
my $color  = 'GREEN';
GetOptions('format=s' => \$format, 'host=s' => \$host, 'ident=s' => \$ident, 'color=s' => \$color)
  or die "usage: to-syslog.pl [--format classic|iso|logplex] [--host NAME] [--ident NAME] [--color NAME]\n";
die "to-syslog.pl: unknown format \"$format\" (classic, iso or logplex)\n"
  unless $format eq 'classic' || $format eq 'iso' || $format eq 'logplex';

binmode STDIN;
binmode STDOUT;

use constant SYSLOG_LIMIT => 900;
my @MONTHS = qw(Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec);
my $SEVERITY = qr/(?:^|\s)(LOG|ERROR|WARNING|FATAL|PANIC|INFO|NOTICE|DEBUG[1-5]|DETAIL|HINT|QUERY|CONTEXT|STATEMENT|LOCATION):  /;
my %FOLLOWS = map { $_ => 1 } qw(DETAIL HINT QUERY CONTEXT STATEMENT LOCATION);

my %seq;                      # per-pid message counter
my ($pm_pid, $pm_seq, $pm_seq_early) = (undef, 0, undef);
my $msg;                      # { pid, time, text } being collected

# The largest length <= $len that does not cut a UTF-8 character in two.
sub mb_clip {
	my ($s, $len) = @_;
	while ($len > 0 && $len < length($s) && (ord(substr($s, $len, 1)) & 0xC0) == 0x80) {
		$len--;
	}
	return $len;
}

# PostgreSQL's split of one message into syslog parts.
sub split_parts {
	my ($line) = @_;
	my @parts;
	while (length $line) {
		if (substr($line, 0, 1) eq "\n") {
			$line = substr($line, 1);
			next;
		}
		my $nl = index($line, "\n");
		my $len = $nl >= 0 ? $nl : length $line;
		$len = SYSLOG_LIMIT if $len > SYSLOG_LIMIT;
		$len = mb_clip($line, $len);
		last if $len <= 0;
		if ($len < length($line) && substr($line, $len, 1) !~ /[ \t\n\r\f\x0b]/) {
			my $i = $len - 1;
			$i-- while $i > 0 && substr($line, $i, 1) !~ /[ \t\n\r\f\x0b]/;
			$len = $i if $i > 0;
		}
		push @parts, substr($line, 0, $len);
		$line = substr($line, $len);
	}
	return @parts;
}

sub header {
	my ($t) = @_;
	my ($y, $mo, $d, $hms, $ms) = @$t;
	return sprintf('%s %2d %s', $MONTHS[$mo - 1], $d, $hms) if $format eq 'classic';
	return sprintf('%04d-%02d-%02dT%s.%s000+00:00', $y, $mo, $d, $hms, $ms);
}

sub first_seq {
	my ($pid, $text) = @_;
	return 0 if defined $pm_pid && $pid == $pm_pid;
	return $pm_seq_early // $pm_seq
	  if $text =~ /^(?:\S+ )?LOG:  (?:database system was |redo |checkpoint starting: |shutting down$)/m;
	return $pm_seq;
}

sub flush {
	return unless $msg;
	my ($pid, $text) = ($msg->{pid}, $msg->{text});
	if (!defined $pm_pid && $text =~ /^LOG:  starting PostgreSQL /) {
		$pm_pid = $pid;
	}
	if (defined $pm_pid && $pid == $pm_pid
		&& $text =~ /^LOG:  database system is ready to accept connections/) {
		$pm_seq_early = $pm_seq;
	}
	$seq{$pid} = first_seq($pid, $text) unless exists $seq{$pid};
	my $n = ++$seq{$pid};
	$pm_seq = $n if defined $pm_pid && $pid == $pm_pid;

	my $head = $format eq 'logplex'
	  ? header($msg->{time}) . " app[postgres.$pid]: [$color]"
	  : header($msg->{time}) . " $host $ident\[$pid\]:";
	my $m = 0;
	for my $part (split_parts($text . "\n")) {
		$m++;
		$part =~ s/([\x00-\x1f\x7f])/sprintf('#%03o', ord $1)/ge;
		print "$head [$n-$m] $part\n";
	}
	undef $msg;
}

while (my $line = <STDIN>) {
	chomp $line;
	if ($line =~ /^(\d{4})-(\d\d)-(\d\d) (\d\d:\d\d:\d\d)\.(\d{3}) (\S+) \[(\d+)\] (.*)$/s) {
		my ($time, $tz, $pid, $rest) = ([$1, $2, $3, $4, $5], $6, $7, $8);
		die "to-syslog.pl: line $.: time zone \"$tz\" is not UTC\n"
		  unless $tz eq 'UTC' || $tz eq 'GMT';
		my ($severity) = $rest =~ $SEVERITY;
		die "to-syslog.pl: line $.: no severity found\n" unless defined $severity;
		if ($msg && $FOLLOWS{$severity} && $msg->{pid} == $pid) {
			$msg->{text} .= "\n$rest";
			next;
		}
		flush();
		$msg = { pid => $pid, time => $time, text => $rest };
	} elsif ($msg) {
		$msg->{text} .= "\n$line";
	} else {
		die "to-syslog.pl: line $.: expected a line starting with '%m [%p] '\n";
	}
}
flush();
