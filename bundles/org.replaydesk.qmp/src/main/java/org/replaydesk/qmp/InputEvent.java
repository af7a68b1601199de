package org.replaydesk.qmp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One entry of {@code input-send-event}: a key, a mouse button, or a pointer move.
 *
 * <p>Input sent to a recording VM is written to the replay log; a replaying VM ignores input, so user input
 * always goes to the recorder.
 */
public final class InputEvent {

    /** Largest absolute coordinate QEMU accepts (its {@code INPUT_EVENT_ABS_MAX}); 0 is the left/top edge. */
    public static final int ABS_MAX = 0x7fff;

    private final String type;
    private final ObjectNode data;

    private InputEvent(String type, ObjectNode data) {
        this.type = type;
        this.data = data;
    }

    /**
     * @param qcode QEMU's key name (QAPI {@code QKeyCode}), e.g. {@code a}, {@code ret}, {@code shift}, {@code f1}
     * @param down {@code true} for press, {@code false} for release
     * @return a key event
     */
    public static InputEvent key(String qcode, boolean down) {
        requireName(qcode, "qcode");
        ObjectNode key = JsonNodeFactory.instance.objectNode().put("type", "qcode").put("data", qcode);
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("down", down);
        data.set("key", key);
        return new InputEvent("key", data);
    }

    /**
     * @param button QEMU's button name (QAPI {@code InputButton}): {@code left}, {@code middle}, {@code right},
     *     {@code wheel-up}, {@code wheel-down}, {@code wheel-left}, {@code wheel-right}, {@code side}, {@code extra}
     * @param down {@code true} for press, {@code false} for release
     * @return a button event
     */
    public static InputEvent button(String button, boolean down) {
        requireName(button, "button");
        return new InputEvent("btn", JsonNodeFactory.instance.objectNode().put("down", down).put("button", button));
    }

    /**
     * @param axis {@code x} or {@code y}
     * @param value position from 0 to {@link #ABS_MAX}, scaled by QEMU to the screen size
     * @return an absolute pointer move; needs a tablet-like device in the guest
     */
    public static InputEvent absMove(String axis, int value) {
        requireAxis(axis);
        if (value < 0 || value > ABS_MAX) {
            throw new IllegalArgumentException("absolute " + axis + " must be 0.." + ABS_MAX + ", was " + value);
        }
        return new InputEvent("abs", JsonNodeFactory.instance.objectNode().put("axis", axis).put("value", value));
    }

    /**
     * @param axis {@code x} or {@code y}
     * @param delta relative movement in guest pixels
     * @return a relative pointer move
     */
    public static InputEvent relMove(String axis, int delta) {
        requireAxis(axis);
        return new InputEvent("rel", JsonNodeFactory.instance.objectNode().put("axis", axis).put("value", delta));
    }

    /** @return the QAPI union tag: {@code key}, {@code btn}, {@code abs} or {@code rel} */
    public String type() {
        return type;
    }

    /** @return this event as QAPI {@code InputEvent} JSON; a fresh copy that the caller may modify */
    public ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode().put("type", type);
        json.set("data", data.deepCopy());
        return json;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof InputEvent that && type.equals(that.type) && data.equals(that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, data);
    }

    @Override
    public String toString() {
        return toJson().toString();
    }

    private static void requireName(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }

    private static void requireAxis(String axis) {
        if (!"x".equals(axis) && !"y".equals(axis)) {
            throw new IllegalArgumentException("axis must be \"x\" or \"y\", was " + axis);
        }
    }
}
