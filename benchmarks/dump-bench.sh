#!/usr/bin/env bash
# Dump and disaster-recovery benchmark (issue 6): generates a Kopano-like database of --mb MB (default 2048) on a
# private MariaDB, then times kbr's dump until durable in S3 against mariadb-dump | gzip -6 (+ upload) and mydumper,
# the loads against mariadb < dump.sql and myloader, the writer's insert p99.9 with and without a dump, and the
# peak RSS of the dump process. Needs mariadb-server, mariadb-client and mydumper (Debian packages, see .ci/run).
# Usage, from anywhere:  benchmarks/dump-bench.sh [--mb SIZE_MB] [--workdir DIR]
# Quick load iterations: --load-only (kbr dump in-process, then the loads listed in -Dkbr.bench.variants, default
# kbr,md,kbr,md; kbrN = kbr's loader on N connections (LOAD DATA LOCAL INFILE path), sqlN = the same loader running
# every chunk as SQL, md = mariadb < dump.sql; no writer, no mydumper/myloader).
# Extra Maven flags (e.g. -o for offline) go in MVN_FLAGS; JVM options in BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MVN_FLAGS:-} test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt -pl libs/dump-format -am
M=libs/dump-format
exec java ${BENCH_JAVA_OPTS:-} -cp "$M/target/test-classes:$M/target/classes:$(cat $M/target/bench-classpath.txt)" \
  io.kbr.dump.bench.DumpBench --workdir "${TMPDIR:-/tmp}/kbr-dump-bench" "$@"
