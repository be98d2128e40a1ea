ALTER TABLE "sign_in_throttles" DROP COLUMN "lockouts";--> statement-breakpoint
ALTER TABLE "sign_in_throttles" DROP COLUMN "locked_until";--> statement-breakpoint
-- Data: the old lockout counts mean nothing to the new per-window count.
DELETE FROM "sign_in_throttles";