-- Pipelines (hub spec §13). A pipeline is a row here with its steps; every pipeline that is not a
-- template is backed by its own session of kind pipeline (and that session's a2a_sessions row,
-- whose updated_at is the idle clock and whose status says completed or failed once it ended).
-- Every change commits under the backing session's row lock with the log event that records it
-- (a2a.pipeline_step_assigned, a2a.pipeline_completed, session.ended). Times are epoch
-- milliseconds; JSON values (input_data, a step's input and output) are stored as their JSON text,
-- NULL for a JSON null or nothing.
CREATE TABLE a2a_pipelines (
  pipeline_id    text    PRIMARY KEY,
  -- NULL for a template
  session_id     text    NULL UNIQUE REFERENCES sessions (id),
  name           text    NOT NULL,
  description    text    NULL,
  -- while the backing session is ended, active and stalled read as failed
  status         text    NOT NULL
                   CHECK (status IN ('template', 'active', 'stalled', 'completed', 'failed')),
  -- the template this pipeline was made from, or NULL
  template_id    text    NULL,
  created_by     text    NOT NULL,
  input_data     text    NULL,
  -- 1..step_count while running (the current step), NULL once completed and for templates
  current_step   int     NULL,
  step_count     int     NOT NULL CHECK (step_count BETWEEN 2 AND 10),
  -- when the current step found no assignee (the stalled retry takes the oldest first)
  stalled_since  bigint  NULL,
  created_at     bigint  NOT NULL,
  completed_at   bigint  NULL
);

-- GET /a2a/pipeline/templates, newest first
CREATE INDEX a2a_pipelines_templates ON a2a_pipelines (created_at DESC, pipeline_id DESC)
  WHERE status = 'template';

-- the stalled retry of each hello and heartbeat, oldest stalled first
CREATE INDEX a2a_pipelines_stalled ON a2a_pipelines (stalled_since, pipeline_id)
  WHERE status = 'stalled';

CREATE TABLE a2a_pipeline_steps (
  pipeline_id      text    NOT NULL REFERENCES a2a_pipelines (pipeline_id),
  -- 1..n, the order the steps run in
  position         int     NOT NULL,
  role             text    NOT NULL,
  capabilities     text[]  NOT NULL DEFAULT '{}',
  -- the normalised keywords of role and capabilities, compared with a2a_nodes.keywords
  keywords         text[]  NOT NULL DEFAULT '{}',
  name             text    NULL,
  description      text    NULL,
  status           text    NOT NULL CHECK (status IN ('pending', 'active', 'completed')),
  assignee         text    NULL,
  input            text    NULL,
  output           text    NULL,
  result_asset_id  text    NULL,
  started_at       bigint  NULL,
  completed_at     bigint  NULL,
  PRIMARY KEY (pipeline_id, position)
);

-- a candidate's steps active elsewhere (the assignment's first tie-break)
CREATE INDEX a2a_pipeline_steps_active ON a2a_pipeline_steps (assignee)
  WHERE status = 'active' AND assignee IS NOT NULL;

