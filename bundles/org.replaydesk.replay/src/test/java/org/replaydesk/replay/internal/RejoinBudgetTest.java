package org.replaydesk.replay.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RejoinBudgetTest {

    private static final Instant T0 = Instant.parse("2026-12-06T22:00:00Z");

    @Test
    void allowsTheLimitWithinTheWindowAndRefusesTheNext() {
        RejoinBudget budget = new RejoinBudget(3, Duration.ofMinutes(10));
        assertTrue(budget.tryTake(T0));
        assertTrue(budget.tryTake(T0.plusSeconds(30)));
        assertTrue(budget.tryTake(T0.plusSeconds(60)));
        assertFalse(budget.tryTake(T0.plusSeconds(90)), "a fourth rejoin within 10 minutes");
        assertFalse(budget.tryTake(T0.plusSeconds(599)), "still within 10 minutes of the first");
        assertEquals(3, budget.total(), "refusals are not counted");
    }

    @Test
    void aRejoinLeavesTheWindowAfterItsLength() {
        RejoinBudget budget = new RejoinBudget(3, Duration.ofMinutes(10));
        budget.tryTake(T0);
        budget.tryTake(T0.plusSeconds(30));
        budget.tryTake(T0.plusSeconds(60));
        assertTrue(budget.tryTake(T0.plusSeconds(600)), "the first left the window exactly 10 minutes later");
        assertFalse(budget.tryTake(T0.plusSeconds(601)));
        assertTrue(budget.tryTake(T0.plusSeconds(631)));
        assertEquals(5, budget.total());
    }

    @Test
    void aZeroLimitNeverRejoinsAndANegativeOneIsRefused() {
        assertFalse(new RejoinBudget(0, Duration.ofMinutes(10)).tryTake(T0));
        assertThrows(IllegalArgumentException.class, () -> new RejoinBudget(-1, Duration.ofMinutes(10)));
    }
}
