package io.kbr.blobstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private final List<Duration> sleeps = new ArrayList<>();
    private final AtomicInteger retries = new AtomicInteger();

    private RetryPolicy policy(int maxAttempts) {
        return new RetryPolicy(maxAttempts, Duration.ofMillis(100), Duration.ofSeconds(2), new Random(7),
                sleeps::add, retries::incrementAndGet);
    }

    @Test
    void transportFailuresAreTransient() {
        assertThat(RetryPolicy.isTransient(new ConnectException("Connection refused"))).isTrue();
        assertThat(RetryPolicy.isTransient(new SocketException("Connection reset"))).isTrue();
        assertThat(RetryPolicy.isTransient(new SocketTimeoutException("timeout"))).isTrue();
        assertThat(RetryPolicy.isTransient(new EOFException("\\n not found: limit=0"))).isTrue();
    }

    @Test
    void serverErrorsAndThrottlingAreTransient() {
        assertThat(RetryPolicy.isTransient(new S3RequestException(500, "InternalError", "x"))).isTrue();
        assertThat(RetryPolicy.isTransient(new S3RequestException(502, null, "bad gateway"))).isTrue();
        assertThat(RetryPolicy.isTransient(new S3RequestException(503, "SlowDown", "x"))).isTrue();
        assertThat(RetryPolicy.isTransient(new S3RequestException(429, null, "x"))).isTrue();
        assertThat(RetryPolicy.isTransient(new S3RequestException(408, null, "x"))).isTrue();
        assertThat(RetryPolicy.isTransient(new S3RequestException(400, "RequestTimeout", "x"))).isTrue();
    }

    @Test
    void finalAnswersAreNotRetried() {
        assertThat(RetryPolicy.isTransient(new S3RequestException(403, "AccessDenied", "x"))).isFalse();
        assertThat(RetryPolicy.isTransient(new S3RequestException(404, "NoSuchKey", "x"))).isFalse();
        assertThat(RetryPolicy.isTransient(new S3RequestException(404, "NoSuchBucket", "x"))).isFalse();
        assertThat(RetryPolicy.isTransient(new S3RequestException(400, "InvalidArgument", "x"))).isFalse();
        assertThat(RetryPolicy.isTransient(new S3RequestException(412, "PreconditionFailed", "x"))).isFalse();
        assertThat(RetryPolicy.isTransient(new S3RequestException(-1, null, "unparseable answer"))).isFalse();
        assertThat(RetryPolicy.isTransient(new InterruptedIOException())).isFalse();
        assertThat(RetryPolicy.isTransient(new SSLHandshakeException("bad certificate"))).isFalse();
        assertThat(RetryPolicy.isTransient(new RetriesExhaustedException(5, new ConnectException()))).isFalse();
        assertThat(RetryPolicy.isTransient(new IllegalStateException())).isFalse();
    }

    @Test
    void retriesTransientFailuresUntilSuccess() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        String result = policy(5).call(() -> {
            if (calls.incrementAndGet() < 3) {
                throw new S3RequestException(503, "SlowDown", "Please reduce your request rate.");
            }
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(calls).hasValue(3);
        assertThat(retries).hasValue(2);
        assertThat(sleeps).hasSize(2);
    }

    @Test
    void givesUpAfterMaxAttemptsWithTheLastFailureAsCause() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> policy(4).call(() -> {
            throw new ConnectException("Connection refused #" + calls.incrementAndGet());
        }))
                .isInstanceOf(RetriesExhaustedException.class)
                .hasMessage("failed 4 times, giving up; last failure: ConnectException: Connection refused #4")
                .hasCauseInstanceOf(ConnectException.class);
        assertThat(calls).hasValue(4);
        assertThat(sleeps).hasSize(3);
    }

    @Test
    void finalFailuresFailAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        S3RequestException denied = new S3RequestException(403, "AccessDenied", "Access Denied");
        assertThatThrownBy(() -> policy(5).call(() -> {
            calls.incrementAndGet();
            throw denied;
        })).isSameAs(denied);
        assertThat(calls).hasValue(1);
        assertThat(sleeps).isEmpty();
        assertThat(retries).hasValue(0);
    }

    @Test
    void oneAttemptMeansNoRetry() {
        assertThatThrownBy(() -> policy(1).call(() -> {
            throw new SocketException("Connection reset");
        })).isInstanceOf(RetriesExhaustedException.class);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void delaysGrowExponentiallyWithJitterAndACap() {
        RetryPolicy policy = policy(20);
        for (int round = 0; round < 50; round++) {
            // between half and all of base * 2^(n-1), capped at 2 s
            assertThat(policy.delayAfter(1).toMillis()).isBetween(50L, 100L);
            assertThat(policy.delayAfter(2).toMillis()).isBetween(100L, 200L);
            assertThat(policy.delayAfter(3).toMillis()).isBetween(200L, 400L);
            assertThat(policy.delayAfter(5).toMillis()).isBetween(800L, 1600L);
            assertThat(policy.delayAfter(6).toMillis()).isBetween(1000L, 2000L);
            assertThat(policy.delayAfter(40).toMillis()).isBetween(1000L, 2000L);
        }
    }

    @Test
    void jitterSpreadsTheDelays() {
        RetryPolicy policy = policy(5);
        var distinct = new java.util.HashSet<Long>();
        for (int i = 0; i < 20; i++) {
            distinct.add(policy.delayAfter(4).toMillis());
        }
        assertThat(distinct).hasSizeGreaterThan(5);
    }

    @Test
    void interruptionDuringTheWaitStopsRetrying() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(2), new Random(1),
                duration -> {
                    throw new InterruptedException();
                }, () -> { });
        assertThatThrownBy(() -> policy.call(() -> {
            throw new SocketException("Connection reset");
        })).isInstanceOf(InterruptedIOException.class);
        assertThat(Thread.interrupted()).isTrue(); // the flag is restored (and cleared here)
    }
}
