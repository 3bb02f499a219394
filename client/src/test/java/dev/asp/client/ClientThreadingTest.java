package dev.asp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Users (and the project's tests) call the client from plain threads. Driving the Vert.x HTTP
 * client from a foreign thread used to lose a response now and then, leaving a future that never
 * completed; every exchange must complete, however many there are.
 */
@DisplayName("The client")
class ClientThreadingTest {
  private Vertx vertx;
  private HttpServer server;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                request ->
                    request
                        .body()
                        .onSuccess(
                            body ->
                                request
                                    .response()
                                    .setStatusCode(201)
                                    .putHeader("content-type", "application/json")
                                    .end("{\"session_id\":\"sess_1\"}")))
            .listen(0, "127.0.0.1")
            .await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  @DisplayName("completes every exchange started from a non-Vert.x thread")
  void manySequentialCallsFromTheTestThread() throws Exception {
    try (AspClient client =
        AspClient.create(vertx, "http://127.0.0.1:" + server.actualPort(), "tok", 4)) {
      for (int i = 0; i < 3000; i++) {
        Replies.SessionCreated created =
            client
                .createSession(NewSession.inviting())
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertEquals("sess_1", created.sessionId());
      }
    }
  }
}
