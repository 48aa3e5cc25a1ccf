package com.example.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditLogTest {

    private final Clock fixed = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void recordStampsAndNotifies() {
        AuditLog log = new AuditLog(fixed);
        List<AuditEvent> seen = new ArrayList<>();
        log.subscribe(seen::add);

        AuditEvent event = log.record("alice", "invoice.void", Map.of("invoice", "42"));

        assertEquals(Instant.parse("2024-05-01T12:00:00Z"), event.at());
        assertEquals(List.of(event), seen);
        assertEquals(1, log.size());
    }

    @Test
    void findFiltersByAction() {
        AuditLog log = new AuditLog(fixed);
        log.record("alice", "invoice.void", Map.of());
        log.record("bob", "invoice.issue", Map.of());
        assertEquals(1, log.find(e -> e.action().equals("invoice.issue")).size());
    }

    @Test
    void nullActorIsRejected() {
        assertThrows(NullPointerException.class, () -> new AuditLog(fixed).record(null, "x", Map.of()));
    }
}
