package dev.asp.protocol.a2a;

import dev.asp.protocol.bus.Addresses;

/**
 * Actions of the A2A verticle at {@link Addresses#A2A}. Every request carries the authenticated
 * {@code caller} handle (never taken from an HTTP body); node ids in requests are already resolved
 * to handles by the gateway, and replies are the {@code /a2a/*} success bodies (node ids in their
 * wire form). Failures are {@link A2aError}s: {@code session_not_found} (also for trust denials and
 * private sessions the caller is not in), {@code not_session_participant}, {@code session_full},
 * {@code session_closed}, {@code unsupported_session_kind}, {@code validation_error}, {@code
 * node_not_found} (also for a DM recipient trust denies); {@code unavailable} when the database is
 * down.
 */
public enum A2aAction {
  /**
   * {@code {caller, hello: boolean, capabilities?}} → {@code {level}}: the node said hello or
   * heartbeat: its liveness is refreshed (and, on hello, its declared capabilities replaced).
   * Creates the node record on an agent's first A2A request.
   */
  NODE_SEEN,
  /**
   * {@code {handle, level: 1..3}} → {@code {handle, level}}: an admin set the agent's capability
   * level (hub spec §3 "Levels"); the caller checked with trust that the principal may.
   */
  SET_LEVEL,
  /**
   * {@code {caller, title?, description?, invitees:[handle], max_participants, visibility}} → the
   * {@code session/create} body (hub spec §6.2), with unreachable invitees in {@code
   * rejected_invites}.
   */
  SESSION_CREATE,
  /** {@code {caller, session_id}} → the {@code session/join} body (§6.3). */
  SESSION_JOIN,
  /** {@code {caller, session_id}} → the {@code session/leave} body (§6.3). */
  SESSION_LEAVE,
  /**
   * {@code {caller, session_id, payload, to?: handle, msg_type, metadata?}} → the {@code
   * session/message} body (§6.4); with {@code to} the message's audience is sender and recipient.
   */
  SESSION_MESSAGE,
  /** {@code {limit}} → {@code {sessions:[…], count}} (§6.5): public a2a sessions, no caller. */
  SESSION_LIST,
  /** {@code {caller, session_id, limit}} → the {@code session/context} body (§6.6). */
  SESSION_CONTEXT,
  /**
   * {@code {caller, view, channel, request_id, cursor?: long, limit, wait_ms, claim?}} → {@code
   * {events, numbers, next_cursor, has_more, superseded}}: one pull of the caller's event stream
   * (§5.3). It takes the channel (unless {@code claim} is false: a stream's follow-up pulls keep it
   * only while nobody took it), acknowledges (up to {@code cursor}, else the channel's written
   * rows), hands out unacknowledged rows first, then numbers new events; with nothing to hand out
   * it waits up to {@code wait_ms}. Answers empty with {@code superseded: true} once another
   * request of the same node and channel took the channel. Without a {@code cursor} it first waits
   * (at most 2 s, and at most half the bus timeout) for the {@code PULL_WRITTEN} of the channel's
   * previous response, so a response the client read in full is never handed out again because its
   * report was slower than the client's next request.
   */
  PULL,
  /**
   * {@code {caller, view, channel, numbers:[long], written?: boolean}} → {@code {ok}}: the response
   * carrying those rows was written in full to the client ({@code written} true, the default: the
   * channel's next request acknowledges them) or could not be ({@code false}: they are handed out
   * again, first). Announced on {@link Addresses#A2A_WRITTEN} once committed.
   */
  PULL_WRITTEN,
  /**
   * {@code {caller, to: handle, payload: any non-null JSON value, metadata?: object}} → {@code
   * {dm_id, message_id, id, status:"sent", session_id, to_node_id, created_at}} (§7; the three ids
   * are the message id, §18.9; {@code to_node_id} in wire form). The message goes to the one {@code
   * dm} session of the unordered pair, created on first use (a replacement when it ended), with
   * whichever side left joined again by the hub, all in one transaction. The caller bounds the
   * payload's size. Fails {@code validation_error} (no recipient, the caller itself, no payload)
   * and {@code node_not_found} (an unknown recipient and one trust denies answer alike).
   */
  DM_SEND,
  /**
   * {@code {caller, limit: 1..100, include_read: boolean, request_id}} → {@code {messages:[…],
   * count, unread, numbers}} (§7): the direct messages to the caller that its {@code inbox} view
   * has not delivered yet, oldest first; the next read acknowledges the rows reported with {@link
   * #PULL_WRITTEN} (view and channel {@code inbox}). With {@code include_read} the newest {@code
   * limit} DMs to the caller, acknowledging nothing ({@code numbers} empty). {@code unread}: the
   * DMs still undelivered on the view after this response. Fails {@code validation_error}.
   */
  DM_INBOX,
  /**
   * {@code {caller, messages:[{id, type, command?, rejection?:{error, reason}}]}} → {@code
   * {results:[…], count}}: the mailbox's command inbox (hub spec §10). The gateway has parsed each
   * message exactly as its REST route parses a body: {@code command} is that route's bus request
   * (without {@code caller}), or {@code rejection} its 4xx verdict. Messages are applied in order,
   * each in its own transaction with its result stored under {@code (caller, id)} (rejections too),
   * so a retried id returns the stored result and applies nothing. Every result has {@code id},
   * {@code status} ({@code ok} | {@code rejected} | {@code failed}) and {@code original_type};
   * {@code failed} (transient: nothing stored) also stops the batch, so no later message overtakes
   * one the client must retry. A message with a null {@code id} is answered but never stored.
   */
  MAILBOX_OUTBOUND,
  /**
   * {@code {caller, cursor?: long, limit}} → {@code {messages:[{id, type, payload, priority,
   * ref_id, expires_at}], next_cursor, has_more}}: the {@code mailbox} view (§5.3, §10): the
   * unacknowledged, unexpired messages numbered above {@code cursor}, then newly numbered ones.
   * Acknowledges nothing; records the caller's last pull.
   */
  MAILBOX_INBOUND,
  /**
   * {@code {caller, message_ids:[event_id]}} → {@code {status:"ok", acked}}: acknowledges those
   * mailbox messages for good; unknown and foreign ids are ignored.
   */
  MAILBOX_ACK,
  /**
   * {@code {caller, probe?: boolean, proxy?: boolean}} → {@code {node_id, pending,
   * delivered_unacked, oldest_pending_at, next_cursor, last_pull_at, mailbox_client}}. {@code
   * pending}: unacknowledged messages no inbound handed out yet; {@code delivered_unacked}: handed
   * out, not acknowledged. {@code mailbox_client}: the caller pulled its mailbox within the offline
   * window, or {@code proxy} (its heartbeat carries {@code meta.proxy_protocol_version}). With
   * {@code probe} a caller that is no mailbox client gets {@code {mailbox_client:false}} alone, and
   * nothing is numbered for it (heartbeats ask this way).
   */
  MAILBOX_STATUS,
  /**
   * {@code {caller?, session_id}} → {@code {session_id, status, tasks:[Task], summary, count}}
   * (§8.2). A public session needs no caller; a private one needs a participant, else {@code
   * session_not_found}.
   */
  BOARD_READ,
  /**
   * {@code {caller, session_id, add_tasks?:[NewTask], update_tasks?:[{task_id, title?,
   * description?, contribution_weight?, signals?}]}} → {@code {session_id, added, updated,
   * summary}} (§8.3). A NewTask is {@code {title, description, signals:[…], contribution_weight,
   * assigned_to (handle or null), role, depends_on_new:[index into add_tasks],
   * depends_on_existing:[task_id]}}; the gateway resolved refs to indices and refused cycles among
   * the new tasks. Fails {@code validation_error} (unknown dependency, assignee not joined), {@code
   * task_not_found}, {@code session_closed}, {@code not_session_participant}.
   */
  BOARD_UPDATE,
  /**
   * {@code {caller, session_id, task_id, result_asset_id (or null from the mailbox), summary?}} →
   * {@code {session_id, task_id, status:"completed", result_asset_id, unblocked, session_status,
   * session_reminder}} (§8.4), checks in the order of §18.11.
   */
  SUBMIT,
  /**
   * {@code {caller, session_id, add_tasks?, update_tasks?, reassign:[{task_id, to (handle or
   * null)}], force_converge}} → {@code {session_id, board:{added, updated}, reassigned:[{task_id,
   * from, to, status}], converging, session_status}} (§8.5); orchestrator only, all or nothing.
   */
  ORCHESTRATE,
  /**
   * {@code {caller, topic, subscribe: boolean}} → {@code {topic, action, subscribed, count}} (§9).
   */
  SUBSCRIBE,
  /** {@code {caller}} → {@code {subscriptions:[{topic, created_at}], count}} (§9). */
  SUBSCRIPTIONS,
  /**
   * {@code {caller, query?, capabilities:[keyword], signals:[signal], limit}} → the {@code
   * discover} body (§9).
   */
  DISCOVER,
  /**
   * {@code {caller, context_type: "session" | "deliberation" | "pipeline", context_id, dialog_type,
   * content, to (handle)?, reference_id?, round?}} → the {@code dialog} body (§11): a typed post in
   * the context's backing session (a deliberation's or a pipeline's is its own session of that
   * kind). Fails {@code session_not_found}, {@code not_session_participant}, {@code
   * not_session_orchestrator} (an {@code orchestrate} post by anyone but the orchestrator, or a
   * pipeline's creator), {@code validation_error} (recipient or reference unknown, a vote without
   * approve/reject/revise), {@code session_closed}, {@code unsupported_session_kind}; in a
   * deliberation {@code deliberation_not_found}, {@code not_deliberation_participant} (the
   * initiator), {@code deliberation_closed}, {@code invalid_phase_for_dialog_type} (a type or a
   * round the current phase does not take); in a pipeline {@code pipeline_not_found} (unknown, or
   * the caller is neither the creator nor an assignee) and {@code pipeline_closed}.
   */
  DIALOG_POST,
  /**
   * {@code {caller, context_type, context_id, limit, cursor?, dialog_type?}} → {@code
   * {messages:[post], next_cursor, count}}: the context's posts the caller may see, ascending.
   */
  DIALOG_HISTORY,
  /**
   * {@code {caller, message_id}} → {@code {root_id, messages:[post], count}}: the thread the post
   * belongs to; {@code message_not_found} when unknown or not visible.
   */
  DIALOG_THREAD,
  /**
   * {@code {caller, title, body, task_id?, session_id?, mode, max_rounds, min_agents, max_agents,
   * timeout_ms, threshold}} (checked and defaulted by the gateway) → the {@code deliberation/start}
   * body (§12), or {@code {status:"insufficient_agents", deliberation_id:null, required,
   * available}} with nothing stored. Fails {@code session_not_found} (a linked session or a task's
   * session the caller is not joined in), {@code task_not_found}.
   */
  DELIBERATION_START,
  /**
   * {@code {caller, deliberation_id}} → the {@code GET /a2a/deliberation/:id} body: what the caller
   * may see now; {@code deliberation_not_found} for a non-member.
   */
  DELIBERATION_READ,
  /** {@code {caller, deliberation_id}} → the {@code /:id/status} body (§12). */
  DELIBERATION_STATUS,
  /**
   * {@code {caller, name?, description?, steps?:[{role, capabilities:[string], name?,
   * description?}] (ordered, 2..10), input_data? (any JSON value), is_template, template_id?}} →
   * the {@code pipeline/create} body (§13). The gateway checked every shape and ordered the steps;
   * with {@code template_id} the template's name, description and steps are copied here ({@code
   * name}, {@code description} and {@code input_data}, when given, win). A template stores the
   * pipeline with status {@code template} and nothing else; otherwise a private session of kind
   * {@code pipeline} is created with the creator joined, and step 1 is made current and assigned
   * (§13 [choice]): the best-matching alive node the creator reaches, joined by the hub, with
   * {@code a2a.pipeline_step_assigned} for it and the creator; no match leaves the pipeline {@code
   * stalled}. Fails {@code pipeline_not_found} (an unknown template), {@code validation_error}.
   */
  PIPELINE_CREATE,
  /**
   * {@code {caller, pipeline_id, result_asset_id? ("sha256:<64 hex>", lower case), output_data?
   * (any JSON value)}} → {@code {pipeline_id, status, completed_step, current_step, next_assignee,
   * output_data}} (§13): the current step completes, the next becomes current with {@code input =
   * output_data} and is assigned (or the pipeline stalls); after the last step the pipeline is
   * {@code completed}, {@code a2a.pipeline_completed} goes to every member and the session ends.
   * Fails {@code pipeline_not_found} (unknown, or the caller is neither the creator nor an
   * assignee), {@code pipeline_closed} (completed or failed), {@code not_step_assignee}.
   */
  PIPELINE_ADVANCE,
  /**
   * {@code {caller?, pipeline_id}} → the {@code GET /a2a/pipeline/:id} body (§13). A template is
   * anyone's to read; any other pipeline only its creator's and its assignees', else {@code
   * pipeline_not_found}.
   */
  PIPELINE_READ,
  /**
   * {@code {limit: 1..50}} → {@code {templates:[{template_id, pipeline_id, name, description,
   * steps, created_by, created_at}], count}}, newest first (§13); no caller needed.
   */
  PIPELINE_TEMPLATES
}
