package io.distws.web;

import io.distws.api.DistributedFd;
import io.distws.api.Message;
import io.distws.api.Sender;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.CompletionStage;

/** Send over HTTP to one connection by its distributed fd: {@code POST /api/fds/node1:k3x9a2-7/messages}. */
@Path("fds")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionsResource {

    @Inject
    Sender sender;

    @POST
    @Path("{fd}/messages")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<Response> sendToConnection(@PathParam("fd") String fd,
                                                      @HeaderParam("Content-Type") String contentType, byte[] body) {
        DistributedFd target;
        try {
            target = DistributedFd.parse(fd);
        } catch (IllegalArgumentException e) {
            throw RestMessages.badRequest(e.getMessage());
        }
        Message message = RestMessages.fromBody(sender, contentType, body);
        return RestMessages.routed(sender.sendTo(target, message));
    }
}
