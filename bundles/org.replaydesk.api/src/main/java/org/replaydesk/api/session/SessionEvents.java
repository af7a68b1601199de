package org.replaydesk.api.session;

/**
 * EventAdmin topics and properties the session service posts. Subscribe with an {@code EventHandler} whose
 * {@code event.topics} is {@code org/replaydesk/session/*}.
 */
public final class SessionEvents {

    /** A session was opened. */
    public static final String OPENED = "org/replaydesk/session/OPENED";
    /** A session changed mode; {@link #FROM}, {@link #TO}, {@link #REASON}, {@link #DECIDED_BY} are set. */
    public static final String MODE_CHANGED = "org/replaydesk/session/MODE_CHANGED";
    /** A session was closed. */
    public static final String CLOSED = "org/replaydesk/session/CLOSED";
    /** A session started using another policy; {@link #POLICY} is set. */
    public static final String POLICY_CHANGED = "org/replaydesk/session/POLICY_CHANGED";

    /** The session's id (String). */
    public static final String SESSION = "session";
    /** The VM's name (String). */
    public static final String VM = "vm";
    /** The mode before (String, a {@link SessionMode} name). */
    public static final String FROM = "from";
    /** The mode after (String, a {@link SessionMode} name). */
    public static final String TO = "to";
    /** Why (String). */
    public static final String REASON = "reason";
    /** Who decided (String; see {@link ModeSwitch#decidedBy()}). */
    public static final String DECIDED_BY = "decidedBy";
    /** The switching latency in milliseconds (Long). */
    public static final String LATENCY_MS = "latencyMs";
    /** The policy's name (String). */
    public static final String POLICY = "policy";

    private SessionEvents() {
    }
}
