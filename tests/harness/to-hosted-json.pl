#!/usr/bin/perl
# to-hosted-json.pl — put a real PostgreSQL log into the JSON envelope of a
# hosted service, as its documentation describes it.
#
# Usage: to-hosted-json.pl --format cnpg < postgresql.json > cnpg.log
#        to-hosted-json.pl --format cloudsql < postgresql.log > cloudsql.json
#
# cnpg: CloudNativePG writes the server's log to stdout as JSON lines:
#   {"level":"info","ts":"<RFC 3339>","logger":"postgres","msg":"record",
#    "logging_pod":"<pod>","record":{<csvlog's columns by name>}}
# (cloudnative-pg.io/documentation/current/logging).  The input is the
# server's own jsonlog (PG 15); its keys are renamed to csvlog's column
# names, every column present (empty strings for the empty ones), as the
# operator writes them.  Between the records come lines of the operator's
# other loggers ("instance-manager"), which readers must skip.
#
# cloudsql: Cloud SQL's logs exported from Cloud Logging, one LogEntry per
# line (a sink to Cloud Storage, or gcloud logging read --format=json | jq
# -c '.[]'): {"insertId", "logName": ".../cloudsql.googleapis.com%2Fpostgres.log",
# "receiveTimestamp", "resource": {"type": "cloudsql_database", "labels"},
# "severity", "textPayload": "<one log line, prefix included>", "timestamp"}.
# The input is a stderr log written with Cloud SQL's log_line_prefix
# '%m [%p]: [%l-1] db=%d,user=%u '; each message line with its
# continuation lines becomes one entry's textPayload.

use strict;
use warnings;
use Getopt::Long;
use JSON::PP;

my $format = '';
GetOptions('format=s' => \$format) or die "usage: to-hosted-json.pl --format cnpg|cloudsql\n";
die "to-hosted-json.pl: --format cnpg or cloudsql\n" unless $format eq 'cnpg' || $format eq 'cloudsql';
binmode STDIN;
binmode STDOUT;
my $json = JSON::PP->new->canonical->utf8(0);

# "2026-12-03 06:03:27.326 UTC" -> "2026-12-03T06:03:27.326000Z"
sub rfc3339 {
	my ($t) = @_;
	my ($d, $hms, $frac) = $t =~ /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d+))? UTC$/
	  or die "to-hosted-json.pl: line $.: time \"$t\" is not UTC\n";
	$frac = substr(($frac // '') . '000000', 0, 6);
	return "${d}T$hms.${frac}Z";
}

if ($format eq 'cnpg') {
	my @columns = (
		[log_time => 'timestamp'], [user_name => 'user'], [database_name => 'dbname'],
		[process_id => 'pid'], [connection_from => undef], [session_id => 'session_id'],
		[session_line_num => 'line_num'], [command_tag => 'ps'], [session_start_time => 'session_start'],
		[virtual_transaction_id => 'vxid'], [transaction_id => 'txid'], [error_severity => 'error_severity'],
		[sql_state_code => 'state_code'], [message => 'message'], [detail => 'detail'], [hint => 'hint'],
		[internal_query => 'internal_query'], [internal_query_pos => 'internal_position'],
		[context => 'context'], [query => 'statement'], [query_pos => 'cursor_position'],
		[location => undef], [application_name => 'application_name'], [backend_type => 'backend_type'],
		[leader_pid => 'leader_pid'], [query_id => 'query_id'],
	);
	my $n = 0;
	while (my $line = <STDIN>) {
		chomp $line;
		next if $line eq '';
		my $in = $json->decode($line);
		my %rec;
		for my $c (@columns) {
			my ($name, $key) = @$c;
			my $v = defined $key ? $in->{$key} : undef;
			$v = "$in->{remote_host}:$in->{remote_port}"
			  if $name eq 'connection_from' && defined $in->{remote_host} && defined $in->{remote_port};
			$v = $in->{remote_host} if $name eq 'connection_from' && !defined $v;
			$v = '00000' if $name eq 'sql_state_code' && !defined $v;
			$rec{$name} = defined $v ? "$v" : '';
		}
		my $ts = rfc3339($in->{timestamp});
		print $json->encode({level => 'info', ts => $ts, logger => 'instance-manager',
			msg => 'Checking for free disk space for WALs', logging_pod => 'cluster-example-1'}), "\n"
		  if $n++ % 50 == 0;
		print $json->encode({level => 'info', ts => $ts, logger => 'postgres', msg => 'record',
			logging_pod => 'cluster-example-1', record => \%rec}), "\n";
	}
} else {
	my ($text, $time, $id) = (undef, undef, 0);
	my $flush = sub {
		return unless defined $text;
		my $ts = rfc3339($time);
		my ($sev) = $text =~ /\s(LOG|ERROR|WARNING|FATAL|PANIC|INFO|NOTICE|DEBUG[1-5]|DETAIL|HINT|QUERY|CONTEXT|STATEMENT|LOCATION):  /;
		my %cloud = (LOG => 'INFO', ERROR => 'ERROR', WARNING => 'WARNING', FATAL => 'CRITICAL', PANIC => 'EMERGENCY');
		print $json->encode({
			insertId => sprintf('s=%08x;i=%x', 0x5eed, $id++),
			logName => 'projects/pgsift-demo/logs/cloudsql.googleapis.com%2Fpostgres.log',
			receiveTimestamp => $ts, timestamp => $ts, severity => $cloud{$sev // ''} // 'DEFAULT',
			resource => {type => 'cloudsql_database',
				labels => {database_id => 'pgsift-demo:shop', project_id => 'pgsift-demo', region => 'europe-west1'}},
			textPayload => $text}), "\n";
		undef $text;
	};
	while (my $line = <STDIN>) {
		chomp $line;
		if ($line =~ /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+) \[\d+\]: /) {
			$flush->();
			($text, $time) = ($line, $1);
		} elsif (defined $text) {
			$text .= "\n$line";
		} else {
			die "to-hosted-json.pl: line $.: expected a line starting with '%m [%p]: '\n";
		}
	}
	$flush->();
}
