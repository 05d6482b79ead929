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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Send over HTTP to one connection by its distributed fd: {@code POST /api/fds/node1:k3x9a2-7/messages}. */
@Path("fds")
@RequestScoped
@Tag(name = ApiDocs.TAG_CONNECTIONS, description = ApiDocs.TAG_CONNECTIONS_TEXT)
@Produces(MediaType.APPLICATION_JSON)
public class ConnectionsResource {

    @Inject
    Sender sender;

    @POST
    @Path("{fd}/messages")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "sendToConnection", summary = "Send a message to one connection by its distributed fd",
            description = "routed is 1, or 0 when the connection is known to be gone.")
    @APIResponse(responseCode = "202", description = ApiDocs.ROUTED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.ROUTED_EXAMPLE))
    @APIResponse(responseCode = "400", description = "The distributed fd is malformed, or the body is empty",
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.BAD_REQUEST_EXAMPLE))
    @APIResponse(responseCode = "413", description = ApiDocs.TOO_LARGE,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.TOO_LARGE_EXAMPLE))
    @APIResponse(responseCode = "503", description = ApiDocs.OVERLOADED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.OVERLOADED_EXAMPLE))
    @SecurityRequirement(name = RestApplication.BEARER)
    @APIResponse(responseCode = "401", description = ApiDocs.UNAUTHORIZED,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.UNAUTHORIZED_EXAMPLE))
    @APIResponse(responseCode = "403", description = ApiDocs.FORBIDDEN,
            content = @Content(mediaType = ApiDocs.JSON, example = ApiDocs.FORBIDDEN_EXAMPLE))
    public CompletionStage<Response> sendToConnection(
            @Parameter(description = "The connection's distributed fd, <nodeId>-<fd>", required = true,
                    example = "node1:k3x9a2pq-7") @PathParam("fd") String fd,
            @Parameter(hidden = true) @HeaderParam("Content-Type") String contentType,
            @RequestBody(description = ApiDocs.BODY, required = true, content = {
                    @Content(mediaType = "text/plain", schema = @Schema(type = SchemaType.STRING)),
                    @Content(mediaType = "application/octet-stream",
                            schema = @Schema(type = SchemaType.STRING, format = "binary"))}) byte[] body) {
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
