#!/usr/bin/perl
# distinct-log.pl — write a log whose statements are mostly distinct, for make bench.
#
# Usage: distinct-log.pl --statements N --distinct D [--seed S] > distinct.log
#
# What ad-hoc analytics, generated SQL and per-tenant schemas leave in a
# log with log_min_duration_statement = 0 and the prefix
# '%m [%p] %q%u@%d ': D statement shapes, each its own fingerprint (the
# shapes differ in their column lists, their tenant table or their
# grouping, spelled with letters: libpg_query's fingerprint ignores the
# digits of a relation's name), N statements drawn from them (statement
# i is shape i while i < D, so every shape appears; then a random one,
# the low-numbered shapes more often), literals varying, 40 sessions
# interleaved, through the simple protocol.  The same arguments give the
# same log, byte for byte.  Not a test fixture: a benchmark input
# (docs/performance.md, "Many distinct statements").

use strict;
use warnings;
use Getopt::Long;

my ($statements, $distinct, $seed) = (1_000_000, 1_000_000, 20261203);
GetOptions('statements=i' => \$statements, 'distinct=i' => \$distinct, 'seed=i' => \$seed)
  or die "usage: distinct-log.pl --statements N --distinct D [--seed S]\n";
die "distinct-log.pl: --distinct must be positive\n" if $distinct <= 0;
srand($seed);
binmode STDOUT;

# Shape number k as letters: 0 -> "a", 25 -> "z", 26 -> "ba" ...
sub letters {
	my ($k) = @_;
	my $s = '';
	do { $s = chr(97 + $k % 26) . $s; $k = int($k / 26); } while ($k > 0);
	return $s;
}

my @metrics = qw(amount quantity price discount tax weight score latency);

sub statement {
	my ($shape) = @_;
	my $tag = letters($shape);
	my $kind = $shape % 3;
	my $n = int(rand(100000));
	if ($kind == 0) {
		# a per-tenant table
		return "SELECT id, status, total FROM orders_$tag WHERE customer_id = $n AND status = 'open'";
	} elsif ($kind == 1) {
		# a generated column list
		my $m = $metrics[$shape % @metrics];
		return "SELECT day, sum($m\_$tag) FROM facts WHERE region = 'r$n' GROUP BY day ORDER BY day LIMIT 100";
	}
	# an ad-hoc report grouping by a column of its own
	return "SELECT c.segment_$tag, count(*) FROM customers c JOIN orders o ON o.customer_id = c.id"
	  . " WHERE o.created_at > '2026-11-01' AND c.id > $n GROUP BY c.segment_$tag";
}

my $t0 = 1_764_578_400;		# 2025-12-01 08:40:00 UTC
for my $i (0 .. $statements - 1) {
	my $shape = $i < $distinct ? $i : int($distinct * rand() ** 2);
	my $ms = sprintf('%.3f', 0.05 + rand() ** 3 * 40);
	my $t = $t0 + $i / 2000;
	my @tm = gmtime(int($t));
	my $pid = 4000 + $i % 40;
	printf "%04d-%02d-%02d %02d:%02d:%02d.%03d UTC [%d] app%d\@shop LOG:  duration: %s ms  statement: %s\n",
	  $tm[5] + 1900, $tm[4] + 1, $tm[3], $tm[2], $tm[1], $tm[0], int(($t - int($t)) * 1000), $pid, $pid % 3,
	  $ms, statement($shape);
}
