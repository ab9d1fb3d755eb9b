package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.errors.XmlParserException;
import io.minio.messages.ErrorResponse;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** How the MinIO client's exceptions map onto retryable and final failures. */
class MinioObjectStorageTest {

    @Test
    void s3ErrorAnswerKeepsStatusAndCode() {
        IOException translated = MinioObjectStorage.translate(new CompletionException(errorResponse(503, "SlowDown")));
        assertThat(translated).isInstanceOf(S3RequestException.class)
                .hasMessage("HTTP 503 SlowDown: Please reduce your request rate.");
        assertThat(RetryPolicy.isTransient(translated)).isTrue();

        IOException denied = MinioObjectStorage.translate(new ExecutionException(errorResponse(403, "AccessDenied")));
        assertThat(((S3RequestException) denied).status()).isEqualTo(403);
        assertThat(RetryPolicy.isTransient(denied)).isFalse();
    }

    @Test
    void answerWithoutBodyKeepsStatus() {
        IOException translated = MinioObjectStorage.translate(new ServerException("server failed", 502, "trace"));
        assertThat(((S3RequestException) translated).status()).isEqualTo(502);
        assertThat(RetryPolicy.isTransient(translated)).isTrue();
    }

    @Test
    void nonXmlAnswerFromAProxyIsReadForItsStatus() {
        IOException gateway = MinioObjectStorage.translate(
                new InvalidResponseException(504, "text/html", "<html>Gateway Timeout</html>", "trace"));
        assertThat(((S3RequestException) gateway).status()).isEqualTo(504);
        assertThat(RetryPolicy.isTransient(gateway)).isTrue();

        IOException forbidden = MinioObjectStorage.translate(
                new InvalidResponseException(403, "text/html", "<html>Forbidden</html>", "trace"));
        assertThat(RetryPolicy.isTransient(forbidden)).isFalse();
    }

    @Test
    void transportFailuresStayAsTheyAre() {
        ConnectException refused = new ConnectException("Connection refused");
        assertThat(MinioObjectStorage.translate(new CompletionException(refused))).isSameAs(refused);
    }

    @Test
    void localProblemsAreNotIoFailures() {
        assertThatThrownBy(() -> MinioObjectStorage.translate(new XmlParserException(new Exception("bad xml"))))
                .isInstanceOf(BlobStoreException.class)
                .hasMessageContaining("XmlParserException");
    }

    private static ErrorResponseException errorResponse(int status, String code) {
        String message = status == 503 ? "Please reduce your request rate." : "Access Denied";
        Response response = new Response.Builder()
                .request(new Request.Builder().url("http://127.0.0.1:9000/kbr/blobs/ab/x").build())
                .protocol(Protocol.HTTP_1_1)
                .code(status)
                .message("x")
                .build();
        ErrorResponse error = new ErrorResponse(code, message, "kbr", "blobs/ab/x", "/kbr/blobs/ab/x", "req", "host");
        return new ErrorResponseException(error, response, "trace");
    }
}
