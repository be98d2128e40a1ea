import { CURRENCY_CODES, merchantDebtAccount, WALLET_ID } from "@softrack/core";
import { type SQL, sql } from "drizzle-orm";

/**
 * Ledger account names live in the core (packages/core/src/ledger/accounts.ts), the one module
 * that spells an account id; this re-export keeps the store's older import path working.
 */
export {
  type AccountSpec,
  clearingAccount,
  type MerchantBucket,
  merchantAccount,
  revenueAccount,
  SHARDS,
  shardSuffix,
  walletAccount,
} from "@softrack/core";

/**
 * walletAccount()'s id as an SQL expression over a customer's id and wallet currency, for a
 * statement that reads wallets in the same round trip as their customers (nothing to name in
 * JavaScript yet). Built from the core's parts, so the id is spelled in one place.
 */
export function walletAccountIdSql(customerId: SQL, currency: SQL): SQL {
  return sql`(${WALLET_ID.prefix}::text || ${customerId} || ${WALLET_ID.infix}::text || ${currency})`;
}

/** The ids of a merchant's debt accounts (core merchantDebtAccount), one per currency it could be paid in: primary-key reads. */
export function merchantDebtIds(merchantId: string, livemode: boolean): string[] {
  return CURRENCY_CODES.map((c) => merchantDebtAccount(merchantId, livemode, c).id);
}
