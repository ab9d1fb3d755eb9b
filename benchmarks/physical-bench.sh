#!/usr/bin/env bash
# Physical-backup benchmark (issue 8): generates the same Kopano-like database as benchmarks/dump-bench.sh (--mb,
# default 1536 MB) on a private MariaDB, then in one run times kbr's physical backup (mariadb-backup --stream=xbstream
# → zstd → S3 parts) until durable next to kbr's logical dump, the physical restore (verify parts, mbstream, prepare,
# start mariadbd) until the server answers next to the logical load and next to the stock `mariadb < dump.sql` of a
# `mariadb-dump --single-transaction --routines --quick` file (ratios of both to it), the verification of all three,
# and a writer's transaction p99.9 without a backup, during the physical backup and during the logical dump.
# The work dir is deleted at the end.
# Needs mariadb-server and mariadb-backup (Debian packages, see .ci/run). Quick run: --mb 100.
# Usage, from anywhere:  benchmarks/physical-bench.sh [--mb SIZE_MB] [--workdir DIR]
# Extra Maven flags (e.g. -o for offline) go in MVN_FLAGS; JVM options in BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B ${MVN_FLAGS:-} test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt -pl libs/dump-format -am
M=libs/dump-format
exec java ${BENCH_JAVA_OPTS:-} -cp "$M/target/test-classes:$M/target/classes:$(cat $M/target/bench-classpath.txt)" \
  io.kbr.dump.bench.PhysicalBench --workdir "${TMPDIR:-/tmp}/kbr-physical-bench" "$@"
