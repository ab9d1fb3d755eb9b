package io.kbr.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml checked statically (there is no Docker here): services, dependencies, health checks, ports,
 * addresses, environment keys, secrets, topics and buckets.
 */
class DockerComposeTest {
    static final Path REPO = KubernetesManifestsTest.REPO;
    static final Set<String> CONDITIONS = Set.of("service_started", "service_healthy", "service_completed_successfully");
    static final Pattern ADDRESS = Pattern.compile("(?:^|//|[,@ ])([a-z][a-z0-9-]*):(\\d{2,5})");
    static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)(?::?-([^}]*))?}");

    static Map<String, Object> compose;
    static Map<String, Map<String, Object>> services;
    static Map<String, ServiceConfig> kbr;

    @BeforeAll
    static void load() {
        compose = Yaml.single(REPO.resolve("docker-compose.yml"));
        services = new LinkedHashMap<>();
        Yaml.map(compose.get("services")).forEach((k, v) -> services.put(k, Yaml.map(v)));
        kbr = ServiceConfig.services(REPO);
    }

    /** Compose problems as text; empty means fine. */
    static List<String> problems(Map<String, Map<String, Object>> services, Map<String, Object> volumes) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : services.entrySet()) {
            String name = e.getKey();
            Map<String, Object> s = e.getValue();
            boolean oneShot = "no".equals(s.get("restart"));
            if (s.get("image") == null && s.get("build") == null) {
                problems.add(name + ": neither image nor build");
            }
            if (!oneShot && s.get("healthcheck") == null) {
                problems.add(name + ": no healthcheck");
            }
            Map<String, Object> deps = Yaml.map(s.get("depends_on"));
            if (deps != null) {
                deps.forEach((target, cond) -> {
                    Map<String, Object> t = services.get(target);
                    String condition = Yaml.str(Yaml.map(cond), "condition");
                    if (t == null) {
                        problems.add(name + ": depends_on " + target + ", which is no service");
                    } else if (!CONDITIONS.contains(condition)) {
                        problems.add(name + ": depends_on " + target + " with condition " + condition);
                    } else if (condition.equals("service_healthy") && t.get("healthcheck") == null) {
                        problems.add(name + ": waits for " + target + " to be healthy, which has no healthcheck");
                    } else if (condition.equals("service_completed_successfully") != "no".equals(t.get("restart"))) {
                        problems.add(name + ": " + target + " is " + ("no".equals(t.get("restart")) ? "a one-shot: wait for service_completed_successfully"
                                : "long-running: it never completes"));
                    }
                });
            }
            Map<String, String> env = environment(s);
            env.forEach((k, v) -> {
                Matcher a = ADDRESS.matcher(v);
                while (a.find()) {
                    String host = a.group(1);
                    int port = Integer.parseInt(a.group(2));
                    if (host.equals("localhost")) {
                        continue;
                    }
                    Map<String, Object> t = services.get(host);
                    if (t == null) {
                        problems.add(name + ": " + k + " points at " + host + ", which is no service");
                    } else if (!containerPorts(host, t).contains(port)) {
                        problems.add(name + ": " + k + " points at " + host + ":" + port + ", a port " + host + " does not expose "
                                + containerPorts(host, t));
                    }
                }
                if (k.matches(".*(PASSWORD|SECRET|_KEY|_KEYS)$")) {
                    Matcher m = INTERPOLATION.matcher(v);
                    if (!m.matches() || (m.group(2) != null && !m.group(2).isEmpty() && !m.group(2).contains("local-only"))) {
                        problems.add(name + ": " + k + " must come from ${VAR:-...} with an empty or *local-only* default, is " + v);
                    }
                }
            });
            for (Object v : Yaml.list(s.get("volumes"))) {
                String source = v.toString().split(":")[0];
                if (!source.startsWith(".") && !source.startsWith("/") && (volumes == null || !volumes.containsKey(source))) {
                    problems.add(name + ": volume " + source + " is not declared under volumes:");
                }
            }
            ServiceConfig service = kbr.get(name);
            if (service != null) {
                problems.addAll(kbrService(name, s, service, env));
            }
        }
        return problems;
    }

    private static List<String> kbrService(String name, Map<String, Object> s, ServiceConfig service, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        int port = service.httpPort();
        for (String key : env.keySet()) {
            if (!service.acceptsEnv(key)) {
                problems.add(name + ": " + key + " is not a configuration key of " + name + " (nor a variable its application.properties reads)");
            }
        }
        String context = Yaml.str(s, "build.context");
        if (context == null || !REPO.resolve(context).normalize().equals(service.module.normalize())) {
            problems.add(name + ": build.context must be its module ./" + name + ", is " + context);
        } else {
            Path dockerfile = REPO.resolve(context).resolve(Yaml.str(s, "build.dockerfile"));
            if (!Files.isRegularFile(dockerfile)) {
                problems.add(name + ": " + dockerfile + " does not exist");
            } else {
                try {
                    String text = Files.readString(dockerfile);
                    if (!text.contains("EXPOSE " + port)) {
                        problems.add(name + ": " + dockerfile.getFileName() + " does not EXPOSE " + port);
                    }
                } catch (IOException ex) {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        }
        if (!containerPorts(name, s).contains(port)) {
            problems.add(name + ": publishes " + containerPorts(name, s) + ", not its HTTP port " + port);
        }
        String health = String.valueOf(Yaml.at(s, "healthcheck.test"));
        if (!health.contains("localhost:" + port + "/q/health/ready")) {
            problems.add(name + ": healthcheck must GET localhost:" + port + "/q/health/ready, is " + health);
        }
        return problems;
    }

    /** environment as a map (compose accepts a map or a KEY=VALUE list). */
    static Map<String, String> environment(Map<String, Object> s) {
        Map<String, String> env = new LinkedHashMap<>();
        Object e = s.get("environment");
        if (e instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(k.toString(), v == null ? "" : v.toString()));
        } else {
            for (Object item : Yaml.list(e)) {
                String kv = item.toString();
                int eq = kv.indexOf('=');
                env.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
            }
        }
        return env;
    }

    /** Ports a service listens on: expose, the container side of ports. */
    static Set<Integer> containerPorts(String name, Map<String, Object> s) {
        Set<Integer> ports = new TreeSet<>();
        for (Object p : Yaml.list(s.get("expose"))) {
            ports.add(Integer.parseInt(p.toString()));
        }
        for (Object p : Yaml.list(s.get("ports"))) {
            String[] parts = p.toString().split(":");
            ports.add(Integer.parseInt(parts[parts.length - 1].replace("/tcp", "")));
        }
        return ports;
    }

    @Test
    void composeFilePassesEveryCheck() {
        assertThat(problems(services, Yaml.map(compose.get("volumes")))).isEmpty();
    }

    @Test
    void allFourServicesAndTheInfrastructureArePresent() {
        assertThat(services).containsKeys("kopano-db", "catalog-db", "kafka", "minio", "kopano-seed", "catalog-service",
                "backup-agent", "dump-service", "restore-service");
        assertThat(kbr.keySet()).allSatisfy(m -> assertThat(services).containsKey(m));
        assertThat(Yaml.str(services.get("kafka"), "image")).startsWith("apache/kafka:");
        assertThat(environment(services.get("kafka"))).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller");
        assertThat(Yaml.str(services.get("catalog-db"), "image")).startsWith("mysql:8");
        // the agent and the dump-service read the seeded attachment directory, read-only
        for (String s : List.of("backup-agent", "dump-service")) {
            assertThat(Yaml.list(services.get(s).get("volumes"))).contains("kopano-attachments:/var/lib/kopano/attachments:ro");
        }
        assertThat(environment(services.get("backup-agent")).get("KBR_AGENT_ATTACHMENTS_PATH"))
                .isEqualTo(environment(services.get("dump-service")).get("KBR_DUMP_SERVERS_KOPANO1_ATTACHMENT_PATH"))
                .isEqualTo("/var/lib/kopano/attachments");
        // agent and dump-service back up the same Kopano database
        assertThat(KubernetesManifestsTest.host(environment(services.get("backup-agent")).get("KOPANO_JDBC_URL")))
                .isEqualTo(KubernetesManifestsTest.host(environment(services.get("dump-service")).get("KBR_DUMP_SERVERS_KOPANO1_JDBC_URL")))
                .isEqualTo("kopano-db");
    }

    @Test
    void kafkaInitCreatesExactlyTheTopicsOfTheKubernetesManifests() {
        String script = Yaml.list(services.get("kafka-init").get("command")).get(0).toString();
        Map<String, String> created = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^t (\\S+) (.*)$").matcher(script);
        while (m.find()) {
            created.put(m.group(1), m.group(2));
        }
        List<Map<String, Object>> topics = KubernetesManifestsTest.render("base").stream()
                .filter(r -> "KafkaTopic".equals(r.get("kind"))).toList();
        assertThat(created.keySet()).containsExactlyInAnyOrderElementsOf(
                topics.stream().map(t -> Yaml.str(t, "spec.topicName")).collect(Collectors.toList()));
        for (Map<String, Object> t : topics) {
            String args = created.get(Yaml.str(t, "spec.topicName"));
            assertThat(args).as(Yaml.str(t, "spec.topicName")).contains("--partitions " + Yaml.at(t, "spec.partitions"));
            Object policy = Yaml.map(Yaml.at(t, "spec.config")) == null ? null : Yaml.map(Yaml.at(t, "spec.config")).get("cleanup.policy");
            if (policy != null) {
                assertThat(args).contains("cleanup.policy=" + policy);
            }
        }
    }

    @Test
    void minioInitCreatesEveryBucketTheServicesUse() {
        Set<String> created = Set.of(environment(services.get("minio-init")).get("BUCKETS").split(" "));
        Set<String> used = new TreeSet<>();
        services.values().forEach(s -> environment(s).forEach((k, v) -> {
            if (k.endsWith("_BUCKET")) {
                used.add(v);
            }
        }));
        assertThat(used).contains("kbr", "kbr-dump-attachments");
        assertThat(created).containsAll(used);
    }

    @Test
    void brokenComposeFilesAreReported() {
        Map<String, Map<String, Object>> broken = new LinkedHashMap<>();
        services.forEach((k, v) -> broken.put(k, Yaml.copy(v)));
        environment(broken.get("backup-agent"));
        Yaml.map(broken.get("backup-agent").get("environment")).put("KBR_AGENT_BUCKET", "kbr");
        Yaml.map(broken.get("backup-agent").get("environment")).put("KAFKA_BOOTSTRAP", "kafka:29092");
        Yaml.map(broken.get("catalog-service").get("environment")).put("CATALOG_DB_PASSWORD", "hunter2");
        Yaml.map(broken.get("catalog-service").get("environment")).put("S3_ENDPOINT", "http://s3:9000");
        broken.get("dump-service").put("ports", List.of("8083:8080"));
        broken.get("restore-service").remove("healthcheck");
        Yaml.map(broken.get("restore-service").get("depends_on")).put("mino", Map.of("condition", "service_started"));
        Yaml.map(broken.get("catalog-service").get("depends_on")).put("kafka-init", Map.of("condition", "service_healthy"));
        List<String> problems = problems(broken, Yaml.map(compose.get("volumes")));
        assertThat(problems).contains(
                "backup-agent: KBR_AGENT_BUCKET is not a configuration key of backup-agent (nor a variable its application.properties reads)",
                "restore-service: no healthcheck",
                "restore-service: depends_on mino, which is no service",
                "catalog-service: waits for kafka-init to be healthy, which has no healthcheck",
                "catalog-service: S3_ENDPOINT points at s3, which is no service")
                .anyMatch(p -> p.startsWith("backup-agent: KAFKA_BOOTSTRAP points at kafka:29092"))
                .anyMatch(p -> p.startsWith("catalog-service: CATALOG_DB_PASSWORD must come from ${VAR:-...}"))
                .anyMatch(p -> p.startsWith("dump-service: publishes [8080], not its HTTP port 8083"));
    }

    @Test
    void everyServiceModuleHasAJvmDockerfileForTheFastJarLayout() throws IOException {
        for (ServiceConfig s : kbr.values()) {
            String text = Files.readString(s.module.resolve("src/main/docker/Dockerfile.jvm"));
            assertThat(text).as(s.module.toString()).contains("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/",
                    "target/quarkus-app/*.jar", "target/quarkus-app/app/", "target/quarkus-app/quarkus/", "USER 185",
                    "EXPOSE " + s.httpPort(), "quarkus-run.jar");
            assertThat(Files.readString(s.module.resolve("pom.xml"))).contains("quarkus-maven-plugin");
        }
    }
}
