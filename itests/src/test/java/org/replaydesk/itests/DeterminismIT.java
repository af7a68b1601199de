package org.replaydesk.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.awt.image.BufferedImage;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Record/replay determinism through our API and shell: a replay paused at the recorder's final
 * instruction count shows exactly the recorder's final screen. This is what the record/replay
 * display mode relies on.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class DeterminismIT extends ReplayDeskTestSupport {

    private static final Pattern ICOUNT = Pattern.compile("at icount (\\d+)");

    @After
    public void removeVms() {
        cleanup("rec-anim", "rep-anim", "rec-type", "rep-type");
    }

    @Test
    public void animReplayedFromPowerOnEndsOnTheRecordedScreen() throws Exception {
        execute("desk:vm-create --workload anim rec-anim");
        execute("desk:vm-start rec-anim");
        awaitGuestReady("rec-anim");
        Thread.sleep(20_000);
        long icount = icountOf(execute("desk:vm-pause rec-anim"));
        BufferedImage recorded = screen("rec-anim", "recorded");
        assertFalse("recorded screen is blank", isBlank(recorded));
        execute("desk:vm-stop rec-anim");

        BufferedImage replayed = replayTo("rec-anim", "rep-anim", null, icount);
        assertEquals("pixels that differ between record and replay", 0, differingPixels(recorded, replayed));
    }

    @Test
    public void typedTextReplayedFromASnapshotEndsOnTheRecordedScreen() throws Exception {
        execute("desk:vm-create --workload type rec-type");
        execute("desk:vm-start rec-type");
        awaitGuestReady("rec-type");
        Thread.sleep(2_000);
        String snap = execute("desk:vm-snapshot rec-type ready");
        assertTrue(snap, snap.contains("stall"));
        BufferedImage beforeTyping = screen("rec-type", "before");
        execute("desk:vm-type --enter rec-type \"echo Hello, ReplayDesk 123\"");
        Thread.sleep(2_000);
        long icount = icountOf(execute("desk:vm-pause rec-type"));
        BufferedImage recorded = screen("rec-type", "recorded");
        assertTrue("typing did not change the screen", differingPixels(beforeTyping, recorded) > 100);
        execute("desk:vm-stop rec-type");

        BufferedImage replayed = replayTo("rec-type", "rep-type", "ready", icount);
        assertEquals("pixels that differ between record and replay", 0, differingPixels(recorded, replayed));
    }

    private BufferedImage replayTo(String recorder, String replayer, String snapshot, long icount) throws Exception {
        String defined = execute("desk:vm-replay " + (snapshot == null ? "" : "--snapshot " + snapshot + " ") + recorder + " " + replayer);
        assertTrue(defined, defined.contains("replays " + recorder));
        execute("desk:vm-start " + replayer);
        String reached = execute("desk:vm-run-until --timeout 300 " + replayer + " " + icount, Duration.ofMinutes(6));
        assertTrue(reached, reached.contains("paused at icount " + icount));
        BufferedImage replayed = screen(replayer, "replayed");
        execute("desk:vm-stop " + replayer);
        return replayed;
    }

    private static long icountOf(String output) {
        Matcher m = ICOUNT.matcher(output);
        assertTrue(output, m.find());
        return Long.parseLong(m.group(1));
    }
}
