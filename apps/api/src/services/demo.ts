import { eq } from "drizzle-orm";
import type { Deps } from "../context.js";
import { settings } from "../db/schema/index.js";
import { ensureDemoOwner } from "./members.js";
import { createMerchant } from "./merchants.js";

/**
 * Development only: a demo merchant created on first start, whose test keys are kept
 * sealed (not in clear) so every later start can print them again.
 */
export async function ensureDemoMerchant(deps: Deps): Promise<{ id: string; secretKey: string; publishableKey: string; created: boolean }> {
  const db = deps.database.db;
  const [row] = await db.select().from(settings).where(eq(settings.key, "demo_merchant"));
  if (row) {
    const v = row.value as { id: string; secret_sealed: string; publishable_sealed: string };
    await ensureDemoOwner(deps, v.id);
    return { id: v.id, secretKey: deps.box.open(v.secret_sealed), publishableKey: deps.box.open(v.publishable_sealed), created: false };
  }
  const m = await db.transaction(async (tx) => {
    const merchant = await createMerchant(tx, { name: "Demo Shop", country: "KG", default_currency: "KGS" });
    await tx.insert(settings).values({
      key: "demo_merchant",
      value: {
        id: merchant.id,
        secret_sealed: deps.box.seal(merchant.keys.secret_key),
        publishable_sealed: deps.box.seal(merchant.keys.publishable_key),
      },
    });
    return merchant;
  });
  await ensureDemoOwner(deps, m.id);
  return { id: m.id, secretKey: m.keys.secret_key, publishableKey: m.keys.publishable_key, created: true };
}
