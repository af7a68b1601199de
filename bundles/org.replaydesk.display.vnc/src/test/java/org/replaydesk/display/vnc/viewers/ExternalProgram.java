package org.replaydesk.display.vnc.viewers;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the real programs the interop tests drive. A missing one fails the test (never skips it) with the Debian
 * package to install, because CI installs them with {@code scripts/packages.sh}.
 */
public final class ExternalProgram {

    private ExternalProgram() {
    }

    /**
     * @param program a program name looked up on {@code PATH}
     * @param debianPackage the package that provides it
     * @return its absolute path
     */
    public static Path require(String program, String debianPackage) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath();
            }
        }
        fail(program + " is not installed: run scripts/packages.sh as root, or apt-get install --no-install-recommends "
                + debianPackage);
        throw new AssertionError("unreachable");
    }

    /**
     * @param text e.g. a program's output
     * @param limit at most this many characters from the end
     * @return the end of the text, for failure messages
     */
    static String tail(CharSequence text, int limit) {
        return text.length() <= limit ? text.toString() : "..." + text.subSequence(text.length() - limit, text.length());
    }
}
