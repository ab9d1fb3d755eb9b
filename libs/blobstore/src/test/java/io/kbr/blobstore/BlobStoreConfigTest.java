package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BlobStoreConfigTest {

    private final BlobStoreConfig defaults = BlobStoreConfig.of("http://127.0.0.1:9000", "access", "very-secret");

    @Test
    void defaultsMatchTheDesign() {
        assertThat(defaults.bucket()).isEqualTo("kbr");
        assertThat(defaults.region()).isEqualTo("us-east-1");
        assertThat(defaults.partSize()).isEqualTo(8 * 1024 * 1024);
        assertThat(defaults.maxAttempts()).isEqualTo(5);
        assertThat(defaults.retryBaseDelay()).isEqualTo(Duration.ofMillis(200));
        assertThat(defaults.compressionLevel()).isEqualTo(3);
        assertThat(defaults.createBucket()).isFalse();
    }

    @Test
    void withersChangeOneThing() {
        BlobStoreConfig changed = defaults.withBucket("other").withPartSize(16 * 1024 * 1024)
                .withRetries(3, Duration.ofSeconds(1)).withCreateBucket(true).withEndpoint("http://s3:9000");
        assertThat(changed).isEqualTo(new BlobStoreConfig("http://s3:9000", "access", "very-secret", "us-east-1",
                "other", 16 * 1024 * 1024, 3, Duration.ofSeconds(1), 3, true));
    }

    @Test
    void rejectsPartsS3WouldRefuseOrThatCostTooMuchMemory() {
        assertThatThrownBy(() -> defaults.withPartSize(1024 * 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partSize");
        assertThatThrownBy(() -> defaults.withPartSize(1024 * 1024 * 1024))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partSize");
        assertThatThrownBy(() -> defaults.withRetries(0, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
        assertThatThrownBy(() -> defaults.withCompressionLevel(23))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compressionLevel");
    }

    @Test
    void toStringHidesTheSecret() {
        assertThat(defaults.toString()).contains("access").doesNotContain("very-secret");
    }
}
