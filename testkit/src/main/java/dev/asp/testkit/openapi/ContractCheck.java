package dev.asp.testkit.openapi;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestValidator;
import io.vertx.openapi.validation.ResponseParameter;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.validation.impl.ValidatableRequestImpl;
import io.vertx.openapi.validation.impl.ValidatableResponseImpl;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks recorded {@link Exchange}s against the operator's OpenAPI 3.1 description with Vert.x's
 * own validator ({@code io.vertx:vertx-openapi}, JSON Schema 2020-12 by {@code vertx-json-schema}).
 * That validator was chosen because it is the Vert.x stack's own, at the stack's version (the BOM
 * manages it, so it moves with Vert.x), and speaks OpenAPI 3.1 with JSON Schema 2020-12 natively;
 * {@code com.networknt:json-schema-validator} would have validated the schemas but needed our own
 * OpenAPI walking (operations, parameters, responses).
 *
 * <p>The rules, per exchange:
 *
 * <ul>
 *   <li>its method and path must be an operation of the description, unless it was answered with
 *       the not-found or malformed-request error of its surface (a test probing an undescribed path
 *       gets the described error body, nothing else);
 *   <li>a request the gateway accepted (status below 400) must match the operation's parameters and
 *       request body: what the operator takes, it describes. A refused request is deliberately
 *       wrong, so only its response is checked;
 *   <li>every response must be one the operation describes: status, the headers it declares, and
 *       the body against its schema;
 *   <li>each frame of an event stream (SSE {@code data:} lines, the WebSocket text frames after a
 *       {@code 101}) must match the schema the response names in {@code x-asp-frames}.
 * </ul>
 */
public final class ContractCheck {
  /** The description's extension naming, on a response, the schema of each streamed frame. */
  public static final String FRAMES = "x-asp-frames";

  private static final String EVENT_STREAM = "text/event-stream";
  private static final String STREAM_STANDIN = "text/plain";

  private final Vertx vertx;
  private final OpenAPIContract contract;
  private final RequestValidator requests;
  private final ResponseValidator responses;
  private final Map<String, Validator> frameValidators = new HashMap<>();

  private ContractCheck(Vertx vertx, OpenAPIContract contract) {
    this.vertx = vertx;
    this.contract = contract;
    this.requests = RequestValidator.create(vertx, contract);
    this.responses = ResponseValidator.create(vertx, contract);
  }

  /** Loads and checks the description itself (an invalid OpenAPI document fails here). */
  public static ContractCheck load(Vertx vertx, JsonObject description) {
    return new ContractCheck(
        vertx, OpenAPIContract.from(vertx, withoutEventStreams(description)).await());
  }

  /**
   * vertx-openapi refuses a contract with a media type it cannot analyse, and {@code
   * text/event-stream} is one. Streams are checked here frame by frame anyway, so the validator is
   * given the description with each such media type read as {@value #STREAM_STANDIN}.
   */
  private static JsonObject withoutEventStreams(JsonObject description) {
    JsonObject copy = description.copy();
    JsonObject paths = copy.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject operations = paths.getJsonObject(path);
      for (String method : operations.fieldNames()) {
        JsonObject responses = operations.getJsonObject(method).getJsonObject("responses");
        for (String status : responses.fieldNames()) {
          JsonObject content = responses.getJsonObject(status).getJsonObject("content");
          if (content != null && content.containsKey(EVENT_STREAM)) {
            content.put(STREAM_STANDIN, content.remove(EVENT_STREAM));
          }
        }
      }
    }
    return copy;
  }

  public OpenAPIContract contract() {
    return contract;
  }

  /** Every way in which {@code exchanges} depart from the description; empty when none. */
  public List<String> problems(List<Exchange> exchanges) {
    List<String> problems = new ArrayList<>();
    for (Exchange exchange : exchanges) {
      String problem = problem(exchange);
      if (problem != null) {
        problems.add(exchange + ": " + problem);
      }
    }
    return problems;
  }

  /** Why {@code exchange} departs from the description, or null. Blocks: not on an event loop. */
  public String problem(Exchange exchange) {
    if (exchange.method() == null) {
      return exchange.status() >= 400 ? null : "a response to no request";
    }
    if (exchange.status() == 414 || exchange.status() == 431 || !exchange.requestDecoded()) {
      // refused by the HTTP decoder before any route: the ASP error body, whatever the path
      return frame("Error", new String(exchange.responseBody(), StandardCharsets.UTF_8), "body");
    }
    String path = rawPath(exchange);
    Operation operation =
        decodable(path)
            ? contract.findOperation(path, HttpMethod.valueOf(exchange.method()))
            : null;
    if (operation == null) {
      return undescribed(exchange);
    }
    try {
      if (exchange.status() < 400 && exchange.requestDecoded() && !exchange.truncated()) {
        requests.validate(request(exchange, operation), operation.getOperationId()).await();
      }
      Response response =
          operation.getResponse(exchange.status()) != null
              ? operation.getResponse(exchange.status())
              : operation.getDefaultResponse();
      if (response == null) {
        return "status "
            + exchange.status()
            + " is not described for "
            + operation.getOperationId();
      }
      boolean wholeBody =
          exchange.responseComplete() && !exchange.truncated() && !isStream(exchange);
      checkResponse(exchange, response, operation, wholeBody);
      return frames(exchange, operation);
    } catch (RuntimeException e) {
      return operation.getOperationId() + ": " + e.getMessage();
    }
  }

  /** A path the description does not have may only have been refused as unknown or malformed. */
  private String undescribed(Exchange exchange) {
    int status = exchange.status();
    if (status != 404 && status != 405 && status != 400 && status != 414 && status != 431) {
      return "not an operation of the description (status " + status + ")";
    }
    String schema = exchange.path().startsWith("/a2a") ? "A2aError" : "Error";
    return frame(schema, new String(exchange.responseBody(), StandardCharsets.UTF_8), "body");
  }

  private String frames(Exchange exchange, Operation operation) {
    JsonObject raw = rawResponse(operation, exchange.status());
    String schema = raw == null ? null : raw.getString(FRAMES);
    if (schema == null) {
      return null;
    }
    List<String> frames =
        exchange.status() == 101 ? exchange.serverFrames() : sseData(exchange.responseBody());
    for (String frame : frames) {
      String problem = frame(schema, frame, "frame");
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private String frame(String schema, String text, String what) {
    Object value;
    try {
      value = io.vertx.core.json.Json.decodeValue(text);
    } catch (RuntimeException e) {
      return what + " is not JSON: " + abbreviate(text);
    }
    Validator validator =
        frameValidators.computeIfAbsent(
            schema, name -> contract.getSchemaRepository().validator(componentSchema(name)));
    OutputUnit result = validator.validate(value);
    if (result.getValid()) {
      return null;
    }
    return what
        + " does not match "
        + schema
        + ": "
        + result.getErrors()
        + " in "
        + abbreviate(text);
  }

  private JsonSchema componentSchema(String name) {
    return JsonSchema.of(
        new JsonObject()
            .put("$ref", "app:///#/components/schemas/" + name)
            .put("$schema", "https://json-schema.org/draft/2020-12/schema"));
  }

  private JsonObject rawResponse(Operation operation, int status) {
    JsonObject responses =
        contract
            .getRawContract()
            .getJsonObject("paths")
            .getJsonObject(operation.getOpenAPIPath())
            .getJsonObject(operation.getHttpMethod().name().toLowerCase())
            .getJsonObject("responses");
    JsonObject raw = responses.getJsonObject(String.valueOf(status));
    return raw != null ? raw : responses.getJsonObject("default");
  }

  private static boolean isStream(Exchange exchange) {
    String type = exchange.responseHeaders().get("Content-Type");
    return type != null && type.startsWith(EVENT_STREAM);
  }

  /** The {@code data:} payloads of a server-sent event stream, one per event. */
  static List<String> sseData(byte[] body) {
    List<String> events = new ArrayList<>();
    StringBuilder data = null;
    for (String line : new String(body, StandardCharsets.UTF_8).split("\r?\n", -1)) {
      if (line.isEmpty()) {
        if (data != null) {
          events.add(data.toString());
        }
        data = null;
      } else if (line.startsWith("data:")) {
        String value = line.substring(5).startsWith(" ") ? line.substring(6) : line.substring(5);
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    return events;
  }

  private ValidatableRequestImpl request(Exchange exchange, Operation operation) {
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    Map<String, List<String>> queryValues = query(exchange.uri());
    String[] template = operation.getOpenAPIPath().substring(1).split("/");
    String[] actual = rawPath(exchange).substring(1).split("/");
    for (Parameter parameter : operation.getParameters()) {
      String name = parameter.getName();
      switch (parameter.getIn()) {
        case HEADER ->
            headers.put(name, new RequestParameterImpl(exchange.requestHeaders().get(name)));
        case PATH -> {
          for (int i = 0; i < template.length && i < actual.length; i++) {
            if (template[i].equals("{" + name + "}")) {
              path.put(name, new RequestParameterImpl(decode(actual[i])));
            }
          }
        }
        case QUERY -> {
          List<String> values = queryValues.get(name);
          query.put(
              name, new RequestParameterImpl(values == null ? null : String.join(",", values)));
        }
        default -> {}
      }
    }
    byte[] body = exchange.requestBody();
    String contentType = exchange.requestHeaders().get("Content-Type");
    RequestParameter bodyParameter =
        new RequestParameterImpl(body.length == 0 ? null : Buffer.buffer(body));
    // the gateway reads every body as JSON whatever its Content-Type (curl -d sends a form type),
    // as the description says: the body is checked as what it is taken for
    boolean readAsJson =
        body.length > 0
            && operation.getRequestBody() != null
            && operation.getRequestBody().getContent().containsKey("application/json");
    return new ValidatableRequestImpl(
        Map.of(),
        headers,
        path,
        query,
        bodyParameter,
        readAsJson ? "application/json" : mediaType(contentType));
  }

  /**
   * Checks the content type and headers of a response, and hands a whole JSON body (or a response
   * that describes none) to the validator; a stream, or a response cut short, is checked frame by
   * frame instead.
   */
  private void checkResponse(
      Exchange exchange, Response response, Operation operation, boolean whole) {
    String contentType = mediaType(exchange.responseHeaders().get("Content-Type"));
    if (EVENT_STREAM.equals(contentType)) {
      contentType = STREAM_STANDIN;
    } else if (contentType == null && exchange.responseBody().length > 0) {
      // a WebSocket handshake refused by Vert.x carries its reason phrase with no Content-Type
      contentType = "text/plain";
    }
    byte[] body = exchange.responseBody();
    if (response.getContent().isEmpty()) {
      if (body.length > 0) {
        throw new IllegalStateException(
            "a body where status " + exchange.status() + " describes none");
      }
    } else if (!response.getContent().containsKey(contentType)) {
      throw new IllegalStateException(
          "content type " + contentType + " not described for status " + exchange.status());
    }
    Map<String, ResponseParameter> headers = new HashMap<>();
    for (Parameter header : response.getHeaders()) {
      String value = exchange.responseHeaders().get(header.getName());
      if (value != null) {
        headers.put(header.getName(), new RequestParameterImpl(value));
      } else if (header.isRequired()) {
        throw new IllegalStateException("the response lacks the header " + header.getName());
      }
    }
    // JSON bodies go to the validator; a text one (a refused handshake's reason) is any string
    boolean checkBody =
        whole && !response.getContent().isEmpty() && "application/json".equals(contentType);
    if (!checkBody && !response.getContent().isEmpty()) {
      return;
    }
    responses
        .validate(
            new ValidatableResponseImpl(
                exchange.status(),
                headers,
                new RequestParameterImpl(checkBody ? Buffer.buffer(body) : null),
                contentType),
            operation.getOperationId())
        .await();
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase();
  }

  private static String rawPath(Exchange exchange) {
    return exchange.path();
  }

  private static boolean decodable(String path) {
    try {
      URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static Map<String, List<String>> query(String uri) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    int q = uri.indexOf('?');
    if (q < 0) {
      return values;
    }
    for (String pair : uri.substring(q + 1).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      values
          .computeIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), k -> new ArrayList<>())
          .add(URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return values;
  }

  private static String abbreviate(String text) {
    return text.length() <= 300 ? text : text.substring(0, 300) + "…";
  }
}
