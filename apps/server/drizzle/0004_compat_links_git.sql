-- Issue 13: the original client's branch / pull-request fields of a spec, the blocked overlay and the
-- review of a ticket, and who registered an external sandbox. PostgreSQL 15.
ALTER TABLE "specs" ADD COLUMN "branch_name" text;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "pull_request_url" text;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "pull_request_number" integer;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "blocked_reason" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "blocked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "suggested_remediation" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "rejection_reason" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "reviewed_by" text;--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD COLUMN "registered_by" text;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD CONSTRAINT "sandboxes_registered_by_users_id_fk" FOREIGN KEY ("registered_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tickets_pending_review_idx" ON "tickets" USING btree ("project_id") WHERE "approval_status" = 'pending_review';
