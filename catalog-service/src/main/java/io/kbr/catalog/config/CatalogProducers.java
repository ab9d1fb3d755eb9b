package io.kbr.catalog.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.time.Clock;

/** Beans the catalog needs that are not its own classes. */
@ApplicationScoped
public class CatalogProducers {

    /** The clock of "applied at" and retry deadlines; tests may replace it. */
    @Produces
    @ApplicationScoped
    Clock clock() {
        return Clock.systemUTC();
    }
}
