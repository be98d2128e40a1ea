// Every word a visitor reads lives here, in collections with schemas, not in templates.
import { defineCollection } from "astro:content";
import { file, glob } from "astro/loaders";
import { z } from "astro/zod";

const lang = z.enum(["ru", "en"]);
const capabilitySlug = z.enum(["payments", "transit", "courier-guarantee", "tax", "sdk-widget"]);
/**
 * Where a case really stands. Only what the company has said goes here: `live` only when a launch
 * is announced; until then `rollout` (approved, being installed) or `development`.
 */
export const caseStatus = z.enum(["live", "rollout", "development"]);

/** A delivered project: one Markdown file per case and language (`cases/<lang>/<slug>.md`). */
const cases = defineCollection({
  loader: glob({ pattern: "**/*.md", base: "./src/content/cases" }),
  schema: z.object({
    lang,
    key: z.string().regex(/^[a-z0-9-]+$/),
    order: z.number().int(),
    status: caseStatus,
    /** announced beta date, ISO (YYYY-MM-DD) */
    beta: z.coerce.date().optional(),
    /** share of the work done, in per cent, when the company has said it */
    progress: z.number().int().min(0).max(100).optional(),
    title: z.string(),
    client: z.string(),
    sector: z.string(),
    summary: z.string().max(200),
    problem: z.string(),
    built: z.array(z.string()).min(1),
    outcome: z.string(),
    capabilities: z.array(capabilitySlug).min(1),
  }),
});

/** What Softrack can do for a prospect (`capabilities/<lang>/<slug>.md`). */
const capabilities = defineCollection({
  loader: glob({ pattern: "**/*.md", base: "./src/content/capabilities" }),
  schema: z.object({
    lang,
    key: capabilitySlug,
    order: z.number().int(),
    title: z.string(),
    summary: z.string().max(200),
    features: z.array(z.string()).min(1),
    endpoints: z.array(z.string()).default([]),
  }),
});

const localized = z.object({ ru: z.string(), en: z.string() });

/** Areas of ownership. People are added by the company; nobody is invented here. */
const team = defineCollection({
  loader: file("./src/content/team/areas.json"),
  schema: z.object({
    order: z.number().int(),
    role: localized,
    owns: z.object({ ru: z.array(z.string()), en: z.array(z.string()) }),
    members: z.array(z.object({ name: z.string(), title: localized, photo: z.string().optional() })).default([]),
  }),
});

/** Developer guides (`docs/<lang>/<slug>.md`). */
const docs = defineCollection({
  loader: glob({ pattern: "**/*.md", base: "./src/content/docs" }),
  schema: z.object({
    lang,
    key: z.enum(["quickstart", "sdk", "widget"]),
    order: z.number().int(),
    title: z.string(),
    description: z.string().max(180),
    /** the widget guide's live demo against the local API */
    demo: z.object({ heading: z.string(), note: z.string(), frameTitle: z.string(), open: z.string() }).optional(),
  }),
});

/** Per-page copy: title, meta description, heading, lead and page-specific strings. */
const pages = defineCollection({
  loader: glob({ pattern: "**/*.md", base: "./src/content/pages" }),
  schema: z.object({
    lang: z.enum(["ru", "en", "ky"]),
    page: z.string(),
    title: z.string().max(70),
    description: z.string().min(50).max(180),
    heading: z.string(),
    lead: z.string(),
    strings: z.record(z.string(), z.string()).default({}),
  }),
});

/** Interface strings shared by every page: navigation, footer, form messages. */
const ui = defineCollection({
  loader: glob({ pattern: "*.json", base: "./src/content/ui" }),
  schema: z.object({
    skip: z.string(),
    nav: z.object({
      home: z.string(),
      portfolio: z.string(),
      capabilities: z.string(),
      achievements: z.string(),
      team: z.string(),
      developers: z.string(),
      contact: z.string(),
    }),
    navLabel: z.string(),
    languageLabel: z.string(),
    footer: z.object({ tagline: z.string(), rights: z.string(), license: z.string(), navLabel: z.string() }),
    cta: z.object({ talk: z.string(), build: z.string(), readCase: z.string(), allCases: z.string() }),
    caseLabels: z.object({
      problem: z.string(),
      built: z.string(),
      outcome: z.string(),
      /** heading of the outcome when the case is not live yet: what it is meant to achieve */
      goal: z.string(),
      uses: z.string(),
      client: z.string(),
      status: z.string(),
    }),
    caseStatus: z.object({ live: z.string(), rollout: z.string(), development: z.string(), beta: z.string(), progress: z.string() }),
    menu: z.object({ open: z.string() }),
    /** "Softrack in numbers": what each measured figure is (src/lib/numbers.ts), and where it was read */
    figures: z.object({
      throughput: z.string(),
      p99: z.string(),
      crashKills: z.string(),
      fuzzRequests: z.string(),
      sdkSize: z.string(),
      widgetSize: z.string(),
      ms: z.string(),
      bytes: z.string(),
      source: z.string(),
      caption: z.string(),
    }),
  }),
});

export const collections = { cases, capabilities, team, docs, pages, ui };
