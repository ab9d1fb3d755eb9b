package io.kbr.blobstore;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Client-side encryption at rest: AES-256-GCM over the compressed bytes, in segments so that memory stays
 * bounded for blobs of any size and nothing unauthenticated is ever handed out.
 *
 * <pre>
 *   header  = "KBE1" | key id length (1) | key id (ASCII) | nonce prefix (7 random bytes)
 *   segment = AES-GCM(plaintext of 64 KiB, or less for the last one) with a 16-byte tag
 *   nonce   = nonce prefix (7) | segment number (4, big-endian) | 1 for the last segment else 0
 *   AAD     = the header
 * </pre>
 *
 * The last-segment flag in the nonce makes a truncated object fail authentication; the segment number
 * makes reordered segments fail; the header in the AAD binds the key id. The key id is also recorded in
 * the object metadata ({@code kbr-codec-key-id}) for operators; reads use the one in the header. A wrong
 * key, an unknown key id or any changed byte is an {@link IOException} naming the problem — never data.
 * (The same construction as the STREAM scheme of Hoang, Reyhanitabar, Rogaway and Vizár.)
 */
public final class AesGcmCodec implements BlobCodec {

    public static final String NAME = "aes-256-gcm";
    static final byte[] MAGIC = "KBE1".getBytes(StandardCharsets.US_ASCII);
    static final int SEGMENT = 64 * 1024;
    static final int TAG = 16;
    private static final int PREFIX = 7;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final EncryptionKeys keys;

    public AesGcmCodec(EncryptionKeys keys) {
        this.keys = keys;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, String> metadata() {
        return Map.of("key-id", keys.activeKeyId());
    }

    @Override
    public OutputStream encode(OutputStream stored) throws IOException {
        byte[] id = EncryptionKeys.idBytes(keys.activeKeyId());
        byte[] prefix = new byte[PREFIX];
        RANDOM.nextBytes(prefix);
        byte[] header = ByteBuffer.allocate(MAGIC.length + 1 + id.length + PREFIX).put(MAGIC).put((byte) id.length).put(id).put(prefix).array();
        stored.write(header);
        return new Encrypting(stored, keys.active(), header, prefix);
    }

    @Override
    public InputStream decode(InputStream stored, Map<String, String> metadata) throws IOException {
        byte[] magic = stored.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("not encrypted by kbr (no " + NAME + " header)");
        }
        int idLength = stored.read();
        if (idLength <= 0) {
            throw new IOException("truncated " + NAME + " header");
        }
        byte[] id = stored.readNBytes(idLength);
        byte[] prefix = stored.readNBytes(PREFIX);
        if (id.length != idLength || prefix.length != PREFIX) {
            throw new IOException("truncated " + NAME + " header");
        }
        String keyId = new String(id, StandardCharsets.US_ASCII);
        SecretKey key = keys.key(keyId).orElseThrow(() -> new IOException(
                "encrypted under key id '" + keyId + "', which is not among the configured keys"));
        byte[] header = ByteBuffer.allocate(MAGIC.length + 1 + idLength + PREFIX).put(MAGIC).put((byte) idLength).put(id).put(prefix).array();
        return new Decrypting(stored, key, keyId, header, prefix);
    }

    static byte[] nonce(byte[] prefix, int segment, boolean last) {
        return ByteBuffer.allocate(12).put(prefix).putInt(segment).put((byte) (last ? 1 : 0)).array();
    }

    private static Cipher cipher(int mode, SecretKey key, byte[] prefix, int segment, boolean last, byte[] aad) throws IOException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(mode, key, new GCMParameterSpec(TAG * 8, nonce(prefix, segment, last)));
            c.updateAAD(aad);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    private static final class Encrypting extends OutputStream {
        private final OutputStream out;
        private final SecretKey key;
        private final byte[] header;
        private final byte[] prefix;
        private final byte[] buffer = new byte[SEGMENT];
        private int filled;
        private int segment;
        private boolean closed;

        Encrypting(OutputStream out, SecretKey key, byte[] header, byte[] prefix) {
            this.out = out;
            this.key = key;
            this.header = header;
            this.prefix = prefix;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (filled == SEGMENT) {
                    seal(false);
                }
                int n = Math.min(len, SEGMENT - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
            }
        }

        private void seal(boolean last) throws IOException {
            try {
                out.write(cipher(Cipher.ENCRYPT_MODE, key, prefix, segment, last, header).doFinal(buffer, 0, filled));
            } catch (GeneralSecurityException e) {
                throw new IOException("encrypting segment " + segment + " failed: " + e.getMessage(), e);
            }
            segment++;
            filled = 0;
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                seal(true);
                out.close();
            }
        }
    }

    private static final class Decrypting extends InputStream {
        private final InputStream in;
        private final SecretKey key;
        private final String keyId;
        private final byte[] header;
        private final byte[] prefix;
        private final byte[] cipherText = new byte[SEGMENT + TAG];
        private int lookahead = -1;
        private byte[] plain = new byte[0];
        private int position;
        private int segment;
        private boolean done;

        Decrypting(InputStream in, SecretKey key, String keyId, byte[] header, byte[] prefix) {
            this.in = in;
            this.key = key;
            this.keyId = keyId;
            this.header = header;
            this.prefix = prefix;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position == plain.length) {
                if (done) {
                    return -1;
                }
                nextSegment();
            }
            int n = Math.min(len, plain.length - position);
            System.arraycopy(plain, position, b, off, n);
            position += n;
            return n;
        }

        private void nextSegment() throws IOException {
            int filled = 0;
            if (lookahead >= 0) {
                cipherText[filled++] = (byte) lookahead;
                lookahead = -1;
            }
            while (filled < cipherText.length) {
                int n = in.read(cipherText, filled, cipherText.length - filled);
                if (n < 0) {
                    break;
                }
                filled += n;
            }
            boolean last;
            if (filled < cipherText.length) {
                last = true;
            } else {
                lookahead = in.read();
                last = lookahead < 0;
            }
            if (filled < TAG) {
                throw new EOFException("encrypted object truncated in segment " + segment);
            }
            try {
                plain = cipher(Cipher.DECRYPT_MODE, key, prefix, segment, last, header).doFinal(cipherText, 0, filled);
            } catch (AEADBadTagException e) {
                throw new IOException("authentication of segment " + segment + " failed under key id '" + keyId
                        + "': wrong key, or the object was changed or truncated", e);
            } catch (GeneralSecurityException e) {
                throw new IOException("decrypting segment " + segment + " failed: " + e.getMessage(), e);
            }
            position = 0;
            segment++;
            done = last;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
