CREATE TABLE "fee_volumes" (
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"currency" text NOT NULL,
	"timezone" text NOT NULL,
	"period" text NOT NULL,
	"period_start" timestamp with time zone NOT NULL,
	"volume" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "fee_volumes_merchant_id_livemode_currency_timezone_period_period_start_pk" PRIMARY KEY("merchant_id","livemode","currency","timezone","period","period_start")
);
