package com.example.audit;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable entry of the audit log.
 *
 * @param at      when the action happened (UTC)
 * @param actor   who did it: a user id or a service name
 * @param action  a dotted verb such as {@code invoice.void}
 * @param details free-form context, copied defensively
 */
public record AuditEvent(Instant at, String actor, String action, Map<String, String> details) {

    public AuditEvent {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        details = Map.copyOf(details);
    }
}
