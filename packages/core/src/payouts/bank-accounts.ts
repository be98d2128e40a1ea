/**
 * Bank account numbers of the countries Softrack pays out in, checked before anything is
 * stored: a payout to a mistyped account comes back days later (or never), so the shape and
 * the check digits are refused at the door, each problem naming the field (`param`).
 *
 *   KZ  IBAN, 20 characters: "KZ", 2 check digits (ISO 13616 mod-97), 3-digit bank code,
 *       13-character account; the bank by its BIC (SWIFT, 8 or 11 characters, country KZ).
 *   KG  16-digit account; the bank by its 6-digit BIK.
 *   UZ  20-digit account; the bank by its 5-digit MFO.
 */
export const BANK_COUNTRIES = ["KG", "KZ", "UZ"] as const;
export type BankCountry = (typeof BANK_COUNTRIES)[number];

export interface BankAccountInput {
  country: string;
  account_number: string;
  bank_code: string;
}

export type BankAccountCheck =
  | { ok: true; country: BankCountry; accountNumber: string; bankCode: string; last4: string }
  | { ok: false; param: "country" | "account_number" | "bank_code"; code: string; message: string };

/** Spaces and dashes are how people write numbers, not part of them; letters compare upper-case. */
export function normalizeAccountText(s: string): string {
  return s.replace(/[\s-]+/g, "").toUpperCase();
}

/** ISO 13616: the IBAN with its first four characters moved to the end, letters as 10..35, mod 97. */
export function ibanRemainder(iban: string): number {
  const moved = iban.slice(4) + iban.slice(0, 4);
  let r = 0;
  for (const ch of moved) {
    const v = ch >= "A" && ch <= "Z" ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    // Two digits for a letter: fold each decimal digit in turn, so the number never leaves the safe range.
    r = v >= 10 ? (r * 100 + v) % 97 : (r * 10 + v) % 97;
  }
  return r;
}

export function isValidIbanChecksum(iban: string): boolean {
  return /^[A-Z]{2}\d{2}[0-9A-Z]+$/.test(iban) && ibanRemainder(iban) === 1;
}

/** The two check digits that make `country` + digits + `bban` a valid IBAN. */
export function ibanCheckDigits(country: string, bban: string): string {
  const r = ibanRemainder(`${country}00${bban}`);
  return String(98 - r).padStart(2, "0");
}

const KZ_IBAN = /^KZ\d{2}\d{3}[0-9A-Z]{13}$/;
/** 4 letters of bank, 2 of country, 2 of location, optionally 3 of branch. */
const BIC = /^[A-Z]{4}([A-Z]{2})[A-Z0-9]{2}([A-Z0-9]{3})?$/;

const bad = (param: "country" | "account_number" | "bank_code", message: string, code = `${param}_invalid`): BankAccountCheck => ({
  ok: false,
  param,
  code,
  message,
});

/** Checks one account; on success returns the normalised number and bank code, and the last 4 characters to show. */
export function validateBankAccount(input: BankAccountInput): BankAccountCheck {
  const country = input.country.toUpperCase();
  if (!(BANK_COUNTRIES as readonly string[]).includes(country))
    return bad("country", `country must be one of ${BANK_COUNTRIES.join(", ")}`, "country_unsupported");
  const number = normalizeAccountText(input.account_number);
  const bankCode = normalizeAccountText(input.bank_code);
  if (country === "KZ") {
    if (number.length !== 20) return bad("account_number", "A Kazakh account number is an IBAN of 20 characters (KZ…).");
    if (!KZ_IBAN.test(number))
      return bad("account_number", "A Kazakh IBAN is KZ, 2 check digits, a 3-digit bank code and 13 letters or digits.");
    if (ibanRemainder(number) !== 1)
      return bad("account_number", "The IBAN's check digits do not match: check the number for a typo.", "account_number_checksum");
    const bic = BIC.exec(bankCode);
    if (!bic) return bad("bank_code", "A BIC (SWIFT code) is 8 or 11 letters and digits, e.g. HSBKKZKX.");
    if (bic[1] !== "KZ") return bad("bank_code", "The BIC of a Kazakh account names country KZ (its 5th and 6th letters).");
  } else if (country === "KG") {
    if (!/^\d{16}$/.test(number)) return bad("account_number", "A Kyrgyz account number is 16 digits.");
    if (!/^\d{6}$/.test(bankCode)) return bad("bank_code", "A Kyrgyz bank is named by its BIK: 6 digits.");
  } else {
    if (!/^\d{20}$/.test(number)) return bad("account_number", "An Uzbek account number is 20 digits.");
    if (!/^\d{5}$/.test(bankCode)) return bad("bank_code", "An Uzbek bank is named by its MFO: 5 digits.");
  }
  return { ok: true, country: country as BankCountry, accountNumber: number, bankCode, last4: number.slice(-4) };
}
