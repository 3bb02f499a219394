package dev.asp.testkit.openapi;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A byte-for-byte TCP relay on loopback in front of a gateway that, on the side, decodes the
 * HTTP/1.1 traffic it relays and keeps every request with its response (and the server's WebSocket
 * text frames after an upgrade) as {@link Exchange}s. The relay never changes, delays or buffers
 * what it forwards beyond one read, so the client and the gateway behave exactly as they would
 * without it: chunked event streams, connections closed mid-response and WebSocket upgrades all
 * pass through; only the copy is decoded. Bodies are kept up to {@link #MAX_BODY} bytes each,
 * frames up to {@link #MAX_FRAMES} per connection: everything the recorder holds is bounded.
 *
 * <p>Test scope only: it is what lets {@link ContractCheck} compare the real traffic of the
 * end-to-end suites with the OpenAPI description.
 */
public final class RecordingProxy implements AutoCloseable {
  /** Bytes kept of one body; longer bodies are recorded as truncated. */
  public static final int MAX_BODY = 1 << 20;

  /** Server text frames kept per WebSocket connection. */
  public static final int MAX_FRAMES = 10_000;

  /** Exchanges kept in all, beyond which the oldest are not recorded (counted in dropped). */
  public static final int MAX_EXCHANGES = 200_000;

  private final NetServer server;
  private final NetClient client;
  private final List<Exchange> exchanges = Collections.synchronizedList(new ArrayList<>());
  private final String targetHost;
  private final int targetPort;
  private volatile int dropped;

  private RecordingProxy(Vertx vertx, String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
    this.server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0));
    server.connectHandler(this::relay);
  }

  /** A relay listening on a free loopback port in front of {@code targetHost:targetPort}. */
  public static RecordingProxy start(Vertx vertx, String targetHost, int targetPort) {
    RecordingProxy proxy = new RecordingProxy(vertx, targetHost, targetPort);
    proxy.server.listen().await();
    return proxy;
  }

  public int port() {
    return server.actualPort();
  }

  /** What was recorded so far (a copy). */
  public List<Exchange> exchanges() {
    synchronized (exchanges) {
      return List.copyOf(exchanges);
    }
  }

  /** Exchanges not kept because {@link #MAX_EXCHANGES} were already recorded. */
  public int dropped() {
    return dropped;
  }

  private void record(Exchange exchange) {
    synchronized (exchanges) {
      if (exchanges.size() >= MAX_EXCHANGES) {
        dropped++;
      } else {
        exchanges.add(exchange);
      }
    }
  }

  private void relay(NetSocket downstream) {
    downstream.pause();
    Connection recorder = new Connection();
    client
        .connect(targetPort, targetHost)
        .onFailure(e -> downstream.close())
        .onSuccess(
            upstream -> {
              downstream.handler(
                  data -> {
                    recorder.fromClient(data);
                    upstream.write(data);
                    if (upstream.writeQueueFull()) {
                      downstream.pause();
                      upstream.drainHandler(v -> downstream.resume());
                    }
                  });
              upstream.handler(
                  data -> {
                    recorder.fromServer(data);
                    downstream.write(data);
                    if (downstream.writeQueueFull()) {
                      upstream.pause();
                      downstream.drainHandler(v -> upstream.resume());
                    }
                  });
              downstream.closeHandler(v -> upstream.close());
              upstream.closeHandler(
                  v -> {
                    recorder.closed();
                    downstream.close();
                  });
              downstream.resume();
            });
  }

  /** The decoding side of one relayed connection; its methods run on that connection's loop. */
  private final class Connection {
    private EmbeddedChannel requests =
        new EmbeddedChannel(new HttpRequestDecoder(65536, 65536, 65536));
    private EmbeddedChannel responses =
        new EmbeddedChannel(new HttpResponseDecoder(65536, 65536, 65536));
    private EmbeddedChannel frames;
    private final Deque<Partial> sent = new ArrayDeque<>();
    private Partial request;
    private Partial response;
    private boolean upgraded;
    private boolean wsTruncated;
    private final List<String> serverFrames = new ArrayList<>();
    private StringBuilder message;
    private Exchange upgrade;

    synchronized void fromClient(Buffer data) {
      if (upgraded || requests == null) {
        return;
      }
      requests.writeInbound(copy(data));
      for (Object o; (o = requests.readInbound()) != null; ) {
        onRequestPart((HttpObject) o);
      }
    }

    synchronized void fromServer(Buffer data) {
      if (upgraded) {
        if (frames == null) {
          return;
        }
        frames.writeInbound(copy(data));
        for (Object o; (o = frames.readInbound()) != null; ) {
          WebSocketFrame frame = (WebSocketFrame) o;
          try {
            // a long message arrives as a text frame and its continuations: kept whole
            if (frame instanceof TextWebSocketFrame text) {
              message = new StringBuilder(text.text());
            } else if (frame instanceof ContinuationWebSocketFrame more && message != null) {
              message.append(more.text());
            }
            if (message != null && frame.isFinalFragment()) {
              if (serverFrames.size() < MAX_FRAMES) {
                serverFrames.add(message.toString());
              } else {
                wsTruncated = true;
              }
              message = null;
            }
          } finally {
            frame.release();
          }
        }
        return;
      }
      responses.writeInbound(copy(data));
      for (Object o; (o = responses.readInbound()) != null; ) {
        onResponsePart((HttpObject) o);
        if (upgraded) {
          // what follows the 101 on this connection is WebSocket frames, not HTTP
          ByteBuf rest = Unpooled.buffer();
          for (Object more; (more = responses.readInbound()) != null; ) {
            if (more instanceof HttpContent content) {
              rest.writeBytes(content.content());
              content.release();
            }
          }
          responses.finishAndReleaseAll();
          if (rest.isReadable()) {
            frames.writeInbound(rest);
          } else {
            rest.release();
          }
          return;
        }
      }
    }

    private void onRequestPart(HttpObject part) {
      if (part instanceof HttpRequest head) {
        request = new Partial(head.method().name(), head.uri(), headers(head.headers()));
        request.decoded = head.decoderResult().isSuccess();
      }
      if (part instanceof HttpContent content) {
        if (request != null) {
          request.append(content.content());
        }
        content.release();
        if (part instanceof LastHttpContent && request != null) {
          queue(request);
          request = null;
        }
      }
      if (!part.decoderResult().isSuccess() && request != null) {
        request.decoded = false;
        queue(request);
        request = null;
      }
    }

    /** A request sent in full waits for its response, unless it was answered before its end. */
    private void queue(Partial complete) {
      if (!complete.answered) {
        sent.addLast(complete);
      }
    }

    /**
     * The request a response answers: the oldest one sent in full, or else the one still being sent
     * (a server may answer early, say 413 to a body over its limit, before the body ends).
     */
    private Partial answered() {
      Partial req = sent.pollFirst();
      if (req == null && request != null) {
        req = request;
        req.answered = true;
      }
      return req;
    }

    private void onResponsePart(HttpObject part) {
      if (part instanceof HttpResponse head) {
        response = new Partial(null, null, headers(head.headers()));
        response.status = head.status().code();
        if (response.status == 101) {
          Partial req = answered();
          upgraded = true;
          frames =
              new EmbeddedChannel(
                  new WebSocket08FrameDecoder(
                      WebSocketDecoderConfig.newBuilder()
                          .expectMaskedFrames(false)
                          .allowExtensions(true)
                          .maxFramePayloadLength(MAX_BODY)
                          .build()));
          upgrade = exchange(req, response, true);
          response = null;
          return;
        }
      }
      if (part instanceof HttpContent content) {
        if (response != null) {
          response.append(content.content());
        }
        content.release();
        if (part instanceof LastHttpContent && response != null) {
          record(exchange(answered(), response, true));
          response = null;
        }
      }
    }

    synchronized void closed() {
      if (upgrade != null) {
        record(
            new Exchange(
                upgrade.method(),
                upgrade.uri(),
                upgrade.requestHeaders(),
                upgrade.requestBody(),
                upgrade.requestDecoded(),
                upgrade.status(),
                upgrade.responseHeaders(),
                upgrade.responseBody(),
                true,
                wsTruncated,
                List.copyOf(serverFrames)));
        upgrade = null;
      }
      if (response != null) {
        record(exchange(answered(), response, false));
        response = null;
      }
      if (requests != null) {
        requests.finishAndReleaseAll();
      }
      if (!upgraded) {
        responses.finishAndReleaseAll();
      }
      if (frames != null) {
        frames.finishAndReleaseAll();
      }
    }

    private Exchange exchange(Partial req, Partial res, boolean complete) {
      return new Exchange(
          req == null ? null : req.method,
          req == null ? null : req.uri,
          req == null ? Map.of() : req.headers,
          req == null ? new byte[0] : req.body.toByteArray(),
          req != null && req.decoded,
          res.status,
          res.headers,
          res.body.toByteArray(),
          complete,
          (req != null && req.truncated) || res.truncated,
          List.of());
    }
  }

  private static ByteBuf copy(Buffer data) {
    return Unpooled.wrappedBuffer(data.getBytes());
  }

  private static Map<String, String> headers(HttpHeaders headers) {
    Map<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach(e -> map.merge(e.getKey(), e.getValue(), (a, b) -> a + "," + b));
    return Collections.unmodifiableMap(map);
  }

  /** A request or response being decoded. */
  private static final class Partial {
    final String method;
    final String uri;
    final Map<String, String> headers;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    int status;
    boolean decoded = true;
    boolean truncated;

    /** A request answered before it was sent in full: nothing else is its response. */
    boolean answered;

    Partial(String method, String uri, Map<String, String> headers) {
      this.method = method;
      this.uri = uri;
      this.headers = headers;
    }

    void append(ByteBuf content) {
      int n = content.readableBytes();
      if (body.size() + n > MAX_BODY) {
        truncated = true;
        return;
      }
      byte[] bytes = new byte[n];
      content.getBytes(content.readerIndex(), bytes);
      body.writeBytes(bytes);
    }
  }

  @Override
  public void close() {
    server.close().await();
    client.close().await();
  }
}
