#!/usr/bin/env bash
# Restore benchmarks (issue 5's numbers; docs/benchmarks.md, "Restores (issue 5)"). One command each:
#
#   benchmarks/restore.sh e2e    [--items 10000] [--samples 50] [--verify-blobs true|false]
#       The packaged catalog, agent and restore-service (KbrStack) on local MariaDB/Kafka/S3: a store of N items is
#       seeded (KopanoWriter, 4 writers: the same-run baseline) and backed up; then single-item restores through
#       POST /api/v1/restores timed from the API call to the copy committed in Kopano (p50/p99; baseline: a plain
#       one-row INSERT round trip), and one bulk restore of the whole store (items/s; baseline: the seeding rate),
#       then checks that the job's counts match the selection and the copies in Kopano (EXACT / MISMATCH).
#       --verify-blobs sets the restore-service's kbr.restore.items.verify-blobs (default true).
#
#   benchmarks/restore.sh writer [items (10000)] [database|files|files_v2] [latency samples (138)] [connections (4)]
#       libs/kopano-restore alone (RestoreBench, its own MariaDB): KopanoWriter baseline, KopanoRestorer one item per
#       transaction, restoreBatch on 1 and N connections and with deferredupdate rows (each run checks messages,
#       folder counters and ICS rows), then single restore() latency against a plain INSERT round trip.
#
# Builds into the working tree (package, never install). Extra Maven flags (e.g. -o) in MVN_FLAGS; JVM options
# (e.g. -XX:StartFlightRecording=...) in BENCH_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-e2e}"
shift || true
case "$mode" in
  writer)
    exec libs/kopano-restore/bench.sh "${1:-10000}" "${2:-files_v2}" "${3:-138}" "${4:-4}"
    ;;
  e2e)
    ./mvnw -q -B ${MVN_FLAGS:-} package -DskipTests -pl benchmarks,catalog-service,backup-agent,restore-service -am
    exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager ${BENCH_JAVA_OPTS:-} \
      -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" io.kbr.bench.RestoreEndToEndBench "$@"
    ;;
  *)
    echo "usage: benchmarks/restore.sh e2e [--items N] [--samples N] | writer [items] [backend] [samples] [connections]" >&2
    exit 2
    ;;
esac
