-- Issue 11: runs on a queue of workers (SPECLINE_RUNNER=queue). PostgreSQL 15.
-- What a queued spec waits for: `quota` (a concurrent-run limit; null on older rows) or `worker` (its job is
-- on the BullMQ queue and no worker has claimed it yet).
ALTER TABLE "specs" ADD COLUMN "queued_for" text;--> statement-breakpoint
-- A queue run's launch options (prd, model settings with any API key sealed under the server key): a worker's
-- claim reads them for every attempt. Attempts: how many times a worker claimed the run.
ALTER TABLE "spec_runs" ADD COLUMN "launch_request" jsonb;--> statement-breakpoint
ALTER TABLE "spec_runs" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;
