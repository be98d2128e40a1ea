CREATE TABLE "taps" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merchant_id" text NOT NULL,
	"terminal_id" text NOT NULL,
	"client_tap_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"customer_id" text NOT NULL,
	"route" text NOT NULL,
	"tapped_at" timestamp with time zone NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"fare" bigint NOT NULL,
	"full_fare" bigint NOT NULL,
	"is_transfer" boolean DEFAULT false NOT NULL,
	"currency" text NOT NULL,
	"tariff_code" text,
	"tariff_version" integer,
	"wallet_balance" bigint NOT NULL,
	"breakdown" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "terminals" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merchant_id" text NOT NULL,
	"kind" text NOT NULL,
	"route" text NOT NULL,
	"fare_tariff" text NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "taps_terminal_client_idx" ON "taps" USING btree ("terminal_id","client_tap_id");--> statement-breakpoint
CREATE INDEX "taps_customer_tapped_idx" ON "taps" USING btree ("customer_id","tapped_at");--> statement-breakpoint
CREATE INDEX "taps_merchant_tapped_idx" ON "taps" USING btree ("merchant_id","livemode","tapped_at");--> statement-breakpoint
CREATE INDEX "terminals_merchant_idx" ON "terminals" USING btree ("merchant_id","id");