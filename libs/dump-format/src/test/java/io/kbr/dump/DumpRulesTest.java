package io.kbr.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure rules of the dump format: retention choice, DEFINER removal, literal escaping, checksum order independence. */
class DumpRulesTest {

    private static DumpManifest at(String id, String time) {
        Instant t = Instant.parse(time);
        return new DumpManifest(1, id, "s", "kopano", DumpManifest.State.COMPLETE, DumpManifest.FORMAT_SQL, true, "10.11",
                t, t, t, null, List.of(), List.of(), List.of(), List.of(), List.of(), null, List.of());
    }

    @Test
    void retentionKeepsTheNewestOfEachRecentDayAndWeek() {
        List<DumpManifest> all = new ArrayList<>();
        // two dumps a day from Mon 2026-11-02 to Sat 2026-11-28 (oldest first)
        for (int day = 2; day <= 28; day++) {
            all.add(at("d" + day + "a", String.format("2026-11-%02dT02:00:00Z", day)));
            all.add(at("d" + day + "b", String.format("2026-11-%02dT14:00:00Z", day)));
        }
        assertThat(DumpRetention.keep(all, 3, 0)).containsExactlyInAnyOrder("d28b", "d27b", "d26b");
        // weeks (ISO, Monday first): 23–28, 16–22, 9–15, 2–8 → newest of each
        assertThat(DumpRetention.keep(all, 0, 3)).containsExactlyInAnyOrder("d28b", "d22b", "d15b");
        assertThat(DumpRetention.keep(all, 2, 2)).containsExactlyInAnyOrder("d28b", "d27b", "d22b");
        assertThat(DumpRetention.keep(all, 0, 0)).as("the newest dump is always kept").containsExactly("d28b");
        assertThat(DumpRetention.keep(List.of(), 7, 4)).isEmpty();
    }

    @Test
    void definerIsRemovedInEveryQuotingStyle() {
        assertThat(SqlScripts.withoutDefiner("CREATE DEFINER=`root`@`localhost` PROCEDURE `GetProps`(IN hid int)"))
                .isEqualTo("CREATE PROCEDURE `GetProps`(IN hid int)");
        assertThat(SqlScripts.withoutDefiner("CREATE ALGORITHM=UNDEFINED DEFINER=`kopano`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1"))
                .isEqualTo("CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1");
        assertThat(SqlScripts.withoutDefiner("CREATE DEFINER='a'@'b' TRIGGER t")).isEqualTo("CREATE TRIGGER t");
        assertThat(SqlScripts.withoutDefiner("CREATE DEFINER=root@localhost FUNCTION f()")).isEqualTo("CREATE FUNCTION f()");
    }

    @Test
    void stringLiteralsNeverContainARawNewlineOrAnUnescapedQuote() {
        ByteBuffer b = new ByteBuffer(8);
        b.stringLiteral("a'b\\c\nd\re\0f\u001Ag\"ü");
        assertThat(new String(b.bytes, 0, b.length, StandardCharsets.UTF_8)).isEqualTo("'a\\'b\\\\c\\nd\\re\\0f\\Zg\\\"ü'");
        b.clear();
        b.hexLiteral(new byte[] {0, (byte) 0xAB, 0x7F});
        assertThat(new String(b.bytes, 0, b.length, StandardCharsets.US_ASCII)).isEqualTo("0x00AB7F");
        b.clear();
        b.hexLiteral(new byte[0]);
        assertThat(new String(b.bytes, 0, b.length, StandardCharsets.US_ASCII)).isEqualTo("''");
    }

    @Test
    void checksumIgnoresRowOrderButNotContent() {
        byte[][] rows = {"(1,'a')".getBytes(), "(2,'b')".getBytes(), "(3,'c')".getBytes()};
        TableChecksum forward = new TableChecksum();
        TableChecksum backward = new TableChecksum();
        for (int i = 0; i < 3; i++) {
            forward.addRow(rows[i], 0, rows[i].length);
            backward.addRow(rows[2 - i], 0, rows[2 - i].length);
        }
        assertThat(forward.hex()).isEqualTo(backward.hex()).hasSize(64);
        TableChecksum changed = new TableChecksum();
        changed.addRow(rows[0], 0, rows[0].length);
        changed.addRow(rows[1], 0, rows[1].length);
        changed.addRow("(3,'C')".getBytes(), 0, 7);
        assertThat(changed.hex()).isNotEqualTo(forward.hex());
        TableChecksum merged = new TableChecksum();
        TableChecksum part = new TableChecksum();
        part.addRow(rows[1], 0, rows[1].length);
        merged.addRow(rows[0], 0, rows[0].length);
        merged.addRow(rows[2], 0, rows[2].length);
        merged.merge(part);
        assertThat(merged.hex()).isEqualTo(forward.hex());
        assertThat(merged.rows()).isEqualTo(3);
    }

    @Test
    void manifestRoundTripsThroughJson() {
        DumpManifest m = at("20261128T020000Z-abcd", "2026-11-28T02:00:00Z");
        DumpManifest back = DumpManifest.fromJson(m.toJson());
        assertThat(back).isEqualTo(m);
        assertThat(new String(m.toJson(), StandardCharsets.UTF_8)).contains("\"snapshotAt\" : \"2026-11-28T02:00:00Z\"");
    }
}
