package org.replaydesk.recordlog.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.RecordReplayMode;
import org.replaydesk.api.hypervisor.VirtualMachine;
import org.replaydesk.api.hypervisor.VmEvent;
import org.replaydesk.api.hypervisor.VmEventListener;
import org.replaydesk.api.hypervisor.VmSpec;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.hypervisor.VmStatus;
import org.replaydesk.recordlog.Subscription;
import org.replaydesk.recordlog.SubscriptionOptions;

/**
 * The component's reaction to the hypervisor's VMs and events, without OSGi: a hand-written stand-in driver (only
 * the calls the component makes) with one recording and one plain VM. The real QEMU driver is exercised by
 * {@link QemuLiveLogTest} through the same server.
 */
@Timeout(30)
class RecordLogServiceEventsTest {

    @TempDir
    Path dir;

    private volatile VmState recState = VmState.RUNNING;
    private final List<VmEventListener> listeners = new CopyOnWriteArrayList<>();

    private VirtualMachine vm(String name, RecordReplayMode mode, Path log, long icount) {
        VmName vmName = VmName.of(name);
        VmSpec spec = VmSpec.builder(vmName).mode(mode).build();
        return (VirtualMachine) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {VirtualMachine.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> vmName;
                    case "spec" -> spec;
                    case "state" -> name.equals("rec") ? recState : VmState.RUNNING;
                    case "recordLog" -> log;
                    case "status" -> new VmStatus(vmName, recState, mode, OptionalLong.of(icount), 0, Duration.ZERO,
                            "anim", Optional.empty(), Optional.empty());
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private Hypervisor hypervisor(List<VirtualMachine> vms) {
        return (Hypervisor) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Hypervisor.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "list" -> vms;
                    case "find" -> vms.stream().filter(v -> v.name().equals(args[0])).findFirst();
                    case "addListener" -> listeners.add((VmEventListener) args[0]);
                    case "removeListener" -> listeners.remove(args[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void fire(String vm, VmState oldState, VmState newState) {
        recState = newState;
        VmEvent event = new VmEvent(VmName.of(vm), oldState, newState, "test", Instant.now());
        listeners.forEach(l -> l.vmChanged(event));
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void publishesRecordingVmsAndFollowsTheirLifeCycle() throws Exception {
        Path log = dir.resolve("record.log");
        RecordLogService service = new RecordLogService(RecordLogServiceTest.config(Map.of("port", freePort())));
        try (GrowingLog writer = new GrowingLog(log, 1);
                NettyRecordLogSubscriber subscriber = new NettyRecordLogSubscriber()) {
            writer.append(5000);
            service.bindHypervisor(hypervisor(List.of(vm("rec", RecordReplayMode.RECORD, log, 777),
                    vm("plain", RecordReplayMode.NONE, dir.resolve("none.log"), 0))));
            await(() -> service.published().contains(VmName.of("rec")), "the running recorder to be published");
            assertEquals(1, service.published().size(), "a VM that does not record is not published");

            CollectingSink sink = new CollectingSink(0);
            Subscription s = subscriber.subscribe(service.address(), VmName.of("rec"), 0, sink,
                    SubscriptionOptions.defaults());
            await(() -> s.lastHeartbeat().isPresent() && sink.next() == 5012, "data and a heartbeat");
            assertEquals(OptionalLong.of(777), s.lastHeartbeat().get().icount(), "icount from VirtualMachine.status()");

            // QEMU finishes the log, then the driver reports the VM stopped: END
            writer.finish();
            fire("rec", VmState.RUNNING, VmState.STOPPED);
            assertEquals(5012, sink.awaitEnd(10).finalSize());

            // a new run of the VM records a new log into the same file: published again once it runs (a stale
            // "stopped" publication would end a stream of a header-less log with LOG_ABORTED instead)
            fire("rec", VmState.STOPPED, VmState.STARTING);
            try (GrowingLog second = new GrowingLog(log, 2)) {
                fire("rec", VmState.STARTING, VmState.RUNNING);
                second.append(3000);
                Thread.sleep(300); // the worker thread republishes
                CollectingSink next = new CollectingSink(0);
                Subscription again = subscriber.subscribe(service.address(), VmName.of("rec"), 0, next,
                        SubscriptionOptions.defaults());
                await(() -> next.next() == 3012, "the second run's log");
                second.finish();
                fire("rec", VmState.RUNNING, VmState.STOPPED);
                assertEquals(3012, next.awaitEnd(10).finalSize());
                again.close();
            }
            s.close();
        } finally {
            service.deactivate();
        }
    }
}
