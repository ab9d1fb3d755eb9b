package io.kbr.kopano.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextDecodingTest {
    @Test
    void asciiAndMissingCharsetAreReadAsUtf8() {
        byte[] utf8 = "Grüße".getBytes(StandardCharsets.UTF_8);
        assertThat(TextDecoding.decode(utf8, "us-ascii").text()).isEqualTo("Grüße");
        assertThat(TextDecoding.decode(utf8, null).text()).isEqualTo("Grüße");
        assertThat(TextDecoding.decode(utf8, null).exact()).isTrue();
    }

    @Test
    void mislabelledTextFallsBackToWindows1252() {
        byte[] latin1 = "Grüße".getBytes(StandardCharsets.ISO_8859_1);
        TextDecoding.Decoded d = TextDecoding.decode(latin1, "utf-8");
        assertThat(d.text()).isEqualTo("Grüße");
        assertThat(d.exact()).isFalse();
        assertThat(d.charset()).isEqualTo(TextDecoding.WINDOWS_1252);
    }

    @Test
    void upgradesAndCodePages() {
        assertThat(TextDecoding.resolve("gb2312").name()).isEqualTo("GB18030");
        assertThat(TextDecoding.resolve("\"ISO-8859-1\"").name()).isEqualTo("ISO-8859-1");
        assertThat(TextDecoding.resolve("no-such-charset")).isNull();
        assertThat(TextDecoding.codePage(StandardCharsets.UTF_8)).isEqualTo(65001);
        assertThat(TextDecoding.codePage(TextDecoding.resolve("koi8-r"))).isEqualTo(20866);
        assertThat(TextDecoding.decode("a\0b".getBytes(StandardCharsets.US_ASCII), null).text()).isEqualTo("ab");
    }

    @Test
    void htmlToText() {
        assertThat(HtmlText.toText("<html><head><title>t</title></head><body><div>a&nbsp;b</div><ul><li>one<li>two</ul>"
                + "<script>x()</script>&#228;&#x20AC;&unknown;</body></html>"))
                .isEqualTo("a b\r\n\r\none\r\ntwo\r\nä€&unknown;");
    }
}
