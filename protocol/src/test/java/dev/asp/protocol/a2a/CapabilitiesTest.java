package dev.asp.protocol.a2a;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Capability keywords")
class CapabilitiesTest {

  @Test
  @DisplayName("an object contributes its truthy keys and its string values")
  void object() {
    JsonObject caps =
        new JsonObject(
            "{\"code_review\": true, \"python\": 1, \"disabled\": false, \"zero\": 0,"
                + " \"blank\": \"\", \"nothing\": null, \"language\": \"TypeScript\","
                + " \"nested\": {\"inner\": true}, \"emptyObject\": {}, \"emptyArray\": [],"
                + " \"ratio\": 0.5, \"off\": 0.0}");
    assertEquals(
        List.of("code", "review", "python", "language", "typescript", "nested", "ratio"),
        Capabilities.keywords(caps));
  }

  @Test
  @DisplayName("an array value inside an object contributes its strings, one level down only")
  void objectArrays() {
    JsonObject caps =
        new JsonObject(
            "{\"tools\": [\"Docker-Compose\", \"k8s\", 7, [\"too-deep\"], {\"x\": \"obj\"}]}");
    assertEquals(List.of("tools", "docker", "compose", "k8s"), Capabilities.keywords(caps));
  }

  @Test
  @DisplayName("an array contributes its strings and those of arrays directly inside it")
  void array() {
    JsonArray caps =
        new JsonArray(
            "[\"Web Search\", [\"Image-Gen\", [\"deeper\"]], 42, true, {\"skill\": \"hidden\"}, \"web\"]");
    assertEquals(List.of("web", "search", "image", "gen"), Capabilities.keywords(caps));
  }

  @Test
  @DisplayName("a bare string contributes itself; anything else contributes nothing")
  void otherShapes() {
    assertEquals(List.of("rust", "async", "tokio"), Capabilities.keywords("Rust / async (tokio)"));
    assertEquals(List.of(), Capabilities.keywords(null));
    assertEquals(List.of(), Capabilities.keywords(12));
    assertEquals(List.of(), Capabilities.keywords(true));
    assertEquals(List.of(), Capabilities.keywords(new JsonObject()));
    assertEquals(List.of(), Capabilities.keywords(new JsonArray()));
  }

  @Test
  @DisplayName("contributions are lower-cased and split on non-alphanumerics; short tokens drop")
  void tokens() {
    assertEquals(
        List.of("machine", "learning", "nlp", "v2x"),
        Capabilities.keywords(List.of("Machine_Learning", "NLP", "ai", "v2x", "x.y.z", "--")));
  }

  @Test
  @DisplayName("letters and digits of every script count, with their combining marks")
  void unicode() {
    assertEquals(
        List.of("données", "analyse", "日本語", "étude", "cafe\u0301", "rocket"),
        Capabilities.keywords(
            List.of("Données_Analyse", "日本語", "ÉTUDE", "cafe\u0301", "\uD83D\uDE80rocket")));
  }

  @Test
  @DisplayName("keywords are distinct, in first-seen order")
  void distinct() {
    Map<String, Object> caps = new LinkedHashMap<>();
    caps.put("search", "Web search");
    caps.put("web", true);
    caps.put("languages", List.of("java", "Search", "JAVA"));
    assertEquals(List.of("search", "web", "languages", "java"), Capabilities.keywords(caps));
  }

  @Test
  @DisplayName("numbers are truthy unless zero, however they are represented")
  void numbers() {
    Map<String, Object> caps = new LinkedHashMap<>();
    caps.put("negative", -1);
    caps.put("long", 1L << 40);
    caps.put("zerodecimal", new BigDecimal("0.000"));
    caps.put("decimal", new BigDecimal("0.001"));
    caps.put("zerolong", 0L);
    assertEquals(List.of("negative", "long", "decimal"), Capabilities.keywords(caps));
  }

  @Test
  @DisplayName("at most 200 keywords are kept, the first ones seen")
  void boundedCount() {
    List<String> many = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      many.add("skill" + i);
    }
    List<String> keywords = Capabilities.keywords(many);
    assertEquals(Capabilities.MAX_KEYWORDS, keywords.size());
    assertEquals(many.subList(0, Capabilities.MAX_KEYWORDS), keywords);
    assertEquals(Capabilities.MAX_KEYWORDS, Capabilities.keywords(String.join(" ", many)).size());
  }

  @Test
  @DisplayName("a token longer than 64 characters (code points) is dropped, not cut")
  void boundedLength() {
    String max = "a".repeat(Capabilities.MAX_KEYWORD_CHARS);
    String over = "b".repeat(Capabilities.MAX_KEYWORD_CHARS + 1);
    String wide = "é".repeat(Capabilities.MAX_KEYWORD_CHARS);
    // U+1D41A MATHEMATICAL BOLD SMALL A: a letter outside the BMP, two UTF-16 units each.
    String astral = "\uD835\uDC1A".repeat(Capabilities.MAX_KEYWORD_CHARS);
    assertEquals(
        List.of(max, wide, astral, "tail"),
        Capabilities.keywords(String.join(" ", max, over, wide, astral, "tail")));
    assertEquals(List.of(), Capabilities.keywords(astral + "\uD835\uDC1A"));
    for (String keyword : Capabilities.keywords(List.of(max, over, "x".repeat(10_000)))) {
      assertTrue(keyword.length() <= Capabilities.MAX_KEYWORD_CHARS, keyword);
    }
  }
}
