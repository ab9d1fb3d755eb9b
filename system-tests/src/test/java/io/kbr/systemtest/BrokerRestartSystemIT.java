package io.kbr.systemtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kbr.demo.KbrStack;
import io.kbr.localservers.KafkaBroker;
import io.kbr.localservers.SharedServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker crashes (SIGKILL) while Kopano keeps changing and comes back on the same address a few seconds
 * later. The packaged agent and catalog keep running throughout (neither is restarted): the agent must hold its
 * checkpoint while it cannot publish and resume when the broker is back, the catalog must reconnect, and in the end
 * the catalog holds exactly Kopano's items — none missing, none twice, each in its folder with its soft-delete flag.
 * The broker is this test's own (the shared one serves other tests).
 */
class BrokerRestartSystemIT {
    @TempDir
    Path workDir;

    @Test
    void aBrokerCrashDuringChangesLosesNothing() throws Exception {
        Path root = KbrStack.findProjectRoot(Path.of(""));
        KafkaBroker broker = KafkaBroker.start(workDir.resolve("kafka"));
        try (KbrStack stack = new KbrStack(root, workDir.resolve("stack"), SharedServers.mariaDb(), broker, SharedServers.s3(),
                System.out::println)) {
            stack.seedKopano(1);
            stack.startCatalog();
            stack.startAgent("broker-it");
            JsonNode report = stack.awaitFullBackup(Duration.ofMinutes(3));
            stack.awaitCatalog(report.path("events").asLong(), Duration.ofMinutes(2));

            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicInteger changes = new AtomicInteger();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    ContinuousBackupSystemIT.write(stack, writing, changes);
                } catch (Throwable e) {
                    writerFailure.set(e);
                }
            }, "kopano-writer");
            writer.start();
            Thread.sleep(3000);
            int beforeCrash = changes.get();
            broker.kill();
            System.out.println("broker killed after " + beforeCrash + " changes");
            Thread.sleep(8000); // changes keep coming while nothing can be published or consumed
            int duringOutage = changes.get() - beforeCrash;
            broker = broker.restart();
            System.out.println("broker restarted; " + duringOutage + " changes happened while it was down");
            Thread.sleep(3000);
            writing.set(false);
            writer.join();
            assertThat(writerFailure.get()).isNull();
            assertThat(duringOutage).as("changes made while the broker was down").isGreaterThan(20);

            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            Map<String, Map<String, String>> kopano;
            Map<String, Map<String, String>> catalog;
            do {
                Thread.sleep(1000);
                kopano = ContinuousBackupSystemIT.kopanoItems(stack);
                catalog = ContinuousBackupSystemIT.catalogItems(stack, kopano.keySet());
            } while (!kopano.equals(catalog) && System.nanoTime() < deadline);
            assertThat(catalog).as("catalog items per store (sourcekey -> folder, soft-deleted)").isEqualTo(kopano);
            assertThat(kopano.values().stream().mapToInt(Map::size).sum()).isGreaterThan(50);

            assertThat(stack.agent().isAlive()).as("the agent survived the outage").isTrue();
            assertThat(stack.catalog().isAlive()).as("the catalog survived the outage").isTrue();
            JsonNode agentStatus = stack.get(stack.agent(), "/api/v1/agent/status");
            System.out.println("agent after the outage: " + agentStatus.path("incremental"));
            assertThat(agentStatus.path("incremental").path("mode").asText()).isEqualTo("incremental");
            assertThat(agentStatus.path("incremental").path("lag").asLong()).isZero();
        } finally {
            broker.close();
        }
    }
}
