package io.distws.redis;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.distws.api.Message;
import io.distws.core.ClusterNode;
import io.distws.core.LocalConnection;
import io.distws.emitter.EmitterCommand;
import io.distws.spi.Transport;
import io.distws.support.RecordingSink;
import io.distws.support.TestRedis;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emitter's command line run as {@code main} would run it (arguments, environment, standard input), against a
 * queue-driver node in this JVM on the single Redis: exit codes, what it prints, and what the node's connections get.
 */
class EmitterCommandTest extends NodesContract {

    ClusterNode node;
    RecordingSink alice;
    LocalConnection aliceConnection;
    RecordingSink bob;

    @Override
    String driver() {
        return "queue";
    }

    @Override
    Transport transport(RedisKeys keys) {
        return new RedisQueueTransport(redis, keys, Executors.defaultThreadFactory(), Duration.ofMinutes(1));
    }

    @BeforeEach
    void startANodeWithTwoUsers() {
        node = startNode("n");
        alice = new RecordingSink();
        aliceConnection = node.open(alice);
        done(node.bind(aliceConnection.fd().fd(), "alice"));
        bob = new RecordingSink();
        done(node.bind(node.open(bob).fd().fd(), "bob"));
    }

    /** An exit code with what was printed. */
    record Run(int code, String out, String err) {
    }

    /** Runs the command line with the node's Redis, prefix and timings given as options. */
    Run emit(String... args) {
        List<String> all = new ArrayList<>(List.of("emit", "--redis", TestRedis.ADDRESS, "--prefix", prefix,
                "--driver", "queue", "--set", "distws.heartbeat.interval=200ms", "--set", "distws.node.timeout=1s"));
        all.addAll(List.of(args));
        return run(all, Map.of(), "");
    }

    static Run run(List<String> args, Map<String, String> env, String stdin) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EmitterCommand.run(args, env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8).trim(), err.toString(StandardCharsets.UTF_8).trim());
    }

    @Test
    void sendsToAUserAndPrintsHowManyConnectionsItReached() throws Exception {
        Run run = emit("--to", "alice", "hello");
        assertAll(
                () -> assertEquals(0, run.code(), run.err()),
                () -> assertEquals("routed 1", run.out()),
                () -> assertEquals("hello", alice.nextText(WAIT)));
        Run offline = emit("--to", "nobody", "hello?");
        assertEquals(0, offline.code(), offline.err());
        assertEquals("routed 0", offline.out());
    }

    @Test
    void takesItsSettingsFromTheNodesEnvironmentVariablesAndTheMessageFromStandardInput() throws Exception {
        Map<String, String> env = Map.of("DISTWS_REDIS_ADDRESS", TestRedis.ADDRESS, "DISTWS_KEYS_PREFIX", prefix,
                "DISTWS_DRIVER", "queue");
        Run run = run(List.of("emit", "--users", "alice,bob", "-"), env, "from a pipe");
        assertAll(
                () -> assertEquals(0, run.code(), run.err()),
                () -> assertEquals("routed 2", run.out()),
                () -> assertEquals("from a pipe", alice.nextText(WAIT)),
                () -> assertEquals("from a pipe", bob.nextText(WAIT)));
    }

    @Test
    void sendsToEveryoneButTheExceptedAsBinary() throws Exception {
        Run run = emit("--all", "--except", "bob", "--binary", "xyz");
        assertEquals(0, run.code(), run.err());
        assertEquals(Message.binary("xyz".getBytes(StandardCharsets.UTF_8)), alice.poll(WAIT));
        assertEquals(0, emit("--to", "bob", "fence").code());
        assertEquals("fence", bob.nextText(WAIT), "bob got nothing before the fence");
    }

    @Test
    void joinsAUserToARoomSendsToItAndDisconnectsTheUser() throws Exception {
        Run join = emit("--join", "alice", "--room", "ops");
        assertEquals(0, join.code(), join.err());
        assertEquals("routed 1", join.out());
        await().atMost(WAIT).until(() -> done(node.members("ops")).connections() == 1);
        assertEquals(Set.of("ops"), node.roomsOf(aliceConnection.fd().fd()));
        Run room = emit("--room", "ops", "--except", "carl", "deploy done");
        assertEquals("routed 1", room.out(), room.err());
        assertEquals("deploy done", alice.nextText(WAIT));

        Run kick = emit("--disconnect", "alice", "--code", "4001", "--reason", "maintenance");
        assertEquals(0, kick.code(), kick.err());
        assertEquals("routed 1", kick.out());
        await().atMost(WAIT).until(() -> alice.closeCode() != null);
        assertEquals(4001, alice.closeCode());
    }

    @Test
    void refusesBadInputWithExitCode2AndSaysWhatIsWrong() {
        assertAll(
                () -> assertUsage(emit("hello"), "--to"),
                () -> assertUsage(emit("--to"), "--to needs a value"),
                () -> assertUsage(emit("--to", "alice", "--room", "r", "hi"), "--room goes alone"),
                () -> assertUsage(emit("--to", "alice", "--frobnicate", "hi"), "unknown option '--frobnicate'"),
                () -> assertUsage(emit("--to", "alice", "one", "two"), "one message at a time"),
                () -> assertUsage(emit("--disconnect", "alice", "--code", "1005"), "close code 1005"),
                () -> assertUsage(emit("--room", "bad{name}", "hi"), "a room name"),
                () -> assertUsage(emit("--set", "distws.driver=foo", "--to", "alice", "hi"),
                        "distws.driver='foo' is invalid"),
                () -> assertUsage(run(List.of("send", "--to", "alice"), Map.of(), ""), "unknown command 'send'"),
                () -> assertEquals(0, run(List.of("--help"), Map.of(), "").code()));
    }

    @Test
    void failsWithExitCode1AndAClearMessageWhenRedisCannotBeReached() {
        Run run = run(List.of("emit", "--redis", "redis://127.0.0.1:1", "--to", "alice", "hi"), Map.of(), "");
        assertEquals(1, run.code(), run.out());
        assertTrue(run.err().contains("cannot connect to Redis at distws.redis.address=redis://127.0.0.1:1"),
                run.err());
    }

    @Test
    void failsWithExitCode1WhenTheNodesRunAnotherDriver() {
        List<String> args = new ArrayList<>(List.of("emit", "--redis", TestRedis.ADDRESS, "--prefix", prefix,
                "--driver", "pubsub", "--to", "alice", "hi"));
        Run run = run(args, Map.of(), "");
        assertEquals(1, run.code(), run.out());
        assertTrue(run.err().contains("distws.driver=queue"), run.err());
    }

    private static void assertUsage(Run run, String says) {
        assertEquals(2, run.code(), "exit code; stdout: " + run.out() + "; stderr: " + run.err());
        assertTrue(run.err().contains(says), "stderr should say '" + says + "': " + run.err());
    }
}
