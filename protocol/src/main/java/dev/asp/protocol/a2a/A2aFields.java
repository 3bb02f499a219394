package dev.asp.protocol.a2a;

/** JSON field names of the A2A wire ({@code /a2a/*} bodies, envelopes, payloads), spelled once. */
public final class A2aFields {
  private A2aFields() {}

  // identity
  public static final String SENDER_ID = "sender_id";
  public static final String NODE_ID = "node_id";
  public static final String YOUR_NODE_ID = "your_node_id";
  public static final String HUB_NODE_ID = "hub_node_id";
  public static final String NODE_SECRET = "node_secret";
  public static final String NODE_SECRET_ISSUED = "node_secret_issued";
  public static final String NODE_SECRET_VERSION = "node_secret_version";
  public static final String NODE_SECRET_STATUS = "node_secret_status";
  public static final String ROTATE_SECRET = "rotate_secret";
  public static final String CAPABILITIES = "capabilities";
  public static final String CAPABILITY_PROFILE = "capability_profile";
  public static final String LEVEL = "level";
  public static final String REPUTATION = "reputation";
  public static final String ENDPOINTS = "endpoints";
  public static final String SURVIVAL_STATUS = "survival_status";
  public static final String NODE_STATUS = "node_status";
  public static final String SERVER_TIME = "server_time";
  public static final String HEARTBEAT_INTERVAL_MS = "heartbeat_interval_ms";
  public static final String NEXT_HEARTBEAT_MS = "next_heartbeat_ms";
  public static final String HAS_PENDING_EVENTS = "has_pending_events";
  public static final String PENDING_EVENTS = "pending_events";
  public static final String AVAILABLE_WORK = "available_work";
  public static final String OVERDUE_TASKS = "overdue_tasks";
  public static final String HANDLE = "handle";
  public static final String HELLO = "hello";

  // envelope form
  public static final String PROTOCOL = "protocol";
  public static final String MESSAGE_TYPE = "message_type";
  public static final String PAYLOAD = "payload";

  // common
  public static final String STATUS = "status";
  public static final String OK = "ok";
  public static final String ID = "id";
  public static final String SESSION_ID = "session_id";
  public static final String CREATED_AT = "created_at";
  public static final String UPDATED_AT = "updated_at";
  public static final String LIMIT = "limit";
  public static final String COUNT = "count";
  public static final String REASON = "reason";
  public static final String MESSAGE = "message";
  public static final String CALLER = "caller";

  // sessions
  public static final String TITLE = "title";
  public static final String TOPIC = "topic";
  public static final String PURPOSE = "purpose";
  public static final String DESCRIPTION = "description";
  public static final String INVITE_NODE_IDS = "invite_node_ids";
  public static final String INVITEES = "invitees";
  public static final String PARTICIPANTS = "participants";
  public static final String INVITED = "invited";
  public static final String REJECTED_INVITES = "rejected_invites";
  public static final String MAX_PARTICIPANTS = "max_participants";
  public static final String VISIBILITY = "visibility";
  public static final String OWNER_ID = "owner_id";
  public static final String ORCHESTRATOR_ID = "orchestrator_id";
  public static final String ALREADY_JOINED = "already_joined";
  public static final String SESSION_STATUS = "session_status";
  public static final String SESSION_REMINDER = "session_reminder";
  public static final String SESSIONS = "sessions";
  public static final String KIND = "kind";
  public static final String PARTICIPANT_COUNT = "participant_count";
  public static final String OPEN_TASK_COUNT = "open_task_count";
  public static final String ROLE = "role";
  public static final String JOINED_AT = "joined_at";
  public static final String ALIVE = "alive";

  // messages
  public static final String CONTENT = "content";
  public static final String TO_NODE_ID = "to_node_id";
  public static final String TO = "to";
  public static final String MSG_TYPE = "msg_type";
  public static final String METADATA = "metadata";
  public static final String MESSAGE_ID = "message_id";
  public static final String SEQUENCE = "sequence";
  public static final String FROM_NODE_ID = "from_node_id";
  public static final String FROM_NODE_ID_CAMEL = "fromNodeId";
  public static final String DIALOG_TYPE = "dialog_type";
  public static final String PAYLOAD_KIND = "payload_kind";
  public static final String CONTEXT = "context";
  public static final String A2A = "a2a";

  // direct messages
  public static final String DM_ID = "dm_id";
  public static final String RECIPIENT_ID = "recipient_id";
  public static final String RECIPIENT_NODE_ID = "recipient_node_id";
  public static final String FROM = "from";
  public static final String TIMESTAMP = "timestamp";
  public static final String READ = "read";
  public static final String MESSAGES = "messages";
  public static final String UNREAD = "unread";
  public static final String INCLUDE_READ = "include_read";

  // context
  public static final String SHARED_CONTEXT = "shared_context";
  public static final String COMPACTED_KEYS = "compacted_keys";
  public static final String SHARED_CONTEXT_BYTES = "shared_context_bytes";
  public static final String PLAN = "plan";
  public static final String ORDER = "order";
  public static final String READY = "ready";
  public static final String MY_TASKS = "my_tasks";
  public static final String TASKS = "tasks";
  public static final String RECENT_MESSAGES = "recent_messages";
  public static final String OLDER_MESSAGES = "older_messages";

  // reminder
  public static final String SESSION_GOAL = "session_goal";
  public static final String YOUR_ROLE = "your_role";
  public static final String YOUR_SUBTASKS = "your_subtasks";
  public static final String SUBTASK_STATUS_SUMMARY = "subtask_status_summary";
  public static final String RECENT_UPDATES = "recent_updates";
  public static final String NEXT_ACTIONS = "next_actions";

  // event views
  public static final String EVENTS = "events";
  public static final String EVENT_ID = "event_id";
  public static final String TYPE = "type";
  public static final String EVENT_TYPE = "event_type";
  public static final String CURSOR = "cursor";
  public static final String NEXT_CURSOR = "next_cursor";
  public static final String HAS_MORE = "has_more";
  public static final String TIMEOUT_MS = "timeout_ms";
  public static final String VIEW = "view";
  public static final String CHANNEL = "channel";
  public static final String REQUEST_ID = "request_id";
  public static final String WAIT_MS = "wait_ms";
  public static final String NUMBERS = "numbers";
  public static final String WRITTEN = "written";
  public static final String INVITER_ID = "inviter_id";
  public static final String ENDED_BY = "ended_by";

  // mailbox (§10)
  public static final String RESULTS = "results";
  public static final String ORIGINAL_TYPE = "original_type";
  public static final String RESPONSE = "response";
  public static final String RETRYABLE = "retryable";
  public static final String TERMINAL = "terminal";
  public static final String REJECTION = "rejection";
  public static final String COMMAND = "command";
  public static final String PRIORITY = "priority";
  public static final String REF_ID = "ref_id";
  public static final String EXPIRES_AT = "expires_at";
  public static final String MESSAGE_IDS = "message_ids";
  public static final String ACKED = "acked";
  public static final String PENDING = "pending";
  public static final String DELIVERED_UNACKED = "delivered_unacked";
  public static final String OLDEST_PENDING_AT = "oldest_pending_at";
  public static final String LAST_PULL_AT = "last_pull_at";
  public static final String PROXY_PROTOCOL_VERSION = "proxy_protocol_version";
  public static final String META = "meta";
  public static final String MAILBOX_CLIENT = "mailbox_client";
  public static final String PROBE = "probe";
  public static final String PROXY = "proxy";

  // task board, convergence (§8, §6.1)
  public static final String TASK_ID = "task_id";
  public static final String SIGNALS = "signals";
  public static final String DEPENDS_ON = "depends_on";
  public static final String CONTRIBUTION_WEIGHT = "contribution_weight";
  public static final String ASSIGNED_TO = "assigned_to";
  public static final String RESULT_ASSET_ID = "result_asset_id";
  public static final String SUMMARY = "summary";
  public static final String CREATED_BY = "created_by";
  public static final String COMPLETED_AT = "completed_at";
  public static final String ADD_TASKS = "add_tasks";
  public static final String UPDATE_TASKS = "update_tasks";
  public static final String REF = "ref";
  public static final String ADDED = "added";
  public static final String UPDATED = "updated";
  public static final String BY = "by";
  public static final String STATUS_CHANGES = "status_changes";
  public static final String UNBLOCKED = "unblocked";
  public static final String TASK_BOARD_UPDATES = "task_board_updates";
  public static final String REASSIGN = "reassign";
  public static final String REASSIGNED = "reassigned";
  public static final String FORCE_CONVERGE = "force_converge";
  public static final String CONVERGING = "converging";
  public static final String BOARD = "board";
  public static final String PREVIOUS_STATUS = "previous_status";
  public static final String COMPLETES_AT = "completes_at";
  public static final String FORCED = "forced";
  public static final String CONTRIBUTIONS = "contributions";
  public static final String SHARE = "share";
  public static final String INCOMPLETE_TASKS = "incomplete_tasks";
  public static final String WEIGHT = "weight";
  public static final String TASK_IDS = "task_ids";
  public static final String DEPENDS_ON_NEW = "depends_on_new";
  public static final String DEPENDS_ON_EXISTING = "depends_on_existing";
  public static final String UNASSIGN = "unassign";

  // subscriptions, discover (§9)
  public static final String ACTION = "action";
  public static final String SUBSCRIBE = "subscribe";
  public static final String UNSUBSCRIBE = "unsubscribe";
  public static final String SUBSCRIBED = "subscribed";
  public static final String SUBSCRIPTIONS = "subscriptions";
  public static final String QUERY = "query";
  public static final String SCORE = "score";
  public static final String DETAIL_URL = "detail_url";
  public static final String METHOD = "method";
  public static final String SUBMITTED_BY = "submitted_by";

  // dialog (§11)
  public static final String DELIBERATION_ID = "deliberation_id";
  public static final String PIPELINE_ID = "pipeline_id";
  public static final String DIALOG_ID = "dialog_id";
  public static final String CONTEXT_TYPE = "context_type";
  public static final String CONTEXT_ID = "context_id";
  public static final String REFERENCE_ID = "reference_id";
  public static final String ROUND = "round";
  public static final String PHASE = "phase";
  public static final String VISIBLE_TO = "visible_to";
  public static final String CONFIDENCE = "confidence";
  public static final String ROOT_ID = "root_id";

  // pipelines (§13)
  public static final String NAME = "name";
  public static final String STEPS = "steps";
  public static final String STEP = "step";
  public static final String POSITION = "position";
  public static final String INPUT_DATA = "input_data";
  public static final String OUTPUT_DATA = "output_data";
  public static final String IS_TEMPLATE = "is_template";
  public static final String TEMPLATE_ID = "template_id";
  public static final String TEMPLATES = "templates";
  public static final String CURRENT_STEP = "current_step";
  public static final String COMPLETED_STEP = "completed_step";
  public static final String NEXT_ASSIGNEE = "next_assignee";
  public static final String ASSIGNEE = "assignee";
  public static final String INPUT = "input";
  public static final String OUTPUT = "output";
  public static final String STARTED_AT = "started_at";

  // errors
  public static final String ERROR = "error";
  public static final String CORRECTION = "correction";
  public static final String PROBLEM = "problem";
  public static final String FIX = "fix";
  public static final String EXAMPLE = "example";
  public static final String DETAILS = "details";
  public static final String PATH = "path";
  public static final String EXPECTED = "expected";
  public static final String RECEIVED = "received";
  public static final String RETRY_AFTER_MS = "retry_after_ms";
  public static final String POLICY = "policy";
  public static final String WINDOW_MS = "window_ms";

  // deliberations (§12)
  public static final String MODE = "mode";
  public static final String MAX_ROUNDS = "max_rounds";
  public static final String MIN_AGENTS = "min_agents";
  public static final String CONFIG = "config";
  public static final String TIMEOUT_PER_ROUND_MS = "timeout_per_round_ms";
  public static final String CONVERGENCE_THRESHOLD = "convergence_threshold";
  public static final String MAX_AGENTS = "max_agents";
  public static final String BODY = "body";
  public static final String INITIATOR_ID = "initiator_id";
  public static final String PHASE_DEADLINE = "phase_deadline";
  public static final String LINKED_SESSION_ID = "linked_session_id";
  public static final String CONVERGENCE_SCORE = "convergence_score";
  public static final String DECISION = "decision";
  public static final String DISSENT = "dissent";
  public static final String SUBMITTED_COUNT = "submitted_count";
  public static final String CONTRIBUTED = "contributed";
  public static final String REQUIRED = "required";
  public static final String AVAILABLE = "available";
  public static final String REVEALED = "revealed";
  public static final String PREVIOUS_PHASE = "previous_phase";
  public static final String VOTES = "votes";
  public static final String VOTE = "vote";
  public static final String SYNTHESIS = "synthesis";
  public static final String ROUNDS = "rounds";
  public static final String REASONING = "reasoning";
}
