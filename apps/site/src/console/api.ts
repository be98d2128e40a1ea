// The console's one client: same origin as the API, authenticated by the httpOnly session
// cookie (no key in the page). A 401 anywhere means the session ended: the app shows sign-in.
import { Softrack, SoftrackAuthenticationError, SoftrackError } from "@softrack/sdk";
import { errorText } from "./i18n";

export const api = new Softrack({ credentials: "same-origin", baseUrl: location.origin, maxRetries: 1 });

export const SIGNED_OUT = "softrack-console-signed-out";

/**
 * Whether this browser may hold a session: set when a sign-in completes, cleared when it ends.
 * The cookie itself is httpOnly (the page cannot see it), so without this note the console would
 * ask /v1/auth/me on every visit and a first visit would log a 401. Holds no secret.
 */
const SESSION_HINT = "softrack.console.session";
export function mayHaveSession(): boolean {
  try {
    return localStorage.getItem(SESSION_HINT) === "1";
  } catch {
    return true; // storage blocked: ask the API, as before
  }
}
export function noteSession(on: boolean): void {
  try {
    if (on) localStorage.setItem(SESSION_HINT, "1");
    else localStorage.removeItem(SESSION_HINT);
  } catch {}
}

/** The text to show for a failed call; a 401 on a signed-in call also tells the app the session is gone. */
export function failure(error: unknown): string {
  if (error instanceof SoftrackAuthenticationError && error.code === "session_invalid") window.dispatchEvent(new Event(SIGNED_OUT));
  if (error instanceof SoftrackError) return errorText(error.code, error.message);
  return String(error);
}
