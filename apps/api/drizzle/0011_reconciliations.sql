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
CREATE UNIQUE INDEX "reconciliations_content_idx" ON "reconciliations" USING btree ("livemode","provider","settlement_date","content_hash");