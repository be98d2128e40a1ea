// Every page: the narrow-screen menu and the reader's language choice. No framework; the page
// works without it (the footer carries the same links, and `/` falls back to Accept-Language).

/** Cookie the API reads when it serves `/` (apps/api/src/routes/static/site-language.ts). */
const LANGUAGE_COOKIE = "softrack_lang";
const YEAR_SECONDS = 365 * 24 * 60 * 60;

function rememberLanguage(lang: string) {
  const secure = location.protocol === "https:" ? "; Secure" : "";
  // biome-ignore lint/suspicious/noDocumentCookie: one first-party preference, read by the server on `/`
  document.cookie = `${LANGUAGE_COOKIE}=${encodeURIComponent(lang)}; Path=/; Max-Age=${YEAR_SECONDS}; SameSite=Lax${secure}`;
}

// the click runs before the browser follows the link, so `/` is asked for with the new cookie
for (const link of document.querySelectorAll<HTMLAnchorElement>(".langs a[hreflang]")) {
  link.addEventListener("click", () => rememberLanguage(link.hreflang));
}

const header = document.querySelector<HTMLElement>(".site-header");
const toggle = header?.querySelector<HTMLButtonElement>(".nav-toggle");
const nav = toggle ? document.getElementById(toggle.getAttribute("aria-controls") ?? "") : null;

if (header && toggle && nav) {
  const isOpen = () => toggle.getAttribute("aria-expanded") === "true";
  const setOpen = (open: boolean) => {
    header.dataset.menu = open ? "open" : "closed";
    toggle.setAttribute("aria-expanded", String(open));
  };
  toggle.addEventListener("click", () => {
    const open = !isOpen();
    setOpen(open);
    if (open) nav.querySelector<HTMLAnchorElement>("a")?.focus();
  });
  // Escape closes the menu and gives focus back to its button
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) {
      setOpen(false);
      toggle.focus();
    }
  });
  // tabbing out of the menu, or a click elsewhere, closes it
  header.addEventListener("focusout", (event) => {
    const to = event.relatedTarget as Node | null;
    if (isOpen() && to !== null && to !== toggle && !nav.contains(to)) setOpen(false);
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && !header.contains(event.target as Node)) setOpen(false);
  });
  // widening the window past the breakpoint shows the full nav again, closed
  matchMedia("(min-width: 56.01rem)").addEventListener("change", () => setOpen(false));
}
