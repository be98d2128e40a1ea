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
CREATE TABLE "bank_accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merchant_id" text NOT NULL,
	"country" text NOT NULL,
	"currency" text NOT NULL,
	"holder_name" text NOT NULL,
	"bank_code" text NOT NULL,
	"account_number_sealed" text NOT NULL,
	"last4" text NOT NULL,
	"default_for_currency" boolean DEFAULT false NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "payout_cursors" (
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"currency" text NOT NULL,
	"settled_through" text NOT NULL,
	CONSTRAINT "payout_cursors_merchant_id_livemode_currency_pk" PRIMARY KEY("merchant_id","livemode","currency")
);
--> statement-breakpoint
CREATE TABLE "payout_items" (
	"payout_id" text NOT NULL,
	"line" integer NOT NULL,
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"currency" text NOT NULL,
	"transaction_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"released" boolean DEFAULT false NOT NULL,
	CONSTRAINT "payout_items_payout_id_line_pk" PRIMARY KEY("payout_id","line")
);
--> statement-breakpoint
CREATE TABLE "payout_schedules" (
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"interval" text NOT NULL,
	"weekly_anchor" text,
	"minimum" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_schedules_merchant_id_livemode_pk" PRIMARY KEY("merchant_id","livemode")
);
--> statement-breakpoint
CREATE TABLE "payouts" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merchant_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"bank_account_id" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"automatic" boolean DEFAULT false NOT NULL,
	"arrival_date" timestamp with time zone NOT NULL,
	"failure_code" text,
	"failure_message" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconciled_movements" (
	"livemode" boolean DEFAULT false NOT NULL,
	"provider" text NOT NULL,
	"type" text NOT NULL,
	"reference" text NOT NULL,
	"reconciliation_id" text NOT NULL,
	CONSTRAINT "reconciled_movements_livemode_provider_type_reference_pk" PRIMARY KEY("livemode","provider","type","reference")
);
--> statement-breakpoint
CREATE TABLE "reconciliations" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provider" text NOT NULL,
	"settlement_date" date NOT NULL,
	"content_hash" text NOT NULL,
	"line_count" integer NOT NULL,
	"counts" jsonb NOT NULL,
	"lines" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "payment_timing" text DEFAULT 'prepaid' NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "buyer_keys" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "buyer_events_buyer_idx" ON "buyer_events" USING btree ("buyer_key","livemode");--> statement-breakpoint
CREATE INDEX "buyer_events_order_idx" ON "buyer_events" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "buyer_policies_merchant_mode_version_idx" ON "buyer_policies" USING btree ("merchant_id","livemode","version");--> statement-breakpoint
CREATE INDEX "bank_accounts_merchant_idx" ON "bank_accounts" USING btree ("merchant_id","livemode","id");--> statement-breakpoint
CREATE INDEX "payout_items_movement_idx" ON "payout_items" USING btree ("merchant_id","livemode","currency","transaction_id");--> statement-breakpoint
CREATE INDEX "payouts_merchant_idx" ON "payouts" USING btree ("merchant_id","livemode","id");--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliations_content_idx" ON "reconciliations" USING btree ("livemode","provider","settlement_date","content_hash");