package io.kbr.dump;

import io.kbr.blobstore.ObjectMissingException;
import io.kbr.blobstore.ObjectStore;
import io.kbr.blobstore.StoredObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The dumps in object storage, found through their manifests (a dump without a manifest is unfinished). */
public final class DumpRepository {
    private final ObjectStore objects;

    public DumpRepository(ObjectStore objects) {
        this.objects = objects;
    }

    /** Manifests of {@code server} (every server when null), oldest first. */
    public List<DumpManifest> list(String server) {
        List<DumpManifest> out = new ArrayList<>();
        for (StoredObject o : objects.list(server == null ? "dumps/" : "dumps/" + server + "/")) {
            if (o.key().endsWith("/" + DumpManifest.FILE_NAME)) {
                try {
                    out.add(DumpManifest.fromJson(objects.get(o.key())));
                } catch (ObjectMissingException e) {
                    // deleted by retention while we listed
                }
            }
        }
        out.sort(Comparator.comparing(DumpManifest::snapshotAt).thenComparing(DumpManifest::dumpId));
        return out;
    }

    public Optional<DumpManifest> find(String server, String dumpId) {
        try {
            return Optional.of(DumpManifest.fromJson(objects.get(DumpManifest.manifestKey(server, dumpId))));
        } catch (ObjectMissingException e) {
            return Optional.empty();
        }
    }

    /** Finds a dump by id alone, whatever its server. */
    public Optional<DumpManifest> find(String dumpId) {
        return list(null).stream().filter(m -> m.dumpId().equals(dumpId)).findFirst();
    }

    public Optional<DumpManifest> latest(String server) {
        List<DumpManifest> all = list(server);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Deletes the manifest first (so the dump is no longer listed), then its chunks. */
    public void delete(DumpManifest m) {
        objects.delete(DumpManifest.manifestKey(m.server(), m.dumpId()));
        for (StoredObject o : objects.list(m.prefix())) {
            objects.delete(o.key());
        }
    }
}
