// The console's one client: same origin as the API, authenticated by the httpOnly session
// cookie (no key in the page). A 401 anywhere means the session ended: the app shows sign-in.
import { Softrack, SoftrackAuthenticationError, SoftrackError } from "@softrack/sdk";
import { errorText } from "./i18n";

export const api = new Softrack({ credentials: "same-origin", baseUrl: location.origin, maxRetries: 1 });

export const SIGNED_OUT = "softrack-console-signed-out";

/** The text to show for a failed call; a 401 on a signed-in call also tells the app the session is gone. */
export function failure(error: unknown): string {
  if (error instanceof SoftrackAuthenticationError && error.code === "session_invalid") window.dispatchEvent(new Event(SIGNED_OUT));
  if (error instanceof SoftrackError) return errorText(error.code, error.message);
  return String(error);
}
