package io.kbr.kopano.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.mime.OneOffEntryIds;
import io.kbr.kopano.model.Bytes;
import org.junit.jupiter.api.Test;

class AbEntryIdsTest {

    @Test
    void versionOneCarriesIdAndExternIdAndIsPaddedToFourBytes() {
        Bytes extern = Bytes.fromHex("0000002a");
        Bytes eid = AbEntryIds.v1(AbEntryIds.MAPI_MAILUSER, 42, extern);
        // 32-byte header + "AAAAKg==" + NUL = 41, padded to 44
        assertThat(eid.length()).isEqualTo(44);
        assertThat(eid.hex().substring(8, 40)).isEqualTo("ac21a95040d3ee48b319fba753304425"); // MUIDECSAB, DCE order
        AbEntryIds.AbEntryId ab = AbEntryIds.parse(eid).orElseThrow();
        assertThat(ab.version()).isEqualTo(1);
        assertThat(ab.type()).isEqualTo(AbEntryIds.MAPI_MAILUSER);
        assertThat(ab.id()).isEqualTo(42);
        assertThat(ab.externId()).isEqualTo(extern);
    }

    @Test
    void versionZeroHasNoExternId() {
        AbEntryIds.AbEntryId ab = AbEntryIds.parse(AbEntryIds.v0(AbEntryIds.MAPI_MAILUSER, 7)).orElseThrow();
        assertThat(ab.version()).isZero();
        assertThat(ab.id()).isEqualTo(7);
        assertThat(ab.externId()).isNull();
    }

    @Test
    void otherEntryIdsAreNoAddressBookEntryIds() {
        assertThat(AbEntryIds.parse(OneOffEntryIds.smtp("Pat Example", "pat@example.com"))).isEmpty();
        assertThat(AbEntryIds.parse(Bytes.fromHex("00000000deadbeef"))).isEmpty();
        assertThat(AbEntryIds.parse(null)).isEmpty();
        Bytes v1 = AbEntryIds.v1(AbEntryIds.MAPI_MAILUSER, 42, Bytes.fromHex("0000002a"));
        assertThat(AbEntryIds.parse(Bytes.wrap(java.util.Arrays.copyOf(v1.unsafeArray(), 36)))).as("externid without its NUL").isEmpty();
    }
}
