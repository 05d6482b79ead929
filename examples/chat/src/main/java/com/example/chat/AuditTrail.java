package com.example.chat;

import io.distws.api.UserOnline;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.logging.Logger;

/**
 * Writes who comes online to an audit log, which (to show what happens when an observer fails) refuses users whose id
 * starts with "unlucky". The library notifies each observer on its own: {@link Watchers} still announces them.
 */
@ApplicationScoped
public class AuditTrail {

    private static final Logger LOG = Logger.getLogger(AuditTrail.class.getName());

    void online(@Observes UserOnline event) {
        if (event.uid().startsWith("unlucky")) {
            throw new IllegalStateException("the audit log refused " + event.uid());
        }
        LOG.fine(() -> "online: " + event.uid());
    }
}
