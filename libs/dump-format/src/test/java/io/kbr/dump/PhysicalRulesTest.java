package io.kbr.dump;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure parts of physical backups: xbstream scanning, the tool's binlog info, kinds of formats. */
class PhysicalRulesTest {

    private static byte[] chunk(String path, char type, byte[] payload) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + 1 + 1 + 4 + p.length + (type == 'P' ? 20 + payload.length : 0))
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put("XBSTCK01".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) type).putInt(p.length).put(p);
        if (type == 'P') {
            b.putLong(payload.length).putLong(0).putInt(0).put(payload);
        }
        return b.array();
    }

    @Test
    void theScannerKeepsTheBinlogInfoWhateverTheWriteBoundaries() {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        byte[] big = new byte[100_000];
        stream.writeBytes(chunk("./kopano/properties.ibd", 'P', big));
        stream.writeBytes(chunk("./kopano/properties.ibd", 'E', null));
        stream.writeBytes(chunk("xtrabackup_binlog_info", 'P', "mariadb-bin.000004\t1234\t0-1-77\n".getBytes(StandardCharsets.UTF_8)));
        stream.writeBytes(chunk("xtrabackup_binlog_info", 'E', null));
        stream.writeBytes(chunk("kopano/xtrabackup_binlog_info", 'P', "not the top-level file".getBytes(StandardCharsets.UTF_8)));
        stream.writeBytes(chunk("kopano/xtrabackup_binlog_info", 'E', null));
        byte[] all = stream.toByteArray();
        for (int step : new int[] {1, 7, 4096, all.length}) {
            XbstreamScanner s = new XbstreamScanner(Set.of("xtrabackup_binlog_info"));
            for (int off = 0; off < all.length; off += step) {
                s.write(all, off, Math.min(step, all.length - off));
            }
            assertThat(s.stopReason()).isNull();
            assertThat(s.files()).isEqualTo(3);
            assertThat(PhysicalBackup.parseBinlogInfo(s.file("xtrabackup_binlog_info")))
                    .isEqualTo(new DumpManifest.SnapshotPosition("mariadb-bin.000004", 1234, "0-1-77"));
        }
    }

    @Test
    void anUnknownChunkStopsTheScanWithoutFailingTheStream() {
        XbstreamScanner s = new XbstreamScanner(Set.of("xtrabackup_binlog_info"));
        byte[] odd = chunk("x", 'Z', null);
        s.write(odd, 0, odd.length);
        assertThat(s.stopReason()).contains("chunk type Z");
        assertThat(s.file("xtrabackup_binlog_info")).isNull();
    }

    @Test
    void binlogInfoAndKinds() {
        assertThat(PhysicalBackup.parseBinlogInfo("mariadb-bin.000001\t872\n"))
                .isEqualTo(new DumpManifest.SnapshotPosition("mariadb-bin.000001", 872, null));
        assertThat(PhysicalBackup.parseBinlogInfo("")).isNull();
        assertThat(PhysicalBackup.parseBinlogInfo("garbage")).isNull();
        assertThat(DumpManifest.kindOf(DumpManifest.FORMAT_XBSTREAM)).isEqualTo("PHYSICAL");
        assertThat(DumpManifest.kindOf(DumpManifest.FORMAT_SNAPSHOT_TAR)).isEqualTo("PHYSICAL");
        assertThat(DumpManifest.kindOf(DumpManifest.FORMAT_SQL)).isEqualTo("LOGICAL");
    }
}
