package org.replaydesk.itests;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.configureConsole;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.editConfigurationFilePut;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.karafDistributionConfiguration;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.keepRuntimeFolder;
import static org.ops4j.pax.exam.karaf.options.KarafDistributionOption.logLevel;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import java.security.PrivilegedActionException;
import java.security.PrivilegedExceptionAction;

import javax.imageio.ImageIO;
import javax.security.auth.Subject;
import javax.inject.Inject;

import org.apache.karaf.features.BootFinished;
import org.apache.karaf.jaas.boot.principal.RolePrincipal;
import org.apache.karaf.jaas.boot.principal.UserPrincipal;
import org.apache.karaf.shell.api.console.Session;
import org.apache.karaf.shell.api.console.SessionFactory;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.karaf.options.LogLevelOption.LogLevel;
import org.osgi.framework.BundleContext;
import org.replaydesk.api.VmName;
import org.replaydesk.api.hypervisor.Hypervisor;
import org.replaydesk.api.hypervisor.VmState;
import org.replaydesk.api.session.ModeSwitch;
import org.replaydesk.api.session.SessionInfo;
import org.replaydesk.api.session.SessionService;

/**
 * Boots the ReplayDesk distribution the reactor just built (not a hand-picked set of bundles) and
 * gives tests the shell, the hypervisor service and helpers to look at real VM screens.
 */
public abstract class ReplayDeskTestSupport {

    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected SessionFactory sessionFactory;

    /** Injected only once Karaf has installed all boot features, so no refresh happens under a test. */
    @Inject
    protected BootFinished bootFinished;


    private final ExecutorService commandRunner = Executors.newCachedThreadPool();

    @Configuration
    public Option[] config() {
        String assembly = System.getProperty("replaydesk.assembly");
        if (assembly == null || !new File(assembly).isFile()) {
            throw new IllegalStateException("System property replaydesk.assembly must name the distribution tar.gz, was " + assembly);
        }
        String localRepo = System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository");
        String work = System.getProperty("replaydesk.itest.dir", "target/itest-work");
        return new Option[] {
            karafDistributionConfiguration().frameworkUrl(new File(assembly).toURI().toString()).name("ReplayDesk").unpackDirectory(new File("target/exam")).useDeployFolder(false),
            keepRuntimeFolder(),
            configureConsole().ignoreLocalConsole(),
            logLevel(LogLevel.INFO),
            editConfigurationFilePut("etc/org.ops4j.pax.url.mvn.cfg", "org.ops4j.pax.url.mvn.localRepository", localRepo),
            editConfigurationFilePut("etc/org.apache.karaf.shell.cfg", "sshPort", Integer.toString(freePort())),
            editConfigurationFilePut("etc/org.replaydesk.hypervisor.qemu.cfg", "vnc.loopback.port.base", "5960"),
            editConfigurationFilePut("etc/org.replaydesk.hypervisor.qemu.cfg", "net.server.port", Integer.toString(freePort())),
            systemProperty("replaydesk.itest.dir").value(new File(work).getAbsolutePath()),
            // a test may start a second container (another host) from the same distribution
            systemProperty("replaydesk.assembly").value(new File(assembly).getAbsolutePath()),
            // the third-party example policy PolicyIT deploys at run time, as built by this reactor
            systemProperty("replaydesk.example.policy.jar").value(System.getProperty("replaydesk.example.policy.jar", "")),
            systemProperty("replaydesk.example.policy.features")
                    .value(System.getProperty("replaydesk.example.policy.features", "")),
            systemProperty("replaydesk.example.policy.version")
                    .value(System.getProperty("replaydesk.example.policy.version", "")),
        };
    }

    /** The replay client of this container. */
    protected org.replaydesk.replay.ReplayService replay() {
        return service(org.replaydesk.replay.ReplayService.class);
    }

    /**
     * Waits for the replay client to have replaced a diverged replay of {@code recorderName} (a new session, other
     * than {@code diverged} when given, that reports its rejoin) and for the new replay to be live; null when no
     * rejoin comes within 90 s.
     */
    protected org.replaydesk.replay.ReplaySession awaitRejoin(String recorderName,
            org.replaydesk.replay.ReplaySession diverged) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            java.util.Optional<org.replaydesk.replay.ReplaySession> s = replay().find(
                    org.replaydesk.api.VmName.of(recorderName));
            if (s.isPresent() && s.get() != diverged && s.get().status().rejoin().isPresent()
                    && s.get().status().state() != org.replaydesk.replay.ReplayState.FAILED) {
                s.get().awaitLive(Duration.ofSeconds(Math.max(1, (deadline - System.nanoTime()) / 1_000_000_000L)));
                return s.get();
            }
            Thread.sleep(200);
        }
        return null;
    }

    /**
     * The current hypervisor service. Looked up on every call: a configuration change re-creates
     * the driver component, and a test must talk to the new one.
     */
    protected Hypervisor hypervisor() {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            var ref = bundleContext.getServiceReference(Hypervisor.class);
            if (ref != null) {
                Hypervisor service = bundleContext.getService(ref);
                if (service != null) {
                    bundleContext.ungetService(ref);
                    return service;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No Hypervisor service within 30 s");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a shell command as an operator would and returns what it printed; its exception propagates. */
    protected String execute(String command) throws Exception {
        return execute(command, Duration.ofMinutes(5));
    }

    protected String execute(String command, Duration timeout) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Session session = sessionFactory.create(System.in, out, out);
        // Run as the shipped administrator: command ACLs hide admin commands from a session without a subject.
        Subject operator = new Subject();
        operator.getPrincipals().add(new UserPrincipal("karaf"));
        operator.getPrincipals().add(new RolePrincipal("admin"));
        operator.getPrincipals().add(new RolePrincipal("manager"));
        operator.getPrincipals().add(new RolePrincipal("viewer"));
        Future<Object> result = commandRunner.submit(
                () -> Subject.doAs(operator, (PrivilegedExceptionAction<Object>) () -> session.execute(command)));
        try {
            Object value = result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (value != null) {
                out.println(value);
            }
            out.flush();
            String printed = bytes.toString(StandardCharsets.UTF_8);
            System.err.println("karaf@replaydesk> " + command + "\n" + printed);
            return printed;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof PrivilegedActionException pae ? pae.getException() : e.getCause();
            System.err.println("karaf@replaydesk> " + command + "\n  failed: " + cause);
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        } catch (TimeoutException e) {
            result.cancel(true);
            throw new AssertionError("Command '" + command + "' did not finish within " + timeout.toSeconds() + " s");
        } finally {
            session.close();
        }
    }

    /** Runs a command that must fail, and returns the error message it failed with. */
    protected String executeExpectingError(String command) throws Exception {
        try {
            String out = execute(command);
            throw new AssertionError("Command '" + command + "' should have failed but printed: " + out);
        } catch (AssertionError e) {
            throw e;
        } catch (Exception e) {
            return String.valueOf(e.getMessage());
        }
    }

    protected static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("Timed out after " + timeout.toSeconds() + " s waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }

    protected Path vmDir(String vm) {
        return Path.of(System.getProperty("karaf.data"), "replaydesk", "vms", vm);
    }

    protected Path workDir() throws IOException {
        Path dir = Path.of(System.getProperty("replaydesk.itest.dir", "target/itest-work"));
        Files.createDirectories(dir);
        return dir;
    }

    protected String serialLog(String vm) {
        try {
            return Files.readString(vmDir(vm).resolve("serial.log"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until the demo guest reports on its serial line that its workload runs. */
    protected void awaitGuestReady(String vm) throws InterruptedException {
        await("guest of " + vm + " to report ready on its serial line", BOOT_TIMEOUT, () -> serialLog(vm).contains("RD: ready"));
    }

    protected VmState state(String vm) {
        return hypervisor().get(VmName.of(vm)).state();
    }

    /** Takes a screendump through the shell command and reads it back. */
    protected BufferedImage screen(String vm, String label) throws Exception {
        Path file = workDir().resolve(vm + "-" + label + ".png");
        Files.deleteIfExists(file);
        execute("desk:vm-screendump " + vm + " " + file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertTrue("screendump " + file + " is not a readable PNG", image != null);
        return image;
    }

    static boolean isBlank(BufferedImage image) {
        int first = image.getRGB(0, 0);
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                if (image.getRGB(x, y) != first) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Number of pixels that differ; -1 when the sizes differ. */
    static long differingPixels(BufferedImage a, BufferedImage b) {
        if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
            return -1;
        }
        long n = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** PIDs of live processes whose command line mentions the path (QEMU processes of a VM). */
    static long[] processesMentioning(Path path) {
        String needle = path.toString();
        return ProcessHandle.allProcesses().filter(p -> {
            try {
                byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
                return new String(cmdline, StandardCharsets.UTF_8).contains(needle);
            } catch (IOException e) {
                return false;
            }
        }).mapToLong(ProcessHandle::pid).toArray();
    }

    /** Stops and deletes a VM if it exists, so a failed test leaves nothing running. */
    protected void cleanup(String... vms) {
        for (String vm : vms) {
            try {
                hypervisor().find(VmName.of(vm)).ifPresent(v -> {
                    v.stop(Duration.ofSeconds(10));
                    hypervisor().delete(v.name());
                });
            } catch (RuntimeException e) {
                System.err.println("cleanup of " + vm + ": " + e);
            }
        }
    }

    /** @return the service of {@code type} (fails the test when there is none) */
    protected <T> T service(Class<T> type) {
        var ref = bundleContext.getServiceReference(type);
        assertTrue("no " + type.getSimpleName() + " service", ref != null);
        return bundleContext.getService(ref);
    }

    /** @return a session's state (fails the test when it does not exist) */
    protected SessionInfo info(String id) {
        return service(SessionService.class).session(id).orElseThrow(() -> new AssertionError("no session " + id));
    }

    /**
     * Runs {@code desk:session-metrics --no-format} as an operator would.
     *
     * @return what it printed, by metric name ({@code vmCpuLoad} to {@code 0.93}, {@code NaN} when unknown)
     */
    protected Map<String, String> sessionMetrics(String id) throws Exception {
        Map<String, String> metrics = new LinkedHashMap<>();
        for (String line : execute("desk:session-metrics --no-format " + id).split("\\R")) {
            String[] nameAndValue = line.split("\t", 2);
            if (nameAndValue.length == 2) {
                metrics.put(nameAndValue[0], nameAndValue[1]);
            }
        }
        return metrics;
    }

    /**
     * @return the metric's value as a number; fails the test, naming the metric and what was printed, when it is
     *         missing or not a number ({@code NaN} is a number)
     */
    protected static double metric(Map<String, String> metrics, String name) {
        String value = metrics.get(name);
        assertTrue("desk:session-metrics printed no " + name + ": " + metrics, value != null);
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new AssertionError(name + " is not a number: '" + value + "' in " + metrics, e);
        }
    }

    /** @return a session's newest switch log entry */
    protected ModeSwitch last(String id) {
        List<ModeSwitch> h = service(SessionService.class).history(id);
        return h.get(h.size() - 1);
    }

    /** @return pixels of a viewer's frame that differ from {@code expected}, -1 when the sizes differ */
    protected static long differing(int[] frame, int width, BufferedImage expected) {
        if (frame.length != expected.getWidth() * expected.getHeight() || width != expected.getWidth()) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < frame.length; i++) {
            if ((frame[i] & 0xffffff) != (expected.getRGB(i % width, i / width) & 0xffffff)) {
                n++;
            }
        }
        return n;
    }
}
