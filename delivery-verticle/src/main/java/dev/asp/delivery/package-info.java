/**
 * The delivery verticle: the node's live WebSocket connections, cluster-wide presence and ordered,
 * gap-free delivery by per-(agent, session) cursor (P5). Its input is the session verticle's {@link
 * dev.asp.protocol.bus.Addresses#EVENTS_COMMITTED} announcements plus the event log.
 *
 * <p>Not built yet: this slice of the operator serves the REST surface only; {@code WS /connect}
 * arrives with the live-delivery work.
 */
package dev.asp.delivery;
