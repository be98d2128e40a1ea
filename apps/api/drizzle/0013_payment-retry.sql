ALTER TABLE "payments" ADD COLUMN "retry_of" text;--> statement-breakpoint
CREATE UNIQUE INDEX "payments_retry_of_idx" ON "payments" USING btree ("retry_of") WHERE retry_of IS NOT NULL;