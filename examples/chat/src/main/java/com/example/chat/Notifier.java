package com.example.chat;

import io.distws.api.Sender;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;

/** A stateless EJB that notifies a user on whichever node they are connected. */
@Stateless
public class Notifier {

    @Inject
    Sender sender;

    /** Completes with the number of connections reached (0: the user is offline). */
    public CompletionStage<Integer> notify(String uid, String text) {
        return sender.send(uid, "notice: " + text);
    }
}
