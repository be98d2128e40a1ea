import { CURRENCIES, type CurrencyCode } from "@softrack/core";
import { sql } from "drizzle-orm";
import { PDFDocument, rgb, StandardFonts } from "pdf-lib";
import type { AppEnv } from "../context.js";
import { ApiError } from "../lib/errors.js";
import type { MerchantRow } from "./merchants.js";
import type { PaymentRow } from "./payments.js";
import { taxServices } from "./tax.js";

/**
 * When the payment's money was taken: its first capture in the ledger. A receipt never moves,
 * whatever later changes the payment's row (a refund, a dispute).
 */
export async function paidAt(v: Pick<AppEnv["Variables"], "deps" | "db">, p: PaymentRow): Promise<Date> {
  const [row] = await v.deps.database.rows<{ at: Date | string | null }>(
    sql`SELECT min(created_at) AS at FROM ledger_transactions WHERE source_id = ${p.id} AND type = 'payment.capture'`,
    v.db,
  );
  return row?.at ? new Date(row.at) : p.updatedAt;
}

/** Receipt of a succeeded payment; for tax payments it carries what a service centre must print. */
export function receiptOf(p: PaymentRow, merchant: MerchantRow, paid: Date) {
  if (p.status !== "succeeded") {
    throw new ApiError(
      400,
      "invalid_request_error",
      "payment_unexpected_state",
      `A receipt exists once a payment has succeeded; this one is ${p.status}.`,
      undefined,
      { payment_status: p.status },
    );
  }
  const tax =
    p.purpose?.type === "tax"
      ? {
          payer_tin: p.purpose.payer_tin as string,
          service_code: p.purpose.service_code as string,
          service_name: taxServices().get(p.purpose.service_code as string)?.name ?? null,
        }
      : null;
  return {
    id: `rcpt_${p.id.slice(p.id.indexOf("_") + 1)}`,
    object: "receipt" as const,
    created: paid.toISOString(),
    number: `R-${p.id.slice(4, 20)}`,
    payment: p.id,
    livemode: p.livemode,
    merchant: { id: merchant.id, name: merchant.name, country: merchant.country },
    amount: p.amountCaptured,
    amount_refunded: p.amountRefunded,
    currency: p.currency,
    paid_at: paid.toISOString(),
    method: p.method,
    payment_method_details: p.paymentMethodDetails ?? null,
    description: p.description,
    tax,
  };
}

const major = (amount: number, currency: string) => {
  const exp = CURRENCIES[currency as CurrencyCode]?.exponent ?? 2;
  const s = String(Math.abs(amount)).padStart(exp + 1, "0");
  return `${amount < 0 ? "-" : ""}${s.slice(0, -exp)}.${s.slice(-exp)} ${currency}`;
};

/** A printable A5 receipt (standard PDF fonts: Latin text only). */
export async function receiptPdf(r: ReturnType<typeof receiptOf>): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Receipt ${r.number}`);
  doc.setProducer("Softrack");
  const page = doc.addPage([420, 595]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const ascii = (s: string) => s.replace(/[^\x20-\x7e]/g, "?");
  let y = 545;
  const line = (label: string, value: string, strong = false) => {
    page.drawText(ascii(label), { x: 36, y, size: 10, font, color: rgb(0.35, 0.35, 0.4) });
    page.drawText(ascii(value), { x: 170, y, size: 11, font: strong ? bold : font });
    y -= 22;
  };
  page.drawText("Softrack", { x: 36, y: 560, size: 9, font: bold, color: rgb(0.1, 0.3, 0.7) });
  y = 525;
  page.drawText(r.tax ? "Tax payment receipt" : "Payment receipt", { x: 36, y, size: 18, font: bold });
  y -= 36;
  line("Receipt no.", r.number);
  line("Payment", r.payment);
  line("Paid at (UTC)", r.paid_at.replace("T", " ").slice(0, 19));
  line("Recipient", r.merchant.name);
  if (r.tax) {
    line("Payer TIN", r.tax.payer_tin);
    line("Service", `${r.tax.service_code}${r.tax.service_name ? ` - ${r.tax.service_name}` : ""}`);
  }
  const card = (r.payment_method_details as { card?: { brand: string; last4: string } } | null)?.card;
  line("Method", card ? `${r.method} ${card.brand} **** ${card.last4}` : String(r.method));
  line("Amount", major(r.amount, r.currency), true);
  if (r.amount_refunded > 0) line("Refunded", major(r.amount_refunded, r.currency));
  if (!r.livemode) line("Mode", "TEST - not a fiscal document");
  return doc.save();
}
