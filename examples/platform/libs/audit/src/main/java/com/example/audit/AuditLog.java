package com.example.audit;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * An append-only, thread-safe audit log.
 *
 * <p>Events are kept in insertion order. Sinks (a database writer, a Kafka producer) subscribe with
 * {@link #subscribe(java.util.function.Consumer)} and see every event after it was appended.
 */
public final class AuditLog {

    private final Clock clock;
    private final List<AuditEvent> events = new ArrayList<>();
    private final List<java.util.function.Consumer<AuditEvent>> sinks = new ArrayList<>();

    /** Creates a log that timestamps events with the system UTC clock. */
    public AuditLog() {
        this(Clock.systemUTC());
    }

    /**
     * Creates a log with an explicit clock (tests pass a fixed one).
     *
     * @param clock the source of event timestamps
     */
    public AuditLog(Clock clock) {
        this.clock = clock;
    }

    /**
     * Appends an event stamped with the current time and notifies every sink.
     *
     * @param actor   who did it
     * @param action  what was done, e.g. {@code invoice.void}
     * @param details context; may be empty, never {@code null}
     * @return the appended event
     */
    public synchronized AuditEvent record(String actor, String action, Map<String, String> details) {
        AuditEvent event = new AuditEvent(clock.instant(), actor, action, details);
        events.add(event);
        for (var sink : sinks) {
            sink.accept(event);
        }
        return event;
    }

    /**
     * Registers a sink that receives every event appended from now on.
     *
     * @param sink the consumer to notify
     */
    public synchronized void subscribe(java.util.function.Consumer<AuditEvent> sink) {
        sinks.add(sink);
    }

    public synchronized List<AuditEvent> find(Predicate<AuditEvent> filter) {
        List<AuditEvent> out = new ArrayList<>();
        for (AuditEvent e : events) {
            if (filter.test(e)) {
                out.add(e);
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** @return the number of events appended so far */
    public synchronized int size() {
        return events.size();
    }
}
