package dev.asp.operator.cluster;

import java.util.List;

/**
 * How a node finds its cluster. {@link Mode#NONE} (the default) runs a single node without
 * Hazelcast; the other modes join a Hazelcast cluster through which the Vert.x event bus spans all
 * nodes.
 *
 * @param members {@code host[:port]} of the members to try in {@link Mode#TCP_IP}
 * @param kubernetesServiceDns DNS name of the headless Service listing the pods ({@link
 *     Mode#KUBERNETES}); needs no Kubernetes API access
 * @param interfaceAddress the only address Hazelcast binds, and the one it advertises (an IP, e.g.
 *     the pod IP), or null to let Hazelcast choose
 * @param heartbeatSeconds how often members send heartbeats
 * @param memberTimeoutSeconds a member silent this long is removed from the cluster (a killed
 *     process whose connections close is usually detected sooner)
 * @param joinWaitSeconds how long a starting member looks for others before forming a cluster
 * @param mergeDelaySeconds how soon after a partition heals the halves look for each other
 * @param eventBusHost address the Vert.x event bus binds, or null for the cluster address
 * @param eventBusPublicHost address other nodes use to reach this node's event bus, or null
 * @param eventBusPort event-bus port (0 = any free port)
 * @param presenceCheckSeconds how often session nodes forget presence rows (older than this) of
 *     nodes that are not members: the safety net behind membership events
 * @param eventBusTls the key material of mutual TLS between event buses, or null for plain TCP
 */
public record ClusterSettings(
    Mode mode,
    String name,
    int port,
    List<String> members,
    String kubernetesServiceDns,
    String interfaceAddress,
    int heartbeatSeconds,
    int memberTimeoutSeconds,
    int joinWaitSeconds,
    int mergeDelaySeconds,
    String eventBusHost,
    String eventBusPublicHost,
    int eventBusPort,
    int presenceCheckSeconds,
    EventBusTls eventBusTls) {

  /**
   * Mutual TLS on the event bus: this node presents {@code certPath} (with {@code keyPath}) both as
   * server and as client, and accepts only peers whose certificate {@code caPath} signed. Any node
   * holding a certificate of that CA is a member; host names are not checked (pods' addresses
   * change), so the CA must sign nothing but this cluster's nodes.
   *
   * @param certPath PEM certificate (chain) of this node
   * @param keyPath PEM private key of that certificate (PKCS#8 or PKCS#1)
   * @param caPath PEM certificate(s) of the CA(s) a peer's certificate must chain to
   */
  public record EventBusTls(String certPath, String keyPath, String caPath) {}

  /**
   * The cluster name when none is set: convenient on a laptop, but every deployment that keeps it
   * shares it. A Hazelcast cluster name is no credential (members send it in clear and Hazelcast
   * checks nothing else), so it only keeps apart clusters that are not trying to meet.
   */
  public static final String DEFAULT_NAME = "asp";

  /** How members discover each other. */
  public enum Mode {
    NONE,
    TCP_IP,
    KUBERNETES,
    MULTICAST;

    public static Mode parse(String text) {
      return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
        case "none" -> NONE;
        case "tcp-ip" -> TCP_IP;
        case "kubernetes" -> KUBERNETES;
        case "multicast" -> MULTICAST;
        default ->
            throw new IllegalArgumentException(
                "must be one of none, tcp-ip, kubernetes, multicast (got '" + text + "')");
      };
    }
  }

  public ClusterSettings {
    members = List.copyOf(members);
  }

  public boolean clustered() {
    return mode != Mode.NONE;
  }

  /** A single node that joins no cluster. */
  public static ClusterSettings none() {
    return new ClusterSettings(
        Mode.NONE,
        DEFAULT_NAME,
        5701,
        List.of(),
        null,
        null,
        1,
        10,
        5,
        30,
        null,
        null,
        0,
        60,
        null);
  }
}
