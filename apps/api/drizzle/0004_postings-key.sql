-- Postings keyed by (transaction_id, line). Postings already written get their lines in the order they were written (by id).
ALTER TABLE "ledger_postings" ADD COLUMN "line" integer;--> statement-breakpoint
UPDATE "ledger_postings" p SET "line" = n."line" FROM (SELECT "id", (row_number() OVER (PARTITION BY "transaction_id" ORDER BY "id") - 1)::integer AS "line" FROM "ledger_postings") n WHERE p."id" = n."id";--> statement-breakpoint
ALTER TABLE "ledger_postings" ALTER COLUMN "line" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger_postings" DROP COLUMN "id";--> statement-breakpoint
ALTER TABLE "ledger_postings" ADD CONSTRAINT "ledger_postings_transaction_id_line_pk" PRIMARY KEY("transaction_id","line");--> statement-breakpoint
DROP INDEX "ledger_postings_transaction_idx";
