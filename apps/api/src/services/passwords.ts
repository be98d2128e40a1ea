/**
 * What a new password must not be, after NIST SP 800-63B (5.1.1.2): no composition rules
 * (they make passwords harder to remember, not to guess), but a refusal of the values guessed
 * first: a commonly used password, one character (or a short group) repeated, a run of
 * characters or a keyboard row, and the account's own email. The length (PASSWORD_MIN) is
 * checked where the request is validated.
 */

/** The service's name: the first word a guesser tries against its accounts. */
const SERVICE_WORDS = ["softrack"];

/** Keyboard rows, Latin and Russian (the members' and riders' keyboards): a run along one is a sequence. */
const KEYBOARD_ROWS = ["`1234567890-=", "qwertyuiop[]\\", "asdfghjkl;'", "zxcvbnm,./", "ёйцукенгшщзхъ", "фывапролджэ", "ячсмитьбю."];

/** The email's name part (before any +tag) shorter than this is no word a password could be said to contain. */
const MIN_NAME_PART = 3;

let common: Promise<Set<string>> | undefined;
/**
 * The common passwords of @zxcvbn-ts/language-common (about 49,000, from public breach
 * corpora, lower case), loaded on the first password set, not at start.
 */
function commonPasswords(): Promise<Set<string>> {
  common ??= import("@zxcvbn-ts/language-common").then(({ dictionary }) => new Set(dictionary["passwords-common"]));
  return common;
}

/** The password is one unit of at most 4 characters repeated ("aaaaaaaaaa", "abababab…", "1231231231"). */
function repetitive(chars: string[]): boolean {
  for (let unit = 1; unit <= 4 && unit * 2 <= chars.length; unit++) if (chars.every((c, i) => c === chars[i % unit])) return true;
  return false;
}

/** Each character one after the other, up or down ("0123456789", "zyxwvutsrq"; digits wrap 9 → 0), or along a keyboard row. */
function sequential(chars: string[]): boolean {
  const digit = (c: string) => c >= "0" && c <= "9";
  const steps = (dir: 1 | -1) =>
    chars.every((c, i) => {
      if (i === 0) return true;
      const prev = chars[i - 1] as string;
      if (digit(prev) && digit(c)) return (Number(c) - Number(prev) - dir + 10) % 10 === 0;
      return (c.codePointAt(0) ?? 0) - (prev.codePointAt(0) ?? 0) === dir;
    });
  if (steps(1) || steps(-1)) return true;
  const text = chars.join("");
  const reversed = [...chars].reverse().join("");
  return KEYBOARD_ROWS.some((row) => row.includes(text) || row.includes(reversed));
}

/** The words of the account a guesser knows: the email, its name part, and the service's name. */
function accountWords(email: string | null): string[] {
  const words = [...SERVICE_WORDS];
  if (email) {
    const address = email.toLowerCase();
    const name = (address.split("@")[0] ?? "").split("+")[0] ?? "";
    words.push(address);
    if (name.length >= MIN_NAME_PART) words.push(name);
  }
  return words;
}

/**
 * Why `password` is refused for an account with `email` (a sentence for the error message),
 * or null when it may be used.
 */
export async function passwordWeakness(password: string, email: string | null): Promise<string | null> {
  const lower = password.toLowerCase();
  const chars = [...lower];
  if (repetitive(chars)) return "The password is one character, or a short group of characters, repeated: choose one harder to guess.";
  if (sequential(chars))
    return "The password is a simple sequence (like 1234567890, abcdefghij or qwertyuiop): choose one harder to guess.";
  const word = accountWords(email).find((w) => lower.includes(w));
  if (word)
    return word === SERVICE_WORDS[0]
      ? "The password must not contain the service's name."
      : "The password must not contain your email address or the name part of it.";
  if ((await commonPasswords()).has(lower)) return "The password is on a list of commonly used passwords: choose another.";
  return null;
}
