package dev.asp.operator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The settings that make test nodes one Hazelcast cluster on loopback: a cluster name of their own
 * (test runs never meet), a free member port per node, every member listed, no join wait.
 */
final class LoopbackCluster {
  /** Every port {@link #freePort()} returned in this JVM. */
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  final String name;
  private final List<Integer> ports = new ArrayList<>();

  LoopbackCluster(String prefix, int size) {
    this.name = prefix + UUID.randomUUID();
    for (int i = 0; i < size; i++) {
      ports.add(freePort());
    }
  }

  /** The {@code ASP_CLUSTER_*} and event-bus settings of node {@code index}. */
  Map<String, String> settings(int index) {
    StringJoiner members = new StringJoiner(",");
    ports.forEach(port -> members.add("127.0.0.1:" + port));
    return Map.of(
        "ASP_CLUSTER_MODE", "tcp-ip",
        "ASP_CLUSTER_NAME", name,
        "ASP_CLUSTER_PORT", "" + ports.get(index),
        "ASP_CLUSTER_MEMBERS", members.toString(),
        "ASP_CLUSTER_INTERFACE", "127.0.0.1",
        "ASP_CLUSTER_JOIN_WAIT_S", "0",
        "ASP_EVENTBUS_HOST", "127.0.0.1");
  }

  /**
   * A port free now, below the kernel's ephemeral range: a port picked by binding port 0 is free
   * again once released, and a node started later could find it taken by any process's outgoing
   * connection or port-0 bind (another node's event bus, a database connection) in the meantime.
   * Never the same port twice in one JVM: ports picked together (a node's HTTP port, another's
   * member port) are all free but none is bound until the nodes start.
   */
  static int freePort() {
    int below = ephemeralLow();
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = 10_000 + ThreadLocalRandom.current().nextInt(below - 10_000);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IllegalStateException("no free port below " + below);
  }

  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Math.max(20_000, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768; // Linux's default
    }
  }
}
