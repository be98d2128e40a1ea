import { Secret, TOTP } from "otpauth";
import QRCode from "qrcode";

/** RFC 6238: SHA-1, 6 digits, 30-second steps, ±1 step of clock drift. */
const PERIOD = 30;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string) {
  return new TOTP({ issuer: "Softrack", label, algorithm: "SHA1", digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });
}

export async function provisioning(secret: string, label: string) {
  const uri = totp(secret, label).toString();
  const qrSvg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 1 });
  return { uri, qrSvg };
}

/**
 * The time step a code belongs to (within ±1 step of `now`), or null. The caller refuses
 * a step at or before the last one accepted, so a used code cannot be replayed.
 */
export function totpStep(secret: string, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totp(secret, "x").validate({ token: code, timestamp: now.getTime(), window: 1 });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD) + delta;
}
