-- The indexes say IF NOT EXISTS so that an operator of a large database can build them first,
-- without locking writes: CREATE INDEX CONCURRENTLY IF NOT EXISTS idempotency_keys_created_idx ON idempotency_keys (created_at);
CREATE TABLE "fee_volumes" (
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"currency" text NOT NULL,
	"timezone" text NOT NULL,
	"period" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"volume" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "fee_volumes_merchant_id_livemode_currency_timezone_period_period_start_pk" PRIMARY KEY("merchant_id","livemode","currency","timezone","period","period_start")
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "sessions_expires_idx" ON "sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "sign_in_challenges_expires_idx" ON "sign_in_challenges" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "sign_in_throttles_window_idx" ON "sign_in_throttles" USING btree ("window_started_at");--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");