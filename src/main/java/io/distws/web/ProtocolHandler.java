package io.distws.web;

import io.distws.api.ClientService;
import io.distws.api.DistributedFd;
import io.distws.api.History;
import io.distws.api.Message;
import io.distws.api.MessageTooLargeException;
import io.distws.api.OverloadedException;
import io.distws.api.Opcode;
import io.distws.api.Rooms;
import io.distws.api.Sender;
import io.distws.api.StreamPosition;
import io.distws.config.AuthMode;
import io.distws.config.DistwsConfig;
import io.distws.security.LogSafe;
import io.distws.security.RateLimiter;
import io.distws.security.RoomAccess;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.Session;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Carries out the wire protocol for the {@code /ws} endpoint: attaches and binds a new connection and welcomes it,
 * routes client frames through the cluster, answers with acks or error frames. Built only on the public API
 * ({@link ClientService#attach}, {@link Sender}), exactly as an application's own endpoint would be. Replies go
 * through {@link Sender#sendTo} to the connection's own fd, i.e. through its outbound queue, so they keep their
 * order with everything else it receives. Enforces the {@code distws.limits.*}: frame size, recipients, rate,
 * connections per user.
 */
@ApplicationScoped
public class ProtocolHandler {

    private static final Logger LOG = Logger.getLogger(ProtocolHandler.class.getName());
    /** WebSocket close codes (RFC 6455). */
    private static final int CLOSE_GOING_AWAY = 1001;
    private static final int CLOSE_POLICY = 1008;
    private static final int CLOSE_INTERNAL = 1011;
    private static final int CLOSE_TOO_BIG = 1009;

    @Inject
    ClientService clients;

    @Inject
    Sender sender;

    @Inject
    DistwsConfig config;

    @Inject
    Rooms rooms;

    @Inject
    RoomProtocol roomProtocol;

    @Inject
    History history;

    /** Sends that failed for another reason than the message (Redis away): one warning a minute, not one each. */
    private final FailureLog routeFailures = new FailureLog(LOG, "Could not route a message");

    /** The configured limits, for the endpoint. */
    DistwsConfig.Limits limits() {
        return config.limits();
    }

    /**
     * Attaches and binds a new connection of {@code uid}, then sends the welcome frame; closes it instead (1008) when
     * the user already holds {@code distws.limits.max-connections-per-user} older connections in the cluster.
     *
     * @return the connection, or null if this node is shutting down (the session is closed with 1001)
     */
    ClientConnection opened(Session session, String uid, RoomAccess rooms, StreamPosition since) {
        DistwsConfig.Limits limits = config.limits();
        long fd;
        try {
            fd = clients.attach(session);
        } catch (IllegalStateException shuttingDown) {
            new ClientConnection(session, null, uid, null, rooms).close(CLOSE_GOING_AWAY, "server shutting down");
            return null;
        }
        DistributedFd self = clients.genDistributeFd(fd);
        ClientConnection client = new ClientConnection(session, self, uid,
                new RateLimiter(limits.rate(), limits.burst()), rooms);
        // Asked for before the bind, so the welcome comes first: then, with ?since=, what the client missed, in order,
        // and then anything newer. The welcome names the user stream's position.
        history.followUser(fd, since, recovery -> olderConnections(uid, self).thenApply(older -> {
            if (older >= limits.maxConnectionsPerUser()) {
                LOG.log(Level.INFO, "Closing {0}: user {1} already holds {2} connections",
                        new Object[] {self, LogSafe.of(uid), older});
                client.close(CLOSE_POLICY, "too many connections for this user (at most "
                        + limits.maxConnectionsPerUser() + ")");
                clients.detach(session);
                return null;
            }
            client.markBound(); // before the welcome: a client may answer it at once
            return Message.text(WireProtocol.welcome(uid, self.toString(), self.nodeId(),
                    history.enabled() ? recovery : null, since != null));
        })).exceptionally(e -> {
            if (client.session().isOpen() && !client.bound()) {
                LOG.log(Level.WARNING, "Could not start " + self + " on its user's stream", e);
            }
            return null;
        });
        clients.bindRelation(fd, uid).whenComplete((bound, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "Could not bind " + self + " to its user", failure);
                reply(client, WireProtocol.error(WireProtocol.INTERNAL,
                        "the cluster cannot register this connection right now"));
                closeAfterQueued(client, CLOSE_INTERNAL, "relation not stored");
            }
        });
        return client;
    }

    /**
     * How many of the user's connections were bound before this one (the relation store lists them oldest first), so
     * that of simultaneous newcomers exactly the newest are turned away. A look-up failure counts as none: the limit
     * is not worth refusing a user over while Redis hiccups.
     */
    private CompletionStage<Integer> olderConnections(String uid, DistributedFd fd) {
        try {
            return clients.userFds(uid).thenApply(fds -> {
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
                if (client.firstFrame() && config.authMode() == AuthMode.DEV) {
                    LOG.log(Level.WARNING, "Development mode: {0} sends as user {1}, who was never authenticated "
                            + "(?uid=)", new Object[] {client.fd(), LogSafe.of(client.uid())});
                }
                return true;
            case LIMITED:
                DistwsConfig.Limits limits = limits();
                reply(client, WireProtocol.error(WireProtocol.RATE_LIMITED, "more than " + limits.rate()
                        + " frames per second (bursts of " + limits.burst() + "); this frame was dropped"));
                return false;
            default:
                LOG.log(Level.WARNING, "Closing {0} (user {1}): it kept sending over its rate limit",
                        new Object[] {client.fd(), LogSafe.of(client.uid())});
                closeAfterQueued(client, CLOSE_POLICY, "rate limit exceeded");
                return false;
        }
    }

    /** Handles one client text frame. */
    void received(ClientConnection client, String text) {
        if (!admitted(client)) {
            return;
        }
        DistwsConfig.Limits limits = limits();
        if (WireProtocol.utf8LongerThan(text, limits.maxFrameBytes())) {
            tooLarge(client, limits);
            return;
        }
        if (!client.bound()) {
            reply(client, WireProtocol.error(WireProtocol.BAD_REQUEST, "the connection is not registered yet"));
            return;
        }
        ClientCommand command;
        try {
            command = WireProtocol.parse(text, limits.maxRecipients());
        } catch (ProtocolException e) {
            reply(client, WireProtocol.error(e.code(), e.getMessage(), e.id()));
            return;
        }
        if (!command.routesMessage()) {
            roomProtocol.handle(client, command);
            return;
        }
        if (command.kind() == ClientCommand.Kind.PUBLISH
                && !rooms.connectionRooms(client.fd().fd()).contains(command.room())) {
            reply(client, WireProtocol.error(WireProtocol.FORBIDDEN, "only members of room " + command.room()
                    + " may publish to it; join it first", command.id()));
            return;
        }
        Opcode opcode = command.opcode() != null ? command.opcode() : config.defaultOpcode();
        Message message = opcode == Opcode.BINARY ? Message.binary(WireProtocol.binaryPayload(command.data()))
                : Message.text(command.kind() == ClientCommand.Kind.PUBLISH
                        ? WireProtocol.roomMessage(client.uid(), command.room(), command.data())
                        : WireProtocol.message(client.uid(), command.data()));
        CompletionStage<Integer> routed;
        try {
            routed = switch (command.kind()) {
                case SEND -> sender.send(command.to().get(0), message);
                case SEND_MULTI -> sender.sendMulti(command.to(), message);
                case BROADCAST -> command.except().isEmpty() ? sender.sendAll(message)
                        : sender.toAll().except(command.except()).send(message);
                default -> sender.toRoom(command.room()).exceptConnection(client.fd()).except(command.except())
                        .send(message);
            };
        } catch (IllegalArgumentException badRoom) {
            reply(client, WireProtocol.error(WireProtocol.BAD_REQUEST, badRoom.getMessage(), command.id()));
            return;
        }
        boolean toMany = command.kind() == ClientCommand.Kind.BROADCAST || command.kind() == ClientCommand.Kind.PUBLISH;
        routed.whenComplete((count, failure) -> {
            if (failure != null) {
                Throwable cause = WireProtocol.causeOf(failure);
                if (!(cause instanceof MessageTooLargeException || cause instanceof OverloadedException)) {
                    routeFailures.failed("from " + client.fd(), failure);
                }
                reply(client, WireProtocol.sendFailed(failure, command.id()));
            } else if (count == 0 && !toMany) {
                reply(client, WireProtocol.error(WireProtocol.OFFLINE, command.to().size() == 1
                        ? "user " + command.to().get(0) + " is offline"
                        : "none of the " + command.to().size() + " users is online", command.id()));
            } else if (command.id() != null) {
                reply(client, WireProtocol.ack(command.id(), count));
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
            reply(client, WireProtocol.error(WireProtocol.BAD_REQUEST,
                    "binary client frames are not accepted; send a JSON text frame with \"opcode\":\"binary\""));
        }
    }

    void closed(Session session) {
        clients.detach(session);
    }

    /** Queues a frame for the connection, in order with everything else it receives (the local path, no Redis). */
    void reply(ClientConnection client, String frame) {
        sender.sendTo(client.fd(), Message.text(frame));
    }

    /** Closes the connection, once, after the frames already queued for it (such as the error that explains why). */
    private void closeAfterQueued(ClientConnection client, int code, String reason) {
        if (client.startClosing()) {
            clients.disconnect(client.fd(), code, reason).thenAccept(closing -> {
                if (!closing) {
                    clients.detach(client.session());
                }
            });
        }
    }
}
