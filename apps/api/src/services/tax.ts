import { readFileSync } from "node:fs";
import bundled from "../config/tax-services.json" with { type: "json" };
import { ConfigError } from "../connectors/live.js";
import { invalid } from "../lib/errors.js";

export interface TaxService {
  code: string;
  name: string;
  name_ru?: string;
}

/**
 * The accepted codes, for the OpenAPI document's enum: one array, refilled in place whenever the
 * list is set, so the served document names the codes this process accepts.
 */
export const TAX_SERVICE_CODES: string[] = [];

const fromList = (list: { services: TaxService[] }) => {
  TAX_SERVICE_CODES.splice(0, TAX_SERVICE_CODES.length, ...list.services.map((s) => s.code));
  return new Map(list.services.map((s) => [s.code, s]));
};

let services = fromList(bundled as { services: TaxService[] });

/**
 * Sets the accepted service codes: the bundled list, or TAX_SERVICES_FILE when an operator
 * sets one. The runtime calls it once at start, so a file that cannot be used stops the
 * start (ConfigError) instead of failing the first tax payment. One list per process.
 */
export function loadTaxServices(file: string | undefined): void {
  if (!file) {
    services = fromList(bundled as { services: TaxService[] });
    return;
  }
  let list: { services?: unknown };
  try {
    list = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ConfigError(`TAX_SERVICES_FILE: cannot read '${file}': ${(err as Error).message.split("\n")[0]}`);
  }
  const entries = list.services;
  if (!Array.isArray(entries) || entries.length === 0 || !entries.every((e) => typeof e?.code === "string" && typeof e?.name === "string"))
    throw new ConfigError(`TAX_SERVICES_FILE: '${file}' must hold {"services": [{"code": "…", "name": "…"}, …]}`);
  services = fromList({ services: entries as TaxService[] });
}

/** The accepted service codes (see loadTaxServices). */
export function taxServices(): Map<string, TaxService> {
  return services;
}

/**
 * Taxpayer identification numbers: Kyrgyzstan's INN (14 digits, starting with 1 or 2 for
 * people and 0 for organisations), Kazakhstan's IIN/BIN (12 digits), Uzbekistan's STIR (9 digits).
 */
export const TIN = /^([012]\d{13}|\d{12}|\d{9})$/;

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
