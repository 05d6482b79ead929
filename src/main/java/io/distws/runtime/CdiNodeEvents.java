package io.distws.runtime;

import io.distws.api.ConnectionClosed;
import io.distws.api.ConnectionOpened;
import io.distws.api.DistributedFd;
import io.distws.api.UserOffline;
import io.distws.api.UserOnline;
import io.distws.core.NodeEvents;
import io.distws.core.SerialExecutor;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.enterprise.inject.spi.ObserverMethod;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fires the node's events as CDI events ({@link ConnectionOpened}, {@link ConnectionClosed}, {@link UserOnline},
 * {@link UserOffline}) on a managed thread, one event at a time in the order they happened, and each observer in
 * isolation: CDI's own {@code fire} would stop at the first observer that throws, so every synchronous observer is
 * notified by itself and a failure is logged; asynchronous observers ({@code @ObservesAsync}) get {@code fireAsync}.
 */
final class CdiNodeEvents implements NodeEvents {

    private static final Logger LOG = Logger.getLogger(CdiNodeEvents.class.getName());

    private final BeanManager beans;
    private final Executor inOrder;

    CdiNodeEvents(BeanManager beans, Executor executor) {
        this.beans = beans;
        this.inOrder = new SerialExecutor(executor);
    }

    @Override
    public void connectionOpened(DistributedFd fd) {
        fire(new ConnectionOpened(fd));
    }

    @Override
    public void connectionClosed(DistributedFd fd, String uid) {
        fire(new ConnectionClosed(fd, uid));
    }

    @Override
    public void userOnline(String uid) {
        fire(new UserOnline(uid));
    }

    @Override
    public void userOffline(String uid) {
        fire(new UserOffline(uid));
    }

    private void fire(Object event) {
        try {
            inOrder.execute(() -> notifyObservers(event));
        } catch (RuntimeException rejected) {
            // The application is stopping: its observers are going too.
            LOG.log(Level.FINE, "Could not fire " + event, rejected);
        }
    }

    private void notifyObservers(Object event) {
        boolean async = false;
        for (ObserverMethod<? super Object> observer : beans.resolveObserverMethods(event)) {
            if (observer.isAsync()) {
                async = true;
                continue;
            }
            try {
                observer.notify(event);
            } catch (Throwable e) {
                LOG.log(Level.WARNING, "An observer of " + event + " (" + observer.getBeanClass().getName()
                        + ") failed; the others are still told", e);
            }
        }
        if (async) {
            beans.getEvent().fireAsync(event).exceptionally(e -> {
                LOG.log(Level.WARNING, "An asynchronous observer of " + event + " failed", e);
                return null;
            });
        }
    }
}
