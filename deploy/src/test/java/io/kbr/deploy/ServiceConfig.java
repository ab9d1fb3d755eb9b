package io.kbr.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a Quarkus service module accepts as configuration, read from its sources (no build of the service needed):
 * the keys of its {@code @ConfigMapping} interfaces (map keys as {@code *}), its {@code @ConfigProperty} names,
 * the keys of its application.properties and the environment variables that file reads ({@code ${VAR:default}}).
 * Also its HTTP port, its topic defaults and whether a key is defined under a profile.
 */
final class ServiceConfig {
    /** Variables every kbr container image understands (Dockerfile.jvm's run-java.sh, Quarkus' profile switch). */
    static final Set<String> PLATFORM_ENV = Set.of("JAVA_OPTS_APPEND", "JAVA_MAX_MEM_RATIO", "JAVA_INITIAL_MEM_RATIO",
            "QUARKUS_PROFILE");

    private static final Pattern MAPPING = Pattern.compile("@ConfigMapping\\s*\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"[^)]*\\)\\s*(?:public\\s+)?interface\\s+(\\w+)");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\s*\\(\\s*name\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)");
    private static final Pattern METHOD = Pattern.compile("([\\w.]+(?:<[\\w.<>, ?]+>)?)\\s+(\\w+)\\s*\\(\\s*\\)\\s*$");
    private static final Pattern WITH_NAME = Pattern.compile("@WithName\\s*\\(\\s*\"([^\"]+)\"\\s*\\)");
    private static final Pattern WITH_DEFAULT = Pattern.compile("@WithDefault\\s*\\(\\s*\"([^\"]*)\"\\s*\\)");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::[^}]*)?}");

    final Path module;
    /** Config keys, map keys as {@code *}. */
    final Set<String> keys = new TreeSet<>();
    /** Environment variables application.properties reads directly. */
    final Set<String> envReferences = new TreeSet<>();
    /** application.properties, profile prefixes kept. */
    final Map<String, String> properties = new LinkedHashMap<>();
    /** Defaults of mapping methods (key -> default). */
    final Map<String, String> defaults = new LinkedHashMap<>();

    private ServiceConfig(Path module) {
        this.module = module;
    }

    static ServiceConfig of(Path module) {
        ServiceConfig c = new ServiceConfig(module);
        c.readProperties(module.resolve("src/main/resources/application.properties"));
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                c.readJava(Files.readString(f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (c.keys.isEmpty()) {
            throw new IllegalStateException(module + ": no configuration keys found");
        }
        return c;
    }

    /** The environment-variable form SmallRye Config maps to a key: upper case, every other character '_'. */
    static String envForm(String key) {
        return key.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9*]", "_");
    }

    /** Whether the service reads this environment variable (a key's env form, a referenced variable or a platform one). */
    boolean acceptsEnv(String name) {
        if (PLATFORM_ENV.contains(name) || envReferences.contains(name)) {
            return true;
        }
        for (String key : keys) {
            String env = envForm(key);
            if (env.equals(name)) {
                return true;
            }
            if (env.contains("*") && Pattern.matches(Pattern.quote(env).replace("*", "\\E[A-Z0-9]+\\Q"), name)) {
                return true;
            }
        }
        return false;
    }

    /** quarkus.http.port's value in the prod profile, resolving a ${VAR:default} to its default. */
    int httpPort() {
        String v = properties.getOrDefault("%prod.quarkus.http.port", properties.get("quarkus.http.port"));
        if (v == null) {
            return 8080;
        }
        Matcher m = Pattern.compile("\\$\\{[A-Z_0-9]+:(\\d+)}").matcher(v);
        return Integer.parseInt(m.matches() ? m.group(1) : v.trim());
    }

    /** The environment variable that sets the HTTP port, if application.properties reads one. */
    Optional<String> httpPortVariable() {
        String v = properties.getOrDefault("%prod.quarkus.http.port", properties.getOrDefault("quarkus.http.port", ""));
        Matcher m = ENV_REF.matcher(v);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** Topic names the service configures: application.properties *.topic values and mapping *topic defaults. */
    Set<String> topics() {
        Set<String> t = new TreeSet<>();
        properties.forEach((k, v) -> {
            if (k.endsWith(".topic")) {
                t.add(v.trim());
            }
        });
        defaults.forEach((k, v) -> {
            if (k.endsWith("topic")) {
                t.add(v.trim());
            }
        });
        return t;
    }

    private void readProperties(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#") || !l.contains("=")) {
                continue;
            }
            String key = l.substring(0, l.indexOf('=')).strip();
            String value = l.substring(l.indexOf('=') + 1).strip();
            properties.put(key, value);
            keys.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
            Matcher m = ENV_REF.matcher(value);
            while (m.find()) {
                envReferences.add(m.group(1));
            }
        }
    }

    /** {@code source} without comments; string and character literals (e.g. "http://host") are kept as they are. */
    static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int i = 0;
        while (i < source.length()) {
            char ch = source.charAt(i);
            if (ch == '/' && i + 1 < source.length() && source.charAt(i + 1) == '*') {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? source.length() : end + 2;
                out.append(' ');
            } else if (ch == '/' && i + 1 < source.length() && source.charAt(i + 1) == '/') {
                int end = source.indexOf('\n', i);
                i = end < 0 ? source.length() : end;
                out.append(' ');
            } else if (ch == '"' || ch == '\'') {
                int j = i + 1;
                while (j < source.length() && source.charAt(j) != ch) {
                    j += source.charAt(j) == '\\' ? 2 : 1;
                }
                out.append(source, i, Math.min(source.length(), j + 1));
                i = j + 1;
            } else {
                out.append(ch);
                i++;
            }
        }
        return out.toString();
    }

    private void readJava(String source) {
        String code = withoutComments(source);
        Matcher cp = CONFIG_PROPERTY.matcher(code);
        while (cp.find()) {
            keys.add(cp.group(1));
        }
        Matcher mapping = MAPPING.matcher(code);
        if (!mapping.find()) {
            return;
        }
        Map<String, List<String[]>> interfaces = interfaces(code);
        expand(mapping.group(1), mapping.group(2), interfaces, new ArrayDeque<>());
    }

    /** interface simple name -> its methods as {return type, property name, default or null}. */
    private static Map<String, List<String[]>> interfaces(String code) {
        Map<String, List<String[]>> result = new LinkedHashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        StringBuilder segment = new StringBuilder();
        for (int i = 0; i < code.length(); i++) {
            char ch = code.charAt(i);
            if (ch == '"') {
                int end = code.indexOf('"', i + 1);
                segment.append(code, i, end + 1);
                i = end;
                continue;
            }
            if (ch == '{') {
                Matcher m = INTERFACE.matcher(segment);
                String name = m.find() ? m.group(1) : "";
                stack.push(name);
                if (!name.isEmpty()) {
                    result.putIfAbsent(name, new ArrayList<>());
                }
                segment.setLength(0);
            } else if (ch == '}') {
                if (!stack.isEmpty()) {
                    stack.pop();
                }
                segment.setLength(0);
            } else if (ch == ';') {
                String top = stack.peek();
                if (top != null && !top.isEmpty()) {
                    String decl = segment.toString();
                    String withoutAnnotations = decl.replaceAll("@\\w+(\\s*\\([^)]*\\))?", " ").strip();
                    Matcher m = METHOD.matcher(withoutAnnotations);
                    if (m.find() && !withoutAnnotations.contains("static ") && !withoutAnnotations.contains("default ")) {
                        Matcher wn = WITH_NAME.matcher(decl);
                        Matcher wd = WITH_DEFAULT.matcher(decl);
                        String prop = wn.find() ? wn.group(1) : kebab(m.group(2));
                        result.get(top).add(new String[] {m.group(1), prop, wd.find() ? wd.group(1) : null});
                    }
                }
                segment.setLength(0);
            } else {
                segment.append(ch);
            }
        }
        return result;
    }

    private void expand(String prefix, String iface, Map<String, List<String[]>> interfaces, Deque<String> path) {
        if (path.contains(iface)) {
            return;
        }
        path.push(iface);
        for (String[] method : interfaces.getOrDefault(iface, List.of())) {
            String type = method[0].replaceAll("\\s", "");
            String key = prefix + "." + method[1];
            Matcher map = Pattern.compile("Map<String,([\\w.]+)>").matcher(type);
            Matcher opt = Pattern.compile("Optional<([\\w.]+)>").matcher(type);
            String simple = type.contains(".") && !type.contains("<") ? type.substring(type.lastIndexOf('.') + 1) : type;
            if (map.matches()) {
                String value = map.group(1);
                if (interfaces.containsKey(value)) {
                    expand(key + ".*", value, interfaces, path);
                } else {
                    keys.add(key + ".*");
                }
            } else if (opt.matches() && interfaces.containsKey(opt.group(1))) {
                expand(key, opt.group(1), interfaces, path);
            } else if (interfaces.containsKey(simple)) {
                expand(key, simple, interfaces, path);
            } else {
                keys.add(key);
                if (method[2] != null) {
                    defaults.put(key, method[2]);
                }
            }
        }
        path.pop();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The kbr service modules of the repository: directories with a Quarkus application.properties. */
    static Map<String, ServiceConfig> services(Path repo) {
        Map<String, ServiceConfig> result = new LinkedHashMap<>();
        for (String m : new LinkedHashSet<>(List.of("backup-agent", "catalog-service", "dump-service", "restore-service"))) {
            Path dir = repo.resolve(m);
            if (Files.isRegularFile(dir.resolve("src/main/resources/application.properties"))) {
                result.put(m, of(dir));
            }
        }
        return result;
    }
}
