package io.distws.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The REST API lives under {@code /api}. Its OpenAPI document is served at {@code /openapi} (MicroProfile OpenAPI:
 * {@code mpOpenAPI} on Open Liberty, built into Payara); every resource requires {@link #BEARER} there.
 */
@ApplicationPath("/api")
@OpenAPIDefinition(
        info = @Info(title = "distribute-ws REST API", version = "1",
                description = "Send to users, rooms and single connections of a distribute-ws cluster over HTTP, and "
                        + "look at users, rooms, their history and the live nodes. A send's request body is the "
                        + "message as is: application/octet-stream is sent as a binary message, any other content "
                        + "type as text; a send answers 202 {\"routed\":n}. Errors answer "
                        + "{\"type\":\"error\",\"code\":..,\"message\":..}.\n\n"
                        + "Access: in secure mode (distws.auth.mode=jwt) every /api call needs "
                        + "`Authorization: Bearer <JWT>` whose `groups` claim holds distws.auth.rest-role (default "
                        + "distws-sender): 401 without a valid token, 403 without the group. In development mode "
                        + "(distws.auth.mode=dev) the API is open and the security requirement does not apply."))
@SecurityScheme(securitySchemeName = RestApplication.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        bearerFormat = "JWT",
        description = "A JWT whose groups claim holds distws.auth.rest-role (default distws-sender); only in secure "
                + "mode (distws.auth.mode=jwt): development mode needs no token.")
public class RestApplication extends Application {

    /** The name of the bearer JWT security scheme in the OpenAPI document. */
    public static final String BEARER = "bearerJwt";
}
