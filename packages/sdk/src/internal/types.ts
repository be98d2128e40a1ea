/**
 * Type-level access to the generated OpenAPI types (src/generated/openapi.ts), so every
 * resource's request and response types come from the API's own document.
 */
import type { components, paths } from "../generated/openapi.js";

export type Schemas = components["schemas"];
type Verb = "get" | "post" | "put" | "delete";
type Op<P extends keyof paths, M extends Verb> = paths[P][M];

/** JSON request body of `M P`. */
export type Body<P extends keyof paths, M extends Verb> =
  Op<P, M> extends {
    requestBody?: { content: { "application/json": infer B } };
  }
    ? B
    : never;

/** Query parameters of `M P`. */
export type Query<P extends keyof paths, M extends Verb> = Op<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** JSON body of the 200 (or 201) response of `M P`. */
export type Ok<P extends keyof paths, M extends Verb> =
  Op<P, M> extends {
    responses: { 200: { content: { "application/json": infer R } } };
  }
    ? R
    : Op<P, M> extends {
          responses: { 201: { content: { "application/json": infer R } } };
        }
      ? R
      : never;
