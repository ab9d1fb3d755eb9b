package io.kbr.bench;

import io.kbr.kopano.seed.BulkMailbox;
import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropType;
import io.kbr.kopano.model.Property;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.write.NewMessage;
import io.kbr.kopano.write.NewMessage.NewAttachment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark's arithmetic and item generation, without servers (the benchmark itself runs by hand). */
class BenchReportTest {

    private static BenchReport report(double floorSeconds, double backupSeconds, long items) {
        BenchReport.Run first = new BenchReport.Run(items, 200_000_000, 1000, 500, 90_000_000, items + 20, backupSeconds, Map.of("bench", 80.0));
        BenchReport.Run second = new BenchReport.Run(items, 200_000_000, 0, 1500, 0, items + 20, backupSeconds / 2, Map.of());
        return new BenchReport("files_v2", 4, 2, (int) items, "test", 10, 100_000_000, 150_000_000, floorSeconds, Map.of(), first, second);
    }

    @Test
    void goalsAreItemsPerSecondAndTheRatioToTheFloor() {
        BenchReport fast = report(4, 10, 20_000);
        assertThat(fast.first().itemsPerSecond()).isEqualTo(2000);
        assertThat(fast.floorRatio()).isEqualTo(2.5);
        assertThat(fast.itemsGoalMet()).isTrue();
        assertThat(fast.floorGoalMet()).isTrue();

        BenchReport slow = report(4, 40, 20_000);
        assertThat(slow.itemsGoalMet()).isFalse();
        assertThat(slow.floorGoalMet()).isFalse();
        assertThat(slow.second().dedupRate()).isEqualTo(1.0);
        assertThat(slow.table()).contains("floor (streaming read)", "full backup #1", "full backup #2", "10.00 x", "MISSED", "500 items/s");
    }

    @Test
    void everyItemIsUniqueButAttachmentsRepeat() {
        byte[] raw = "Subject: hello\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        NewMessage template = new NewMessage(List.of(Property.of(PropTags.SUBJECT, PropType.STRING8, "hello")), List.of(),
                List.of(new NewAttachment(List.of(), new byte[] {1, 2, 3}, null)), raw, false);

        NewMessage a = new BulkMailbox(null, null, false, 1).unique(template, 7);
        assertThat(PropertyList.string(a.props(), PropTags.SUBJECT)).contains("hello [bench 7]");
        assertThat(new String(a.rfc822(), StandardCharsets.US_ASCII)).isEqualTo("X-Kbr-Bench-Item: 7\r\nSubject: hello\r\n\r\nbody\r\n");
        assertThat(a.attachments().get(0).data()).containsExactly(1, 2, 3);

        NewMessage b = new BulkMailbox(null, null, true, 1).unique(template, 7);
        assertThat(b.attachments().get(0).data()).containsExactly(1, 2, 3, 0, 0, 0, 7);
    }
}
