DROP INDEX "identities_member_email_idx";--> statement-breakpoint
ALTER TABLE "identities" ADD COLUMN "accepted_at" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "identities_member_email_idx" ON "identities" USING btree ("merchant_id","email") WHERE kind = 'member' AND removed_at IS NULL;--> statement-breakpoint
-- Data: a member who ever signed in has proved the address; the others stay invitations.
UPDATE "identities" i SET "accepted_at" = s.first_sign_in
FROM (SELECT identity_id, min(created_at) AS first_sign_in FROM security_events WHERE type = 'sign_in.succeeded' GROUP BY identity_id) s
WHERE i.kind = 'member' AND i.accepted_at IS NULL AND s.identity_id = i.id;
