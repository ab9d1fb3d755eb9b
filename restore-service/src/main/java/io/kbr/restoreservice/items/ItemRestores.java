package io.kbr.restoreservice.items;

import io.kbr.blobstore.BlobCodec;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.kbr.restoreservice.config.RestoreConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts the item restores of the restore-service at start-up: {@link RestoreRequestConsumer} (requests → commands) and
 * {@link JobCompletion} (FINISHED once every item has an outcome), with the blob store of the backup (bucket
 * {@code items.blob-bucket}, else {@code object-store.bucket}; the deployment's encryption keys). Off with
 * {@code kbr.restore.items.enabled=false} or without {@code kafka.bootstrap.servers}.
 */
@ApplicationScoped
public class ItemRestores {
    private static final Logger LOG = Logger.getLogger(ItemRestores.class);

    private final RestoreConfig config;
    private final Optional<String> bootstrap;
    private BlobStore blobs;
    private RestoreRequestConsumer requests;
    private JobCompletion completion;
    private volatile String problem = "not started";
    private volatile boolean stopping;

    public ItemRestores(RestoreConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> bootstrap) {
        this.config = config;
        this.bootstrap = bootstrap;
    }

    void onStart(@Observes StartupEvent ev) {
        RestoreConfig.Items items = config.items();
        if (!items.enabled() || bootstrap.isEmpty() || bootstrap.get().isBlank()) {
            problem = null;
            LOG.info("item restores are off (kbr.restore.items.enabled=false or no kafka.bootstrap.servers)");
            return;
        }
        Thread starter = new Thread(() -> {
            // Kafka or the bucket may come up after the service: retry until the item restores run (readiness says why not)
            while (!stopping) {
                try {
                    startConsumers(items);
                    problem = null;
                    LOG.infof("item restores: consuming %s, catalog %s", items.requestsTopic(), config.catalog().url());
                    return;
                } catch (RuntimeException e) {
                    problem = "item restores could not start: " + e.getMessage();
                    LOG.warnf("item restores could not start (%s); retrying in 10 s", e.getMessage());
                    if (completion != null) {
                        completion.close();
                        completion = null;
                    }
                    if (blobs != null) {
                        blobs.close();
                        blobs = null;
                    }
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "kbr-restore-items-start");
        starter.setDaemon(true);
        starter.start();
    }

    private void startConsumers(RestoreConfig.Items items) {
        RestoreConfig.ObjectStore os = config.objectStore();
        blobs = BlobStore.create(BlobStoreConfig.of(os.endpoint(), os.accessKey(), os.secretKey()).withRegion(os.region())
                .withBucket(items.blobBucket().orElse(os.bucket())).withCreateBucket(false),
                BlobCodec.configured(os.encryptionKeys(), os.activeKeyId()));
        ensureTopics(bootstrap.get(), items);
        completion = new JobCompletion(bootstrap.get(), items.eventsTopic(), Clock.systemUTC()).start();
        requests = RestoreRequestConsumer.withReads(new RestoreRequestConsumer.Settings(bootstrap.get(), items.groupId(), items.requestsTopic(),
                items.commandsTopic(), items.eventsTopic(), items.batchSize(), items.retryPause(), items.verifyBlobs()),
                new RestorePlanner(new CatalogClient(config.catalog().url(), config.catalog().token()), items.softdeleteLifetime(), Clock.systemUTC()),
                BlobReads.of(blobs), Clock.systemUTC()).start();
    }

    /** Null when item restores run (or are off); else what keeps them from running. */
    public String problem() {
        return problem;
    }

    /** Requests, commands and events topics exist (partitions as the broker's default), with the requests' DLQ. */
    private static void ensureTopics(String bootstrap, RestoreConfig.Items items) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            for (String t : List.of(items.requestsTopic(), items.requestsTopic() + ".dlq", items.commandsTopic(), items.commandsTopic() + ".dlq",
                    items.eventsTopic())) {
                if (existing.contains(t)) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(new NewTopic(t, Optional.empty(), Optional.empty()).configs(Map.of()))).all().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("creating topic " + t + " failed: " + e.getMessage(), e);
                    }
                }
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("listing Kafka topics at " + bootstrap + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating Kafka topics", e);
        }
    }

    void onStop(@Observes ShutdownEvent ev) {
        stopping = true;
        if (requests != null) {
            requests.close();
        }
        if (completion != null) {
            completion.close();
        }
        if (blobs != null) {
            blobs.close();
        }
    }
}
