package io.kbr.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of Kubernetes' strategic merge patch the kbr overlays use: maps merge recursively, a null value deletes a
 * key, and the lists below merge element by element on their merge key (as the Kubernetes API declares them); every
 * other list is replaced. {@code $patch} directives are not supported and rejected.
 */
final class StrategicMerge {
    /** field name -> merge key, from the Kubernetes API's patchMergeKey annotations. */
    private static final Map<String, String> MERGE_KEYS = Map.of(
            "containers", "name",
            "initContainers", "name",
            "env", "name",
            "volumes", "name",
            "volumeMounts", "mountPath",
            "imagePullSecrets", "name");
    /** Lists whose merge key depends on the element: container ports (containerPort) and service ports (port). */
    private static final Set<String> PORT_LISTS = Set.of("ports");

    private StrategicMerge() {
    }

    static Map<String, Object> apply(Map<String, Object> target, Map<String, Object> patch) {
        Map<String, Object> result = Yaml.copy(target);
        mergeMap(result, patch, "");
        return result;
    }

    private static void mergeMap(Map<String, Object> target, Map<String, Object> patch, String where) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("$")) {
                throw new IllegalArgumentException("strategic merge directive " + key + " at " + where + " is not supported");
            }
            Object pv = e.getValue();
            Object tv = target.get(key);
            if (pv == null) {
                target.remove(key);
            } else if (pv instanceof Map<?, ?> pm && tv instanceof Map<?, ?>) {
                mergeMap(Yaml.map(tv), Yaml.map(pm), where + "." + key);
            } else if (pv instanceof List<?> pl && tv instanceof List<?> tl) {
                target.put(key, mergeList(key, Yaml.list(tl), Yaml.list(pl), where + "." + key));
            } else {
                target.put(key, Yaml.copy(pv));
            }
        }
    }

    private static List<Object> mergeList(String field, List<Object> target, List<Object> patch, String where) {
        String mergeKey = MERGE_KEYS.get(field);
        if (mergeKey == null && PORT_LISTS.contains(field) && !patch.isEmpty() && patch.get(0) instanceof Map<?, ?> first) {
            mergeKey = first.containsKey("containerPort") ? "containerPort" : "port";
        }
        if (mergeKey == null) {
            return Yaml.copy(patch);
        }
        List<Object> result = new ArrayList<>(target);
        for (Object p : patch) {
            Map<String, Object> pm = Yaml.map(p);
            Object id = pm.get(mergeKey);
            if (id == null) {
                throw new IllegalArgumentException(where + ": patch element without its merge key " + mergeKey + ": " + pm);
            }
            Map<String, Object> existing = null;
            for (Object t : result) {
                if (id.equals(Yaml.map(t).get(mergeKey))) {
                    existing = Yaml.map(t);
                }
            }
            if (existing == null) {
                result.add(Yaml.copy(new LinkedHashMap<>(pm)));
            } else {
                mergeMap(existing, pm, where + "[" + id + "]");
            }
        }
        return result;
    }
}
