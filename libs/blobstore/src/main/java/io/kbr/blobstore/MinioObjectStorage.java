package io.kbr.blobstore;

import com.google.common.collect.ImmutableMultimap;
import com.google.common.collect.Multimap;
import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.Directive;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.ObjectWriteResponse;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.messages.Item;
import io.minio.messages.Part;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;

/** {@link ObjectStorage} on the MinIO Java client (8.5), which speaks to MinIO, S3Proxy and AWS S3 alike. */
final class MinioObjectStorage implements ObjectStorage {

    private static final String USER_METADATA_PREFIX = "x-amz-meta-";
    private static final String CONTENT_TYPE = "application/octet-stream";
    private static final Pattern STATUS_IN_MESSAGE = Pattern.compile("Response code: (\\d{3})");
    private static final Multimap<String, String> NONE = ImmutableMultimap.of();

    private final S3Client client;
    private final String bucket;
    private final String region;
    private final String endpoint;

    MinioObjectStorage(BlobStoreConfig config) {
        OkHttpClient http = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(10))
                .writeTimeout(Duration.ofMinutes(2))
                .readTimeout(Duration.ofMinutes(2))
                .protocols(List.of(Protocol.HTTP_1_1))
                .build();
        MinioAsyncClient minio = MinioAsyncClient.builder()
                .endpoint(config.endpoint())
                .credentials(config.accessKey(), config.secretKey())
                .region(config.region())
                .httpClient(http, true)
                .build();
        this.client = new S3Client(minio);
        this.bucket = config.bucket();
        this.region = config.region();
        this.endpoint = config.endpoint();
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public boolean bucketExists() throws IOException {
        return await(() -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()));
    }

    @Override
    public void createBucket() throws IOException {
        try {
            await(() -> client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build()));
        } catch (S3RequestException e) {
            if (!"BucketAlreadyOwnedByYou".equals(e.code()) && !"BucketAlreadyExists".equals(e.code())) {
                throw e;
            }
        }
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        try {
            StatObjectResponse response = await(() -> client.statObject(
                    StatObjectArgs.builder().bucket(bucket).object(key).build()));
            return Optional.of(new ObjectInfo(response.size(), response.etag(), userMetadata(response.headers()),
                    response.lastModified() == null ? null : response.lastModified().toInstant()));
        } catch (S3RequestException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void put(String key, byte[] data, int length, Map<String, String> userMetadata) throws IOException {
        Multimap<String, String> headers = ImmutableMultimap.<String, String>builder()
                .put("Content-Type", CONTENT_TYPE)
                .putAll(metadataHeaders(userMetadata).entries())
                .build();
        await(() -> client.putBytes(bucket, region, key, data, length, headers));
    }

    @Override
    public String startMultipartUpload(String key) throws IOException {
        Multimap<String, String> headers = ImmutableMultimap.of("Content-Type", CONTENT_TYPE);
        return await(() -> client.createMultipartUploadAsync(bucket, region, key, headers, NONE))
                .result().uploadId();
    }

    @Override
    public String uploadPart(String key, String uploadId, int partNumber, byte[] data, int length) throws IOException {
        return await(() -> client.uploadPartAsync(bucket, region, key, data, length, uploadId, partNumber, NONE, NONE))
                .etag();
    }

    @Override
    public void completeMultipartUpload(String key, String uploadId, List<String> partEtags) throws IOException {
        Part[] parts = new Part[partEtags.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = new Part(i + 1, partEtags.get(i));
        }
        await(() -> client.completeMultipartUploadAsync(bucket, region, key, uploadId, parts, NONE, NONE));
    }

    @Override
    public void abortMultipartUpload(String key, String uploadId) throws IOException {
        try {
            await(() -> client.abortMultipartUploadAsync(bucket, region, key, uploadId, NONE, NONE));
        } catch (S3RequestException e) {
            if (!"NoSuchUpload".equals(e.code())) {
                throw e;
            }
        }
    }

    @Override
    public void copy(String source, String target, Map<String, String> userMetadata) throws IOException {
        // the client turns this into a multipart copy by itself for sources over 5 GiB
        await(() -> client.copyObject(CopyObjectArgs.builder()
                .bucket(bucket)
                .object(target)
                .source(CopySource.builder().bucket(bucket).object(source).build())
                .metadataDirective(Directive.REPLACE)
                .headers(Map.of("Content-Type", CONTENT_TYPE))
                .userMetadata(userMetadata)
                .build()));
    }

    @Override
    public ObjectContent get(String key, long offset, String ifMatchEtag) throws IOException {
        GetObjectArgs.Builder args = GetObjectArgs.builder().bucket(bucket).object(key);
        if (offset > 0) {
            args.offset(offset);
        }
        if (ifMatchEtag != null) {
            args.matchETag(ifMatchEtag);
        }
        GetObjectResponse response = await(() -> client.getObject(args.build()));
        Headers headers = response.headers();
        long length = parseLong(headers.get("Content-Length"));
        String etag = headers.get("ETag");
        return new ObjectContent(response, offset, length < 0 ? -1 : offset + length, etag, userMetadata(headers));
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        if (length == 0) {
            return new byte[0];
        }
        GetObjectArgs args = GetObjectArgs.builder().bucket(bucket).object(key).offset(offset).length((long) length).build();
        try (GetObjectResponse response = await(() -> client.getObject(args))) {
            byte[] data = response.readNBytes(length);
            if (data.length != length) {
                throw new S3RequestException(416, "InvalidRange", "range " + offset + "+" + length + " of " + key + " ended after " + data.length + " bytes");
            }
            return data;
        }
    }

    @Override
    public void delete(String key) throws IOException {
        await(() -> client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build()));
    }

    @Override
    public Iterator<Listed> list(String prefix, String startAfter) {
        ListObjectsArgs.Builder args = ListObjectsArgs.builder().bucket(bucket).prefix(prefix).recursive(true);
        if (startAfter != null) {
            args.startAfter(startAfter);
        }
        Iterator<Result<Item>> results = client.listObjects(args.build()).iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return results.hasNext();
            }

            @Override
            public Listed next() {
                try {
                    Item item = results.next().get();
                    return new Listed(item.objectName(), item.size(),
                            item.lastModified() == null ? java.time.Instant.EPOCH : item.lastModified().toInstant());
                } catch (Exception e) {
                    throw new UncheckedIOException(translate(e));
                }
            }
        };
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            // only idle connections and threads are left to drop
        }
    }

    @Override
    public String toString() {
        return "S3 bucket " + bucket + " at " + endpoint;
    }

    private interface AsyncCall<T> {
        CompletableFuture<T> start() throws Exception;
    }

    private static <T> T await(AsyncCall<T> call) throws IOException {
        try {
            return call.start().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted during an S3 request");
        } catch (ExecutionException e) {
            throw translate(e.getCause());
        } catch (Exception e) {
            throw translate(e);
        }
    }

    /** Client exceptions → {@link S3RequestException} / the transport's IOException / BlobStoreException. */
    static IOException translate(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ErrorResponseException e) {
            int status = e.response() == null ? -1 : e.response().code();
            String code = e.errorResponse() == null ? null : e.errorResponse().code();
            String message = e.errorResponse() == null ? e.getMessage() : e.errorResponse().message();
            return new S3RequestException(status, code, message, e);
        }
        if (t instanceof ServerException e) {
            return new S3RequestException(e.statusCode(), null, e.getMessage(), e);
        }
        if (t instanceof InvalidResponseException e) {
            // a non-S3 answer, e.g. an HTML 502 from a load balancer; the status is only in the message
            Matcher status = STATUS_IN_MESSAGE.matcher(String.valueOf(e.getMessage()));
            int code = status.find() ? Integer.parseInt(status.group(1)) : -1;
            return new S3RequestException(code, null, String.valueOf(e.getMessage()), e);
        }
        if (t instanceof IOException e) {
            return e;
        }
        if (t instanceof UncheckedIOException e) {
            return e.getCause();
        }
        throw new BlobStoreException("S3 request failed: " + RetriesExhaustedException.describe(t), t);
    }

    private static Map<String, String> userMetadata(Headers headers) {
        Map<String, String> metadata = new HashMap<>();
        for (String name : headers.names()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith(USER_METADATA_PREFIX)) {
                metadata.put(lower.substring(USER_METADATA_PREFIX.length()), headers.get(name));
            }
        }
        return metadata;
    }

    private static Multimap<String, String> metadataHeaders(Map<String, String> userMetadata) {
        ImmutableMultimap.Builder<String, String> headers = ImmutableMultimap.builder();
        userMetadata.forEach((name, value) -> headers.put(USER_METADATA_PREFIX + name, value));
        return headers.build();
    }

    private static long parseLong(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The async client plus a single PUT straight from a byte array: the public putObject copies the
     * data into a buffer of its own first, which would hold a second copy of every part in memory.
     */
    private static final class S3Client extends MinioAsyncClient {

        S3Client(MinioAsyncClient client) {
            super(client);
        }

        CompletableFuture<ObjectWriteResponse> putBytes(String bucket, String region, String key, byte[] data,
                int length, Multimap<String, String> headers) throws Exception {
            return putObjectAsync(bucket, region, key, data, length, headers, NONE);
        }
    }
}
