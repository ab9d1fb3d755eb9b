package io.kbr.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.kbr.events.schema.ChangeEvent;
import io.kbr.events.schema.ItemDocument;
import io.kbr.events.schema.StoreMetadataDocument;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * Holds every top-level schema compatible in both directions with each released version kept under
 * {@code src/test/resources/avro-history/<version>/}: a new reader reads old data (backward) and an old
 * reader reads new data (forward), so agents and catalogs of different versions can share the topics
 * and read each other's blobs. A schema change that breaks this fails the build; to release a schema
 * version, copy {@code src/main/avro} into a new history folder.
 */
class SchemaCompatibilityTest {
    private static final List<Schema> CURRENT = List.of(ChangeEvent.getClassSchema(), ItemDocument.getClassSchema(),
            StoreMetadataDocument.getClassSchema());

    @Test
    void currentSchemasAreCompatibleWithEveryReleasedVersion() throws Exception {
        List<Path> versions = historyVersions();
        assertThat(versions).as("released schema versions").isNotEmpty();
        List<String> problems = new ArrayList<>();
        for (Path version : versions) {
            Schema.Parser parser = new Schema.Parser();
            // Shared types first, as in the build's avro-maven-plugin imports.
            parse(parser, version.resolve("BlobRef.avsc"));
            parse(parser, version.resolve("PropertyValue.avsc"));
            for (Schema current : CURRENT) {
                Path file = version.resolve(current.getName() + ".avsc");
                if (!Files.exists(file)) {
                    continue; // introduced after this version
                }
                Schema old = parse(parser, file);
                check(problems, version, current, old, "backward (new reads old)");
                check(problems, version, old, current, "forward (old reads new)");
            }
        }
        assertThat(problems).as("incompatible schema changes").isEmpty();
    }

    @Test
    void theCheckRejectsAnIncompatibleChange() {
        // Guard against a check that passes everything: removing the default of a new required field must fail.
        Schema v1 = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");
        Schema v2 = new Schema.Parser().parse(
                "{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"},{\"name\":\"b\",\"type\":\"string\"}]}");
        assertThat(SchemaCompatibility.checkReaderWriterCompatibility(v2, v1).getType()).isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
    }

    private static void check(List<String> problems, Path version, Schema reader, Schema writer, String direction) {
        SchemaCompatibility.SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
        if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
            problems.add(reader.getName() + " vs version " + version.getFileName() + ", " + direction + ": " + result.getDescription());
        }
    }

    private static Schema parse(Schema.Parser parser, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return parser.parse(in);
        }
    }

    private static List<Path> historyVersions() throws URISyntaxException, IOException {
        URL root = SchemaCompatibilityTest.class.getResource("/avro-history");
        assertThat(root).as("avro-history on the test classpath").isNotNull();
        try (Stream<Path> dirs = Files.list(Path.of(root.toURI()))) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        }
    }
}
