package io.kbr.kopano.blob;

import java.io.IOException;

/** The data of a single-instance reference is not where its backend says it should be. */
public class MissingBlobException extends IOException {
    public MissingBlobException(String message) {
        super(message);
    }
}
