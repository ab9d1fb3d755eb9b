package io.kbr.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** deploy/: every kustomization rendered, schema-checked and cross-checked; no cluster, no kustomize binary. */
class KubernetesManifestsTest {
    static final Path REPO = Path.of(System.getProperty("kbr.repo.root", "..")).toAbsolutePath().normalize();
    static final Path DEPLOY = REPO.resolve("deploy");
    static Map<String, ServiceConfig> services;
    static List<Map<String, Object>> external;

    @BeforeAll
    static void load() throws IOException {
        services = ServiceConfig.services(REPO);
        external = new ArrayList<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".example.yaml")).sorted().toList()) {
                external.addAll(Yaml.documents(f));
            }
        }
    }

    static List<Map<String, Object>> render(String dir) {
        return Kustomize.build(DEPLOY.resolve(dir));
    }

    static ManifestChecks check(List<Map<String, Object>> rendered) {
        return new ManifestChecks(rendered, external, services).schema().crossReferences();
    }

    @Test
    void theServicesConfigurationIsRead() {
        assertThat(services).containsKeys("backup-agent", "catalog-service");
        assertThat(services.get("backup-agent").keys).contains("kbr.agent.server-id", "kbr.agent.object-store.encryption-keys",
                "kbr.agent.attachments.path", "quarkus.datasource.jdbc.url");
        assertThat(services.get("backup-agent").acceptsEnv("KBR_AGENT_OBJECT_STORE_ENCRYPTION_KEYS")).isTrue();
        assertThat(services.get("backup-agent").acceptsEnv("KOPANO_JDBC_URL")).isTrue();
        assertThat(services.get("backup-agent").acceptsEnv("KBR_AGENT_OBJECT_STORE_ENCRYPTION_KEY")).isFalse();
        assertThat(services.get("catalog-service").keys).contains("kbr.catalog.retention.gc-grace-period", "kbr.catalog.dumps.topic");
        assertThat(services.get("backup-agent").httpPort()).isEqualTo(8081);
        assertThat(services.get("catalog-service").httpPort()).isEqualTo(8080);
        if (services.containsKey("dump-service")) {
            assertThat(services.get("dump-service").keys).contains("kbr.dump.servers.*.jdbc-url");
            assertThat(services.get("dump-service").acceptsEnv("KBR_DUMP_SERVERS_KOPANO2_JDBC_URL")).isTrue();
            assertThat(services.get("dump-service").acceptsEnv("KBR_DUMP_SERVERS_JDBC_URL")).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"base", "overlays/example"})
    void everyDeployableKustomizationRendersAndPassesTheSchemaAndCrossChecks(String dir) {
        List<Map<String, Object>> rendered = render(dir);
        assertThat(rendered).isNotEmpty();
        assertThat(check(rendered).problems).isEmpty();
    }

    /** The per-server template is only deployable inside an overlay (it uses the base's ConfigMaps): schema only. */
    @Test
    void thePerServerTemplateRendersAndPassesTheSchemaCheck() {
        List<Map<String, Object>> rendered = render("kopano-server");
        assertThat(rendered).extracting(ManifestChecks::id).containsExactlyInAnyOrder("ConfigMap/backup-agent",
                "StatefulSet/backup-agent", "Service/backup-agent", "ConfigMap/dump-service", "StatefulSet/dump-service",
                "Service/dump-service");
        assertThat(new ManifestChecks(rendered, external, services).schema().problems).isEmpty();
    }

    @Test
    void theExampleSiteHasTwoKopanoServersEachWithItsAgentAndDumpService() {
        List<Map<String, Object>> rendered = render("overlays/example");
        ManifestChecks checks = new ManifestChecks(rendered, external, services);
        assertThat(rendered).allSatisfy(r -> assertThat(Yaml.str(r, "metadata.namespace")).isEqualTo("kbr"));
        List<String> names = rendered.stream().map(ManifestChecks::id).toList();
        assertThat(names).contains("StatefulSet/kopano1-backup-agent", "StatefulSet/kopano2-backup-agent",
                "StatefulSet/kopano1-dump-service", "StatefulSet/kopano2-dump-service", "Deployment/catalog-service",
                "Deployment/restore-service", "Service/kopano1-backup-agent", "Service/kopano2-dump-service",
                "Job/kbr-create-buckets");
        for (String server : List.of("kopano1", "kopano2")) {
            Map<String, Object> agent = checks.find("StatefulSet", server + "-backup-agent", "kbr");
            Map<String, Object> dump = checks.find("StatefulSet", server + "-dump-service", "kbr");
            Map<String, String> agentEnv = checks.environment(agent, container(agent));
            Map<String, String> dumpEnv = checks.environment(dump, container(dump));
            String id = server.toUpperCase();
            assertThat(agentEnv).containsEntry("KBR_AGENT_SERVER_ID", server)
                    .containsEntry("KOPANO_DB_PASSWORD", "secret:" + server + "-kopano-db/KOPANO_DB_PASSWORD");
            assertThat(dumpEnv).containsEntry("KBR_DUMP_SERVERS_" + id + "_PASSWORD", "secret:" + server + "-kopano-db/KOPANO_DB_PASSWORD");
            // agent and dump-service of one server talk to the same database and mount the same attachment volume
            assertThat(host(dumpEnv.get("KBR_DUMP_SERVERS_" + id + "_JDBC_URL"))).isEqualTo(host(agentEnv.get("KOPANO_JDBC_URL")))
                    .startsWith(server + "-db.");
            assertThat(claim(agent)).isEqualTo(claim(dump)).isEqualTo(server + "-attachments");
            assertThat(dumpEnv.get("KBR_DUMP_SERVERS_" + id + "_ATTACHMENT_PATH")).isEqualTo(agentEnv.get("KBR_AGENT_ATTACHMENTS_PATH"))
                    .isEqualTo(mountPath(dump, "attachments"));
            assertThat(Yaml.map(Yaml.at(agent, "spec.selector.matchLabels"))).containsEntry("kbr.io/kopano-server", server);
            // the dump-service only reads the Kopano attachment volume
            assertThat(readOnly(dump)).isTrue();
        }
        // kopano1's agent applies restores (writable attachments), kopano2's only backs up
        assertThat(readOnly(checks.find("StatefulSet", "kopano1-backup-agent", "kbr"))).isFalse();
        assertThat(readOnly(checks.find("StatefulSet", "kopano2-backup-agent", "kbr"))).isTrue();
        // the site's patch reached the shared ConfigMaps
        assertThat(Yaml.str(checks.find("ConfigMap", "kbr-kafka", "kbr"), "data.KAFKA_BOOTSTRAP")).isEqualTo("kbr-kafka-bootstrap.kafka.svc:9092");
    }

    @Test
    void everyServiceVerifiesTokensWithTheSitesKeyAndNoAuthValueIsSecret() {
        List<Map<String, Object>> rendered = render("overlays/example");
        ManifestChecks checks = new ManifestChecks(rendered, external, services);
        Map<String, Object> auth = checks.find("ConfigMap", "kbr-auth", "kbr");
        String location = Yaml.str(auth, "data.MP_JWT_VERIFY_PUBLICKEY_LOCATION");
        assertThat(location).startsWith("https://").endsWith("/jwks.json");
        for (String[] workload : new String[][] {{"Deployment", "catalog-service"}, {"Deployment", "restore-service"},
                {"StatefulSet", "kopano1-backup-agent"}, {"StatefulSet", "kopano2-backup-agent"},
                {"StatefulSet", "kopano1-dump-service"}, {"StatefulSet", "kopano2-dump-service"}}) {
            Map<String, Object> w = checks.find(workload[0], workload[1], "kbr");
            assertThat(checks.environment(w, container(w))).as(workload[1])
                    .containsEntry("MP_JWT_VERIFY_PUBLICKEY_LOCATION", location)
                    .containsEntry("MP_JWT_VERIFY_ISSUER", Yaml.str(auth, "data.MP_JWT_VERIFY_ISSUER"));
        }
        // the restore-service calls the catalog with an admin token from a Secret, never a ConfigMap value
        Map<String, Object> restore = checks.find("Deployment", "restore-service", "kbr");
        assertThat(checks.environment(restore, container(restore))).containsEntry("KBR_CATALOG_TOKEN", "secret:kbr-restore-catalog/KBR_CATALOG_TOKEN")
                .containsEntry("KBR_CATALOG_URL", "http://catalog-service:8080");
        // every service reads them (application.properties defines the keys)
        services.values().forEach(svc -> assertThat(svc.acceptsEnv("MP_JWT_VERIFY_PUBLICKEY_LOCATION")).isTrue());
    }

    @Test
    void everyBucketTheServicesUseIsCreatedByTheBucketJob() {
        List<Map<String, Object>> rendered = render("overlays/example");
        ManifestChecks checks = new ManifestChecks(rendered, external, services);
        Map<String, Object> job = checks.find("Job", "kbr-create-buckets", "kbr");
        Set<String> created = Set.of(checks.environment(job, container(job)).get("BUCKETS").split(" "));
        Set<String> used = new TreeSet<>();
        for (Map<String, Object> r : rendered) {
            Map<String, Object> pod = Kustomize.podSpec(r);
            if (pod != null && !"Job".equals(r.get("kind"))) {
                checks.environment(r, container(r)).forEach((k, v) -> {
                    if (k.endsWith("_BUCKET")) {
                        used.add(v);
                    }
                });
            }
        }
        // the defaults of the mappings count too: a service without the setting uses its default bucket
        services.values().forEach(s -> s.defaults.forEach((k, v) -> {
            if (k.matches(".*[.-]bucket") && !k.endsWith("create-bucket")) {
                used.add(v);
            }
        }));
        assertThat(used).isNotEmpty();
        assertThat(created).containsAll(used);
    }

    @Test
    void everyTopicOfTheDesignAndTheServicesIsAKafkaTopicAndNoOtherIs() throws IOException {
        List<Map<String, Object>> rendered = render("base");
        Map<String, Map<String, Object>> topics = rendered.stream().filter(r -> "KafkaTopic".equals(r.get("kind")))
                .collect(Collectors.toMap(r -> Yaml.str(r, "spec.topicName"), r -> r));
        Set<String> required = new TreeSet<>();
        Matcher m = Pattern.compile("static final String \\w+ = \"([^\"]+)\"")
                .matcher(Files.readString(REPO.resolve("libs/events/src/main/java/io/kbr/events/Topics.java")));
        while (m.find()) {
            required.add(m.group(1));
        }
        assertThat(required).contains("kbr.changes", "kbr.agent.checkpoints", "kbr.dumps", "kbr.restore.requests",
                "kbr.restore.commands", "kbr.restore.events");
        services.values().forEach(s -> required.addAll(s.topics()));
        // every consumed topic has its dead-letter topic (ARCHITECTURE.md); the checkpoints are read by their writer only
        for (String t : List.copyOf(required)) {
            if (!t.endsWith(".dlq") && !t.equals("kbr.agent.checkpoints") && !t.equals("kbr.agent.restore-applied")) {
                required.add(t + ".dlq");
            }
        }
        assertThat(topics.keySet()).containsExactlyInAnyOrderElementsOf(required);
        assertThat(Yaml.str(topics.get("kbr.agent.checkpoints"), "spec.config.cleanup.policy")).isNull();
        assertThat(Yaml.map(Yaml.at(topics.get("kbr.agent.checkpoints"), "spec.config"))).containsEntry("cleanup.policy", "compact");
        assertThat(Yaml.map(Yaml.at(topics.get("kbr.agent.restore-applied"), "spec.config"))).containsEntry("cleanup.policy", "compact");
        assertThat((Integer) Yaml.at(topics.get("kbr.changes"), "spec.partitions")).isGreaterThan(1);
        topics.values().forEach(t -> assertThat(Yaml.str(t, "metadata.name")).isEqualTo(Yaml.str(t, "spec.topicName")));
    }

    @Test
    void noSecretValueIsCommittedInTheRenderedManifests() {
        for (String dir : List.of("base", "kopano-server", "overlays/example")) {
            assertThat(render(dir)).noneMatch(r -> "Secret".equals(r.get("kind")));
        }
        // the examples hold placeholders only
        assertThat(external.stream().filter(r -> "Secret".equals(r.get("kind"))))
                .allSatisfy(s -> Yaml.map(s.get("stringData")).forEach((k, v) -> {
                    if (k.contains("PASSWORD") || k.contains("SECRET") || k.contains("KEYS")) {
                        assertThat(v.toString()).as(k).contains("<");
                    }
                }));
    }

    // ------------------------------------------------------------ the checks themselves can fail

    @Test
    void brokenManifestsAreReported() {
        List<Map<String, Object>> rendered = render("overlays/example");
        Map<String, Object> agent = new ManifestChecks(rendered, external, services).find("StatefulSet", "kopano2-backup-agent", "kbr");
        Map<String, Object> c = container(agent);
        Yaml.list(c.get("env")).add(new java.util.LinkedHashMap<>(Map.of("name", "KBR_AGENT_SERVERID", "value", "x")));
        Yaml.map(Yaml.at(c, "livenessProbe.httpGet")).put("port", "admin");
        Yaml.map(c.get("resources")).remove("requests");
        Yaml.map(Yaml.list(c.get("ports")).get(0)).put("containerPort", 8080);
        c.put("imagePullPolice", "Always");
        Map<String, Object> svc = new ManifestChecks(rendered, external, services).find("Service", "kopano1-dump-service", "kbr");
        Yaml.map(Yaml.at(svc, "spec.selector")).remove("kbr.io/kopano-server");
        Map<String, Object> catalogSvc = new ManifestChecks(rendered, external, services).find("Service", "catalog-service", "kbr");
        Yaml.map(Yaml.list(Yaml.at(catalogSvc, "spec.ports")).get(0)).put("targetPort", "https");
        Map<String, Object> dump = new ManifestChecks(rendered, external, services).find("StatefulSet", "kopano1-dump-service", "kbr");
        Yaml.map(Yaml.list(container(dump).get("envFrom")).get(0)).put("configMapRef", new java.util.LinkedHashMap<>(Map.of("name", "dump-service")));
        Map<String, Object> topic = new ManifestChecks(rendered, external, services).find("KafkaTopic", "kbr.changes", "kbr");
        Yaml.map(topic.get("spec")).put("partitions", "12");

        List<String> problems = check(rendered).problems;
        assertThat(problems).anyMatch(p -> p.contains("KBR_AGENT_SERVERID is not a configuration key of backup-agent"))
                .anyMatch(p -> p.contains("livenessProbe port admin is no container port"))
                .anyMatch(p -> p.contains("kopano2-backup-agent: container backup-agent has no cpu and memory requests"))
                .anyMatch(p -> p.contains("port 'http' must be 8081"))
                .anyMatch(p -> p.contains("unknown field(s) [imagePullPolice]"))
                .anyMatch(p -> p.contains("Service/kopano1-dump-service: selector") && p.contains("2 workloads"))
                .anyMatch(p -> p.contains("targetPort https is no container port"))
                .anyMatch(p -> p.contains("ConfigMap dump-service is not in the set"))
                .anyMatch(p -> p.contains("KafkaTopic/kbr.changes: spec.partitions must be a positive integer"));
    }

    @Test
    void unresolvedSecretsAndClaimsAreReported() {
        List<Map<String, Object>> rendered = render("kopano-server");
        List<String> problems = new ManifestChecks(rendered, List.of(), services).schema().crossReferences().problems;
        assertThat(problems).anyMatch(p -> p.contains("Secret kopano-db is neither in the set nor documented"))
                .anyMatch(p -> p.contains("Secret kbr-encryption is neither in the set nor documented"))
                .anyMatch(p -> p.contains("PersistentVolumeClaim kopano-attachments is neither"))
                .anyMatch(p -> p.contains("ConfigMap kbr-kafka is not in the set"));
    }

    @Test
    void theRendererAppliesPrefixLabelsPatchesAndNamespaceLikeKustomize(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("app"));
        Files.writeString(dir.resolve("app/kustomization.yaml"), "resources: [app.yaml]\n");
        Files.writeString(dir.resolve("app/app.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg}
                data: {A: "1", B: "2"}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app}
                spec:
                  selector: {matchLabels: {app: x}}
                  template:
                    metadata: {labels: {app: x}}
                    spec:
                      containers:
                        - name: c
                          image: i
                          envFrom: [{configMapRef: {name: cfg}}]
                          env: [{name: E1, value: one}, {name: E2, value: two}]
                          volumeMounts: [{name: v, mountPath: /v, readOnly: true}]
                      volumes: [{name: v, persistentVolumeClaim: {claimName: external}}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: app}
                spec: {selector: {app: x}, ports: [{port: 80}]}
                """);
        Files.writeString(dir.resolve("kustomization.yaml"), """
                namespace: ns1
                namePrefix: p-
                commonLabels: {site: s1}
                resources: [app]
                patches: [{path: patch.yaml}]
                """);
        Files.writeString(dir.resolve("patch.yaml"), """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: cfg}
                data: {B: "3", A: null}
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: app}
                spec:
                  template:
                    spec:
                      containers:
                        - name: c
                          env: [{name: E2, value: changed}, {name: E3, value: three}]
                          volumeMounts: [{mountPath: /v, name: v, readOnly: false}]
                """);
        List<Map<String, Object>> out = Kustomize.build(dir);
        Map<String, Object> cm = out.get(0);
        Map<String, Object> deployment = out.get(1);
        Map<String, Object> service = out.get(2);
        assertThat(Yaml.str(cm, "metadata.name")).isEqualTo("p-cfg");
        assertThat(Yaml.map(cm.get("data"))).isEqualTo(Map.of("B", "3"));
        assertThat(out).allSatisfy(r -> assertThat(Yaml.str(r, "metadata.namespace")).isEqualTo("ns1"));
        Map<String, Object> c = container(deployment);
        assertThat(Yaml.str(Yaml.map(Yaml.list(c.get("envFrom")).get(0)), "configMapRef.name")).isEqualTo("p-cfg");
        assertThat(Yaml.list(c.get("env"))).extracting(e -> Yaml.map(e).get("name") + "=" + Yaml.map(e).get("value"))
                .containsExactly("E1=one", "E2=changed", "E3=three");
        assertThat(Yaml.map(Yaml.list(c.get("volumeMounts")).get(0))).containsEntry("readOnly", false);
        // a claim outside the set keeps its name
        assertThat(claim(deployment)).isEqualTo("external");
        assertThat(Yaml.map(Yaml.at(deployment, "spec.selector.matchLabels"))).isEqualTo(Map.of("app", "x", "site", "s1"));
        assertThat(Yaml.map(Yaml.at(deployment, "spec.template.metadata.labels"))).containsEntry("site", "s1");
        assertThat(Yaml.map(Yaml.at(service, "spec.selector"))).isEqualTo(Map.of("app", "x", "site", "s1"));

        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [app]\nconfigMapGenerator: []\n");
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("'configMapGenerator' is not supported");
        Files.writeString(dir.resolve("kustomization.yaml"), "resources: [app]\npatches: [{path: patch2.yaml}]\n");
        Files.writeString(dir.resolve("patch2.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nope}\n");
        assertThatThrownBy(() -> Kustomize.build(dir)).hasMessageContaining("matches no resource");
    }

    // ------------------------------------------------------------ helpers

    static Map<String, Object> container(Map<String, Object> workload) {
        return Kustomize.containers(Kustomize.podSpec(workload)).get(0);
    }

    private static String claim(Map<String, Object> workload) {
        for (Object v : Yaml.list(Kustomize.podSpec(workload).get("volumes"))) {
            Object claim = Yaml.at(Yaml.map(v), "persistentVolumeClaim.claimName");
            if (claim != null) {
                return claim.toString();
            }
        }
        return null;
    }

    private static String mountPath(Map<String, Object> workload, String volume) {
        for (Object m : Yaml.list(container(workload).get("volumeMounts"))) {
            if (volume.equals(Yaml.map(m).get("name"))) {
                return Yaml.map(m).get("mountPath").toString();
            }
        }
        return null;
    }

    /** Whether the attachment volume is read-only both as volume source and as mount. */
    private static Boolean readOnly(Map<String, Object> workload) {
        boolean mount = false;
        for (Object m : Yaml.list(container(workload).get("volumeMounts"))) {
            if ("attachments".equals(Yaml.map(m).get("name"))) {
                mount = Boolean.TRUE.equals(Yaml.map(m).get("readOnly"));
            }
        }
        boolean source = false;
        for (Object v : Yaml.list(Kustomize.podSpec(workload).get("volumes"))) {
            if ("attachments".equals(Yaml.map(v).get("name"))) {
                source = Boolean.TRUE.equals(Yaml.at(Yaml.map(v), "persistentVolumeClaim.readOnly"));
            }
        }
        assertThat(mount).as("mount and volume source agree").isEqualTo(source);
        return mount;
    }

    static String host(String jdbcUrl) {
        Matcher m = Pattern.compile("jdbc:(?:mysql|mariadb)://([^:/?]+)").matcher(jdbcUrl);
        assertThat(m.lookingAt()).as(jdbcUrl).isTrue();
        return m.group(1);
    }
}
