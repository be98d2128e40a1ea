// The console's routes as data: the app parses the address bar with this table and draws a
// view per name, and the layout test visits every entry, so a route added here is tested.
// Pure (no DOM), so Node can import it.

/** How a route uses the part after its section: `#/payments/pay_…` needs one, `#/webhooks` may have one. */
export type IdUse = "none" | "required" | "optional";

export const ROUTES = {
  overview: { section: "overview", id: "none" },
  payments: { section: "payments", id: "none" },
  payment: { section: "payments", id: "required" },
  orders: { section: "orders", id: "none" },
  order: { section: "orders", id: "required" },
  payouts: { section: "payouts", id: "none" },
  payout: { section: "payouts", id: "required" },
  disputes: { section: "disputes", id: "none" },
  dispute: { section: "disputes", id: "required" },
  noShows: { section: "noShows", id: "none" },
  keys: { section: "keys", id: "none" },
  webhooks: { section: "webhooks", id: "optional" },
  transit: { section: "transit", id: "none" },
  team: { section: "team", id: "none" },
  settings: { section: "settings", id: "none" },
} as const satisfies Record<string, { section: string; id: IdUse }>;

export type RouteName = keyof typeof ROUTES;
export interface Route {
  name: RouteName;
  id?: string;
}

const NAMES = Object.keys(ROUTES) as RouteName[];

/** "#/payments/pay_…" → { name: "payment", id: "pay_…" }; anything unknown is the overview. */
export function parseRoute(hash: string): Route {
  const [, section = "", raw] = hash.replace(/^#/, "").split("/");
  const id = raw ? decodeURIComponent(raw) : "";
  const inSection = NAMES.filter((n) => ROUTES[n].section === section);
  // an id picks the section's detail route; a section without one ignores it (as before)
  const name = (id && inSection.find((n) => ROUTES[n].id !== "none")) || inSection.find((n) => ROUTES[n].id !== "required");
  if (!name) return { name: "overview" };
  return id && ROUTES[name].id !== "none" ? { name, id } : { name };
}

/** The address of a route: { name: "payment", id } → "#/payments/pay_…". */
export function routeHash(route: Route): string {
  const { section } = ROUTES[route.name];
  return route.id ? `#/${section}/${encodeURIComponent(route.id)}` : `#/${section}`;
}
