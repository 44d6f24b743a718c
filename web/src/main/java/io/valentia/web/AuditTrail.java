package io.valentia.web;

import io.valentia.eventbus.CloudEvent;
import io.valentia.eventbus.EventCodec;
import io.valentia.eventbus.kafka.EventPublisher;
import io.valentia.eventbus.payload.Audit;
import io.valentia.web.auth.AccessApi;
import io.valentia.web.auth.ClientAddress;
import io.valentia.web.auth.Principal;
import io.valentia.web.auth.RolePolicy;
import io.valentia.web.auth.Sessions;
import io.valentia.web.gateway.ApiGateway;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every change under {@code /api/v1}, allowed or not, becomes an audit event when it is answered; a
 * change forwarded to another process is audited there. A lost audit event is logged and never
 * fails the request.
 */
final class AuditTrail {
  private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);

  private final EventPublisher audit;
  private final ClientAddress client;

  /**
   * @param audit where the audit events go; null: not audited (tests only)
   */
  AuditTrail(EventPublisher audit, ClientAddress client) {
    this.audit = audit;
    this.client = client;
  }

  /** The route handler: notes the request and passes it on. */
  void handle(RoutingContext ctx) {
    if (audit != null && RolePolicy.isMutation(ctx.request().method())) {
      String path = ctx.normalizedPath();
      String method = ctx.request().method().name();
      String remote = client.of(ctx.request());
      ctx.addEndHandler(done -> answered(ctx, method, path, remote));
    }
    ctx.next();
  }

  private void answered(RoutingContext ctx, String method, String path, String remote) {
    if (Boolean.TRUE.equals(ctx.get(ApiGateway.FORWARDED))) {
      return; // the process that answered audits it
    }
    int status = ctx.response().getStatusCode();
    Principal who = ctx.get(AccessApi.PRINCIPAL);
    Sessions.Session session = ctx.get(AccessApi.SESSION);
    if (who == null && session != null) {
      who = session.principal();
    }
    // a refusal without a valid token is audited too: actor "anonymous", role "none"
    Audit event =
        new Audit(
            who == null ? "anonymous" : who.name(),
            who == null ? "none" : who.role(),
            method + " " + path,
            path,
            status < 400
                ? "success"
                : status == 401 || status == 403 || status == 429 ? "denied" : "failure",
            remote,
            EventCodec.MAPPER
                .createObjectNode()
                .put("status", status)
                .put("via", session != null ? "session" : "token"));
    audit
        .publish(CloudEvent.of(event).source("/web").subject(event.actor()).build())
        .onFailure(e -> LOG.warn("audit event for {} {} lost: {}", method, path, e.toString()));
  }
}
