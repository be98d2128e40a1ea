import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const dist = fileURLToPath(new URL("../dist", import.meta.url));

/** Every HTML file of the build, as site paths ("/en/team/") with their text. */
export function htmlPages(): { path: string; file: string; html: string }[] {
  const out: { path: string; file: string; html: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".html")) {
        const rel = `/${relative(dist, full)}`;
        const path = rel.endsWith("/index.html") ? rel.slice(0, -"index.html".length) : rel;
        out.push({ path, file: full, html: readFileSync(full, "utf8") });
      }
    }
  };
  walk(dist);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export function sitemapPaths(): string[] {
  const xml = readFileSync(join(dist, "sitemap.xml"), "utf8");
  return [...xml.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => new URL(m[1] ?? "/").pathname);
}

export function attr(html: string, selector: RegExp): string[] {
  return [...html.matchAll(selector)].map((m) => m[1] ?? "");
}
