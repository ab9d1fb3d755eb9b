package io.kbr.blobstore;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/** The codec that changes nothing; see {@link BlobCodec#identity()}. */
final class IdentityCodec implements BlobCodec {

    static final IdentityCodec INSTANCE = new IdentityCodec();

    private IdentityCodec() {
    }

    @Override
    public String name() {
        return "identity";
    }

    @Override
    public OutputStream encode(OutputStream stored) {
        return stored;
    }

    @Override
    public InputStream decode(InputStream stored, Map<String, String> metadata) {
        return stored;
    }

    @Override
    public String toString() {
        return "BlobCodec.identity()";
    }
}
