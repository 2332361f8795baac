ALTER TABLE "projects" ADD COLUMN "repo_url" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "repo_ref" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "model_executor" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "model_name" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "model_base_url" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "model_api_key_enc" text;--> statement-breakpoint
ALTER TABLE "projects" ADD COLUMN "model_api_key_last4" text;--> statement-breakpoint
ALTER TABLE "specs" ADD COLUMN "repo_commit" text;