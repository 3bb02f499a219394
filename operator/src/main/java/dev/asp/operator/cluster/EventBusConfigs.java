package dev.asp.operator.cluster;

import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;

/**
 * Turns {@link ClusterSettings} into the clustered event bus's options: where it listens, where
 * other nodes reach it, and, when {@link ClusterSettings#eventBusTls()} is set, mutual TLS. The
 * event bus carries bearer tokens and message content between nodes, so with TLS every connection
 * is encrypted and both ends must hold a certificate of the cluster's CA; a peer without one cannot
 * deliver to this node, nor receive from it.
 */
public final class EventBusConfigs {
  private EventBusConfigs() {}

  public static EventBusOptions build(ClusterSettings settings) {
    EventBusOptions options = new EventBusOptions().setPort(settings.eventBusPort());
    if (settings.eventBusHost() != null) {
      options.setHost(settings.eventBusHost());
    }
    if (settings.eventBusPublicHost() != null) {
      options.setClusterPublicHost(settings.eventBusPublicHost());
    }
    ClusterSettings.EventBusTls tls = settings.eventBusTls();
    if (tls != null) {
      // the same options configure the bus's server and its client: one certificate for both
      // roles, and the server refuses a client that presents none the CA signed. The event bus's
      // client trusts every server by default (trustAll): off, or a node would send to a member
      // whose certificate no one signed
      options
          .setSsl(true)
          .setTrustAll(false)
          .setKeyCertOptions(
              new PemKeyCertOptions().setCertPath(tls.certPath()).setKeyPath(tls.keyPath()))
          .setTrustOptions(new PemTrustOptions().addCertPath(tls.caPath()))
          .setClientAuth(ClientAuth.REQUIRED);
    }
    return options;
  }
}
