package io.kbr.kopano.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.model.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RulesDataTest {
    private static final Bytes STORE_GUID = Bytes.fromHex("00112233445566778899aabbccddeeff");
    private static final Bytes OTHER_GUID = Bytes.fromHex("ffeeddccbbaa99887766554433221100");

    private static String b64(Bytes b) {
        return Base64.getEncoder().encodeToString(b.unsafeArray());
    }

    private static Bytes xml(String s) {
        return Bytes.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String rules(Bytes store1, Bytes folder1, Bytes store2, Bytes folder2) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tableData xmlns:ns=\"urn:zarafa\"><item><item><ulPropTag>1719795743</ulPropTag>"
                + "<Value><lpszA>Move ünïcode</lpszA></Value></item><item><Value><actions>"
                + "<item><acttype>1</acttype><moveCopy><store>" + b64(store1) + "</store><folder>" + b64(folder1) + "</folder></moveCopy></item>"
                + "<item><acttype>2</acttype><ns:moveCopy><ns:store>" + b64(store2) + "</ns:store>\n<ns:folder>" + b64(folder2)
                + "</ns:folder></ns:moveCopy></item></actions></Value></item></item></tableData>\n";
    }

    @Test
    void findsEveryMoveCopyTargetWithOrWithoutANamespacePrefix() {
        Bytes s1 = RulesData.wrapStoreEntryId(EntryIds.newV1(STORE_GUID, 1));
        Bytes f1 = EntryIds.newV1(STORE_GUID, 3);
        Bytes s2 = RulesData.wrapStoreEntryId(EntryIds.newV1(OTHER_GUID, 1));
        Bytes f2 = EntryIds.newV1(OTHER_GUID, 3);
        List<RulesData.Target> targets = RulesData.targets(xml(rules(s1, f1, s2, f2)));
        assertThat(targets).containsExactly(new RulesData.Target(s1, f1), new RulesData.Target(s2, f2));
        assertThat(RulesData.targets(xml("<rules><rule id=\"1\"/></rules>"))).isEmpty();
        assertThat(RulesData.targets(null)).isEmpty();
        assertThat(RulesData.targets(xml("<moveCopy><store>not base64!</store><folder>AAAA</folder></moveCopy>"))).isEmpty();
    }

    @Test
    void rewriteChangesOnlyTheReplacedEntryids() {
        Bytes s1 = RulesData.wrapStoreEntryId(EntryIds.newV1(STORE_GUID, 1));
        Bytes f1 = EntryIds.newV1(STORE_GUID, 3);
        Bytes s2 = RulesData.wrapStoreEntryId(EntryIds.newV1(OTHER_GUID, 1));
        Bytes f2 = EntryIds.newV1(OTHER_GUID, 3);
        Bytes newStore = RulesData.wrapStoreEntryId(EntryIds.newV1(STORE_GUID, 1));
        Bytes newFolder = EntryIds.newV1(STORE_GUID, 3);
        Bytes original = xml(rules(s1, f1, s2, f2));
        Bytes out = RulesData.rewrite(original,
                t -> t.folderEntryId().equals(f1) ? Optional.of(new RulesData.Target(newStore, newFolder)) : Optional.empty());
        assertThat(new String(out.unsafeArray(), StandardCharsets.UTF_8)).isEqualTo(rules(newStore, newFolder, s2, f2));
        assertThat(RulesData.skeleton(out)).isEqualTo(RulesData.skeleton(original))
                .contains("<moveCopy><store></store><folder></folder></moveCopy>").doesNotContain(b64(f2));
        // nothing to replace: the very same bytes
        assertThat(RulesData.rewrite(original, t -> Optional.empty())).isSameAs(original);
        Bytes notXml = Bytes.wrap(new byte[] {1, 2, 3, (byte) 0xff});
        assertThat(RulesData.rewrite(notXml, t -> Optional.of(t))).isSameAs(notXml);
    }

    @Test
    void rewrapReplacesTheInnerStoreEntryidAndKeepsTheWrapper() {
        Bytes inner = EntryIds.newV1(STORE_GUID, 1);
        Bytes wrapped = RulesData.wrapStoreEntryId(inner);
        Bytes target = EntryIds.newV1(OTHER_GUID, 1);
        Bytes out = RulesData.rewrapStoreEntryId(wrapped, STORE_GUID, target).orElseThrow();
        assertThat(out).isEqualTo(RulesData.wrapStoreEntryId(target));
        // a longer target entryid (with a server URL) replaces the whole inner part
        byte[] longer = new byte[60];
        System.arraycopy(target.unsafeArray(), 0, longer, 0, 48);
        longer[48] = 'x';
        Bytes out2 = RulesData.rewrapStoreEntryId(wrapped, STORE_GUID, Bytes.wrap(longer)).orElseThrow();
        assertThat(out2.length()).isEqualTo(wrapped.length() - 48 + 60);
        // the source store's entryid is not inside: nothing to rewrap
        assertThat(RulesData.rewrapStoreEntryId(wrapped, OTHER_GUID, target)).isEmpty();
    }
}
