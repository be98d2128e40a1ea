CREATE TABLE "analytics_deltas" (
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"measure" text NOT NULL,
	"currency" text NOT NULL,
	"dimension" text NOT NULL,
	"count" bigint NOT NULL,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollups" (
	"merchant_id" text NOT NULL,
	"livemode" boolean NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"measure" text NOT NULL,
	"currency" text NOT NULL,
	"dimension" text NOT NULL,
	"count" bigint NOT NULL,
	"amount" bigint NOT NULL,
	"fee" bigint NOT NULL,
	CONSTRAINT "analytics_rollups_pkey" PRIMARY KEY("merchant_id","livemode","bucket","measure","currency","dimension")
);
--> statement-breakpoint
DROP INDEX "payments_analytics_idx";--> statement-breakpoint
DROP INDEX "refunds_analytics_idx";--> statement-breakpoint
DROP INDEX "taps_merchant_tapped_idx";--> statement-breakpoint
CREATE INDEX "analytics_deltas_merchant_idx" ON "analytics_deltas" USING btree ("merchant_id","livemode","bucket");--> statement-breakpoint
CREATE INDEX "taps_merchant_tapped_idx" ON "taps" USING btree ("merchant_id","livemode","tapped_at");--> statement-breakpoint
-- The analytics overview's figures (db/schema/analytics.ts): each statement that writes payments,
-- refunds or taps appends its change to analytics_deltas, summed per key; a payment's update adds
-- its new figures and takes back its old ones. Statement triggers, so a group's one INSERT of 32
-- payments appends one row, and whatever code writes these tables, the figures follow.
CREATE FUNCTION analytics_payments_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee)
  SELECT merchant_id, livemode, date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 'payment_' || status,
         currency, COALESCE(method, ''), count(*), sum(amount_captured), COALESCE(sum(fee), 0)
  FROM new_rows WHERE status IN ('succeeded', 'failed')
  GROUP BY 1, 2, 3, 4, 5, 6;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_payments_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee)
  SELECT c.merchant_id, c.livemode, date_bin('15 minutes', c.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 'payment_' || c.status,
         c.currency, COALESCE(c.method, ''), sum(c.n), sum(c.amount), sum(c.fee)
  FROM new_rows nw JOIN old_rows od ON od.id = nw.id
  CROSS JOIN LATERAL (VALUES
      (nw.merchant_id, nw.livemode, nw.created_at, nw.status, nw.currency, nw.method, 1, nw.amount_captured, COALESCE(nw.fee, 0)),
      (od.merchant_id, od.livemode, od.created_at, od.status, od.currency, od.method, -1, -od.amount_captured, -COALESCE(od.fee, 0)))
    AS c(merchant_id, livemode, created_at, status, currency, method, n, amount, fee)
  WHERE (nw.status, nw.method, nw.currency, nw.amount_captured, nw.fee, nw.created_at, nw.merchant_id, nw.livemode)
        IS DISTINCT FROM (od.status, od.method, od.currency, od.amount_captured, od.fee, od.created_at, od.merchant_id, od.livemode)
    AND c.status IN ('succeeded', 'failed')
  GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(c.n) <> 0 OR sum(c.amount) <> 0 OR sum(c.fee) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_refunds_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee)
  SELECT merchant_id, livemode, date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 'refund', currency, '',
         count(*), sum(amount), 0
  FROM new_rows WHERE status = 'succeeded'
  GROUP BY 1, 2, 3, 4, 5, 6;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_refunds_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee)
  SELECT c.merchant_id, c.livemode, date_bin('15 minutes', c.created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 'refund', c.currency, '',
         sum(c.n), sum(c.amount), 0
  FROM new_rows nw JOIN old_rows od ON od.id = nw.id
  CROSS JOIN LATERAL (VALUES
      (nw.merchant_id, nw.livemode, nw.created_at, nw.status, nw.currency, 1, nw.amount),
      (od.merchant_id, od.livemode, od.created_at, od.status, od.currency, -1, -od.amount))
    AS c(merchant_id, livemode, created_at, status, currency, n, amount)
  WHERE (nw.status, nw.currency, nw.amount, nw.created_at, nw.merchant_id, nw.livemode)
        IS DISTINCT FROM (od.status, od.currency, od.amount, od.created_at, od.merchant_id, od.livemode)
    AND c.status = 'succeeded'
  GROUP BY 1, 2, 3, 4, 5, 6
  HAVING sum(c.n) <> 0 OR sum(c.amount) <> 0;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION analytics_taps_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO analytics_deltas (merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee)
  SELECT merchant_id, livemode, date_bin('15 minutes', tapped_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 'ride', currency, route,
         count(*), sum(fare), 0
  FROM new_rows WHERE decision = 'accepted'
  GROUP BY 1, 2, 3, 4, 5, 6;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER payments_analytics_inserted AFTER INSERT ON payments REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_payments_inserted();--> statement-breakpoint
CREATE TRIGGER payments_analytics_updated AFTER UPDATE ON payments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_payments_updated();--> statement-breakpoint
CREATE TRIGGER refunds_analytics_inserted AFTER INSERT ON refunds REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_refunds_inserted();--> statement-breakpoint
CREATE TRIGGER refunds_analytics_updated AFTER UPDATE ON refunds REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_refunds_updated();--> statement-breakpoint
CREATE TRIGGER taps_analytics_inserted AFTER INSERT ON taps REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION analytics_taps_inserted();--> statement-breakpoint
-- What was written before this migration, folded at once.
INSERT INTO analytics_rollups (merchant_id, livemode, bucket, measure, currency, dimension, count, amount, fee)
SELECT merchant_id, livemode, bucket, measure, currency, dimension, sum(n)::bigint, sum(amount)::bigint, sum(fee)::bigint FROM (
    SELECT merchant_id, livemode, date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, 'payment_' || status AS measure,
           currency, COALESCE(method, '') AS dimension, 1 AS n, amount_captured AS amount, COALESCE(fee, 0) AS fee
    FROM payments WHERE status IN ('succeeded', 'failed')
  UNION ALL
    SELECT merchant_id, livemode, date_bin('15 minutes', created_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 'refund', currency, '', 1, amount, 0
    FROM refunds WHERE status = 'succeeded'
  UNION ALL
    SELECT merchant_id, livemode, date_bin('15 minutes', tapped_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), 'ride', currency, route, 1, fare, 0
    FROM taps WHERE decision = 'accepted'
) f
GROUP BY 1, 2, 3, 4, 5, 6;
