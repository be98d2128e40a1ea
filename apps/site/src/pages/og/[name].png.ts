import type { APIRoute, GetStaticPaths } from "astro";
import { ogPng } from "../../lib/og";
import { sitePages } from "../../lib/sitemap";

export const getStaticPaths = (async () => {
  const paths = [];
  for (const page of await sitePages()) {
    for (const lang of page.langs) {
      const title = page.og.title[lang];
      if (!title) continue;
      paths.push({ params: { name: `${lang}-${page.og.key}` }, props: { title, subtitle: page.og.subtitle[lang] ?? "" } });
    }
  }
  return paths;
}) satisfies GetStaticPaths;

export const GET: APIRoute = async ({ props }) => {
  const png = await ogPng(String(props.title), String(props.subtitle));
  return new Response(png, { headers: { "Content-Type": "image/png" } });
};
