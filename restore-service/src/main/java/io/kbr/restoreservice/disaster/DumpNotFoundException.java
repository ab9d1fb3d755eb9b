package io.kbr.restoreservice.disaster;

/** A request named a dump that has no manifest in object storage. */
public class DumpNotFoundException extends RuntimeException {
    public DumpNotFoundException(String dumpId) {
        super("no dump " + dumpId + " in object storage (no manifest.json with that id under dumps/)");
    }
}
