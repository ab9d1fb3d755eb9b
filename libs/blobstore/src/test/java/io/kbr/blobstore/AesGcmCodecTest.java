package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AesGcmCodecTest {

    static String key(int seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    static final AesGcmCodec K1 = new AesGcmCodec(EncryptionKeys.parse("k1:" + key(1), null));

    static byte[] encode(AesGcmCodec codec, byte[] plain) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream enc = codec.encode(out)) {
            // uneven writes cross segment boundaries
            int off = 0;
            Random r = new Random(plain.length);
            while (off < plain.length) {
                int n = Math.min(plain.length - off, 1 + r.nextInt(100_000));
                enc.write(plain, off, n);
                off += n;
            }
        }
        return out.toByteArray();
    }

    static byte[] decode(AesGcmCodec codec, byte[] stored) throws IOException {
        try (InputStream in = codec.decode(new ByteArrayInputStream(stored), Map.of())) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_535, 65_536, 65_537, 131_072, 300_001})
    void roundTripsAnySizeWithBoundedOverhead(int size) throws IOException {
        byte[] plain = new byte[size];
        new Random(size).nextBytes(plain);
        byte[] stored = encode(K1, plain);
        int segments = size == 0 ? 1 : (size + AesGcmCodec.SEGMENT - 1) / AesGcmCodec.SEGMENT;
        assertThat(stored.length).isEqualTo(4 + 1 + 2 + 7 + size + segments * AesGcmCodec.TAG);
        assertThat(decode(K1, stored)).isEqualTo(plain);
        // no plaintext visible in the stored form
        if (size >= 64) {
            assertThat(indexOf(stored, Arrays.copyOfRange(plain, 0, 32))).isNegative();
        }
    }

    @Test
    void sameInputEncryptsDifferentlyEachTime() throws IOException {
        byte[] plain = "Hallo".getBytes(StandardCharsets.UTF_8);
        assertThat(encode(K1, plain)).isNotEqualTo(encode(K1, plain));
    }

    @Test
    void wrongKeyUnderTheSameIdFailsAuthentication() throws IOException {
        byte[] stored = encode(K1, "geheim".repeat(1000).getBytes(StandardCharsets.UTF_8));
        AesGcmCodec other = new AesGcmCodec(EncryptionKeys.parse("k1:" + key(2), null));
        assertThatThrownBy(() -> decode(other, stored)).isInstanceOf(IOException.class)
                .hasMessageContaining("authentication of segment 0 failed under key id 'k1'");
    }

    @Test
    void unknownKeyIdIsNamed() throws IOException {
        byte[] stored = encode(K1, new byte[10]);
        AesGcmCodec other = new AesGcmCodec(EncryptionKeys.parse("k2:" + key(1), null));
        assertThatThrownBy(() -> decode(other, stored)).hasMessageContaining("key id 'k1', which is not among the configured keys");
    }

    @Test
    void rotatedKeysStillReadOldObjects() throws IOException {
        byte[] plain = new byte[70_000];
        new Random(5).nextBytes(plain);
        byte[] old = encode(K1, plain);
        AesGcmCodec rotated = new AesGcmCodec(EncryptionKeys.parse("k1:" + key(1) + ",k2:" + key(2), "k2"));
        assertThat(rotated.metadata()).containsEntry("key-id", "k2");
        assertThat(decode(rotated, old)).isEqualTo(plain);
        assertThat(decode(rotated, encode(rotated, plain))).isEqualTo(plain);
    }

    @Test
    void anyFlippedByteTruncationOrReorderingIsDetected() throws IOException {
        byte[] plain = new byte[200_000];
        new Random(9).nextBytes(plain);
        byte[] stored = encode(K1, plain);
        int header = 4 + 1 + 2 + 7;
        int segment = AesGcmCodec.SEGMENT + AesGcmCodec.TAG;
        for (int position : new int[] {header, header + 70_000, stored.length - 1}) {
            byte[] tampered = stored.clone();
            tampered[position] ^= 0x40;
            assertThatThrownBy(() -> decode(K1, tampered)).as("flip at " + position).isInstanceOf(IOException.class);
        }
        // dropping the last segment (a cut at a segment boundary) and dropping a middle one
        byte[] cut = Arrays.copyOf(stored, header + 3 * segment);
        assertThatThrownBy(() -> decode(K1, cut)).hasMessageContaining("authentication");
        byte[] swapped = stored.clone();
        System.arraycopy(stored, header + segment, swapped, header, segment);
        System.arraycopy(stored, header, swapped, header + segment, segment);
        assertThatThrownBy(() -> decode(K1, swapped)).hasMessageContaining("authentication of segment 0");
        // a changed key id in the header (bound by the AAD)
        AesGcmCodec both = new AesGcmCodec(EncryptionKeys.parse("k1:" + key(1) + ",k9:" + key(1), "k1"));
        byte[] relabelled = stored.clone();
        relabelled[6] = '9';
        assertThatThrownBy(() -> decode(both, relabelled)).hasMessageContaining("authentication");
    }

    @Test
    void badKeyConfigurationIsExplained() {
        assertThatThrownBy(() -> EncryptionKeys.parse("", null)).hasMessageContaining("no encryption keys");
        assertThatThrownBy(() -> EncryptionKeys.parse("k1", null)).hasMessageContaining("is not id:base64key");
        assertThatThrownBy(() -> EncryptionKeys.parse("k1:abc", null)).hasMessageContaining("AES-256 needs 32");
        assertThatThrownBy(() -> EncryptionKeys.parse("k1:%%%", null)).hasMessageContaining("not valid base64");
        assertThatThrownBy(() -> EncryptionKeys.parse("k1:" + key(1), "k2")).hasMessageContaining("'k2' is not among");
        assertThatThrownBy(() -> EncryptionKeys.parse("k1:" + key(1) + ",k1:" + key(2), null)).hasMessageContaining("given twice");
        assertThat(EncryptionKeys.parse("k1:" + key(1), null).toString()).doesNotContain(key(1));
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
