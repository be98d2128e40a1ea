CREATE TABLE "identities" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"merchant_id" text NOT NULL,
	"role" text,
	"customer_id" text,
	"email" text,
	"phone" text,
	"password_hash" text,
	"totp_sealed" text,
	"totp_pending_sealed" text,
	"totp_last_step" bigint,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "recovery_codes" (
	"id" text PRIMARY KEY NOT NULL,
	"identity_id" text NOT NULL,
	"hash" text NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "security_events" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merchant_id" text,
	"identity_id" text,
	"type" text NOT NULL,
	"ip" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"identity_id" text NOT NULL,
	"merchant_id" text NOT NULL,
	"token_hash" text NOT NULL,
	"client" text NOT NULL,
	"ip" text,
	"user_agent" text,
	"last_used_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sign_in_challenges" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"stage" text NOT NULL,
	"identity_id" text,
	"subject_hash" text NOT NULL,
	"channel" text NOT NULL,
	"client" text NOT NULL,
	"code_hash" text NOT NULL,
	"link_hash" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"consumed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "sign_in_throttles" (
	"subject_hash" text PRIMARY KEY NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"lockouts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "identities_member_email_idx" ON "identities" USING btree ("email") WHERE kind = 'member' AND removed_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "identities_customer_idx" ON "identities" USING btree ("customer_id") WHERE kind = 'customer';--> statement-breakpoint
CREATE INDEX "identities_merchant_idx" ON "identities" USING btree ("merchant_id");--> statement-breakpoint
CREATE INDEX "recovery_codes_identity_idx" ON "recovery_codes" USING btree ("identity_id");--> statement-breakpoint
CREATE INDEX "security_events_merchant_idx" ON "security_events" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "security_events_identity_idx" ON "security_events" USING btree ("identity_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "sessions_token_idx" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "sessions_identity_idx" ON "sessions" USING btree ("identity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sign_in_challenges_link_idx" ON "sign_in_challenges" USING btree ("link_hash");--> statement-breakpoint
CREATE INDEX "sign_in_challenges_subject_idx" ON "sign_in_challenges" USING btree ("subject_hash");