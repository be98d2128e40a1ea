/**
 * Ledger account names: the one place that spells an account id. Test and live money never
 * share an account; wallets, reserves (escrow, disputes) and a merchant's available balance
 * never go negative (what available cannot cover is the merchant's debt, see
 * merchantDebtAccount), and the clearing accounts that face card networks, mobile operators
 * and banks carry the outside world's side.
 *
 * Pure: each function returns the account's description, which the API's LedgerStore turns
 * into a row the first time a posting touches it.
 */
export interface AccountSpec {
  id: string;
  merchantId: string | null;
  kind: string;
  currency: string;
  livemode: boolean;
  allowNegative: boolean;
  /**
   * Only ever credited (platform revenue: fees in). Its balance cannot decide anything, so it
   * is never locked ahead of the write, even though it may not go negative (the table's CHECK
   * still holds it); the ledger refuses an entry that debits it.
   */
  creditOnly?: boolean;
}

const mode = (livemode: boolean) => (livemode ? "live" : "test");

/**
 * Hot accounts are split. Every payment of a merchant credits the same balance and every
 * payment on the platform credits the same revenue row; one row means one lock, held
 * through each COMMIT, so a busy merchant would be capped at one commit at a time. Such an
 * account is SHARDS ordinary accounts (`…:s0` … `…:s7`), the shard picked by the payment's
 * id (so a hold and its capture meet in one shard); a balance is the sum of its shards.
 */
export const SHARDS = 8;
export function shardSuffix(key: string | undefined): string {
  if (!key) return "";
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return `:s${Math.abs(h) % SHARDS}`;
}

/**
 * A merchant's money by state: `available` (may be paid out), `pending` (an order's share
 * until its return window closes), `held` (buyers' money in escrow: authorised, not captured)
 * and `disputed` (taken from `available` while a dispute is open).
 */
export type MerchantBucket = "available" | "pending" | "held" | "disputed";

export function merchantAccount(
  merchantId: string,
  livemode: boolean,
  bucket: MerchantBucket,
  currency: string,
  shardKey?: string,
): AccountSpec {
  return {
    id: `merchant:${merchantId}:${mode(livemode)}:${bucket}:${currency}${shardSuffix(shardKey)}`,
    merchantId,
    kind: `merchant_${bucket}`,
    currency,
    livemode,
    // Escrow (held) is the buyers' money, a dispute's reserve the disputed money, and available
    // what may be paid out: all only ever run down to zero (a shortfall of available becomes
    // debt). Pending is not guarded (refunds and settlements take no lock on it): its postings
    // never take more than an order left there (paymentRefunded, orderPendingShare).
    allowNegative: bucket === "pending",
  };
}

/** Every account that holds a merchant's available balance in a currency: the unsharded one and its shards. */
export function availableAccounts(merchantId: string, livemode: boolean, currency: string): AccountSpec[] {
  const base = merchantAccount(merchantId, livemode, "available", currency);
  return [base, ...Array.from({ length: SHARDS }, (_, i) => ({ ...base, id: `${base.id}:s${i}` }))];
}

/**
 * What a merchant owes the platform: a dispute or refund its available balance could not
 * cover. A receivable, so its balance is at most zero (minus the debt); the merchant's later
 * credits repay it before they become available.
 */
export function merchantDebtAccount(merchantId: string, livemode: boolean, currency: string): AccountSpec {
  return {
    id: `merchant:${merchantId}:${mode(livemode)}:debt:${currency}`,
    merchantId,
    kind: "merchant_debt",
    currency,
    livemode,
    allowNegative: true,
  };
}

/**
 * A wallet's id is `${prefix}${customer id}${infix}${currency}`: statements that find wallets
 * from customer rows build it in SQL from these parts (the API's walletAccountIdSql).
 */
export const WALLET_ID = { prefix: "customer:", infix: ":wallet:" } as const;

/** A customer's wallet: the id names neither merchant nor mode, the customer id already does. */
export function walletAccount(merchantId: string, customerId: string, livemode: boolean, currency: string): AccountSpec {
  return {
    id: `${WALLET_ID.prefix}${customerId}${WALLET_ID.infix}${currency}`,
    merchantId,
    kind: "customer_wallet",
    currency,
    livemode,
    allowNegative: false,
  };
}

export function revenueAccount(livemode: boolean, currency: string, shardKey?: string): AccountSpec {
  return {
    id: `platform:${mode(livemode)}:revenue:${currency}${shardSuffix(shardKey)}`,
    merchantId: null,
    kind: "platform_revenue",
    currency,
    livemode,
    allowNegative: false,
    // Every payment with a fee credits one of its shards: locked from the start of each
    // request, as a guarded account would be, it made payments queue behind each other
    // (235 ms of lock wait per wallet payment on the payments bench).
    creditOnly: true,
  };
}

/**
 * Money owed by (or to) the outside world behind a rail: a payment method's network (card
 * acquirer, mobile operator, QR bank) or, for `payout`, the bank transfers to merchants.
 */
export function clearingAccount(method: string, livemode: boolean, currency: string, shardKey?: string): AccountSpec {
  return {
    id: `platform:${mode(livemode)}:clearing_${method}:${currency}${shardSuffix(shardKey)}`,
    merchantId: null,
    kind: "platform_clearing",
    currency,
    livemode,
    allowNegative: true,
  };
}
