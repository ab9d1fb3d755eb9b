package io.kbr.restore.kopano;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.model.Bytes;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChangeListsTest {
    private static Bytes key(int guidByte, int counter) {
        byte[] k = new byte[20];
        Arrays.fill(k, 0, 16, (byte) guidByte);
        k[16] = (byte) counter;
        return Bytes.wrap(k);
    }

    private static Bytes list(Bytes... keys) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Bytes k : keys) {
            out.write(k.length());
            out.writeBytes(k.unsafeArray());
        }
        return Bytes.wrap(out.toByteArray());
    }

    @Test
    void appendsAKeyOfANewGuid() {
        assertThat(ChangeLists.add(null, key(1, 5))).isEqualTo(list(key(1, 5)));
        assertThat(ChangeLists.add(list(key(1, 5)), key(2, 7))).isEqualTo(list(key(1, 5), key(2, 7)));
    }

    @Test
    void replacesTheEntryOfTheSameGuidInPlace() {
        assertThat(ChangeLists.add(list(key(1, 5), key(2, 7), key(3, 1)), key(2, 9))).isEqualTo(list(key(1, 5), key(2, 9), key(3, 1)));
    }

    @Test
    void ignoresKeysThatAreNoChangeKeysAndDropsATruncatedTail() {
        assertThat(ChangeLists.add(list(key(1, 5)), null)).isEqualTo(list(key(1, 5)));
        assertThat(ChangeLists.add(list(key(1, 5)), Bytes.wrap(new byte[16]))).isEqualTo(list(key(1, 5)));
        byte[] truncated = Arrays.copyOf(list(key(1, 5), key(2, 7)).unsafeArray(), 30);
        assertThat(ChangeLists.add(Bytes.wrap(truncated), key(3, 3))).isEqualTo(list(key(1, 5), key(3, 3)));
    }
}
