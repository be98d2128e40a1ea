import { type BankCountry, validateBankAccount } from "@softrack/core";
import { and, asc, eq, isNull, ne } from "drizzle-orm";
import type { AppEnv, MerchantPrincipal } from "../context.js";
import type { Db } from "../db/client.js";
import { bankAccounts } from "../db/schema/index.js";
import { invalid, notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { type ListParams, listOwned } from "../lib/pagination.js";
import { merchantOf } from "../middleware/auth.js";
import { auditAction } from "./auth.js";

type Vars = AppEnv["Variables"];
export type BankAccountRow = typeof bankAccounts.$inferSelect;

/** Only the last 4 characters of the number are ever shown again; the number itself stays sealed. */
export function bankAccountObject(r: BankAccountRow) {
  return {
    id: r.id,
    object: "bank_account" as const,
    created: r.createdAt.toISOString(),
    livemode: r.livemode,
    country: r.country as BankCountry,
    currency: r.currency,
    holder_name: r.holderName,
    bank_code: r.bankCode,
    last4: r.last4,
    default_for_currency: r.defaultForCurrency,
  };
}

export async function createBankAccount(
  v: Vars,
  input: { country: string; holder_name: string; account_number: string; bank_code: string; currency: string },
  ip: string,
) {
  const p = merchantOf(v);
  const check = validateBankAccount(input);
  if (!check.ok) throw invalid(check.code, check.message, check.param);
  // The merchant's first account in a currency is where payouts in it go by default.
  const [other] = await v.db
    .select({ id: bankAccounts.id })
    .from(bankAccounts)
    .where(
      and(owned(p), eq(bankAccounts.currency, input.currency), eq(bankAccounts.defaultForCurrency, true), isNull(bankAccounts.deletedAt)),
    )
    .limit(1);
  const [row] = await v.db
    .insert(bankAccounts)
    .values({
      id: newId("bankAccount"),
      merchantId: p.merchantId,
      livemode: p.livemode,
      country: check.country,
      currency: input.currency,
      holderName: input.holder_name,
      bankCode: check.bankCode,
      accountNumberSealed: v.deps.box.seal(check.accountNumber),
      last4: check.last4,
      defaultForCurrency: !other,
    })
    .returning();
  const created = row as BankAccountRow;
  // A new payout destination (it may become the default): audited with who added it, and the last 4 characters only.
  await auditAction(v, p, ip, "bank_account.created", {
    bank_account: created.id,
    country: created.country,
    currency: created.currency,
    last4: created.last4,
    default_for_currency: created.defaultForCurrency,
  });
  return created;
}

const owned = (p: MerchantPrincipal) => and(eq(bankAccounts.merchantId, p.merchantId), eq(bankAccounts.livemode, p.livemode));

export async function findBankAccount(db: Db, p: MerchantPrincipal, id: string, param = "id"): Promise<BankAccountRow> {
  const [row] = await db
    .select()
    .from(bankAccounts)
    .where(and(eq(bankAccounts.id, id), owned(p), isNull(bankAccounts.deletedAt)));
  if (!row) throw notFound("bank account", id, param);
  return row;
}

/** The account a payout in `currency` goes to when it names none. */
export async function defaultBankAccount(db: Db, p: MerchantPrincipal, currency: string): Promise<BankAccountRow | undefined> {
  const [row] = await db
    .select()
    .from(bankAccounts)
    .where(and(owned(p), eq(bankAccounts.currency, currency), eq(bankAccounts.defaultForCurrency, true), isNull(bankAccounts.deletedAt)))
    .limit(1);
  return row;
}

export function listBankAccounts(v: Vars, q: ListParams) {
  return listOwned(v.db, merchantOf(v), bankAccounts, q, "/v1/bank_accounts", isNull(bankAccounts.deletedAt));
}

/**
 * Removed from the merchant's view (kept for the payouts that went to it). If it was the
 * default, the oldest remaining account in its currency takes over.
 */
export async function deleteBankAccount(v: Vars, id: string, ip: string) {
  const p = merchantOf(v);
  const row = await findBankAccount(v.db, p, id);
  await v.db.update(bankAccounts).set({ deletedAt: v.deps.now(), defaultForCurrency: false }).where(eq(bankAccounts.id, row.id));
  let newDefault: string | null = null;
  if (row.defaultForCurrency) {
    const [next] = await v.db
      .select({ id: bankAccounts.id })
      .from(bankAccounts)
      .where(and(owned(p), eq(bankAccounts.currency, row.currency), isNull(bankAccounts.deletedAt), ne(bankAccounts.id, row.id)))
      .orderBy(asc(bankAccounts.id))
      .limit(1);
    if (next) await v.db.update(bankAccounts).set({ defaultForCurrency: true }).where(eq(bankAccounts.id, next.id));
    newDefault = next?.id ?? null;
  }
  await auditAction(v, p, ip, "bank_account.deleted", {
    bank_account: row.id,
    currency: row.currency,
    last4: row.last4,
    was_default: row.defaultForCurrency,
    ...(row.defaultForCurrency ? { new_default: newDefault } : {}),
  });
  return { id: row.id, object: "bank_account" as const, deleted: true as const };
}
