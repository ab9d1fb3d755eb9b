package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BlobIdTest {

    private static final String ABC_SHA256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    @Test
    void idIsTheSha256OfTheContent() {
        BlobId id = BlobId.of("abc".getBytes(StandardCharsets.US_ASCII));
        assertThat(id.sha256()).isEqualTo(ABC_SHA256);
        assertThat(id).hasToString(ABC_SHA256);
        assertThat(BlobId.of(new byte[0]).sha256())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void keyIsUnderBlobsAndTheFirstTwoHexDigits() {
        BlobId id = BlobId.parse(ABC_SHA256);
        assertThat(id.key()).isEqualTo("blobs/ba/" + ABC_SHA256);
        assertThat(BlobId.fromKey(id.key())).contains(id);
    }

    @Test
    void parseAcceptsUpperCaseAndNormalizes() {
        assertThat(BlobId.parse(ABC_SHA256.toUpperCase()).sha256()).isEqualTo(ABC_SHA256);
    }

    @Test
    void digestRoundTrips() {
        BlobId id = BlobId.parse(ABC_SHA256);
        assertThat(BlobId.ofDigest(id.digest())).isEqualTo(id);
    }

    @Test
    void rejectsWhatIsNotASha256() {
        assertThatThrownBy(() -> new BlobId("abc")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("64 lower-case hex");
        assertThatThrownBy(() -> new BlobId(ABC_SHA256.toUpperCase())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BlobId(ABC_SHA256.substring(1) + "g")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> BlobId.ofDigest(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void fromKeyIgnoresOtherKeys() {
        assertThat(BlobId.fromKey("tmp/0f8d2c7e-1111-2222-3333-444455556666")).isEmpty();
        assertThat(BlobId.fromKey("blobs/ab/" + ABC_SHA256)).isEmpty(); // wrong fan-out directory
        assertThat(BlobId.fromKey("blobs/ba/" + ABC_SHA256 + ".bak")).isEmpty();
        assertThat(BlobId.fromKey("dumps/ba/" + ABC_SHA256)).isEmpty();
        assertThat(BlobId.fromKey(null)).isEmpty();
    }

    @Test
    void ordersByHash() {
        BlobId low = BlobId.parse("00" + ABC_SHA256.substring(2));
        BlobId high = BlobId.parse("ff" + ABC_SHA256.substring(2));
        assertThat(low).isLessThan(high);
    }
}
