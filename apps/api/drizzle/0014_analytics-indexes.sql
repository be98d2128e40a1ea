DROP INDEX "taps_merchant_tapped_idx";--> statement-breakpoint
CREATE INDEX "payments_analytics_idx" ON "payments" USING btree ("merchant_id","livemode","created_at","status","method","currency","amount_captured","fee");--> statement-breakpoint
CREATE INDEX "refunds_analytics_idx" ON "refunds" USING btree ("merchant_id","livemode","created_at","status","currency","amount");--> statement-breakpoint
CREATE INDEX "taps_merchant_idx" ON "taps" USING btree ("merchant_id","livemode","id");--> statement-breakpoint
CREATE INDEX "taps_merchant_tapped_idx" ON "taps" USING btree ("merchant_id","livemode","tapped_at","decision","route","currency","fare");