package io.kbr.localservers;

import static org.assertj.core.api.Assertions.assertThat;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.PutObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.messages.Item;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3ServerIT {

    @TempDir
    static Path workDir;

    static S3Server server;
    static MinioClient client;

    @BeforeAll
    static void start() {
        server = S3Server.start(workDir);
        client = MinioClient.builder()
                .endpoint(server.endpoint())
                .credentials(server.accessKey(), server.secretKey())
                .region(server.region())
                .build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void putAndGetSmallObject() throws Exception {
        client.makeBucket(MakeBucketArgs.builder().bucket("it-small").build());
        assertThat(client.bucketExists(BucketExistsArgs.builder().bucket("it-small").build())).isTrue();
        byte[] content = "Grüße aus dem Blob-Speicher".getBytes(StandardCharsets.UTF_8);
        put("it-small", "a/b/hello.txt", content, -1);
        assertThat(get("it-small", "a/b/hello.txt")).isEqualTo(content);
        assertThat(client.statObject(StatObjectArgs.builder().bucket("it-small").object("a/b/hello.txt").build())
                .size()).isEqualTo(content.length);
    }

    @Test
    void multipartUploadOf12MegabytesReadsBackUnchanged() throws Exception {
        client.makeBucket(MakeBucketArgs.builder().bucket("it-multipart").build());
        byte[] content = new byte[12 * 1024 * 1024];
        new Random(42).nextBytes(content);
        // unknown size with 5 MiB parts forces a multipart upload of three parts
        put("it-multipart", "big.bin", content, 5 * 1024 * 1024);
        assertThat(sha256(get("it-multipart", "big.bin"))).isEqualTo(sha256(content));
        // a multipart ETag is the MD5 of the part MD5s followed by the number of parts
        assertThat(client.statObject(StatObjectArgs.builder().bucket("it-multipart").object("big.bin").build())
                .etag()).endsWith("-3");
    }

    @Test
    void listsObjectsByPrefix() throws Exception {
        client.makeBucket(MakeBucketArgs.builder().bucket("it-list").build());
        for (String name : List.of("store1/msg1", "store1/msg2", "store2/msg1", "top")) {
            put("it-list", name, name.getBytes(StandardCharsets.UTF_8), -1);
        }
        List<String> names = new ArrayList<>();
        for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                .bucket("it-list").prefix("store1/").recursive(true).build())) {
            names.add(result.get().objectName());
        }
        assertThat(names).containsExactly("store1/msg1", "store1/msg2");
    }

    private static void put(String bucket, String object, byte[] content, long partSize) throws Exception {
        PutObjectArgs.Builder args = PutObjectArgs.builder().bucket(bucket).object(object);
        if (partSize > 0) {
            args.stream(new ByteArrayInputStream(content), -1, partSize);
        } else {
            args.stream(new ByteArrayInputStream(content), content.length, -1);
        }
        client.putObject(args.build());
    }

    private static byte[] get(String bucket, String object) throws Exception {
        try (GetObjectResponse response = client.getObject(GetObjectArgs.builder().bucket(bucket).object(object).build());
                InputStream in = response) {
            return in.readAllBytes();
        }
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }
}
