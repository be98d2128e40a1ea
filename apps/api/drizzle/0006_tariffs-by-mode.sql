DROP INDEX "tariffs_owner_code_version_idx";--> statement-breakpoint
DROP INDEX "tariffs_owner_code_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "tariffs_owner_mode_code_version_idx" ON "tariffs" USING btree ("owner","livemode","code","version");--> statement-breakpoint
CREATE INDEX "tariffs_owner_mode_code_idx" ON "tariffs" USING btree ("owner","livemode","code");