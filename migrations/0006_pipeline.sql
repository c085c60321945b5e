-- The pipeline's timeline: every domain event one job causes (IngestionJobCompleted, ValidationCompleted,
-- AggregationCompleted, PipelineStageFailed, PipelineStageSkipped), in the order they occurred, with the event that
-- caused each. A failed stage is a row here, never lost silently.
CREATE TABLE job_events (
  id            TEXT PRIMARY KEY,          -- the envelope's id (UUID)
  job_id        TEXT NOT NULL,             -- the envelope's correlationId
  seq           INTEGER NOT NULL,          -- order within the engine that recorded it
  type          TEXT NOT NULL,
  occurred_at   TEXT NOT NULL,             -- ISO 8601 UTC
  causation_id  TEXT,
  payload       TEXT NOT NULL              -- JSON, as validated by the contract
) STRICT;
CREATE INDEX job_events_job ON job_events (job_id, occurred_at, seq);
