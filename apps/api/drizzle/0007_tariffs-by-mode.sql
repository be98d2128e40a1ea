DROP INDEX "tariffs_owner_code_version_idx";--> statement-breakpoint
DROP INDEX "tariffs_owner_code_idx";--> statement-breakpoint
CREATE UNIQUE INDEX "tariffs_owner_mode_code_version_idx" ON "tariffs" USING btree ("owner","livemode","code","version");--> statement-breakpoint
CREATE INDEX "tariffs_owner_mode_code_idx" ON "tariffs" USING btree ("owner","livemode","code");--> statement-breakpoint
UPDATE "security_events" s SET "livemode" = true FROM "api_keys" k
  WHERE s."type" LIKE 'api_key.%' AND k."id" = s."detail"->>'key' AND k."livemode";--> statement-breakpoint
UPDATE "security_events" s SET "livemode" = true FROM "identities" i
  WHERE s."type" NOT LIKE 'api_key.%' AND s."identity_id" = i."id" AND i."livemode";
