/**
 * Ledger account names. Test and live money never share an account; merchant balances may
 * go negative (a refund after fees, as at Stripe), wallets and escrow never do, and the
 * clearing accounts that face card networks and mobile operators carry the outside world's side.
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

export type MerchantBucket = "available" | "pending" | "held";

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
    // Escrow (held) is the buyers' money: it can only run down to zero.
    allowNegative: bucket !== "held",
  };
}

export function walletAccount(merchantId: string, customerId: string, livemode: boolean, currency: string): AccountSpec {
  return { id: `customer:${customerId}:wallet:${currency}`, merchantId, kind: "customer_wallet", currency, livemode, allowNegative: false };
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

/** Money owed by (or to) the network behind a payment method: card acquirer, mobile operator, QR bank. */
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
