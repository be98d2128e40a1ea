import { and, eq, sql } from "drizzle-orm";
import type { AppEnv, MerchantPrincipal } from "../context.js";
import type { Db } from "../db/client.js";
import { customers } from "../db/schema/index.js";
import { notFound } from "../lib/errors.js";
import { newId } from "../lib/ids.js";
import { merchantOf } from "../middleware/auth.js";
import { walletAccount } from "../store/accounts.js";
import { getMerchant } from "./merchants.js";

type Vars = AppEnv["Variables"];
export type CustomerRow = typeof customers.$inferSelect;

export async function customerObject(v: Vars, c: CustomerRow) {
  const account = walletAccount(c.merchantId, c.id, c.livemode, c.walletCurrency);
  const [row] = await v.deps.database.rows<{ balance: number }>(
    // Read without locking: a read of one row is consistent on its own.
    sql`SELECT balance FROM ledger_accounts WHERE id = ${account.id}`,
    v.db,
  );
  return {
    id: c.id,
    object: "customer" as const,
    created: c.createdAt.toISOString(),
    livemode: c.livemode,
    name: c.name,
    email: c.email,
    phone: c.phone,
    category: c.category,
    wallet: { balance: Number(row?.balance ?? 0), currency: c.walletCurrency },
    metadata: c.metadata,
  };
}

export async function createCustomer(
  v: Vars,
  input: {
    name?: string | undefined;
    email?: string | undefined;
    phone?: string | undefined;
    category?: string | undefined;
    wallet_currency?: string | undefined;
    metadata?: Record<string, string> | undefined;
  },
) {
  const p = merchantOf(v);
  const merchant = await getMerchant(v.db, p.merchantId);
  const [row] = await v.db
    .insert(customers)
    .values({
      id: newId("customer"),
      merchantId: p.merchantId,
      livemode: p.livemode,
      name: input.name ?? null,
      email: input.email ?? null,
      phone: input.phone ?? null,
      category: input.category ?? "adult",
      walletCurrency: input.wallet_currency ?? merchant.defaultCurrency,
      metadata: input.metadata ?? {},
    })
    .returning();
  return row as CustomerRow;
}

export async function findCustomer(db: Db, p: MerchantPrincipal, id: string, param = "customer"): Promise<CustomerRow> {
  const [row] = await db
    .select()
    .from(customers)
    .where(and(eq(customers.id, id), eq(customers.merchantId, p.merchantId), eq(customers.livemode, p.livemode)));
  if (!row) throw notFound("customer", id, param);
  return row;
}
