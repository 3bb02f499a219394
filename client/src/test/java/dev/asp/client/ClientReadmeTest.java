package dev.asp.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.asp.client.Replies.SessionView;
import io.vertx.core.Future;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code client/README.md} says what the client is: its coordinates and its methods. */
@DisplayName("client/README.md")
class ClientReadmeTest {
  private static final Path README = Path.of("README.md");
  private static final Path POM = Path.of("pom.xml");

  /** The types whose methods the README names (Future for {@code await()}). */
  private static final List<Class<?>> API =
      List.of(
          AspClient.class,
          AspAdminClient.class,
          AspEventStream.class,
          AspEventStream.Listener.class,
          EventStreamOptions.class,
          EventRecorder.class,
          NewSession.class,
          SessionView.class,
          AspClientException.class,
          Future.class);

  @Test
  @DisplayName("states the Maven coordinates of this module's pom")
  void coordinates() throws IOException {
    String pom = Files.readString(POM);
    String readme = Files.readString(README);
    String parent = between(pom, "<parent>", "</parent>");
    String own = pom.substring(pom.indexOf("</parent>"));
    for (String element :
        List.of(
            tag("groupId", value(parent, "groupId")),
            tag("artifactId", value(own, "artifactId")),
            tag("version", value(parent, "version")))) {
      assertTrue(readme.contains(element), "README.md lacks " + element);
    }
  }

  @Test
  @DisplayName("every method it names in code, `name(…)`, is a public method of the client")
  void methodsExist() throws IOException {
    Matcher m = Pattern.compile("`\\.?([a-z][A-Za-z]*)\\(").matcher(Files.readString(README));
    Set<String> named = new TreeSet<>();
    while (m.find()) {
      named.add(m.group(1));
    }
    Set<String> methods = new TreeSet<>();
    API.forEach(
        type ->
            Stream.of(type.getMethods())
                .filter(method -> Modifier.isPublic(method.getModifiers()))
                .map(Method::getName)
                .forEach(methods::add));
    Set<String> missing = new TreeSet<>(named);
    missing.removeAll(methods);
    assertTrue(named.size() > 20, "the README names the client's methods: " + named);
    assertTrue(missing.isEmpty(), "README.md names methods the client does not have: " + missing);
  }

  private static String tag(String name, String value) {
    return "<" + name + ">" + value + "</" + name + ">";
  }

  private static String value(String xml, String name) {
    return between(xml, "<" + name + ">", "</" + name + ">").trim();
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start) + start.length();
    return text.substring(from, text.indexOf(end, from));
  }
}
