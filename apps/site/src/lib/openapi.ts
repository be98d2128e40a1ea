// Builds the API reference from the API's committed OpenAPI document at build time.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./repo";

export const openapiPath = process.env.OPENAPI_PATH ?? join(repoRoot(), "apps/api/openapi.json");

type Json = Record<string, unknown>;

export interface Field {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

export interface Operation {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string;
  auth: boolean;
  params: (Field & { in: string })[];
  body: Field[];
  responses: { status: string; description: string }[];
}

export interface Reference {
  title: string;
  version: string;
  description: string;
  groups: { tag: string; description: string; operations: Operation[] }[];
  count: number;
}

const methods = ["get", "post", "put", "patch", "delete"] as const;

function resolve(doc: Json, node: unknown, depth = 0): Json {
  if (!node || typeof node !== "object" || depth > 8) return {};
  const ref = (node as Json).$ref;
  if (typeof ref === "string" && ref.startsWith("#/")) {
    let cur: unknown = doc;
    for (const part of ref.slice(2).split("/")) cur = (cur as Json | undefined)?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    return resolve(doc, cur, depth + 1);
  }
  return node as Json;
}

function typeOf(doc: Json, schema: unknown, depth = 0): string {
  const s = resolve(doc, schema);
  if (depth > 3) return "object";
  if (Array.isArray(s.enum)) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  for (const k of ["oneOf", "anyOf"] as const) {
    const list = s[k];
    if (Array.isArray(list)) return [...new Set(list.map((x) => typeOf(doc, x, depth + 1)))].join(" | ");
  }
  if (Array.isArray(s.allOf)) return "object";
  const t = Array.isArray(s.type) ? s.type.join(" | ") : typeof s.type === "string" ? s.type : "object";
  if (t === "array") return `${typeOf(doc, s.items, depth + 1)}[]`;
  if (t === "integer" || t === "number") return t;
  if (t === "string" && typeof s.format === "string") return `string (${s.format})`;
  return t;
}

function fields(doc: Json, schema: unknown): Field[] {
  const s = resolve(doc, schema);
  const merged: Json = { ...s };
  if (Array.isArray(s.allOf)) {
    merged.properties = {};
    merged.required = [];
    for (const part of s.allOf) {
      const p = resolve(doc, part);
      Object.assign(merged.properties as Json, (p.properties as Json) ?? {});
      (merged.required as string[]).push(...((p.required as string[]) ?? []));
    }
  }
  const props = (merged.properties as Json | undefined) ?? {};
  const required = new Set((merged.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, prop]) => {
    const p = resolve(doc, prop);
    return { name, type: typeOf(doc, prop), required: required.has(name), description: String(p.description ?? "") };
  });
}

export function buildReference(doc: Json): Reference {
  const info = (doc.info as Json | undefined) ?? {};
  const tagInfo = new Map<string, string>();
  for (const t of (doc.tags as Json[] | undefined) ?? []) tagInfo.set(String(t.name), String(t.description ?? ""));
  const globalSecurity = Array.isArray(doc.security) && doc.security.length > 0;
  const groups = new Map<string, Operation[]>();
  let count = 0;
  for (const [path, item] of Object.entries((doc.paths as Json | undefined) ?? {})) {
    const pathItem = item as Json;
    const shared = (pathItem.parameters as unknown[] | undefined) ?? [];
    for (const method of methods) {
      const op = pathItem[method] as Json | undefined;
      if (!op) continue;
      count++;
      const params = [...shared, ...((op.parameters as unknown[] | undefined) ?? [])].map((raw) => {
        const p = resolve(doc, raw);
        return {
          name: String(p.name),
          in: String(p.in),
          type: typeOf(doc, p.schema),
          required: Boolean(p.required),
          description: String(p.description ?? ""),
        };
      });
      const content = (resolve(doc, op.requestBody).content as Json | undefined) ?? {};
      const json = (content["application/json"] as Json | undefined) ?? (Object.values(content)[0] as Json | undefined);
      const responses = Object.entries((op.responses as Json | undefined) ?? {}).map(([status, r]) => ({
        status,
        description: String(resolve(doc, r).description ?? ""),
      }));
      const security = op.security as unknown[] | undefined;
      const tag = String(((op.tags as string[] | undefined) ?? [])[0] ?? "Other");
      const operation: Operation = {
        id: `${method}-${path}`
          .replace(/[^a-zA-Z0-9]+/g, "-")
          .replace(/^-|-$/g, "")
          .toLowerCase(),
        method: method.toUpperCase(),
        path,
        summary: String(op.summary ?? ""),
        description: String(op.description ?? ""),
        auth: security ? security.length > 0 : globalSecurity,
        params,
        body: json ? fields(doc, json.schema) : [],
        responses,
      };
      groups.set(tag, [...(groups.get(tag) ?? []), operation]);
    }
  }
  return {
    title: String(info.title ?? "Softrack API"),
    version: String(info.version ?? ""),
    description: String(info.description ?? ""),
    groups: [...groups.entries()].map(([tag, operations]) => ({ tag, description: tagInfo.get(tag) ?? "", operations })),
    count,
  };
}

/** null when the API has not committed its OpenAPI document yet. */
export function loadReference(path = openapiPath): Reference | null {
  if (!existsSync(path)) return null;
  return buildReference(JSON.parse(readFileSync(path, "utf8")) as Json);
}
