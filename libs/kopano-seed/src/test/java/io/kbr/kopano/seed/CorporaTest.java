package io.kbr.kopano.seed;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.kopano.mime.MimeConversionException;
import io.kbr.kopano.mime.MimeToMapi;
import io.kbr.kopano.model.PropTags;
import io.kbr.kopano.model.PropertyList;
import io.kbr.kopano.write.NewMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CorporaTest {
    @Test
    void enumeratesOnlyMessageInputsInNameOrder() {
        List<NamedMessage> all = Corpora.all();
        assertThat(Corpora.load(Corpora.Corpus.MIME4J_TESTMSGS)).hasSize(32);
        assertThat(Corpora.load(Corpora.Corpus.MIME4J_MIMETOOLS)).hasSize(48);
        assertThat(Corpora.load(Corpora.Corpus.JAMES_MAILBOX_EML)).hasSize(47);
        assertThat(all).hasSize(127);
        assertThat(all).extracting(NamedMessage::name)
                .isSorted()
                .doesNotHaveDuplicates()
                .allMatch(n -> n.endsWith(".msg") || n.endsWith(".eml"))
                .noneMatch(n -> n.contains("_decoded"))
                .contains("testmsgs/basic-plain.msg", "mimetools-testmsgs/multi-nested.msg", "eml/mail.eml");
        assertThat(all).allMatch(m -> m.bytes().length > 0);
        assertThat(Corpora.all()).extracting(NamedMessage::name).isEqualTo(all.stream().map(NamedMessage::name).toList());
    }

    @Test
    void everyCorpusMessageConverts() throws Exception {
        MimeToMapi converter = new MimeToMapi();
        List<String> failed = new ArrayList<>();
        int withBody = 0;
        int attachments = 0;
        int recipients = 0;
        for (NamedMessage m : Corpora.all()) {
            try {
                NewMessage n = converter.convert(m.bytes());
                assertThat(n.rfc822()).isSameAs(m.bytes());
                assertThat(PropertyList.string(n.props(), PropTags.MESSAGE_CLASS)).isPresent();
                if (PropertyList.find(n.props(), PropTags.BODY).isPresent()) {
                    withBody++;
                }
                attachments += n.attachments().size();
                recipients += n.recipients().size();
            } catch (MimeConversionException e) {
                failed.add(m.name() + ": " + e.getMessage());
            }
        }
        assertThat(failed).isEmpty();
        assertThat(withBody).isGreaterThan(100);
        assertThat(attachments).isGreaterThan(100);
        assertThat(recipients).isGreaterThan(80);
    }
}
