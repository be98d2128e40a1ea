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
CREATE INDEX "disputes_merchant_idx" ON "disputes" USING btree ("merchant_id","id");--> statement-breakpoint
CREATE INDEX "disputes_payment_idx" ON "disputes" USING btree ("payment_id");--> statement-breakpoint
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
