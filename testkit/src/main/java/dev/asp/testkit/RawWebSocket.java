package dev.asp.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A WebSocket client on a plain blocking socket that does nothing by itself: no automatic pong, no
 * automatic close reply, frames exactly when and in the order the test writes them. For tests that
 * must play a client the usual libraries cannot (one that stops reading the moment it sends its
 * close frame, or answers a ping only after it). Blocking: use it from the test thread; every read
 * is bounded by the socket timeout given to {@link #connect}.
 */
public final class RawWebSocket implements AutoCloseable {
  public static final int TEXT = 0x1;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** Longest frame payload this client accepts; anything longer is a test failure, not a hang. */
  private static final int MAX_PAYLOAD = 1 << 20;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** One frame as received: its opcode and payload (a fragmented message is refused). */
  public record Frame(int opcode, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /**
   * Opens {@code path} on {@code host:port} with a bearer token and completes the upgrade; fails
   * unless the answer is {@code 101}. Every later read waits at most {@code timeoutMs}.
   */
  public static RawWebSocket connect(
      String host, int port, String path, String bearer, int timeoutMs) throws IOException {
    Socket socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.connect(new InetSocketAddress(host, port), timeoutMs);
    socket.setSoTimeout(timeoutMs);
    byte[] nonce = new byte[16];
    RANDOM.nextBytes(nonce);
    String request =
        "GET "
            + path
            + " HTTP/1.1\r\nHost: "
            + host
            + ":"
            + port
            + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Key: "
            + Base64.getEncoder().encodeToString(nonce)
            + "\r\nAuthorization: Bearer "
            + bearer
            + "\r\n\r\n";
    RawWebSocket ws = new RawWebSocket(socket);
    try {
      ws.out.write(request.getBytes(StandardCharsets.US_ASCII));
      ws.out.flush();
      String head = ws.readHead();
      if (!head.startsWith("HTTP/1.1 101")) {
        throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(head));
      }
      return ws;
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** The response head, up to the blank line; the bytes after it are frames. */
  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed during the upgrade");
      }
      head.write(b);
      String text = head.toString(StandardCharsets.US_ASCII);
      if (text.endsWith("\r\n\r\n")) {
        return text;
      }
      if (head.size() > 16_384) {
        throw new IOException("response head too long");
      }
    }
  }

  /** The next frame, or null once the server has closed the connection. */
  public Frame read() throws IOException {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    int second = in.readUnsignedByte();
    if ((first & 0x80) == 0) {
      throw new IOException("fragmented message: not supported by this test client");
    }
    if ((second & 0x80) != 0) {
      throw new IOException("the server masked a frame");
    }
    long length = second & 0x7F;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    if (length > MAX_PAYLOAD) {
      throw new IOException("frame of " + length + " bytes");
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(first & 0x0F, payload);
  }

  /** Writes one final, masked frame (as a client must). */
  public void send(int opcode, byte[] payload) throws IOException {
    out.write(frame(opcode, payload));
    out.flush();
  }

  /** Writes several frames in one write: they reach the server together, in this order. */
  public void sendAll(byte[]... frames) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (byte[] f : frames) {
      all.write(f);
    }
    out.write(all.toByteArray());
    out.flush();
  }

  /** The bytes of one final, masked frame. */
  public static byte[] frame(int opcode, byte[] payload) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(0x80 | opcode);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length < 65_536) {
      f.write(0x80 | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xFF);
    } else {
      f.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) ((long) payload.length >>> shift) & 0xFF);
      }
    }
    byte[] mask = new byte[4];
    RANDOM.nextBytes(mask);
    f.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i % 4]);
    }
    return f.toByteArray();
  }

  /** The payload of a close frame with {@code code} and {@code reason}. */
  public static byte[] closePayload(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[2 + text.length];
    payload[0] = (byte) (code >>> 8);
    payload[1] = (byte) code;
    System.arraycopy(text, 0, payload, 2, text.length);
    return payload;
  }

  /** Reads and drops everything until the server closes the connection (bounded by the timeout). */
  public void drainToEnd() throws IOException {
    InputStream raw = in;
    byte[] sink = new byte[8192];
    while (raw.read(sink) >= 0) {
      // dropped: a client that has sent its close frame reads no more data
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
