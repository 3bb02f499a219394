package dev.asp.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.asp.client.AspAdminClient;
import dev.asp.client.AspClient;
import dev.asp.client.RawResponse;
import dev.asp.testkit.TestDatabase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /admin/agents} through the real gateway and trust verticle: pages by handle with
 * {@code after_handle} and {@code limit}, {@code next_cursor} only while more follow (the shape of
 * {@code GET /events}), bounded by {@code ASP_ADMIN_PAGE_LIMIT}.
 */
@DisplayName("Admin agent list paging")
class AdminPagingTest {
  private static final int PAGE_LIMIT = 3;
  private static OperatorHarness operator;
  private static final List<String> ACME = new ArrayList<>();

  @BeforeAll
  static void start() {
    operator =
        OperatorHarness.start(
            TestDatabase.fresh(), Map.of("ASP_ADMIN_PAGE_LIMIT", "" + PAGE_LIMIT));
    // created out of order; listed by handle
    for (String name : List.of("g", "b", "e", "a", "f", "c", "d")) {
      ACME.add(operator.admin.createAgent("@acme." + name, "open", List.of()).await().subject());
    }
    ACME.sort(null);
    operator.admin.createAgent("@globex.x", "open", List.of()).await();
  }

  @AfterAll
  static void stop() {
    operator.close();
  }

  /** Follows next_cursor from the first page to the last, collecting handles and page sizes. */
  private static List<List<String>> walk(AspAdminClient admin, int limit) {
    List<List<String>> pages = new ArrayList<>();
    String after = null;
    do {
      JsonObject page = admin.listAgents(after, limit).await();
      JsonArray agents = page.getJsonArray("agents");
      List<String> handles = new ArrayList<>();
      for (int i = 0; i < agents.size(); i++) {
        handles.add(agents.getJsonObject(i).getString("handle"));
      }
      pages.add(handles);
      after = page.getString("next_cursor");
      if (after != null) {
        assertEquals(handles.get(handles.size() - 1), after, "the cursor is the page's last");
      }
      assertFalse(pages.size() > 20, "the walk does not end");
    } while (after != null);
    return pages;
  }

  @Test
  @DisplayName("the admin walks every agent once, in handle order, and the last page has no cursor")
  void walksEveryAgent() {
    List<List<String>> pages = walk(operator.admin, 2);
    List<String> expected = new ArrayList<>(ACME);
    expected.add("@globex.x");
    assertEquals(List.of(2, 2, 2, 2), pages.stream().map(List::size).toList());
    assertEquals(expected, pages.stream().flatMap(List::stream).toList());
  }

  @Test
  @DisplayName("an owner's pages hold only its own agents")
  void ownerPages() {
    String token = operator.admin.rotateOwnerToken("acme").await().token();
    AspAdminClient acme = AspAdminClient.create(operator.vertx, operator.url, token);
    List<List<String>> pages = walk(acme, PAGE_LIMIT);
    assertEquals(List.of(3, 3, 1), pages.stream().map(List::size).toList());
    assertEquals(ACME, pages.stream().flatMap(List::stream).toList());
  }

  @Test
  @DisplayName("without a limit a page is ASP_ADMIN_PAGE_LIMIT long when that is under 100")
  void defaultPage() {
    JsonArray first = operator.admin.listAgents().await();
    assertEquals(PAGE_LIMIT, first.size());
    JsonObject past = operator.admin.listAgents("@globex.x", PAGE_LIMIT).await();
    assertEquals(0, past.getJsonArray("agents").size());
    assertNull(past.getString("next_cursor"));
  }

  @Test
  @DisplayName("a limit over ASP_ADMIN_PAGE_LIMIT, under 1 or not a number is 400 invalid_request")
  void limitBounded() {
    AspClient admin = operator.client(OperatorHarness.ADMIN_TOKEN); // raw requests
    for (String limit : List.of("" + (PAGE_LIMIT + 1), "0", "-1", "x")) {
      RawResponse refused =
          admin.raw(HttpMethod.GET, "/admin/agents?limit=" + limit, null, Map.of()).await();
      assertEquals(400, refused.status(), limit);
      assertEquals("invalid_request", refused.errorCode(), limit);
    }
  }
}
