CREATE TABLE "idempotency_keys" (
	"user_id" text NOT NULL,
	"key" text NOT NULL,
	"route" text NOT NULL,
	"request_hash" text NOT NULL,
	"status_code" integer NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_route_key_pk" PRIMARY KEY("user_id","route","key")
);
--> statement-breakpoint
CREATE TABLE "project_members" (
	"project_id" text NOT NULL,
	"user_id" text NOT NULL,
	"role" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_members_project_id_user_id_pk" PRIMARY KEY("project_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandbox_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "sandbox_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"spec_id" text NOT NULL,
	"spec_seq" bigint NOT NULL,
	"sandbox_id" text NOT NULL,
	"event_id" text NOT NULL,
	"seq" integer,
	"event_type" text NOT NULL,
	"phase" text,
	"data" jsonb NOT NULL,
	"source" text DEFAULT 'agent' NOT NULL,
	"emitted_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sandboxes" (
	"id" text PRIMARY KEY NOT NULL,
	"spec_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"status" text DEFAULT 'starting' NOT NULL,
	"provider" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	"last_heartbeat_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"heartbeat_interval_seconds" integer DEFAULT 30 NOT NULL,
	"pid" integer,
	"log_path" text,
	"exit_code" integer
);
--> statement-breakpoint
CREATE TABLE "spec_acceptance_criteria" (
	"id" text PRIMARY KEY NOT NULL,
	"requirement_id" text NOT NULL,
	"local_id" text,
	"text" text NOT NULL,
	"completed" boolean DEFAULT false NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"edited_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spec_requirements" (
	"id" text PRIMARY KEY NOT NULL,
	"spec_id" text NOT NULL,
	"local_id" text,
	"title" text NOT NULL,
	"condition" text DEFAULT '' NOT NULL,
	"action" text DEFAULT '' NOT NULL,
	"text" text DEFAULT '' NOT NULL,
	"type" text DEFAULT 'functional' NOT NULL,
	"priority" text DEFAULT 'medium' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"linked_design" text,
	"position" integer DEFAULT 0 NOT NULL,
	"edited_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spec_tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"spec_id" text NOT NULL,
	"local_id" text,
	"ticket_local_id" text,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"phase" text DEFAULT 'Implementation' NOT NULL,
	"priority" text DEFAULT 'medium' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"assigned_agent" text,
	"dependencies" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"requirements" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"estimated_hours" real,
	"actual_hours" real,
	"position" integer DEFAULT 0 NOT NULL,
	"edited_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spec_versions" (
	"id" text PRIMARY KEY NOT NULL,
	"spec_id" text NOT NULL,
	"version_number" integer NOT NULL,
	"change_type" text NOT NULL,
	"change_summary" text NOT NULL,
	"change_details" jsonb,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "specs" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"user_id" text,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"phase" text DEFAULT 'Requirements' NOT NULL,
	"current_phase" text,
	"phases" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"phase_status" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" real DEFAULT 0 NOT NULL,
	"phase_data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"requirements_approved" boolean DEFAULT false NOT NULL,
	"requirements_approved_at" timestamp with time zone,
	"design_approved" boolean DEFAULT false NOT NULL,
	"design_approved_at" timestamp with time zone,
	"design" jsonb,
	"design_edited_at" timestamp with time zone,
	"last_error" text,
	"archived" boolean DEFAULT false NOT NULL,
	"archived_at" timestamp with time zone,
	"usage" jsonb,
	"spec_context" jsonb,
	"last_spec_seq" bigint DEFAULT 0 NOT NULL,
	"sandbox_id" text,
	"last_heartbeat_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" text PRIMARY KEY NOT NULL,
	"ticket_id" text NOT NULL,
	"spec_id" text,
	"local_id" text,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"priority" text DEFAULT 'medium' NOT NULL,
	"estimated_hours" real,
	"dependencies" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tickets" (
	"id" text PRIMARY KEY NOT NULL,
	"project_id" text NOT NULL,
	"spec_id" text,
	"local_id" text,
	"title" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"status" text DEFAULT 'backlog' NOT NULL,
	"priority" text DEFAULT 'medium' NOT NULL,
	"phase_id" text DEFAULT 'PHASE_REQUIREMENTS' NOT NULL,
	"workflow_mode" text DEFAULT 'quick' NOT NULL,
	"approval_status" text DEFAULT 'approved' NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_members" ADD CONSTRAINT "project_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_events" ADD CONSTRAINT "sandbox_events_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandboxes" ADD CONSTRAINT "sandboxes_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spec_acceptance_criteria" ADD CONSTRAINT "spec_acceptance_criteria_requirement_id_spec_requirements_id_fk" FOREIGN KEY ("requirement_id") REFERENCES "public"."spec_requirements"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spec_requirements" ADD CONSTRAINT "spec_requirements_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spec_tasks" ADD CONSTRAINT "spec_tasks_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spec_versions" ADD CONSTRAINT "spec_versions_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "specs" ADD CONSTRAINT "specs_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "specs" ADD CONSTRAINT "specs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_ticket_id_tickets_id_fk" FOREIGN KEY ("ticket_id") REFERENCES "public"."tickets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_spec_id_specs_id_fk" FOREIGN KEY ("spec_id") REFERENCES "public"."specs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tickets" ADD CONSTRAINT "tickets_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "project_members_user_idx" ON "project_members" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_events_spec_seq_uq" ON "sandbox_events" USING btree ("spec_id","spec_seq");--> statement-breakpoint
CREATE UNIQUE INDEX "sandbox_events_event_id_uq" ON "sandbox_events" USING btree ("sandbox_id","event_id");--> statement-breakpoint
CREATE INDEX "sandbox_events_spec_type_idx" ON "sandbox_events" USING btree ("spec_id","event_type","spec_seq");--> statement-breakpoint
CREATE INDEX "sandboxes_spec_idx" ON "sandboxes" USING btree ("spec_id");--> statement-breakpoint
CREATE INDEX "sandboxes_status_idx" ON "sandboxes" USING btree ("status");--> statement-breakpoint
CREATE UNIQUE INDEX "spec_criteria_local_uq" ON "spec_acceptance_criteria" USING btree ("requirement_id","local_id");--> statement-breakpoint
CREATE INDEX "spec_criteria_req_idx" ON "spec_acceptance_criteria" USING btree ("requirement_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "spec_requirements_local_uq" ON "spec_requirements" USING btree ("spec_id","local_id");--> statement-breakpoint
CREATE INDEX "spec_requirements_spec_idx" ON "spec_requirements" USING btree ("spec_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "spec_tasks_local_uq" ON "spec_tasks" USING btree ("spec_id","local_id");--> statement-breakpoint
CREATE INDEX "spec_tasks_spec_idx" ON "spec_tasks" USING btree ("spec_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "spec_versions_number_uq" ON "spec_versions" USING btree ("spec_id","version_number");--> statement-breakpoint
CREATE INDEX "specs_project_idx" ON "specs" USING btree ("project_id","archived","updated_at");--> statement-breakpoint
CREATE INDEX "specs_status_idx" ON "specs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "tasks_ticket_idx" ON "tasks" USING btree ("ticket_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tasks_spec_local_uq" ON "tasks" USING btree ("spec_id","local_id");--> statement-breakpoint
CREATE INDEX "tickets_project_idx" ON "tickets" USING btree ("project_id","created_at");--> statement-breakpoint
CREATE INDEX "tickets_spec_idx" ON "tickets" USING btree ("spec_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tickets_spec_local_uq" ON "tickets" USING btree ("spec_id","local_id");