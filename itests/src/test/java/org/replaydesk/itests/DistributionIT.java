package org.replaydesk.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * The distribution as an operator runs it: unpacked from the tar.gz, started with bin/start,
 * driven with bin/client, stopped with bin/stop and started again. Proves that a VM definition
 * survives a container restart and that stopping the container leaves no QEMU process.
 */
public class DistributionIT {

    private KarafDistribution karaf;
    private Path home;

    @Before
    public void unpack() throws Exception {
        karaf = new KarafDistribution("dist", Map.of("org.replaydesk.hypervisor.qemu.cfg",
                Map.of("vnc.loopback.port.base", "5980")));
        home = karaf.home;
    }

    @After
    public void stopContainer() throws Exception {
        if (karaf != null) {
            karaf.close();
        }
    }

    @Test
    public void definitionSurvivesARestartAndStoppingKarafLeavesNoQemu() throws Exception {
        karaf.start();
        String created = karaf.client("desk:vm-create --workload idle --memory 192 keeper");
        assertTrue(created, created.contains("VM keeper created"));
        String started = karaf.client("desk:vm-start keeper");
        assertTrue(started, started.contains("RUNNING"));
        Path vmDir = home.resolve("data/replaydesk/vms/keeper");
        assertTrue("QEMU runs", ReplayDeskTestSupport.processesMentioning(vmDir).length > 0);

        karaf.stop();
        assertArrayEquals("QEMU processes left after bin/stop", new long[0], ReplayDeskTestSupport.processesMentioning(vmDir));

        karaf.start();
        String listed = karaf.client("desk:vm-list --no-format");
        assertTrue(listed, Pattern.compile("keeper\tSTOPPED\trecord\t-\t\\d+\t0s\tidle").matcher(listed).find());
        String info = karaf.client("desk:vm-info keeper");
        assertTrue(info, info.contains("192 MiB"));
        String again = karaf.client("desk:vm-start keeper");
        assertTrue(again, again.contains("RUNNING"));
    }
}
