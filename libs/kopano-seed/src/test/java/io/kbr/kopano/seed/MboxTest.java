package io.kbr.kopano.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MboxTest {
    private record Split(int index, String from, String text) {
    }

    private static List<Split> split(String mbox) throws Exception {
        List<Split> out = new ArrayList<>();
        int n = Mbox.split(new ByteArrayInputStream(mbox.getBytes(StandardCharsets.UTF_8)),
                (i, from, msg) -> out.add(new Split(i, from, new String(msg, StandardCharsets.UTF_8))));
        assertThat(n).isEqualTo(out.size());
        return out;
    }

    @Test
    void splitsOnFromLinesAndUnescapes() throws Exception {
        List<Split> msgs = split("""
                From alice@example.com Mon Jan  1 00:00:00 2024
                Subject: one

                Hello
                >From the start of a line
                >>From twice quoted
                > From is not an escape

                From bob@example.com Tue Jan  2 00:00:00 2024
                Subject: two

                From here on the line is body text, not a separator
                bye
                """);
        assertThat(msgs).hasSize(2);
        assertThat(msgs.get(0).index()).isEqualTo(1);
        assertThat(msgs.get(0).from()).isEqualTo("From alice@example.com Mon Jan  1 00:00:00 2024");
        assertThat(msgs.get(0).text()).isEqualTo("""
                Subject: one

                Hello
                From the start of a line
                >From twice quoted
                > From is not an escape
                """);
        assertThat(msgs.get(1).from()).startsWith("From bob@");
        assertThat(msgs.get(1).text()).isEqualTo("""
                Subject: two

                From here on the line is body text, not a separator
                bye
                """);
    }

    @Test
    void keepsCrlfAndDropsOnlyTheSeparatorBlankLine() throws Exception {
        List<Split> msgs = split("From a@x Mon Jan  1 10:00:00 2024\r\nSubject: x\r\n\r\nbody\r\n\r\n\r\nFrom b@x Mon Jan  1 10:00:01 2024\r\nSubject: y\r\n\r\nz\r\n");
        assertThat(msgs).extracting(Split::text)
                .containsExactly("Subject: x\r\n\r\nbody\r\n\r\n", "Subject: y\r\n\r\nz\r\n");
    }

    @Test
    void textBeforeTheFirstFromLineIsAMessageToo() throws Exception {
        List<Split> msgs = split("Subject: stray\n\nno envelope\n\nFrom x@y Tue Feb  2 11:12:13 2021\nSubject: real\n\nbody\n");
        assertThat(msgs).hasSize(2);
        assertThat(msgs.get(0).from()).isNull();
        assertThat(msgs.get(0).text()).isEqualTo("Subject: stray\n\nno envelope\n");
        assertThat(msgs.get(1).text()).isEqualTo("Subject: real\n\nbody\n");
    }

    @Test
    void recognisesEnvelopeLines() {
        assertThat(Mbox.isSeparator("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n".getBytes())).isTrue();
        assertThat(Mbox.isSeparator("From joe@example.com  Sat, 2 Mar 2024 08:00 +0100\n".getBytes())).isTrue();
        assertThat(Mbox.isSeparator("From here on it is body text\n".getBytes())).isFalse();
        assertThat(Mbox.isSeparator("From: header@example.com 10:00\n".getBytes())).isFalse();
        assertThat(Mbox.isSeparator(">From x Mon Jan  1 00:00:00 2024\n".getBytes())).isFalse();
    }

    @Test
    void emptyInputHasNoMessages() throws Exception {
        assertThat(split("")).isEmpty();
        assertThat(split("\n\n")).isEmpty();
    }

    @Test
    void emptyMessageBetweenSeparatorsIsKept() throws Exception {
        assertThat(split("From a@x Thu Jan  1 00:00:00 1970\n\nFrom b@x Thu Jan  1 00:00:00 1970\nSubject: b\n\nx\n")).extracting(Split::text).containsExactly("", "Subject: b\n\nx\n");
    }

    @Test
    void readsAFileWithNames(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("archive.mbox");
        Files.writeString(f, "From a@x Sat Mar  2 08:00:00 2024\nSubject: 1\n\nx\n\nFrom b@x Sat Mar  2 08:00:00 2024\nSubject: 2\n\ny\n");
        assertThat(Mbox.read(f)).extracting(NamedMessage::name).containsExactly("archive.mbox#1", "archive.mbox#2");
        List<String> names = new ArrayList<>();
        Mbox.source(f).forEach(m -> names.add(m.name()));
        assertThat(names).containsExactly("archive.mbox#1", "archive.mbox#2");
    }
}
