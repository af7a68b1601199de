package org.replaydesk.api.session;

import java.time.Duration;
import java.util.Objects;

/**
 * Forwards everything to another policy; a subclass overrides {@link #decide} to adjust the delegate's decisions
 * (veto replay on a weak client, log decisions, ...) without reimplementing it.
 */
public class DelegatingModeSwitchPolicy implements ModeSwitchPolicy {

    private final ModeSwitchPolicy delegate;

    /** @param delegate the policy asked first */
    public DelegatingModeSwitchPolicy(ModeSwitchPolicy delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** @return the wrapped policy */
    protected ModeSwitchPolicy delegate() {
        return delegate;
    }

    @Override
    public ModeDecision decide(SessionMetrics metrics) {
        return delegate.decide(metrics);
    }

    @Override
    public Duration window() {
        return delegate.window();
    }

    @Override
    public String describe() {
        return delegate.describe();
    }
}
