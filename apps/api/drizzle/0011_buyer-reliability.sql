CREATE TABLE "buyer_events" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"buyer_key" text NOT NULL,
	"merchant_id" text NOT NULL,
	"order_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "buyer_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merchant_id" text NOT NULL,
	"version" integer NOT NULL,
	"min_score_on_pickup" integer NOT NULL,
	"no_show_fee_by_score" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "payment_timing" text DEFAULT 'prepaid' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "buyer_keys" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "buyer_events_buyer_idx" ON "buyer_events" USING btree ("buyer_key","livemode");--> statement-breakpoint
CREATE INDEX "buyer_events_order_idx" ON "buyer_events" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "buyer_policies_merchant_mode_version_idx" ON "buyer_policies" USING btree ("merchant_id","livemode","version");