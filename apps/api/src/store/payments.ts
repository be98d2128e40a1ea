import { getTableColumns, type SQL, sql } from "drizzle-orm";
import { rowWriter } from "../db/rows.js";
import { payments } from "../db/schema/index.js";
import { pgArray } from "../lib/pg-array.js";

type PaymentRow = typeof payments.$inferSelect;

/** The INSERT names every column rather than trusting positions. */
const PAYMENT_COLUMNS = Object.values(getTableColumns(payments)).map((c) => c.name);
const INSERT_COLUMNS = sql.raw(PAYMENT_COLUMNS.map((n) => `"${n}"`).join(", "));
// Stamped by the database's clock: now() is the transaction's start, the instant the group read as `now`.
const SELECT_COLUMNS = sql.raw(PAYMENT_COLUMNS.map((n) => (n === "created_at" || n === "updated_at" ? "now()" : `r."${n}"`)).join(", "));

/**
 * A row as the INSERT's JSON: nulls and the two instants the database stamps are left out (a new
 * payment's JSON is about a quarter smaller).
 */
const insertable = rowWriter(payments, ["created_at", "updated_at"]);

/**
 * New payments, one statement: the rows go as one JSON parameter, stamped with the transaction's
 * clock. A payment naming a customer the merchant does not have is
 * not inserted (a write checks that first; this is the database's word on it).
 */
export function insertPayments(rows: readonly PaymentRow[]): SQL {
  return sql`INSERT INTO payments (${INSERT_COLUMNS})
      SELECT ${SELECT_COLUMNS} FROM json_populate_recordset(NULL::payments, ${JSON.stringify(rows.map(insertable))}::json) r
      WHERE r.customer_id IS NULL
         OR EXISTS (SELECT 1 FROM customers c WHERE c.id = r.customer_id AND c.merchant_id = r.merchant_id AND c.livemode = r.livemode)
      RETURNING id, created_at`;
}

/**
 * The merchant's payments among `ids`, locked in id order (the writer's confirmations). The tenant
 * filter is no index condition, as for customers: with `merchant_id = $n`, a generic plan made
 * while the table was small or not yet analysed scanned the merchant's index through all of its
 * payments, and a connection keeps its plan (192 µs a payment on the payments bench once the
 * table had grown, for a group confirming none).
 */
export function lockPayments(ids: readonly string[], merchantId: string, livemode: boolean): SQL {
  return sql`SELECT * FROM payments p WHERE p.id = ANY(${pgArray(ids)}::text[])
      AND (p.merchant_id, p.livemode) IS NOT DISTINCT FROM (${merchantId}::text, ${livemode}::boolean)
      ORDER BY p.id FOR UPDATE`;
}

/**
 * The orders of the merchant's payments among `ids`, locked in id order. A write that locks an
 * order's payment takes its order first: the order's own writes (handover, fail, return, expiry)
 * lock the order and then its payment, and a confirmation or cancel that locked the payment first
 * and then reached for its order (the order follows its payment) waited on them while they waited
 * on it. Payments without an order lock nothing here; a payment's order never changes, so it is
 * read unlocked.
 */
export function lockPaymentOrders(ids: readonly string[], merchantId: string, livemode: boolean): SQL {
  return sql`SELECT o.id FROM orders o
      WHERE o.id = ANY(ARRAY(SELECT p.order_id FROM payments p WHERE p.id = ANY(${pgArray(ids)}::text[])
                               AND (p.merchant_id, p.livemode) IS NOT DISTINCT FROM (${merchantId}::text, ${livemode}::boolean)))
      ORDER BY o.id FOR UPDATE`;
}

/**
 * `id` and `wallet_currency` of the customers that pay: those of the payments `ids` and those
 * named in `payers`, of one merchant and mode. By primary keys only (see lockPayments). No
 * `customer_id IS NOT NULL` beside the ids (a NULL in the array matches no customer): with it, a
 * generic plan made while no payment had a customer walked payments_customer_idx through every
 * payment that has one, a cost that grew with the history.
 */
export function payingCustomers(ids: readonly string[], payers: readonly string[], merchantId: string, livemode: boolean): SQL {
  return sql`SELECT c.id, c.wallet_currency FROM customers c
      WHERE c.id = ANY(ARRAY(SELECT customer_id FROM payments WHERE id = ANY(${pgArray(ids)}::text[])) || ${pgArray(payers)}::text[])
        AND (c.merchant_id, c.livemode) IS NOT DISTINCT FROM (${merchantId}::text, ${livemode}::boolean)`;
}

/** The confirmed payments' new states, one statement. */
export function savePayments(rows: readonly PaymentRow[]): SQL {
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  return sql`UPDATE payments p SET status = u.status, method = u.method, payment_method_details = u.details, customer_id = u.customer_id,
               amount_capturable = u.capturable, amount_captured = u.captured, fee = u.fee, fee_tariff = u.fee_tariff,
               last_error = u.last_error, next_action = u.next_action, challenge_hash = u.challenge_hash, updated_at = u.updated_at
             FROM unnest(${pgArray(rows.map((r) => r.id))}::text[], ${pgArray(rows.map((r) => r.status))}::text[],
                         ${pgArray(rows.map((r) => r.method))}::text[], ${pgArray(rows.map((r) => json(r.paymentMethodDetails)))}::jsonb[],
                         ${pgArray(rows.map((r) => r.customerId))}::text[], ${pgArray(rows.map((r) => r.amountCapturable))}::bigint[],
                         ${pgArray(rows.map((r) => r.amountCaptured))}::bigint[], ${pgArray(rows.map((r) => r.fee))}::bigint[],
                         ${pgArray(rows.map((r) => json(r.feeTariff)))}::jsonb[], ${pgArray(rows.map((r) => json(r.lastError)))}::jsonb[],
                         ${pgArray(rows.map((r) => json(r.nextAction)))}::jsonb[], ${pgArray(rows.map((r) => r.challengeHash))}::text[],
                         ${pgArray(rows.map((r) => r.updatedAt.toISOString()))}::timestamptz[])
               AS u(id, status, method, details, customer_id, capturable, captured, fee, fee_tariff, last_error, next_action, challenge_hash, updated_at)
             WHERE p.id = u.id AND p.id = ANY(${pgArray(rows.map((r) => r.id))}::text[])`;
}
