package io.kbr.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kustomize build} does, for the subset kbr's manifests use (no kustomize
 * binary is available to the build): {@code resources} (files and directories), {@code patches} with a
 * {@code path} to strategic-merge patches, {@code namePrefix} (with the name references kustomize rewrites),
 * {@code commonLabels} (metadata, selectors and pod templates) and {@code namespace}. Any other field fails the
 * render, so a manifest can never use a feature these tests silently ignore.
 */
final class Kustomize {
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "resources", "patches", "namePrefix",
            "commonLabels", "namespace");
    /** Kinds that have no namespace. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "CustomResourceDefinition", "PersistentVolume", "StorageClass");
    private static final Set<String> WORKLOADS = Set.of("Deployment", "StatefulSet", "DaemonSet");

    private Kustomize() {
    }

    static List<Map<String, Object>> build(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " has no kustomization.yaml");
        }
        Map<String, Object> k = Yaml.single(file);
        for (String field : k.keySet()) {
            if (!SUPPORTED.contains(field)) {
                throw new IllegalArgumentException(file + ": field '" + field + "' is not supported by the test renderer");
            }
        }
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Object r : Yaml.list(k.get("resources"))) {
            Path p = dir.resolve(r.toString()).normalize();
            if (Files.isDirectory(p)) {
                resources.addAll(build(p));
            } else if (Files.isRegularFile(p)) {
                for (Map<String, Object> doc : Yaml.documents(p)) {
                    doc.put("__source", dir.relativize(p).toString());
                    resources.add(doc);
                }
            } else {
                throw new IllegalArgumentException(file + ": resource " + r + " does not exist");
            }
        }
        for (Object patch : Yaml.list(k.get("patches"))) {
            Map<String, Object> pm = Yaml.map(patch);
            if (pm.keySet().stream().anyMatch(f -> !f.equals("path"))) {
                throw new IllegalArgumentException(file + ": only 'patches: - path:' is supported, got " + pm.keySet());
            }
            Path p = dir.resolve(pm.get("path").toString()).normalize();
            if (!p.startsWith(dir)) {
                throw new IllegalArgumentException(file + ": patch " + p + " lies outside the kustomization root (kustomize refuses that)");
            }
            for (Map<String, Object> doc : Yaml.documents(p)) {
                applyPatch(resources, doc, p);
            }
        }
        String prefix = (String) k.get("namePrefix");
        if (prefix != null) {
            prefix(resources, prefix);
        }
        Map<String, Object> labels = Yaml.map(k.get("commonLabels"));
        if (labels != null) {
            for (Map<String, Object> r : resources) {
                addLabels(r, labels);
            }
        }
        String namespace = (String) k.get("namespace");
        if (namespace != null) {
            for (Map<String, Object> r : resources) {
                if (!CLUSTER_SCOPED.contains(r.get("kind"))) {
                    Yaml.ensure(r, "metadata").put("namespace", namespace);
                }
            }
        }
        assertUnique(resources, file);
        return resources;
    }

    private static void applyPatch(List<Map<String, Object>> resources, Map<String, Object> patch, Path file) {
        String kind = (String) patch.get("kind");
        String name = Yaml.str(patch, "metadata.name");
        int found = -1;
        for (int i = 0; i < resources.size(); i++) {
            Map<String, Object> r = resources.get(i);
            if (kind.equals(r.get("kind")) && name.equals(Yaml.str(r, "metadata.name"))
                    && patch.get("apiVersion").equals(r.get("apiVersion"))) {
                if (found >= 0) {
                    throw new IllegalArgumentException(file + ": patch " + kind + "/" + name + " matches more than one resource");
                }
                found = i;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException(file + ": patch " + kind + "/" + name + " matches no resource");
        }
        Object source = resources.get(found).get("__source");
        Map<String, Object> patched = StrategicMerge.apply(resources.get(found), patch);
        patched.put("__source", source);
        resources.set(found, patched);
    }

    /** namePrefix: renames every resource and rewrites the references kustomize's name-reference transformer does. */
    private static void prefix(List<Map<String, Object>> resources, String prefix) {
        Map<String, Map<String, String>> renamed = new HashMap<>();
        for (Map<String, Object> r : resources) {
            Map<String, Object> meta = Yaml.map(r.get("metadata"));
            String old = (String) meta.get("name");
            String kind = (String) r.get("kind");
            meta.put("name", prefix + old);
            renamed.computeIfAbsent(kind, x -> new HashMap<>()).put(old, prefix + old);
        }
        for (Map<String, Object> r : resources) {
            Map<String, Object> pod = podSpec(r);
            if (pod == null) {
                continue;
            }
            if (r.get("kind").equals("StatefulSet")) {
                Map<String, Object> spec = Yaml.map(r.get("spec"));
                spec.computeIfPresent("serviceName", (x, v) -> renamed.getOrDefault("Service", Map.of()).getOrDefault(v.toString(), v.toString()));
            }
            for (Object v : Yaml.list(pod.get("volumes"))) {
                Map<String, Object> vol = Yaml.map(v);
                rename(Yaml.map(vol.get("configMap")), "name", renamed.get("ConfigMap"));
                rename(Yaml.map(vol.get("secret")), "secretName", renamed.get("Secret"));
                rename(Yaml.map(vol.get("persistentVolumeClaim")), "claimName", renamed.get("PersistentVolumeClaim"));
            }
            for (Map<String, Object> c : containers(pod)) {
                for (Object ef : Yaml.list(c.get("envFrom"))) {
                    rename(Yaml.map(Yaml.map(ef).get("configMapRef")), "name", renamed.get("ConfigMap"));
                    rename(Yaml.map(Yaml.map(ef).get("secretRef")), "name", renamed.get("Secret"));
                }
                for (Object e : Yaml.list(c.get("env"))) {
                    Map<String, Object> from = Yaml.map(Yaml.map(e).get("valueFrom"));
                    if (from != null) {
                        rename(Yaml.map(from.get("configMapKeyRef")), "name", renamed.get("ConfigMap"));
                        rename(Yaml.map(from.get("secretKeyRef")), "name", renamed.get("Secret"));
                    }
                }
            }
        }
    }

    private static void rename(Map<String, Object> ref, String field, Map<String, String> renamed) {
        if (ref != null && renamed != null && ref.get(field) != null) {
            String now = renamed.get(ref.get(field).toString());
            if (now != null) {
                ref.put(field, now);
            }
        }
    }

    /** commonLabels: metadata labels everywhere, plus selectors and pod templates where kustomize adds them. */
    private static void addLabels(Map<String, Object> r, Map<String, Object> labels) {
        Yaml.ensure(r, "metadata.labels").putAll(labels);
        String kind = (String) r.get("kind");
        if (kind.equals("Service")) {
            Yaml.ensure(r, "spec.selector").putAll(labels);
        } else if (WORKLOADS.contains(kind)) {
            Yaml.ensure(r, "spec.selector.matchLabels").putAll(labels);
            Yaml.ensure(r, "spec.template.metadata.labels").putAll(labels);
        } else if (kind.equals("Job")) {
            Yaml.ensure(r, "spec.template.metadata.labels").putAll(labels);
        }
    }

    private static void assertUnique(List<Map<String, Object>> resources, Path file) {
        Map<String, Object> seen = new LinkedHashMap<>();
        for (Map<String, Object> r : resources) {
            String id = r.get("kind") + "/" + Yaml.str(r, "metadata.namespace") + "/" + Yaml.str(r, "metadata.name");
            if (seen.put(id, r) != null) {
                throw new IllegalArgumentException(file + ": two resources " + id + " (kustomize refuses that)");
            }
        }
    }

    /** The pod spec of a workload or Job, null for other kinds. */
    static Map<String, Object> podSpec(Map<String, Object> r) {
        Object kind = r.get("kind");
        if (WORKLOADS.contains(kind) || "Job".equals(kind)) {
            return Yaml.map(Yaml.at(r, "spec.template.spec"));
        }
        return null;
    }

    static List<Map<String, Object>> containers(Map<String, Object> pod) {
        List<Map<String, Object>> all = new ArrayList<>();
        for (String f : List.of("initContainers", "containers")) {
            for (Object c : Yaml.list(pod.get(f))) {
                all.add(Yaml.map(c));
            }
        }
        return all;
    }
}
