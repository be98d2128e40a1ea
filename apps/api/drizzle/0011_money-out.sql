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
CREATE TABLE "disputes" (
	"id" text PRIMARY KEY NOT NULL,
	"livemode" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"merchant_id" text NOT NULL,
	"payment_id" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"fee" bigint NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"evidence_text" text,
	"evidence_submitted_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
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
CREATE INDEX "disputes_merchant_idx" ON "disputes" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "disputes_payment_idx" ON "disputes" USING btree ("payment_id");--> statement-breakpoint
CREATE INDEX "bank_accounts_merchant_idx" ON "bank_accounts" USING btree ("merchant_id","livemode","id");--> statement-breakpoint
CREATE INDEX "payout_items_movement_idx" ON "payout_items" USING btree ("merchant_id","livemode","currency","transaction_id");--> statement-breakpoint
CREATE INDEX "payouts_merchant_idx" ON "payouts" USING btree ("merchant_id","livemode","id");--> statement-breakpoint
CREATE UNIQUE INDEX "reconciliations_content_idx" ON "reconciliations" USING btree ("livemode","provider","settlement_date","content_hash");--> statement-breakpoint
-- Hand-written (issue 20, disputes): a merchant's available balance is guarded from now on. What an
-- available account was below zero becomes the merchant's debt, by one ledger transaction per
-- account (so GET /v1/admin/ledger/verify still balances), then the accounts are guarded.
INSERT INTO "ledger_accounts" ("id", "merchant_id", "kind", "currency", "livemode", "allow_negative", "balance")
SELECT DISTINCT 'merchant:' || "merchant_id" || ':' || CASE WHEN "livemode" THEN 'live' ELSE 'test' END || ':debt:' || "currency",
       "merchant_id", 'merchant_debt', "currency", "livemode", true, 0::bigint
FROM "ledger_accounts" WHERE "kind" = 'merchant_available' AND "balance" < 0
ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
WITH neg AS (
  SELECT "id", "merchant_id", "livemode", "currency", "balance",
         'txn_0000000000' || upper(substr(md5("id"), 1, 16)) AS txn,
         'merchant:' || "merchant_id" || ':' || CASE WHEN "livemode" THEN 'live' ELSE 'test' END || ':debt:' || "currency" AS debt
  FROM "ledger_accounts" WHERE "kind" = 'merchant_available' AND "balance" < 0),
t AS (INSERT INTO "ledger_transactions" ("id", "merchant_id", "livemode", "type", "description", "source_id")
      SELECT txn, "merchant_id", "livemode", 'debt.carried', 'Available balance below zero carried to debt', "id" FROM neg),
p AS (INSERT INTO "ledger_postings" ("transaction_id", "line", "account_id", "amount", "currency")
      SELECT txn, 0, "id", -"balance", "currency" FROM neg
      UNION ALL SELECT txn, 1, debt, "balance", "currency" FROM neg),
d AS (UPDATE "ledger_accounts" a SET "balance" = a."balance" + s.total, "updated_at" = now()
      FROM (SELECT debt, sum("balance")::bigint AS total FROM neg GROUP BY debt) s WHERE a."id" = s.debt)
UPDATE "ledger_accounts" a SET "balance" = 0, "updated_at" = now() FROM neg WHERE a."id" = neg."id";
--> statement-breakpoint
UPDATE "ledger_accounts" SET "allow_negative" = false WHERE "kind" = 'merchant_available';
