/** Phone numbers for SMS payment: the three countries the SMS providers serve, with their masks. */

export interface PhoneCountry {
  /** ISO 3166 alpha-2 */
  country: "KG" | "KZ" | "UZ";
  dialCode: "+996" | "+7" | "+998";
  /** national significant number length */
  length: number;
  /** '#' is a digit */
  mask: string;
  example: string;
}

export const PHONE_COUNTRIES: readonly PhoneCountry[] = [
  { country: "KG", dialCode: "+996", length: 9, mask: "### ### ###", example: "700 123 456" },
  { country: "KZ", dialCode: "+7", length: 10, mask: "### ###-##-##", example: "701 123-45-67" },
  { country: "UZ", dialCode: "+998", length: 9, mask: "## ###-##-##", example: "90 123-45-67" },
];

export function countryByDialCode(dialCode: string): PhoneCountry {
  return PHONE_COUNTRIES.find((c) => c.dialCode === dialCode) ?? (PHONE_COUNTRIES[0] as PhoneCountry);
}

/** Guess the country from what was pasted ("+7 701…", "996700…"); undefined if it does not say. */
export function countryFromInput(value: string): PhoneCountry | undefined {
  const trimmed = value.trim();
  const digits = trimmed.replace(/\D+/g, "");
  if (!trimmed.startsWith("+") && digits.length <= 10) return undefined;
  // Longest dial code first: +998 and +996 before +7.
  for (const c of [...PHONE_COUNTRIES].sort((a, b) => b.dialCode.length - a.dialCode.length)) {
    if (digits.startsWith(c.dialCode.slice(1))) return c;
  }
  return undefined;
}

/** The national digits of what was typed, with a pasted dial code or trunk prefix removed. */
export function nationalDigits(value: string, country: PhoneCountry): string {
  let digits = value.replace(/\D+/g, "");
  const code = country.dialCode.slice(1);
  if (value.trim().startsWith("+") && digits.startsWith(code)) digits = digits.slice(code.length);
  else if (digits.length > country.length && digits.startsWith(code)) digits = digits.slice(code.length);
  // Domestic trunk prefixes: 0 in Kyrgyzstan, 8 in Kazakhstan.
  if (digits.length > country.length && (digits.startsWith("0") || digits.startsWith("8"))) digits = digits.slice(1);
  return digits.slice(0, country.length);
}

/** "700123456" in KG → "700 123 456". */
export function formatPhone(value: string, country: PhoneCountry): string {
  const digits = nationalDigits(value, country);
  let out = "";
  let i = 0;
  for (const ch of country.mask) {
    if (i >= digits.length) break;
    if (ch === "#") out += digits[i++];
    else out += ch;
  }
  return out;
}

export function isPhoneComplete(value: string, country: PhoneCountry): boolean {
  return nationalDigits(value, country).length === country.length;
}

/** E.164, as the confirm call wants it: "+996700123456". */
export function toE164(value: string, country: PhoneCountry): string {
  return `${country.dialCode}${nationalDigits(value, country)}`;
}
