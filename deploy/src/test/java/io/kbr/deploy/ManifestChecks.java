package io.kbr.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Static checks of rendered Kubernetes manifests: schema (strict deserialisation into the fabric8 model, a
 * structural check for Strimzi's KafkaTopic) and cross-references (selectors, ports, probes, ConfigMaps, Secrets,
 * PVCs, config keys, resources, security context). Each check returns problems as text instead of failing, so tests
 * can also prove that a broken manifest is reported.
 */
final class ManifestChecks {
    static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");
    static final Pattern KAFKA_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    /** kind -> {apiVersion, fabric8 class}. */
    private static final Map<String, Object[]> KINDS = Map.of(
            "ConfigMap", new Object[] {"v1", io.fabric8.kubernetes.api.model.ConfigMap.class},
            "Secret", new Object[] {"v1", io.fabric8.kubernetes.api.model.Secret.class},
            "Service", new Object[] {"v1", io.fabric8.kubernetes.api.model.Service.class},
            "PersistentVolumeClaim", new Object[] {"v1", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class},
            "Deployment", new Object[] {"apps/v1", io.fabric8.kubernetes.api.model.apps.Deployment.class},
            "StatefulSet", new Object[] {"apps/v1", io.fabric8.kubernetes.api.model.apps.StatefulSet.class},
            "Job", new Object[] {"batch/v1", io.fabric8.kubernetes.api.model.batch.v1.Job.class});

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private final List<Map<String, Object>> resources;
    private final List<Map<String, Object>> external;
    private final Map<String, ServiceConfig> services;
    final List<String> problems = new ArrayList<>();

    /**
     * @param resources the rendered set
     * @param external documented resources that exist outside it (the *.example.yaml files: Secrets, PVCs)
     * @param services the kbr services by container name
     */
    ManifestChecks(List<Map<String, Object>> resources, List<Map<String, Object>> external, Map<String, ServiceConfig> services) {
        this.resources = resources;
        this.external = external;
        this.services = services;
    }

    static String id(Map<String, Object> r) {
        return r.get("kind") + "/" + Yaml.str(r, "metadata.name");
    }

    private void problem(Map<String, Object> r, String text) {
        problems.add(id(r) + ": " + text);
    }

    // ---------------------------------------------------------------- schema

    ManifestChecks schema() {
        for (Map<String, Object> r : resources) {
            Map<String, Object> clean = Yaml.copy(r);
            clean.remove("__source");
            String kind = (String) clean.get("kind");
            String name = Yaml.str(clean, "metadata.name");
            if (name == null || name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
                problem(r, "metadata.name '" + name + "' is not a DNS-1123 subdomain");
            }
            Map<String, Object> labels = Yaml.map(Yaml.at(clean, "metadata.labels"));
            if (labels != null) {
                labels.forEach((k, v) -> {
                    if (!(v instanceof String s) || s.length() > 63 || !LABEL_VALUE.matcher(s).matches()) {
                        problem(r, "label " + k + " has an invalid value " + v);
                    }
                });
            }
            if ("KafkaTopic".equals(kind)) {
                kafkaTopic(r, clean);
                continue;
            }
            Object[] known = KINDS.get(kind);
            if (known == null) {
                problem(r, "kind " + kind + " is not one the checks know");
                continue;
            }
            if (!known[0].equals(clean.get("apiVersion"))) {
                problem(r, "apiVersion " + clean.get("apiVersion") + ", expected " + known[0]);
            }
            try {
                Object model = STRICT.convertValue(clean, (Class<?>) known[1]);
                unknownFields(r, model, kind, new IdentityHashMap<>());
            } catch (IllegalArgumentException e) {
                problem(r, "does not match the Kubernetes schema: " + e.getMessage().lines().findFirst().orElse(""));
            }
            Map<String, Object> pod = Kustomize.podSpec(clean);
            if (pod != null) {
                if (!"Job".equals(kind)) {
                    Map<String, Object> selector = Yaml.map(Yaml.at(clean, "spec.selector.matchLabels"));
                    Map<String, Object> template = Yaml.map(Yaml.at(clean, "spec.template.metadata.labels"));
                    if (selector == null || selector.isEmpty() || template == null
                            || !template.entrySet().containsAll(selector.entrySet())) {
                        problem(r, "spec.selector does not match the pod template's labels (the API rejects that)");
                    }
                }
                for (Map<String, Object> c : Kustomize.containers(pod)) {
                    if (c.get("image") == null || c.get("image").toString().isBlank()) {
                        problem(r, "container " + c.get("name") + " has no image");
                    }
                    for (Object e : Yaml.list(c.get("env"))) {
                        Object n = Yaml.map(e).get("name");
                        if (n == null || !ENV_NAME.matcher(n.toString()).matches()) {
                            problem(r, "container " + c.get("name") + ": invalid env name " + n);
                        }
                    }
                }
            }
            if ("ConfigMap".equals(kind)) {
                Map<String, Object> data = Yaml.map(clean.get("data"));
                if (data != null) {
                    data.forEach((k, v) -> {
                        if (!(v instanceof String)) {
                            problem(r, "data." + k + " is not a string (quote it)");
                        }
                    });
                }
            }
        }
        return this;
    }

    /** Every fabric8 object keeps fields it does not know in additionalProperties: those are schema errors. */
    private void unknownFields(Map<String, Object> r, Object o, String path, Map<Object, Boolean> seen) {
        if (o == null || seen.put(o, true) != null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(r, e, path + "[" + i++ + "]", seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> unknownFields(r, v, path + "." + k, seen));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problem(r, "unknown field(s) " + extra.keySet() + " at " + path);
                }
            } else {
                String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
                unknownFields(r, v, path + "." + field, seen);
            }
        }
    }

    private static final Set<String> TOPIC_SPEC = Set.of("topicName", "partitions", "replicas", "config");

    private void kafkaTopic(Map<String, Object> r, Map<String, Object> t) {
        Object api = t.get("apiVersion");
        if (!"kafka.strimzi.io/v1beta2".equals(api) && !"kafka.strimzi.io/v1".equals(api)) {
            problem(r, "apiVersion " + api + " is not a Strimzi KafkaTopic version");
        }
        Set<String> top = new java.util.HashSet<>(t.keySet());
        top.removeAll(Set.of("apiVersion", "kind", "metadata", "spec"));
        if (!top.isEmpty()) {
            problem(r, "unknown top-level field(s) " + top);
        }
        Map<String, Object> labels = Yaml.map(Yaml.at(t, "metadata.labels"));
        if (labels == null || labels.get("strimzi.io/cluster") == null) {
            problem(r, "no strimzi.io/cluster label: the Topic Operator would ignore it");
        }
        Map<String, Object> spec = Yaml.map(t.get("spec"));
        if (spec == null) {
            problem(r, "no spec");
            return;
        }
        for (String f : spec.keySet()) {
            if (!TOPIC_SPEC.contains(f)) {
                problem(r, "unknown spec field " + f);
            }
        }
        Object topicName = spec.get("topicName");
        if (!(topicName instanceof String s) || !KAFKA_TOPIC.matcher(s).matches() || s.equals(".") || s.equals("..")) {
            problem(r, "spec.topicName " + topicName + " is missing or not a valid Kafka topic name");
        }
        if (!(spec.get("partitions") instanceof Integer p) || p < 1) {
            problem(r, "spec.partitions must be a positive integer, is " + spec.get("partitions"));
        }
        if (!(spec.get("replicas") instanceof Integer n) || n < 1 || n > 32767) {
            problem(r, "spec.replicas must be a positive integer, is " + spec.get("replicas"));
        }
        Map<String, Object> config = Yaml.map(spec.get("config"));
        if (config != null) {
            config.forEach((k, v) -> {
                if (v instanceof Map || v instanceof List) {
                    problem(r, "config " + k + " must be a scalar");
                }
            });
            Object policy = config.get("cleanup.policy");
            if (policy != null && !Set.of("delete", "compact", "compact,delete", "delete,compact").contains(policy.toString())) {
                problem(r, "cleanup.policy " + policy + " is not delete/compact");
            }
            if (config.containsKey("min.insync.replicas") && spec.get("replicas") instanceof Integer n
                    && Integer.parseInt(config.get("min.insync.replicas").toString()) > n) {
                problem(r, "min.insync.replicas exceeds replicas: every write would fail");
            }
        }
    }

    // ---------------------------------------------------------------- cross-references

    ManifestChecks crossReferences() {
        for (Map<String, Object> r : resources) {
            String kind = (String) r.get("kind");
            if ("Service".equals(kind)) {
                service(r);
            }
            if ("StatefulSet".equals(kind)) {
                String svc = Yaml.str(r, "spec.serviceName");
                if (find("Service", svc, ns(r)) == null) {
                    problem(r, "spec.serviceName " + svc + " is not a Service of the set");
                }
            }
            Map<String, Object> pod = Kustomize.podSpec(r);
            if (pod != null) {
                pod(r, pod);
            }
        }
        return this;
    }

    private static String ns(Map<String, Object> r) {
        return Yaml.str(r, "metadata.namespace");
    }

    Map<String, Object> find(String kind, String name, String namespace) {
        for (Map<String, Object> r : resources) {
            if (kind.equals(r.get("kind")) && Objects.equals(name, Yaml.str(r, "metadata.name"))
                    && Objects.equals(namespace, ns(r))) {
                return r;
            }
        }
        return null;
    }

    private Map<String, Object> findExternal(String kind, String name) {
        for (Map<String, Object> r : external) {
            if (kind.equals(r.get("kind")) && Objects.equals(name, Yaml.str(r, "metadata.name"))) {
                return r;
            }
        }
        return null;
    }

    private void service(Map<String, Object> svc) {
        Map<String, Object> selector = Yaml.map(Yaml.at(svc, "spec.selector"));
        if (selector == null || selector.isEmpty()) {
            problem(svc, "no selector");
            return;
        }
        List<Map<String, Object>> selected = new ArrayList<>();
        for (Map<String, Object> r : resources) {
            Map<String, Object> labels = Yaml.map(Yaml.at(r, "spec.template.metadata.labels"));
            if (!"Job".equals(r.get("kind")) && labels != null && Objects.equals(ns(r), ns(svc))
                    && labels.entrySet().containsAll(selector.entrySet())) {
                selected.add(r);
            }
        }
        if (selected.size() != 1) {
            problem(svc, "selector " + selector + " selects the pods of " + selected.size() + " workloads "
                    + selected.stream().map(ManifestChecks::id).toList() + ", expected exactly one");
            return;
        }
        List<Map<String, Object>> containers = Kustomize.containers(Kustomize.podSpec(selected.get(0)));
        for (Object p : Yaml.list(Yaml.at(svc, "spec.ports"))) {
            Map<String, Object> port = Yaml.map(p);
            Object target = port.getOrDefault("targetPort", port.get("port"));
            if (containerPort(containers, target) == null) {
                problem(svc, "targetPort " + target + " is no container port of " + id(selected.get(0)));
            }
        }
    }

    /** The container port a name or number refers to, or null. */
    private static Map<String, Object> containerPort(List<Map<String, Object>> containers, Object ref) {
        for (Map<String, Object> c : containers) {
            for (Object p : Yaml.list(c.get("ports"))) {
                Map<String, Object> port = Yaml.map(p);
                if (Objects.equals(port.get("name"), ref) || Objects.equals(port.get("containerPort"), ref)) {
                    return port;
                }
            }
        }
        return null;
    }

    private void pod(Map<String, Object> r, Map<String, Object> pod) {
        Map<String, Object> podSecurity = Yaml.map(pod.get("securityContext"));
        if (podSecurity == null || !Boolean.TRUE.equals(podSecurity.get("runAsNonRoot"))) {
            problem(r, "pod securityContext.runAsNonRoot is not true");
        }
        if (!Boolean.FALSE.equals(pod.get("automountServiceAccountToken"))) {
            problem(r, "automountServiceAccountToken is not false (no kbr pod uses the Kubernetes API)");
        }
        Map<String, Map<String, Object>> volumes = new LinkedHashMap<>();
        for (Object v : Yaml.list(pod.get("volumes"))) {
            Map<String, Object> vol = Yaml.map(v);
            volumes.put((String) vol.get("name"), vol);
            Map<String, Object> cm = Yaml.map(vol.get("configMap"));
            if (cm != null) {
                configMap(r, (String) cm.get("name"), null, Boolean.TRUE.equals(cm.get("optional")));
            }
            Map<String, Object> secret = Yaml.map(vol.get("secret"));
            if (secret != null) {
                secret(r, (String) secret.get("secretName"), null, Boolean.TRUE.equals(secret.get("optional")));
            }
            Map<String, Object> pvc = Yaml.map(vol.get("persistentVolumeClaim"));
            if (pvc != null) {
                String claim = (String) pvc.get("claimName");
                if (find("PersistentVolumeClaim", claim, ns(r)) == null && findExternal("PersistentVolumeClaim", claim) == null) {
                    problem(r, "PersistentVolumeClaim " + claim + " is neither in the set nor documented in a *.example.yaml");
                }
            }
        }
        for (Map<String, Object> c : Kustomize.containers(pod)) {
            String cname = (String) c.get("name");
            List<Map<String, Object>> self = List.of(c);
            for (Object m : Yaml.list(c.get("volumeMounts"))) {
                Object vname = Yaml.map(m).get("name");
                if (!volumes.containsKey(vname)) {
                    problem(r, "container " + cname + " mounts volume " + vname + " the pod does not define");
                }
            }
            for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                Map<String, Object> get = Yaml.map(Yaml.at(c, probe + ".httpGet"));
                if (get != null && containerPort(self, get.get("port")) == null) {
                    problem(r, "container " + cname + ": " + probe + " port " + get.get("port") + " is no container port");
                }
            }
            if (Yaml.at(c, "resources.requests.cpu") == null || Yaml.at(c, "resources.requests.memory") == null) {
                problem(r, "container " + cname + " has no cpu and memory requests");
            }
            if (Yaml.at(c, "resources.limits.memory") == null) {
                problem(r, "container " + cname + " has no memory limit");
            }
            if (!Boolean.TRUE.equals(Yaml.at(c, "securityContext.readOnlyRootFilesystem"))
                    || !Boolean.FALSE.equals(Yaml.at(c, "securityContext.allowPrivilegeEscalation"))) {
                problem(r, "container " + cname + ": securityContext must set readOnlyRootFilesystem true and allowPrivilegeEscalation false");
            }
            Map<String, String> env = environment(r, c);
            ServiceConfig service = services.get(cname);
            if (service != null) {
                kbrContainer(r, c, service, env);
            }
        }
    }

    /** A kbr service container: health probes, its HTTP port, and only config keys the service has. */
    private void kbrContainer(Map<String, Object> r, Map<String, Object> c, ServiceConfig service, Map<String, String> env) {
        String cname = (String) c.get("name");
        if (!"/q/health/live".equals(Yaml.str(c, "livenessProbe.httpGet.path"))) {
            problem(r, "container " + cname + ": livenessProbe must GET /q/health/live");
        }
        if (!"/q/health/ready".equals(Yaml.str(c, "readinessProbe.httpGet.path"))) {
            problem(r, "container " + cname + ": readinessProbe must GET /q/health/ready");
        }
        int port = service.httpPort();
        String portVar = service.httpPortVariable().orElse("QUARKUS_HTTP_PORT");
        if (env.containsKey(portVar)) {
            port = Integer.parseInt(env.get(portVar));
        }
        Map<String, Object> http = containerPort(List.of(c), "http");
        if (http == null || !Objects.equals(http.get("containerPort"), port)) {
            problem(r, "container " + cname + ": port 'http' must be " + port + " (the service's quarkus.http.port), is "
                    + (http == null ? "missing" : http.get("containerPort")));
        }
        for (String name : env.keySet()) {
            if (!service.acceptsEnv(name)) {
                problem(r, "container " + cname + ": " + name + " is not a configuration key of " + service.module.getFileName()
                        + " (nor a variable its application.properties reads)");
            }
        }
    }

    /**
     * The container's environment as the kubelet builds it: envFrom ConfigMaps/Secrets (keys), then env entries.
     * Values from Secrets are {@code secret:<name>/<key>}. Also reports unresolvable references.
     */
    Map<String, String> environment(Map<String, Object> r, Map<String, Object> c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object ef : Yaml.list(c.get("envFrom"))) {
            Map<String, Object> cmRef = Yaml.map(Yaml.map(ef).get("configMapRef"));
            if (cmRef != null) {
                Map<String, Object> cm = configMap(r, (String) cmRef.get("name"), null, Boolean.TRUE.equals(cmRef.get("optional")));
                if (cm != null && cm.get("data") != null) {
                    Yaml.map(cm.get("data")).forEach((k, v) -> env.put(k, String.valueOf(v)));
                }
            }
            Map<String, Object> secretRef = Yaml.map(Yaml.map(ef).get("secretRef"));
            if (secretRef != null) {
                String name = (String) secretRef.get("name");
                Map<String, Object> s = secret(r, name, null, Boolean.TRUE.equals(secretRef.get("optional")));
                if (s != null) {
                    secretKeys(s).forEach(k -> env.put(k, "secret:" + name + "/" + k));
                }
            }
        }
        for (Object e : Yaml.list(c.get("env"))) {
            Map<String, Object> entry = Yaml.map(e);
            String name = (String) entry.get("name");
            Map<String, Object> from = Yaml.map(entry.get("valueFrom"));
            if (from == null) {
                env.put(name, String.valueOf(entry.getOrDefault("value", "")));
                continue;
            }
            Map<String, Object> cmKey = Yaml.map(from.get("configMapKeyRef"));
            Map<String, Object> secretKey = Yaml.map(from.get("secretKeyRef"));
            if (cmKey != null) {
                Map<String, Object> cm = configMap(r, (String) cmKey.get("name"), (String) cmKey.get("key"),
                        Boolean.TRUE.equals(cmKey.get("optional")));
                env.put(name, cm == null ? "" : String.valueOf(Yaml.map(cm.get("data")).get(cmKey.get("key"))));
            } else if (secretKey != null) {
                secret(r, (String) secretKey.get("name"), (String) secretKey.get("key"), Boolean.TRUE.equals(secretKey.get("optional")));
                env.put(name, "secret:" + secretKey.get("name") + "/" + secretKey.get("key"));
            } else {
                env.put(name, "field:" + from.keySet());
            }
        }
        return env;
    }

    private Map<String, Object> configMap(Map<String, Object> r, String name, String key, boolean optional) {
        Map<String, Object> cm = find("ConfigMap", name, ns(r));
        if (cm == null) {
            if (!optional) {
                problem(r, "ConfigMap " + name + " is not in the set");
            }
            return null;
        }
        if (key != null && (cm.get("data") == null || !Yaml.map(cm.get("data")).containsKey(key))) {
            problem(r, "ConfigMap " + name + " has no key " + key);
        }
        return cm;
    }

    private Map<String, Object> secret(Map<String, Object> r, String name, String key, boolean optional) {
        Map<String, Object> s = find("Secret", name, ns(r));
        if (s == null) {
            s = findExternal("Secret", name);
        }
        if (s == null) {
            if (!optional) {
                problem(r, "Secret " + name + " is neither in the set nor documented in a secret.example.yaml");
            }
            return null;
        }
        if (key != null && !secretKeys(s).contains(key)) {
            problem(r, "Secret " + name + " (as documented) has no key " + key);
        }
        return s;
    }

    private static Set<String> secretKeys(Map<String, Object> s) {
        Set<String> keys = new java.util.TreeSet<>();
        for (String f : List.of("data", "stringData")) {
            Map<String, Object> m = Yaml.map(s.get(f));
            if (m != null) {
                keys.addAll(m.keySet());
            }
        }
        return keys;
    }
}
