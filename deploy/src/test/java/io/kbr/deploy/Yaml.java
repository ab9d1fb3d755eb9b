package io.kbr.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** YAML as plain maps and lists (multi-document files), and the small tree helpers the checks use. */
final class Yaml {
    static final YAMLMapper MAPPER = new YAMLMapper();

    private Yaml() {
    }

    static List<Map<String, Object>> documents(Path file) {
        try {
            List<Map<String, Object>> docs = new ArrayList<>();
            try (MappingIterator<Map<String, Object>> it = MAPPER.readerFor(new TypeReference<LinkedHashMap<String, Object>>() {
            }).readValues(Files.readString(file))) {
                while (it.hasNext()) {
                    Map<String, Object> doc = it.next();
                    if (doc != null && !doc.isEmpty()) {
                        docs.add(doc);
                    }
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    static Map<String, Object> single(Path file) {
        List<Map<String, Object>> docs = documents(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + ": expected one YAML document, found " + docs.size());
        }
        return docs.get(0);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? null : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    /** The value at a dotted path of map keys, or null. */
    static Object at(Map<String, Object> root, String path) {
        Object cur = root;
        for (String part : path.split("\\.")) {
            if (!(cur instanceof Map<?, ?> m)) {
                return null;
            }
            cur = m.get(part);
        }
        return cur;
    }

    static String str(Map<String, Object> root, String path) {
        Object v = at(root, path);
        return v == null ? null : v.toString();
    }

    /** The map at a dotted path, created (with every missing parent) when absent. */
    static Map<String, Object> ensure(Map<String, Object> root, String path) {
        Map<String, Object> cur = root;
        for (String part : path.split("\\.")) {
            Object next = cur.get(part);
            if (next == null) {
                next = new LinkedHashMap<String, Object>();
                cur.put(part, next);
            }
            cur = map(next);
        }
        return cur;
    }

    /** Deep copy of plain YAML trees. */
    @SuppressWarnings("unchecked")
    static <T> T copy(T tree) {
        if (tree instanceof Map<?, ?> m) {
            Map<String, Object> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put((String) k, copy(v)));
            return (T) c;
        }
        if (tree instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            l.forEach(v -> c.add(copy(v)));
            return (T) c;
        }
        return tree;
    }
}
