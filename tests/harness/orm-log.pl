#!/usr/bin/perl
# orm-log.pl — write an ORM-shaped PostgreSQL stderr log, for make bench.
#
# Usage: orm-log.pl [--statements N] [--seed S] > orm.log
#
# What applications behind an ORM leave in a log with
# log_min_duration_statement = 0 and the prefix '%m [%p] %q%u@%d ':
# about 600 fingerprints (60 tables × 10 statement shapes: find by id,
# IN lists of 1-30 ids, joins with quoted identifiers, ORDER BY ... LIMIT,
# COUNT, UPDATE, INSERT ... RETURNING, DELETE, EXISTS, a search by a
# string), long select lists of quoted columns, string literals with
# doubled quotes, 10% of the statements written over several lines (the
# continuation lines start with a tab, as PostgreSQL writes them), half
# through the extended protocol ("execute <unnamed>:" with a DETAIL line
# of parameters), 40 sessions interleaved.  The same seed gives the same
# log, byte for byte (Perl's own srand/rand).  Not a test fixture: a
# benchmark input (docs/performance.md).

use strict;
use warnings;
use Getopt::Long;

my $statements = 400_000;
my $seed       = 20261203;
GetOptions('statements=i' => \$statements, 'seed=i' => \$seed)
  or die "usage: orm-log.pl [--statements N] [--seed S]\n";
srand($seed);
binmode STDOUT;

my @words = qw(account order item invoice payment customer product shipment review
  category tag comment session token address cart coupon refund ledger event);
my @tables;
for my $i (0 .. 59) {
	push @tables, $words[$i % @words] . ($i >= @words ? '_' . int($i / @words) : '') . 's';
}
my %table_no = map { $tables[$_] => $_ } 0 .. $#tables;
my @cols = qw(id created_at updated_at status name email kind amount currency
  owner_id parent_id position note deleted_at version);
my @users = map { "app$_" } 1 .. 3;
my @apps  = ('rails', 'sidekiq', 'django', 'hibernate');

sub pick { $_[int(rand(@_))] }

sub quoted_cols {
	my ($t, $n) = @_;
	return join(', ', map { "\"$t\".\"$cols[$_]\"" } 0 .. $n - 1);
}

sub str_literal {
	my @names = ("o''brien", "d''arcy", 'smith', "l''oreal", 'zhang', 'müller');
	return "'" . pick(@names) . int(rand(1000)) . "\@example.com'";
}

sub id_list {
	my $n = 1 + int(rand(30));
	return join(', ', map { 1 + int(rand(1_000_000)) } 1 .. $n);
}

# One statement of shape s on table t: (text with values inline, text with
# $n, the parameter values).
sub statement {
	my ($s, $t) = @_;
	my $u = $tables[(index(join(',', @tables), $t) + 7) % @tables];
	my $id = 1 + int(rand(1_000_000));
	my $ncols = 4 + ($table_no{$t} * 7 + $s * 3) % 8;    # one select list per table and shape
	if ($s == 0) {
		return ("SELECT " . quoted_cols($t, $ncols) . " FROM \"$t\" WHERE \"$t\".\"id\" = $id LIMIT 1",
			"SELECT " . quoted_cols($t, $ncols) . " FROM \"$t\" WHERE \"$t\".\"id\" = \$1 LIMIT \$2", [$id, 1]);
	} elsif ($s == 1) {
		my $l = id_list();
		my @ids = split /, /, $l;
		my $ps = join(', ', map { '$' . $_ } 1 .. @ids);
		return ("SELECT " . quoted_cols($t, $ncols) . " FROM \"$t\" WHERE \"$t\".\"owner_id\" IN ($l)",
			"SELECT " . quoted_cols($t, $ncols) . " FROM \"$t\" WHERE \"$t\".\"owner_id\" IN ($ps)", \@ids);
	} elsif ($s == 2) {
		my $text = "SELECT " . quoted_cols($t, $ncols) . ", \"$u\".\"name\" FROM \"$t\" INNER JOIN \"$u\" ON \"$u\".\"id\" = \"$t\".\"parent_id\" WHERE \"$t\".\"status\" = 'active' AND \"$u\".\"deleted_at\" IS NULL ORDER BY \"$t\".\"created_at\" DESC LIMIT 25";
		(my $p = $text) =~ s/'active'/\$1/;
		$p =~ s/LIMIT 25/LIMIT \$2/;
		return ($text, $p, ['active', 25]);
	} elsif ($s == 3) {
		return ("SELECT COUNT(*) FROM \"$t\" WHERE \"$t\".\"owner_id\" = $id AND \"$t\".\"deleted_at\" IS NULL",
			"SELECT COUNT(*) FROM \"$t\" WHERE \"$t\".\"owner_id\" = \$1 AND \"$t\".\"deleted_at\" IS NULL", [$id]);
	} elsif ($s == 4) {
		my $note = str_literal();
		(my $raw = $note) =~ s/^'|'$//g;
		$raw =~ s/''/'/g;
		return ("UPDATE \"$t\" SET \"note\" = $note, \"updated_at\" = '2026-11-30 10:00:00.123456' WHERE \"$t\".\"id\" = $id",
			"UPDATE \"$t\" SET \"note\" = \$1, \"updated_at\" = \$2 WHERE \"$t\".\"id\" = \$3",
			[$raw, '2026-11-30 10:00:00.123456', $id]);
	} elsif ($s == 5) {
		my $e = str_literal();
		(my $raw = $e) =~ s/^'|'$//g;
		$raw =~ s/''/'/g;
		return ("INSERT INTO \"$t\" (\"email\", \"kind\", \"amount\", \"created_at\") VALUES ($e, 'web', 19.99, '2026-11-30 10:00:00') RETURNING \"id\"",
			"INSERT INTO \"$t\" (\"email\", \"kind\", \"amount\", \"created_at\") VALUES (\$1, \$2, \$3, \$4) RETURNING \"id\"",
			[$raw, 'web', '19.99', '2026-11-30 10:00:00']);
	} elsif ($s == 6) {
		return ("DELETE FROM \"$t\" WHERE \"$t\".\"id\" = $id", "DELETE FROM \"$t\" WHERE \"$t\".\"id\" = \$1", [$id]);
	} elsif ($s == 7) {
		return ("SELECT 1 AS one FROM \"$t\" WHERE \"$t\".\"email\" = " . str_literal() . " LIMIT 1",
			"SELECT 1 AS one FROM \"$t\" WHERE \"$t\".\"email\" = \$1 LIMIT \$2", ['x@example.com', 1]);
	} elsif ($s == 8) {
		return ("SELECT " . quoted_cols($t, $ncols) . " FROM \"$t\" WHERE \"$t\".\"parent_id\" = $id ORDER BY \"$t\".\"position\" ASC, \"$t\".\"id\" ASC LIMIT 50 OFFSET 100",
			"SELECT " . quoted_cols($t, $ncols) . " FROM \"$t\" WHERE \"$t\".\"parent_id\" = \$1 ORDER BY \"$t\".\"position\" ASC, \"$t\".\"id\" ASC LIMIT \$2 OFFSET \$3",
			[$id, 50, 100]);
	} else {
		return ("SELECT \"$t\".* FROM \"$t\" WHERE (\"$t\".\"name\" ILIKE '%" . pick(@words) . "%' OR \"$t\".\"note\" ILIKE '%it''s%') AND \"$t\".\"kind\" = 'web'",
			"SELECT \"$t\".* FROM \"$t\" WHERE (\"$t\".\"name\" ILIKE \$1 OR \"$t\".\"note\" ILIKE \$2) AND \"$t\".\"kind\" = \$3",
			['%' . pick(@words) . '%', "%it's%", 'web']);
	}
}

# Spread a statement over lines: break before FROM, WHERE, ORDER BY.
sub multiline {
	my ($text) = @_;
	$text =~ s/ (FROM|WHERE|ORDER BY|INNER JOIN) /\n  $1 /g;
	return $text;
}

sub quote_param {
	my ($v) = @_;
	$v =~ s/'/''/g;
	return "'$v'";
}

my @pids = map { 10000 + $_ * 37 } 1 .. 40;
my $t_ms = 1764496800000;    # 2025-11-30 10:00:00 UTC
for my $n (1 .. $statements) {
	$t_ms += int(rand(4));
	my ($sec, $ms) = (int($t_ms / 1000), $t_ms % 1000);
	my @g = gmtime($sec);
	my $ts = sprintf('%04d-%02d-%02d %02d:%02d:%02d.%03d UTC', $g[5] + 1900, $g[4] + 1, $g[3], $g[2], $g[1], $g[0], $ms);
	my $pid = pick(@pids);
	my $who = $users[$pid % @users] . '@shop';
	my $shape = int(rand(10));
	my $table = $tables[int(rand(@tables))];
	my ($inline, $param, $values) = statement($shape, $table);
	my $dur = sprintf('%.3f', 0.05 + rand() ** 3 * 40);
	my $extended = rand() < 0.5;
	my $text = $extended ? $param : $inline;
	$text = multiline($text) if rand() < 0.1;
	$text =~ s/\n/\n\t/g;
	if ($extended) {
		print "$ts [$pid] $who LOG:  duration: $dur ms  execute <unnamed>: $text\n";
		my $i = 0;
		print "$ts [$pid] $who DETAIL:  parameters: ", join(', ', map { '$' . ++$i . ' = ' . quote_param($_) } @$values), "\n";
	} else {
		print "$ts [$pid] $who LOG:  duration: $dur ms  statement: $text\n";
	}
}
