package io.kbr.blobstore;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * An {@link ObjectStorage} in memory, with a log of the requests made and failures to inject, for
 * testing the blob store without a server.
 */
final class InMemoryObjectStorage implements ObjectStorage {

    record StoredObject(byte[] data, Map<String, String> metadata, String etag, java.time.Instant created) {
        StoredObject(byte[] data, Map<String, String> metadata, String etag) {
            this(data, metadata, etag, null);
        }
    }

    private record Fault(Predicate<String> request, IOException failure) {
    }

    private final Map<String, StoredObject> objects = Collections.synchronizedMap(new TreeMap<>());
    private final Map<String, Map<Integer, byte[]>> uploads = new ConcurrentHashMap<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final Deque<Fault> faults = new ArrayDeque<>();
    private Function<InputStream, InputStream> bodyWrapper = Function.identity();
    private int listPageSize = 1000;
    /** The time new and copied objects get as last-modified (tests move it). */
    final java.util.concurrent.atomic.AtomicReference<java.time.Instant> clock = new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.now());

    @Override
    public String bucket() {
        return "test-bucket";
    }

    /** The next requests whose log line matches fail with {@code failure}, once per call of this method. */
    synchronized InMemoryObjectStorage failNext(Predicate<String> request, IOException failure) {
        faults.add(new Fault(request, failure));
        return this;
    }

    /** Wraps the body of the next GET (e.g. to break the connection mid-way). */
    synchronized void wrapNextBody(Function<InputStream, InputStream> wrapper) {
        bodyWrapper = wrapper;
    }

    void listPageSize(int size) {
        listPageSize = size;
    }

    List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    List<String> keys() {
        synchronized (objects) {
            return List.copyOf(objects.keySet());
        }
    }

    StoredObject object(String key) {
        return objects.get(key);
    }

    void overwrite(String key, byte[] data) {
        StoredObject old = objects.get(key);
        objects.put(key, new StoredObject(data, old == null ? Map.of() : old.metadata(), UUID.randomUUID().toString(), clock.get()));
    }

    int openMultipartUploads() {
        return uploads.size();
    }

    private synchronized void request(String line) throws IOException {
        requests.add(line);
        for (Iterator<Fault> it = faults.iterator(); it.hasNext(); ) {
            Fault fault = it.next();
            if (fault.request().test(line)) {
                it.remove();
                throw fault.failure();
            }
        }
    }

    @Override
    public boolean bucketExists() throws IOException {
        request("HEAD bucket");
        return true;
    }

    @Override
    public void createBucket() throws IOException {
        request("PUT bucket");
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        request("HEAD " + key);
        StoredObject object = objects.get(key);
        return object == null ? Optional.empty()
                : Optional.of(new ObjectInfo(object.data().length, object.etag(), object.metadata(), object.created()));
    }

    @Override
    public void put(String key, byte[] data, int length, Map<String, String> userMetadata) throws IOException {
        request("PUT " + key);
        objects.put(key, new StoredObject(Arrays.copyOf(data, length), Map.copyOf(userMetadata),
                UUID.randomUUID().toString(), clock.get()));
    }

    @Override
    public String startMultipartUpload(String key) throws IOException {
        request("POST " + key + "?uploads");
        String id = UUID.randomUUID().toString();
        uploads.put(id, new ConcurrentHashMap<>());
        return id;
    }

    @Override
    public String uploadPart(String key, String uploadId, int partNumber, byte[] data, int length) throws IOException {
        request("PUT " + key + "?partNumber=" + partNumber);
        Map<Integer, byte[]> parts = uploads.get(uploadId);
        if (parts == null) {
            throw new S3RequestException(404, "NoSuchUpload", "no upload " + uploadId);
        }
        parts.put(partNumber, Arrays.copyOf(data, length));
        return "etag-" + partNumber;
    }

    @Override
    public void completeMultipartUpload(String key, String uploadId, List<String> partEtags) throws IOException {
        request("POST " + key + "?uploadId");
        Map<Integer, byte[]> parts = uploads.remove(uploadId);
        var out = new java.io.ByteArrayOutputStream();
        for (int i = 1; i <= partEtags.size(); i++) {
            if (!("etag-" + i).equals(partEtags.get(i - 1))) {
                throw new S3RequestException(400, "InvalidPart", "bad etag for part " + i);
            }
            out.writeBytes(parts.get(i));
        }
        objects.put(key, new StoredObject(out.toByteArray(), Map.of(), UUID.randomUUID().toString(), clock.get()));
    }

    @Override
    public void abortMultipartUpload(String key, String uploadId) throws IOException {
        request("DELETE " + key + "?uploadId");
        uploads.remove(uploadId);
    }

    @Override
    public void copy(String source, String target, Map<String, String> userMetadata) throws IOException {
        request("COPY " + source + " " + target);
        StoredObject object = objects.get(source);
        if (object == null) {
            throw new S3RequestException(404, "NoSuchKey", "no " + source);
        }
        objects.put(target, new StoredObject(object.data(), Map.copyOf(userMetadata), UUID.randomUUID().toString(), clock.get()));
    }

    @Override
    public ObjectContent get(String key, long offset, String ifMatchEtag) throws IOException {
        request("GET " + key + (offset > 0 ? " from " + offset : ""));
        StoredObject object = objects.get(key);
        if (object == null) {
            throw new S3RequestException(404, "NoSuchKey", "The specified key does not exist.");
        }
        if (ifMatchEtag != null && !ifMatchEtag.equals(object.etag())) {
            throw new S3RequestException(412, "PreconditionFailed", "etag changed");
        }
        InputStream body = new ByteArrayInputStream(object.data(), (int) offset, object.data().length - (int) offset);
        synchronized (this) {
            body = bodyWrapper.apply(body);
            bodyWrapper = Function.identity();
        }
        return new ObjectContent(body, offset, object.data().length, object.etag(), object.metadata());
    }

    @Override
    public byte[] getRange(String key, long offset, int length) throws IOException {
        request("GET " + key + " range " + offset + "+" + length);
        StoredObject object = objects.get(key);
        if (object == null) {
            throw new S3RequestException(404, "NoSuchKey", "The specified key does not exist.");
        }
        if (offset + length > object.data().length) {
            throw new S3RequestException(416, "InvalidRange", "range beyond the end of " + key);
        }
        return java.util.Arrays.copyOfRange(object.data(), (int) offset, (int) offset + length);
    }

    /** Replaces an object's bytes (to simulate tampering). */
    void tamper(String key, java.util.function.UnaryOperator<byte[]> change) {
        StoredObject o = objects.get(key);
        objects.put(key, new StoredObject(change.apply(o.data().clone()), o.metadata(), o.etag(), o.created()));
    }

    @Override
    public void delete(String key) throws IOException {
        request("DELETE " + key);
        objects.remove(key);
    }

    @Override
    public Iterator<Listed> list(String prefix, String startAfter) throws IOException {
        request("LIST " + prefix + (startAfter == null ? "" : " after " + startAfter));
        List<Listed> page = new ArrayList<>();
        synchronized (objects) {
            for (var e : objects.entrySet()) {
                String key = e.getKey();
                if (key.startsWith(prefix) && (startAfter == null || key.compareTo(startAfter) > 0)) {
                    page.add(new Listed(key, e.getValue().data().length, e.getValue().created()));
                }
            }
        }
        // pages after the first are "fetched" lazily, each one a request that may fail
        return new Iterator<>() {
            int index;

            @Override
            public boolean hasNext() {
                return index < page.size();
            }

            @Override
            public Listed next() {
                if (index > 0 && index % listPageSize == 0) {
                    try {
                        request("LIST " + prefix + " page after " + page.get(index - 1).key());
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return page.get(index++);
            }
        };
    }
}
