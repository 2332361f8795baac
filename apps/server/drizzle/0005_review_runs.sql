-- Issue 10: approval mode per project, runs of a spec (every launch, approval, rejection and re-run),
-- the run of each sandbox and event, the phase a review gate stopped at, and proposals for rows a person
-- edited. Runs of existing sandboxes are backfilled (one run per sandbox that reported). PostgreSQL 15.
ALTER TABLE "projects" ADD COLUMN "approval_mode" text DEFAULT 'auto' NOT NULL;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "run_id" text;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "approval_mode" text;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "awaiting_phase" text;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD COLUMN "run_id" text;--> statement-breakpoint
ALTER TABLE "sandbox_events" ADD COLUMN "run_id" text;--> statement-breakpoint
CREATE TABLE "spec_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"spec_id" text NOT NULL,
	"kind" text NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"approval_mode" text DEFAULT 'auto' NOT NULL,
	"from_phase" text,
	"phases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"awaiting_phase" text,
	"comment" text,
	"error" text,
	"sandbox_id" text,
	"created_by" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);--> statement-breakpoint
ALTER TABLE "spec_runs" ADD CONSTRAINT "spec_runs_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spec_runs" ADD CONSTRAINT "spec_runs_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "spec_runs_spec_idx" ON "spec_runs" USING btree ("spec_id","started_at");--> statement-breakpoint
CREATE INDEX "sandbox_events_run_idx" ON "sandbox_events" USING btree ("run_id","spec_seq");--> statement-breakpoint
CREATE TABLE "spec_proposals" (
	"id" text PRIMARY KEY NOT NULL,
	"spec_id" text NOT NULL,
	"run_id" text,
	"kind" text NOT NULL,
	"action" text NOT NULL,
	"local_id" text,
	"parent_local_id" text,
	"target_id" text,
	"title" text,
	"changes" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" text
);--> statement-breakpoint
ALTER TABLE "spec_proposals" ADD CONSTRAINT "spec_proposals_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spec_proposals" ADD CONSTRAINT "spec_proposals_resolved_by_users_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "spec_proposals_spec_idx" ON "spec_proposals" USING btree ("spec_id","status","created_at");--> statement-breakpoint
-- Backfill: each sandbox that stored events was one run (a launch, in auto mode).
INSERT INTO "spec_runs" ("id", "spec_id", "kind", "status", "approval_mode", "from_phase", "phases", "sandbox_id", "created_by", "started_at", "ended_at")
SELECT 'run-' || s."id", s."spec_id", 'launch',
	CASE s."status" WHEN 'completed' THEN 'completed' WHEN 'cancelled' THEN 'cancelled' WHEN 'failed' THEN 'failed' WHEN 'lost' THEN 'failed' ELSE 'running' END,
	'auto', NULL,
	COALESCE((SELECT e."data"->'phases' FROM "sandbox_events" e WHERE e."sandbox_id" = s."id" AND e."event_type" = 'spec.execution_started' AND jsonb_typeof(e."data"->'phases') = 'array' ORDER BY e."spec_seq" LIMIT 1), '[]'::jsonb),
	s."id", s."registered_by", s."created_at", s."ended_at"
FROM "sandboxes" s
WHERE EXISTS (SELECT 1 FROM "sandbox_events" e WHERE e."sandbox_id" = s."id");--> statement-breakpoint
UPDATE "sandboxes" s SET "run_id" = r."id" FROM "spec_runs" r WHERE r."id" = 'run-' || s."id";--> statement-breakpoint
UPDATE "sandbox_events" e SET "run_id" = s."run_id" FROM "sandboxes" s WHERE s."id" = e."sandbox_id" AND s."run_id" IS NOT NULL;--> statement-breakpoint
UPDATE "specs" p SET "run_id" = s."run_id", "approval_mode" = 'auto' FROM "sandboxes" s WHERE s."id" = p."sandbox_id" AND s."run_id" IS NOT NULL;
