package com.example.chat;

import io.distws.api.Sender;
import io.distws.api.UserOffline;
import io.distws.api.UserOnline;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Tells the members of the room {@value #ROOM} who comes online and goes offline anywhere in the cluster. The
 * library fires each event once in the cluster, on the node that caused it, so each line is sent once.
 */
@ApplicationScoped
public class Watchers {

    /** The room whose members hear "online <user>" and "offline <user>". */
    public static final String ROOM = "watchers";

    @Inject
    Sender sender;

    void online(@Observes UserOnline event) {
        sender.toRoom(ROOM).send("online " + event.uid());
    }

    void offline(@Observes UserOffline event) {
        sender.toRoom(ROOM).send("offline " + event.uid());
    }
}
