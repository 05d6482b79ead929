package com.example.chat;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The application's own REST API lives under {@code /rest}. */
@ApplicationPath("/rest")
public class ChatApplication extends Application {
}
