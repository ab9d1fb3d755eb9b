package io.kbr.kopano.mime;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.model.Bytes;
import org.junit.jupiter.api.Test;

class OneOffEntryIdsTest {
    @Test
    void oneOffEntryIdLayout() {
        Bytes eid = OneOffEntryIds.smtp("Al", "a@b");
        assertThat(eid.hex()).isEqualTo("00000000" + "812b1fa4bea310199d6e00dd010f5402" + "0000" + "0180"
                + "41006c000000" + "53004d00540050000000" + "610040006200" + "0000");
        assertThat(OneOffEntryIds.smtp("Al", "a@b")).isEqualTo(eid);
    }

    @Test
    void searchKeyIsUpperCaseSmtpWithNul() {
        assertThat(new String(OneOffEntryIds.searchKey("Joe@Example.com").unsafeArray())).isEqualTo("SMTP:JOE@EXAMPLE.COM\0");
    }
}
