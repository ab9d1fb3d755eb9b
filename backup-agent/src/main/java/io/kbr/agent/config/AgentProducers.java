package io.kbr.agent.config;

import io.kbr.agent.backup.BackupProgress;
import io.kbr.agent.backup.ChangeEvents;
import io.kbr.agent.backup.Documents;
import io.kbr.agent.messaging.KafkaChangePublisher;
import io.kbr.blobstore.BlobStore;
import io.kbr.blobstore.BlobStoreConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds the agent's plain-Java collaborators from configuration. */
@ApplicationScoped
public class AgentProducers {

    @Produces
    @ApplicationScoped
    BlobStore blobStore(AgentConfig config) {
        AgentConfig.ObjectStore os = config.objectStore();
        BlobStoreConfig c = BlobStoreConfig.of(os.endpoint(), os.accessKey(), os.secretKey())
                .withBucket(os.bucket())
                .withRegion(os.region())
                .withCreateBucket(os.createBucket());
        return BlobStore.create(c, io.kbr.blobstore.BlobCodec.configured(os.encryptionKeys(), os.activeKeyId()));
    }

    void closeBlobStore(@Disposes BlobStore store) {
        store.close();
    }

    @Produces
    @ApplicationScoped
    KafkaChangePublisher publisher(AgentConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        return new KafkaChangePublisher(bootstrap, config.changesTopic(), Map.of());
    }

    void closePublisher(@Disposes KafkaChangePublisher publisher) {
        publisher.close();
    }

    @Produces
    @ApplicationScoped
    BackupProgress progress(MeterRegistry registry) {
        BackupProgress p = new BackupProgress();
        FunctionCounter.builder("kbr.agent.items", p.items, a -> a.get()).description("items backed up").register(registry);
        FunctionCounter.builder("kbr.agent.bytes", p.plainBytes, a -> a.get()).baseUnit("bytes").description("plaintext bytes backed up")
                .register(registry);
        FunctionCounter.builder("kbr.agent.blobs.uploaded", p.blobsUploaded, a -> a.get()).register(registry);
        FunctionCounter.builder("kbr.agent.blobs.skipped", p.blobsSkipped, a -> a.get()).description("blobs already stored").register(registry);
        FunctionCounter.builder("kbr.agent.events", p.events, a -> a.get()).description("events acknowledged by Kafka").register(registry);
        return p;
    }

    @Produces
    @ApplicationScoped
    Documents documents(BlobStore store, BackupProgress progress, AgentConfig config) {
        return new Documents(store, progress, store.packer(config.objectStore().packTargetBytes(), config.objectStore().packMaxDelay()));
    }

    void closeDocuments(@Disposes Documents documents) {
        documents.close();
    }

    @Produces
    @ApplicationScoped
    ChangeEvents changeEvents(AgentConfig config) {
        return new ChangeEvents(config.serverId());
    }
}
