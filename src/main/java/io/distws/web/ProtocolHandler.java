package io.distws.web;

import io.distws.api.Message;
import io.distws.api.Opcode;
import io.distws.core.ClusterNode;
import io.distws.core.LocalConnection;
import io.distws.runtime.DistwsRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Carries out the wire protocol for the {@code /ws} endpoint: binds a new connection and welcomes it, routes client
 * frames through the cluster, answers with acks or error frames. Replies go through the connection's own outbound
 * queue, so they keep their order with everything else it receives.
 */
@ApplicationScoped
public class ProtocolHandler {

    private static final Logger LOG = Logger.getLogger(ProtocolHandler.class.getName());

    @Inject
    DistwsRuntime runtime;

    /** Registers and binds a new connection of {@code uid}, then sends the welcome frame. */
    LocalConnection opened(SessionSink sink, String uid) {
        ClusterNode node = runtime.node();
        LocalConnection connection = node.open(sink);
        node.bind(connection.fd().fd(), uid).whenComplete((fd, failure) -> {
            if (failure != null) {
                LOG.log(Level.WARNING, "Could not bind " + connection.fd() + " to its user", failure);
                connection.enqueue(Message.text(WireProtocol.error(WireProtocol.INTERNAL,
                        "the cluster cannot register this connection right now")));
                sink.close(1011, "relation not stored");
                node.closed(connection);
                return;
            }
            connection.enqueue(Message.text(WireProtocol.welcome(uid, fd.toString(), node.nodeId())));
        });
        return connection;
    }

    /** Handles one client text frame. */
    void received(LocalConnection connection, String text) {
        var relation = connection.relation();
        if (relation == null) {
            reply(connection, WireProtocol.error(WireProtocol.BAD_REQUEST, "the connection is not registered yet"));
            return;
        }
        ClientCommand command;
        try {
            command = WireProtocol.parse(text);
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

    void rejectedBinary(LocalConnection connection) {
        reply(connection, WireProtocol.error(WireProtocol.BAD_REQUEST,
                "binary client frames are not accepted; send a JSON text frame with \"opcode\":\"binary\""));
    }

    void closed(LocalConnection connection) {
        runtime.node().closed(connection);
    }

    private static void reply(LocalConnection connection, String frame) {
        connection.enqueue(Message.text(frame));
    }
}
