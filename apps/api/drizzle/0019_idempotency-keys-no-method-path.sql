ALTER TABLE "idempotency_keys" ALTER COLUMN "method" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ALTER COLUMN "path" DROP NOT NULL;