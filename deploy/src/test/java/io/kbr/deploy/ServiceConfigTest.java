package io.kbr.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceConfigTest {

    @Test
    void commentsGoButStringsThatLookLikeCommentsStay() {
        String q = "\"";
        String java = String.join("\n", List.of(
                "/** the catalog's URL */",
                "@WithDefault(" + q + "http://localhost:8080" + q + ") // where the catalog is",
                "String url(); /* block */ char c = '" + q + "'; String s = " + q + "a \\" + q + " // b" + q + ";"));
        assertThat(ServiceConfig.withoutComments(java)).isEqualTo(String.join("\n", List.of(
                " ",
                "@WithDefault(" + q + "http://localhost:8080" + q + ")  ",
                "String url();   char c = '" + q + "'; String s = " + q + "a \\" + q + " // b" + q + ";")));
    }
}
