package io.kbr.catalog.security;

import io.kbr.auth.Roles;
import io.kbr.catalog.mapping.Hex;
import io.kbr.catalog.restores.RestoreJob;
import io.kbr.catalog.restores.RestoreRequestBody;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The one place where the catalog decides who may see and restore which store (docs/auth.md). Every {@code /api/**}
 * request is authenticated by configuration ({@code quarkus.http.auth.permission.api}); resources then call this bean:
 * <ul>
 * <li>role {@code admin}: everything;</li>
 * <li>role {@code user}: only the stores whose Kopano user name ({@code stores.user_name}) is the token's {@code upn};
 * another store is 403 whether or not it exists (no probing for GUIDs);</li>
 * <li>neither role: 403 everywhere.</li>
 * </ul>
 * Admin-only endpoints use {@link #requireAdmin()} (or {@code @RolesAllowed("admin")}).
 */
@ApplicationScoped
public class StoreAccess {
    private final SecurityIdentity identity;
    private final StoreOwners owners;

    public StoreAccess(SecurityIdentity identity, StoreOwners owners) {
        this.identity = identity;
        this.owners = owners;
    }

    /** The token's user name ({@code upn}). */
    public String user() {
        requireAuthenticated();
        return identity.getPrincipal().getName();
    }

    public boolean isAdmin() {
        return !identity.isAnonymous() && identity.hasRole(Roles.ADMIN);
    }

    /** The caller's roles among {@code user} and {@code admin}, sorted. */
    public List<String> roles() {
        return identity.getRoles().stream().filter(r -> r.equals(Roles.ADMIN) || r.equals(Roles.USER)).sorted().toList();
    }

    /** @throws StoreAccessDeniedException (403) unless the caller has the role admin */
    public void requireAdmin() {
        requireAuthenticated();
        if (!isAdmin()) {
            throw new StoreAccessDeniedException("this needs the role admin");
        }
    }

    /** @throws StoreAccessDeniedException (403) unless the caller may see and restore {@code store} */
    public void requireStore(byte[] store) {
        if (!canAccess(store)) {
            throw new StoreAccessDeniedException("store " + Hex.encode(store) + " is not one of your stores");
        }
    }

    /** As {@link #requireStore(byte[])} for a GUID in hex; a malformed GUID is left to the caller's validation. */
    public void requireStore(String storeHex) {
        byte[] store = parse(storeHex);
        if (store == null) {
            requireAuthenticated();
            if (!isAdmin() && !identity.hasRole(Roles.USER)) {
                throw new StoreAccessDeniedException("this needs the role user or admin");
            }
            return;
        }
        requireStore(store);
    }

    /** Whether the caller may see and restore {@code store}. */
    public boolean canAccess(byte[] store) {
        requireAuthenticated();
        if (isAdmin()) {
            return true;
        }
        return identity.hasRole(Roles.USER) && owners.owns(user(), store);
    }

    /** The GUIDs (lower-case hex) of the stores the caller owns by user name; for admins too (their own mailbox). */
    public List<String> ownStores() {
        return owners.storesOf(user());
    }

    /** {@code all} as the caller may see it: unchanged for admins, only the caller's own stores for users. */
    public <T> List<T> visible(List<T> all, Function<T, String> storeGuidHex) {
        requireAuthenticated();
        if (isAdmin()) {
            return all;
        }
        if (!identity.hasRole(Roles.USER)) {
            return List.of();
        }
        Set<String> own = ownStores().stream().collect(Collectors.toSet());
        return all.stream().filter(t -> own.contains(normalise(storeGuidHex.apply(t)))).toList();
    }

    /**
     * The store a user's search without {@code store} runs in: null for admins (all stores); the user's store when they
     * own exactly one.
     *
     * @throws NoOwnStoreException if a user owns none (the search finds nothing)
     * @throws io.kbr.catalog.service.InvalidParameterException (400, field {@code store}) if a user owns several
     */
    public byte[] defaultSearchStore() {
        requireAuthenticated();
        if (isAdmin()) {
            return null;
        }
        if (!identity.hasRole(Roles.USER)) {
            throw new StoreAccessDeniedException("this needs the role user or admin");
        }
        List<String> own = ownStores();
        if (own.isEmpty()) {
            throw new NoOwnStoreException();
        }
        if (own.size() > 1) {
            throw new io.kbr.catalog.service.InvalidParameterException("store",
                    "is required: you have several stores (" + String.join(", ", own) + ")");
        }
        return Hex.decode(own.get(0));
    }

    /** A user owns no store in the catalog (yet): searches find nothing. */
    public static final class NoOwnStoreException extends RuntimeException {
        NoOwnStoreException() {
            super(null, null, false, false);
        }
    }

    /**
     * A restore request: users may restore only from and into their own store, on that store's server. Fields that are
     * absent or malformed are left to {@code RestoreValidator} (400 naming them).
     */
    public void requireRestore(RestoreRequestBody body) {
        requireAuthenticated();
        if (isAdmin()) {
            return;
        }
        if (!identity.hasRole(Roles.USER)) {
            throw new StoreAccessDeniedException("this needs the role user or admin");
        }
        if (body == null || body.selection() == null) {
            return;
        }
        byte[] source = parse(body.selection().storeGuid());
        if (source != null) {
            requireStore(source);
        }
        RestoreRequestBody.Target t = body.target();
        if (t == null) {
            return;
        }
        byte[] target = parse(t.storeGuid());
        if (target != null && !canAccess(target)) {
            throw new StoreAccessDeniedException("target.storeGuid: store " + Hex.encode(target) + " is not one of your stores");
        }
        if (t.serverId() != null && source != null) {
            String server = owners.owner(target != null ? target : source).map(StoreOwners.Owner::serverId).orElse(null);
            if (!Objects.equals(server, t.serverId().trim())) {
                throw new StoreAccessDeniedException("target.serverId: a user restores only to their store's own server");
            }
        }
    }

    /** Whether the caller may see a restore job: admins all, users those whose source and target are their stores. */
    public boolean canSee(RestoreJob job) {
        if (isAdmin()) {
            return true;
        }
        byte[] source = parse(job.storeGuid());
        byte[] target = job.targetStoreGuid() == null ? source : parse(job.targetStoreGuid());
        return source != null && target != null && canAccess(source) && canAccess(target);
    }

    /** @throws StoreAccessDeniedException (403) unless {@link #canSee(RestoreJob)} */
    public void requireJob(RestoreJob job) {
        if (!canSee(job)) {
            throw new StoreAccessDeniedException("restore job " + job.id() + " is not about your store");
        }
    }

    private void requireAuthenticated() {
        if (identity.isAnonymous()) {
            throw new UnauthorizedException();
        }
    }

    private static byte[] parse(String hex) {
        if (hex == null) {
            return null;
        }
        String h = hex.trim();
        if (h.length() != 32) {
            return null;
        }
        try {
            return HexFormat.of().parseHex(h);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String normalise(String hex) {
        return hex == null ? null : hex.trim().toLowerCase(Locale.ROOT);
    }
}
