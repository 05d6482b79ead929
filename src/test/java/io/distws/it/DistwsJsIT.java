package io.distws.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client {@code src/main/webapp/distws.js}: runs its Node test suite ({@code src/test/js/*.test.mjs},
 * Node's own test runner, no npm packages) against node 1 and node 2 of the shared queue cluster, whose {@code /ws}
 * URLs it gets in {@code DISTWS_NODE1} and {@code DISTWS_NODE2}. The suite does the checking; this test provides the
 * cluster, logs the suite's output and fails with it unless every test passed.
 *
 * <p>Needs {@code node} on the PATH (20.10 or later: before 22 it runs with {@code --experimental-websocket}, which
 * Node 22 no longer needs); without it the test is skipped (an assumption), not failed.
 */
class DistwsJsIT {

    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(5);

    @Test
    void isServedAsJavaScriptOnBothServers() throws Exception {
        for (String runtime : List.of("liberty", "payara")) {
            URI node = Cluster.of(runtime, "queue").http(1);
            for (String script : List.of("distws.js", "app.js")) {
                HttpResponse<String> response = Http.get(node.resolve(script));
                assertAll(runtime + " /" + script,
                        () -> assertEquals(200, response.statusCode()),
                        () -> assertEquals("text/javascript",
                                response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim()));
            }
        }
    }

    @Test
    void nodeSuitePassesAgainstTwoNodes() throws Exception {
        int major = nodeMajorVersion();
        assumeTrue(major >= 20, "node 20.10 or later is not on the PATH (found major version " + major
                + "; 0: none): the distws.js suite is skipped");
        Cluster cluster = Cluster.of("queue");
        Path suite = Cluster.basedir().resolve("src/test/js");
        List<String> files;
        try (Stream<Path> listed = Files.list(suite)) {
            // Named one by one: Node 22 and later no longer search a directory given to --test.
            files = listed.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".test.mjs")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no *.test.mjs in " + suite);

        List<String> command = new ArrayList<>(List.of("node"));
        if (major < 22) {
            command.add("--experimental-websocket"); // the global WebSocket of Node 20.10 and later
        }
        command.addAll(List.of("--test", "--test-reporter=spec"));
        command.addAll(files);
        Path log = Files.createTempFile("distws-js", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(suite.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("DISTWS_NODE1", cluster.wsPath(1, "ws").toString());
            pb.environment().put("DISTWS_NODE2", cluster.wsPath(2, "ws").toString());
            pb.environment().put("NO_COLOR", "1");
            pb.environment().put("FORCE_COLOR", "0");
            Process process = pb.start();
            boolean finished = process.waitFor(SUITE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(String.join(" ", command) + " (against " + cluster + "):\n" + output);
            assertEquals(0, finished ? process.exitValue() : -1, () -> (finished ? "the distws.js suite failed"
                    : "the distws.js suite did not finish within " + SUITE_TIMEOUT.toSeconds() + " s") + ":\n" + output);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The major version of the {@code node} on the PATH, or 0 when there is none. */
    private static int nodeMajorVersion() throws InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
        } catch (IOException e) {
            return 0;
        }
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("node --version did not answer within 30 s");
            }
            String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (process.exitValue() != 0 || !version.matches("v\\d+\\..*")) {
                throw new IllegalStateException("node --version answered " + process.exitValue() + ": " + version);
            }
            return Integer.parseInt(version.substring(1, version.indexOf('.')));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the output of node --version", e);
        }
    }
}
