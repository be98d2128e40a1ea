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
