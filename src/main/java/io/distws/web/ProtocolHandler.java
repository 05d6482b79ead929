package io.distws.web;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.config.AuthMode;
import io.distws.config.DistwsConfig;
import io.distws.core.ClusterNode;
import io.distws.core.LocalConnection;
import io.distws.runtime.DistwsRuntime;
import io.distws.security.LogSafe;
import io.distws.security.RateLimiter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Carries out the wire protocol for the {@code /ws} endpoint: binds a new connection and welcomes it, routes client
 * frames through the cluster, answers with acks or error frames. Replies go through the connection's own outbound
 * queue, so they keep their order with everything else it receives. Enforces the {@code distws.limits.*}: frame
 * size, recipients, rate, connections per user.
 */
@ApplicationScoped
public class ProtocolHandler {

    private static final Logger LOG = Logger.getLogger(ProtocolHandler.class.getName());
    /** WebSocket close code for a message too big to process (RFC 6455). */
    private static final int CLOSE_TOO_BIG = 1009;

    @Inject
    DistwsRuntime runtime;

    /** The configured limits, for the endpoint. */
    DistwsConfig.Limits limits() {
        return runtime.node().config().limits();
    }

    /**
     * Registers and binds a new connection of {@code uid}, then sends the welcome frame; closes it instead (1008) when
     * the user already holds {@code distws.limits.max-connections-per-user} older connections in the cluster.
     *
     * @return the connection, or null if this node is shutting down (the session is closed with 1001)
     */
    ClientConnection opened(SessionSink sink, String uid) {
        ClusterNode node = runtime.node();
        DistwsConfig.Limits limits = node.config().limits();
        if (!node.isRunning()) {
            sink.close(LocalConnection.CLOSE_GOING_AWAY, "server shutting down");
            return null;
        }
        LocalConnection connection = node.open(sink);
        ClientConnection client = new ClientConnection(connection, sink, uid,
                new RateLimiter(limits.rate(), limits.burst()));
        node.bind(connection.fd().fd(), uid).whenComplete((fd, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "Could not bind " + connection.fd() + " to its user", failure);
                connection.enqueue(Message.text(WireProtocol.error(WireProtocol.INTERNAL,
                        "the cluster cannot register this connection right now")));
                client.close(1011, "relation not stored");
                node.closed(connection);
                return;
            }
            olderConnections(node, uid, fd).whenComplete((older, countFailure) -> {
                if (countFailure == null && older >= limits.maxConnectionsPerUser()) {
                    LOG.log(Level.INFO, "Closing {0}: user {1} already holds {2} connections",
                            new Object[] {fd, LogSafe.of(uid), older});
                    client.close(LocalConnection.CLOSE_POLICY, "too many connections for this user (at most "
                            + limits.maxConnectionsPerUser() + ")");
                    node.closed(connection);
                    return;
                }
                connection.enqueue(Message.text(WireProtocol.welcome(uid, fd.toString(), node.nodeId())));
            });
        });
        return client;
    }

    /**
     * How many of the user's connections were bound before this one (the relation store lists them oldest first), so
     * that of simultaneous newcomers exactly the newest are turned away. A look-up failure counts as none: the limit
     * is not worth refusing a user over while Redis hiccups.
     */
    private static CompletionStage<Integer> olderConnections(ClusterNode node, String uid, DistributedFd fd) {
        try {
            return node.relations().fdsOf(uid).thenApply(fds -> {
                int index = fds.indexOf(fd);
                return index < 0 ? 0 : index;
            }).exceptionally(e -> {
                LOG.log(Level.FINE, "Could not count the connections of a user", e);
                return 0;
            });
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(0);
        }
    }

    /**
     * Whether the client may send this frame now (its rate limit): answers {@code rate_limited} when it may not, and
     * closes the connection (1008) when it keeps sending regardless.
     */
    private boolean admitted(ClientConnection client) {
        switch (client.limiter().acquire()) {
            case ALLOWED:
                if (client.firstFrame() && runtime.node().config().authMode() == AuthMode.DEV) {
                    LOG.log(Level.WARNING, "Development mode: {0} sends as user {1}, who was never authenticated "
                            + "(?uid=)", new Object[] {client.local().fd(), LogSafe.of(client.uid())});
                }
                return true;
            case LIMITED:
                DistwsConfig.Limits limits = limits();
                reply(client.local(), WireProtocol.error(WireProtocol.RATE_LIMITED, "more than " + limits.rate()
                        + " frames per second (bursts of " + limits.burst() + "); this frame was dropped"));
                return false;
            default:
                LOG.log(Level.WARNING, "Closing {0} (user {1}): it kept sending over its rate limit",
                        new Object[] {client.local().fd(), LogSafe.of(client.uid())});
                client.closeAfterQueued(LocalConnection.CLOSE_POLICY, "rate limit exceeded");
                return false;
        }
    }

    /** Handles one client text frame. */
    void received(ClientConnection client, String text) {
        if (!admitted(client)) {
            return;
        }
        LocalConnection connection = client.local();
        DistwsConfig.Limits limits = limits();
        if (WireProtocol.utf8LongerThan(text, limits.maxFrameBytes())) {
            tooLarge(client, limits);
            return;
        }
        var relation = connection.relation();
        if (relation == null) {
            reply(connection, WireProtocol.error(WireProtocol.BAD_REQUEST, "the connection is not registered yet"));
            return;
        }
        ClientCommand command;
        try {
            command = WireProtocol.parse(text, limits.maxRecipients());
        } catch (ProtocolException e) {
            reply(connection, WireProtocol.error(e.code(), e.getMessage()));
            return;
        }
        ClusterNode node = runtime.node();
        Opcode opcode = command.opcode() != null ? command.opcode() : node.config().defaultOpcode();
        Message message = opcode == Opcode.TEXT
                ? Message.text(WireProtocol.message(relation.uid(), command.data()))
                : Message.binary(WireProtocol.binaryPayload(command.data()));
        CompletionStage<Integer> routed = switch (command.kind()) {
            case SEND -> node.sendToUser(command.to().get(0), message);
            case SEND_MULTI -> node.sendToUsers(command.to(), message);
            case BROADCAST -> node.sendToAll(message);
        };
        routed.whenComplete((count, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "Could not route a message from " + connection.fd(), failure);
                reply(connection, WireProtocol.error(WireProtocol.INTERNAL, "the message could not be routed"));
            } else if (count == 0 && command.kind() != ClientCommand.Kind.BROADCAST) {
                reply(connection, WireProtocol.error(WireProtocol.OFFLINE, command.to().size() == 1
                        ? "user " + command.to().get(0) + " is offline"
                        : "none of the " + command.to().size() + " users is online"));
            } else if (command.id() != null) {
                reply(connection, WireProtocol.ack(command.id(), count));
            }
        });
    }

    /**
     * Closes a connection whose frame exceeds {@code distws.limits.max-frame-bytes} with 1009, as Open Liberty does
     * by itself; containers that ignore the session's buffer size (Payara's Tyrus) get here.
     */
    private static void tooLarge(ClientConnection client, DistwsConfig.Limits limits) {
        client.close(CLOSE_TOO_BIG, "frame larger than " + limits.maxFrameBytes() + " bytes");
    }

    void rejectedBinary(ClientConnection client, int size) {
        if (size > limits().maxFrameBytes()) {
            tooLarge(client, limits());
        } else if (admitted(client)) {
            reply(client.local(), WireProtocol.error(WireProtocol.BAD_REQUEST,
                    "binary client frames are not accepted; send a JSON text frame with \"opcode\":\"binary\""));
        }
    }

    void closed(ClientConnection client) {
        runtime.node().closed(client.local());
    }

    private static void reply(LocalConnection connection, String frame) {
        connection.enqueue(Message.text(frame));
    }
}
