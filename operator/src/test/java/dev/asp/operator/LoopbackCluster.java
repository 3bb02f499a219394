package dev.asp.operator;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * The settings that make test nodes one Hazelcast cluster on loopback: a cluster name of their own
 * (test runs never meet), a free member port per node, every member listed, no join wait.
 */
final class LoopbackCluster {
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

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
