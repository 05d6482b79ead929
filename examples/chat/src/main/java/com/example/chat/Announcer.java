package com.example.chat;

import io.distws.api.Sender;
import jakarta.ejb.AsyncResult;
import jakarta.ejb.Asynchronous;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;
import java.util.concurrent.Future;

/** A singleton EJB that announces to everyone, on the EJB container's own asynchronous thread. */
@Singleton
public class Announcer {

    @Inject
    Sender sender;

    @Asynchronous
    public Future<Integer> announce(String text) {
        return new AsyncResult<>(sender.sendAll("announcement: " + text).toCompletableFuture().join());
    }
}
