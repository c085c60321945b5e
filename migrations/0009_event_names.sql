-- One naming scheme for events, dotted lower-case `domain.event` like the requests. The pipeline's timeline rows keep
-- their ids, order and payloads; only the names change. The pipeline's own ValidationCompleted is now the one
-- validation.completed event (which names its kind).
UPDATE job_events SET type = 'ingest.completed' WHERE type = 'IngestionJobCompleted';
UPDATE job_events SET type = 'validation.completed', payload = json_set(payload, '$.kind', 'validation') WHERE type = 'ValidationCompleted';
UPDATE job_events SET type = 'aggregate.completed' WHERE type = 'AggregationCompleted';
UPDATE job_events SET type = 'pipeline.failed' WHERE type = 'PipelineStageFailed';
UPDATE job_events SET type = 'pipeline.skipped' WHERE type = 'PipelineStageSkipped';
