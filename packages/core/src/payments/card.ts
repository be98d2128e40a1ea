/** Card helpers shared by the API (validation) and the widget (as-you-type checks). */
export type CardBrand = "visa" | "mastercard" | "mir" | "amex" | "unionpay" | "elcart" | "unknown";

export function luhnValid(number: string): boolean {
  if (!/^\d{12,19}$/.test(number)) return false;
  let sum = 0;
  let double = false;
  for (let i = number.length - 1; i >= 0; i--) {
    let d = number.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export function cardBrand(number: string): CardBrand {
  if (/^4/.test(number)) return "visa";
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(number)) return "mastercard";
  if (/^220[0-4]/.test(number)) return "mir";
  if (/^3[47]/.test(number)) return "amex";
  if (/^62/.test(number)) return "unionpay";
  if (/^9417/.test(number)) return "elcart";
  return "unknown";
}

/** A card is usable until the end of its expiry month (UTC). */
export function cardExpired(expMonth: number, expYear: number, now: Date): boolean {
  const endOfMonth = Date.UTC(expYear, expMonth, 1); // first instant of the following month
  return now.getTime() >= endOfMonth;
}
