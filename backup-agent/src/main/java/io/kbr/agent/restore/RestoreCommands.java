package io.kbr.agent.restore;

import io.kbr.agent.config.AgentConfig;
import io.kbr.blobstore.BlobStore;
import io.kbr.documents.StoredBlobs;
import io.kbr.kopano.model.Bytes;
import io.kbr.kopano.read.KopanoReader;
import io.kbr.kopano.write.AttachmentStorage;
import io.kbr.restore.kopano.SourceKeyPolicy;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Starts the agent's restore loop ({@link RestoreCommandConsumer}) at start-up, with blob reads verified by the
 * deployment's keys ({@link BlobStore} built from {@code kbr.agent.object-store.*}) and the applied-items store
 * ({@link KafkaAppliedCommands}) read back first. Off with {@code kbr.agent.restore.enabled=false} or without Kafka.
 */
@ApplicationScoped
public class RestoreCommands {
    private static final Logger LOG = Logger.getLogger(RestoreCommands.class);

    private final AgentConfig config;
    private final DataSource kopano;
    private final BlobStore blobs;
    private final Optional<String> bootstrap;
    private KafkaAppliedCommands applied;
    private RestoreCommandConsumer consumer;
    private volatile boolean stopping;

    public RestoreCommands(AgentConfig config, DataSource kopano, BlobStore blobs,
            @ConfigProperty(name = "kafka.bootstrap.servers") Optional<String> bootstrap) {
        this.config = config;
        this.kopano = kopano;
        this.blobs = blobs;
        this.bootstrap = bootstrap;
    }

    void onStart(@Observes StartupEvent ev) {
        AgentConfig.Restore r = config.restore();
        if (!r.enabled() || bootstrap.isEmpty() || bootstrap.get().isBlank()) {
            LOG.info("item restores are off (kbr.agent.restore.enabled=false or no kafka.bootstrap.servers)");
            return;
        }
        Thread starter = new Thread(() -> {
            // Kafka may come up after the agent: retry until the restore loop runs
            while (!stopping) {
                try {
                    applied = KafkaAppliedCommands.open(bootstrap.get(), r.appliedTopic(), r.appliedRetention(), config.incremental().replication());
                    LOG.infof("item restores: %d applied items remembered in %s", applied.size(), r.appliedTopic());
                    consumer = new RestoreCommandConsumer(new RestoreCommandConsumer.Settings(bootstrap.get(), config.serverId(), r.commandsTopic(),
                            r.eventsTopic(), r.retryPause()), kopano, this::attachmentStorage, ref -> StoredBlobs.read(blobs, ref), applied,
                            new RestoreCommandApplier(Clock.systemUTC(), sourceKeys(r.sourceKeys(), config.serverId()), r.itemsPerTransaction(),
                                    r.deferTableRows()).batchReads(refs -> batchReads(blobs, refs))).start();
                    return;
                } catch (RuntimeException e) {
                    LOG.warnf("item restores could not start (%s); retrying in 10 s", e.getMessage());
                    if (applied != null) {
                        applied.close();
                        applied = null;
                    }
                    try {
                        Thread.sleep(10_000);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "kbr-agent-restore-start");
        starter.setDaemon(true);
        starter.start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        stopping = true;
        if (consumer != null) {
            consumer.close();
        }
        if (applied != null) {
            applied.close();
        }
    }

    /**
     * Verified reads of many blobs: the pack entries through {@link BlobStore#getAll} (the entries of one pack that lie
     * close together with one range request, each checked against its SHA-256), stand-alone blobs one by one. One result
     * per reference: the bytes, or the exception the verified read threw.
     */
    static List<Object> batchReads(BlobStore blobs, List<io.kbr.events.schema.BlobRef> refs) {
        Object[] out = new Object[refs.size()];
        List<io.kbr.blobstore.PackedBlob> packed = new java.util.ArrayList<>();
        List<Integer> at = new java.util.ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            io.kbr.events.schema.BlobRef ref = refs.get(i);
            try {
                if (ref.getPack() == null) {
                    out[i] = StoredBlobs.read(blobs, ref);
                } else {
                    packed.add(new io.kbr.blobstore.PackedBlob(io.kbr.blobstore.BlobId.parse(ref.getSha256()), ref.getSize(), ref.getPack(),
                            ref.getOffset(), Math.toIntExact(ref.getStoredLength())));
                    at.add(i);
                }
            } catch (RuntimeException e) {
                out[i] = e;
            }
        }
        if (!packed.isEmpty()) {
            List<Object> got = blobs.getAll(packed, RestoreCommandApplier.MAX_GAP);
            for (int k = 0; k < got.size(); k++) {
                out[at.get(k)] = got.get(k);
            }
        }
        return Arrays.asList(out);
    }

    /** The policy for new sourcekeys; {@code agent} uses a GUID derived from the server id, so it is stable across restarts. */
    static SourceKeyPolicy sourceKeys(String policy, String serverId) {
        return switch (policy.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "server" -> SourceKeyPolicy.serverCounter();
            case "agent" -> {
                try {
                    byte[] h = MessageDigest.getInstance("SHA-256").digest(("kbr-restore-agent:" + serverId).getBytes(StandardCharsets.UTF_8));
                    yield SourceKeyPolicy.agent(Bytes.of(Arrays.copyOf(h, 16)));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            default -> throw new IllegalArgumentException("kbr.agent.restore.source-keys must be agent or server, got '" + policy + "'");
        };
    }

    /** The configured backend, or the one the Kopano database names in settings.attachment_storage (§7.1). */
    private AttachmentStorage attachmentStorage() throws java.sql.SQLException {
        AgentConfig.Attachments a = config.attachments();
        AttachmentStorage.Kind kind;
        if (a.storage().isPresent()) {
            kind = AttachmentStorage.Kind.fromSetting(a.storage().get());
        } else {
            try (Connection c = kopano.getConnection()) {
                kind = KopanoReader.storageKind(c);
            }
        }
        return new AttachmentStorage(kind, kind == AttachmentStorage.Kind.DATABASE ? null : Path.of(a.path()), a.compression());
    }
}
