ALTER TABLE "merchants" ADD COLUMN "live_activated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "merchants" ADD COLUMN "live_activation_sealed" text;