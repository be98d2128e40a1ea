CREATE TABLE "idempotency_responses" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "idempotency_responses_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"bodies" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "response_body" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "response_group" bigint;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "response_index" integer;--> statement-breakpoint
CREATE INDEX "idempotency_responses_created_idx" ON "idempotency_responses" USING btree ("created_at");