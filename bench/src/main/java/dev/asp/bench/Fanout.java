package dev.asp.bench;

import dev.asp.bench.impl.Clock;
import dev.asp.bench.impl.Lanes;
import dev.asp.bench.impl.Parallel;
import dev.asp.client.NewSession;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * One session of P joined, connected participants; the first K of them each send M messages with C
 * requests in flight. Every message is delivered P times (the sender included).
 */
@Command(
    name = "fanout",
    description = "One session of P participants; K senders send M messages each, C in flight.",
    mixinStandardHelpOptions = true)
final class Fanout extends Workload {
  @Option(
      names = {"-P", "--participants"},
      defaultValue = "50",
      description = "Participants (default: ${DEFAULT-VALUE}).")
  int participants;

  @Option(
      names = {"-K", "--senders"},
      defaultValue = "1",
      description = "Senders among them (default: ${DEFAULT-VALUE}).")
  int senders;

  @Option(
      names = {"-M", "--messages"},
      defaultValue = "1000",
      description = "Messages per sender (default: ${DEFAULT-VALUE}).")
  int messages;

  @Option(
      names = {"-C", "--concurrency"},
      defaultValue = "4",
      description = "Requests in flight per sender (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Override
  String name() {
    return "fanout";
  }

  @Override
  JsonObject parameters() {
    return new JsonObject()
        .put("participants", participants)
        .put("senders", senders)
        .put("messages", messages)
        .put("concurrency", concurrency);
  }

  @Override
  Sent run(Driver driver, Agents agents) {
    if (senders < 1 || senders > participants || participants < 2) {
      throw new IllegalArgumentException("need 2 <= P and 1 <= K <= P");
    }
    List<String> handles = agents.take(participants, "fanout -P " + participants);
    Driver.await(driver.connectAll(handles), Duration.ofSeconds(60));
    String creator = handles.get(0);
    List<String> invitees = handles.subList(1, handles.size());
    String sessionId =
        Driver.await(
                driver
                    .client(creator)
                    .createSession(
                        NewSession.inviting(invitees.toArray(String[]::new))
                            .topic("asp-bench fanout")),
                Duration.ofSeconds(30))
            .sessionId();
    Driver.await(
        Parallel.forEach(invitees, 16, h -> driver.client(h).join(sessionId)),
        Duration.ofSeconds(120));
    driver.checker().expect(sessionId, handles);
    long start = Clock.epochNanos();
    startMeasuring(driver);
    long deadline = deadline();
    Future<Void> sending =
        Parallel.forEach(
            handles.subList(0, senders),
            senders,
            sender ->
                Lanes.run(
                    messages,
                    concurrency,
                    deadline,
                    i -> driver.send(sender, sessionId, i, Clock.epochNanos())));
    Driver.await(sending, Duration.ofSeconds(maxSeconds + 30L));
    return new Sent(participants, start, Clock.epochNanos());
  }
}
