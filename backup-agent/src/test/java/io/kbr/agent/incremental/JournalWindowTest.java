package io.kbr.agent.incremental;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JournalWindowTest {
    final AtomicLong clock = new AtomicLong();
    final JournalWindow w = new JournalWindow(100, Duration.ofSeconds(10), clock::get);

    @Test
    void theFloorFollowsContiguousProcessedIds() {
        w.processed(101);
        w.processed(102);
        assertThat(w.advance()).isEqualTo(102);
        assertThat(w.isProcessed(101)).isTrue();
        assertThat(w.isProcessed(103)).isFalse();
    }

    @Test
    void aLateCommitBelowSeenRowsIsWaitedForAndNotSkipped() {
        w.processed(101);
        w.processed(104); // 102 and 103 are not visible yet: transactions that commit later (§5.5 pitfall 1)
        assertThat(w.advance()).isEqualTo(101);
        assertThat(w.openGaps(10)).containsExactly(102L, 103L);
        assertThat(w.maxSeen()).isEqualTo(104);
        clock.addAndGet(Duration.ofSeconds(5).toNanos());
        w.processed(103); // committed late: read through openGaps
        assertThat(w.advance()).isEqualTo(101); // 102 still open, the checkpoint must not pass it
        assertThat(w.openGaps(10)).containsExactly(102L);
        w.processed(102);
        assertThat(w.advance()).isEqualTo(104);
        assertThat(w.openGapCount()).isZero();
    }

    @Test
    void aGapThatStaysEmptyForTheSettleTimeIsPassed() {
        w.processed(103); // 101 and 102: rolled back, or rows REPLACE moved forward
        assertThat(w.advance()).isEqualTo(100);
        clock.addAndGet(Duration.ofSeconds(9).toNanos());
        assertThat(w.advance()).isEqualTo(100);
        clock.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(w.advance()).isEqualTo(103);
    }

    @Test
    void idsAtOrBelowTheFloorCountAsDone() {
        assertThat(w.isProcessed(100)).isTrue();
        w.processed(99);
        assertThat(w.advance()).isEqualTo(100);
        assertThat(w.openGapCount()).isZero();
    }
}
