-- Issue 11: run leases and queued runs. PostgreSQL 15.
-- A sandbox's lease: who runs it (server:<instance> or worker:<id>), how long it lasts without a renewal,
-- and the latest renewal the server granted itself (launch, checkout, recovery from an outage); every
-- batch the sandbox delivers renews it too (last_heartbeat_at).
ALTER TABLE "sandboxes" ADD COLUMN "lease_owner" text;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD COLUMN "lease_seconds" integer;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD COLUMN "lease_renewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
-- A run over a quota (or waiting for a worker) is queued: when, by whom, and how it was asked for
-- (prd, the launch's model settings with any key sealed under the server key).
ALTER TABLE "specs" ADD COLUMN "queued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "queued_by" text;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "queued_request" jsonb;--> statement-breakpoint
CREATE INDEX "specs_queued_idx" ON "specs" USING btree ("queued_at") WHERE "status" = 'queued';
