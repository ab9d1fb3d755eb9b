package io.kbr.blobstore;

import java.io.IOException;

/** Runs S3 requests with the retry policy and turns what still fails into a {@link BlobStoreException}. */
final class S3Requests {

    private final String bucket;
    private final RetryPolicy retry;

    S3Requests(String bucket, RetryPolicy retry) {
        this.bucket = bucket;
        this.retry = retry;
    }

    RetryPolicy retry() {
        return retry;
    }

    /** {@code what} names the request and key, e.g. {@code "PUT blobs/ab/ab12…"}. */
    <T> T run(String what, RetryPolicy.Call<T> call) {
        try {
            return retry.call(call);
        } catch (IOException e) {
            throw failure(what, e);
        }
    }

    void runVoid(String what, VoidCall call) {
        run(what, () -> {
            call.run();
            return null;
        });
    }

    /** Like {@link #run} but hands back the final I/O failure for the caller to interpret (e.g. a 404). */
    <T> T runOrThrow(RetryPolicy.Call<T> call) throws IOException {
        return retry.call(call);
    }

    BlobStoreException failure(String what, IOException e) {
        String detail = e instanceof RetriesExhaustedException ? e.getMessage() : "failed: " + RetriesExhaustedException.describe(e);
        String hint = e instanceof S3RequestException s3 && s3.status() == 403
                ? " (check the access key, secret key and the bucket policy)"
                : "";
        return new BlobStoreException("S3 " + what + " in bucket " + bucket + " " + detail + hint, e);
    }

    interface VoidCall {
        void run() throws IOException;
    }
}
