import { readFileSync } from "node:fs";
import bundled from "../config/tax-services.json" with { type: "json" };
import { invalid } from "../lib/errors.js";

export interface TaxService {
  code: string;
  name: string;
  name_ru?: string;
}

let services: Map<string, TaxService> | undefined;

/** The accepted service codes: the bundled list, or TAX_SERVICES_FILE when an operator sets one. */
export function taxServices(): Map<string, TaxService> {
  if (!services) {
    const file = process.env.TAX_SERVICES_FILE;
    const list = (file ? JSON.parse(readFileSync(file, "utf8")) : bundled) as { services: TaxService[] };
    services = new Map(list.services.map((s) => [s.code, s]));
  }
  return services;
}

/**
 * Taxpayer identification numbers: Kyrgyzstan's INN (14 digits, starting with 1 or 2 for
 * people and 0 for organisations), Kazakhstan's IIN/BIN (12 digits), Uzbekistan's STIR (9 digits).
 */
const TIN = /^([012]\d{13}|\d{12}|\d{9})$/;

export function validateTaxPurpose(purpose: Record<string, unknown>): { payer_tin: string; service_code: string } {
  const tin = purpose.payer_tin;
  if (typeof tin !== "string" || !TIN.test(tin)) {
    throw invalid("invalid_tin", "purpose.payer_tin must be a taxpayer number: 14 digits (KG), 12 (KZ) or 9 (UZ).", "purpose.payer_tin");
  }
  const code = purpose.service_code;
  if (typeof code !== "string" || !taxServices().has(code)) {
    throw invalid(
      "unknown_service_code",
      `purpose.service_code must be one of: ${[...taxServices().keys()].join(", ")}.`,
      "purpose.service_code",
    );
  }
  return { payer_tin: tin, service_code: code };
}
