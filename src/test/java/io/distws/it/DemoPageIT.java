package io.distws.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The demo page in a real browser: runs {@code src/test/e2e/demo.e2e.mjs}, which drives Debian's headless Chromium
 * through Playwright against node 1 and node 2 of the shared queue cluster. The script does the checking; this test
 * provides the cluster and the Node project, and fails with the script's output.
 *
 * <p>{@code -Ddistws.updateScreenshot=true} copies the screenshot it takes to {@code docs/demo.png}; otherwise the
 * work tree is left alone.
 */
class DemoPageIT {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);

    private static Path e2e;

    @BeforeAll
    static void browserAndNodeProject() throws Exception {
        if (!Files.isExecutable(CHROMIUM)) {
            fail(CHROMIUM + " is missing: install Debian's chromium: apt-get install -y chromium");
        }
        e2e = Cluster.basedir().resolve("src/test/e2e");
        if (!Files.isRegularFile(e2e.resolve("node_modules/playwright-core/package.json"))) {
            Run npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), NPM_CI_TIMEOUT, "npm-ci");
            assertEquals(0, npm.exitCode(), () -> "npm ci in " + e2e + " failed:\n" + npm.output());
        }
    }

    @Test
    void twoPagesOnTwoNodesChatThroughTheCluster() throws Exception {
        Cluster cluster = Cluster.of("queue");
        Path screenshot = Cluster.basedir().resolve("target/demo-e2e/demo.png");
        Files.deleteIfExists(screenshot);

        Run e2eRun = run(List.of("node", "demo.e2e.mjs", cluster.http(1).toString(), cluster.http(2).toString(),
                screenshot.toString()), SCRIPT_TIMEOUT, "demo-e2e");
        System.out.print(e2eRun.output()); // its checks, with what the recovery counted, in the test's output

        assertEquals(0, e2eRun.exitCode(), () -> "the demo page end-to-end test failed (screenshots of the pages are in "
                + screenshot.getParent() + "):\n" + e2eRun.output());
        if (!Files.isRegularFile(screenshot)) {
            fail("the end-to-end test passed but left no screenshot at " + screenshot + ":\n" + e2eRun.output());
        }
        if (Boolean.getBoolean("distws.updateScreenshot")) {
            Path docs = Cluster.basedir().resolve("docs/demo.png");
            Files.createDirectories(docs.getParent());
            Files.copy(screenshot, docs, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Runs a command in {@code src/test/e2e}, output to a file (so a chatty process never blocks on a full pipe). */
    private static Run run(List<String> command, Duration timeout, String name) throws IOException, InterruptedException {
        Path log = Files.createTempFile(name, ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(e2e.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("CHROMIUM", CHROMIUM.toString());
            pb.environment().put("NO_COLOR", "1");
            pb.environment().put("FORCE_COLOR", "0");
            Process process;
            try {
                process = pb.start();
            } catch (IOException e) {
                throw new IllegalStateException("cannot run " + command.get(0) + " (install Node.js and npm: "
                        + "apt-get install -y nodejs npm)", e);
            }
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Run(-1, String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private record Run(int exitCode, String output) {
    }
}
