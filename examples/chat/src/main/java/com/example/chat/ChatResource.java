package com.example.chat;

import io.distws.api.ClientService;
import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** The application's REST API: notices through a stateless EJB, announcements through a singleton's async method. */
@Path("/")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ChatResource {

    @EJB
    Notifier notifier;

    @EJB
    Announcer announcer;

    @Inject
    ClientService clients;

    @POST
    @Path("users/{uid}/notices")
    @Consumes(MediaType.WILDCARD)
    public CompletionStage<JsonObject> notice(@PathParam("uid") String uid, String text) {
        return notifier.notify(uid, text).thenApply(ChatResource::routed);
    }

    @POST
    @Path("announcements")
    @Consumes(MediaType.WILDCARD)
    public JsonObject announce(String text) throws Exception {
        return routed(announcer.announce(text).get(10, TimeUnit.SECONDS));
    }

    @GET
    @Path("users/{uid}")
    public CompletionStage<JsonObject> user(@PathParam("uid") String uid) {
        return clients.userFds(uid).thenApply(fds -> {
            JsonArrayBuilder list = Json.createArrayBuilder();
            fds.forEach(fd -> list.add(fd.toString()));
            return Json.createObjectBuilder().add("uid", uid).add("online", !fds.isEmpty()).add("fds", list).build();
        });
    }

    private static JsonObject routed(int n) {
        return Json.createObjectBuilder().add("routed", n).build();
    }
}
