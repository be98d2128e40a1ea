import type { MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { ApiError } from "../lib/errors.js";

/**
 * Request bodies up to `maxSize` bytes; larger ones get 413 in the error envelope.
 *
 * Why not Hono's bodyLimit alone: it first reads `c.req.raw.body`, which makes
 * @hono/node-server build a full web Request around the Node stream for every request (and
 * lose its fast body read) — a few percent of the CPU of every small request. With a
 * Content-Length (what every client sends for JSON) the check needs only that header; a
 * request with neither it nor Transfer-Encoding has no body; only chunked bodies are
 * counted while streaming, by Hono's middleware.
 */
export function bodyLimit(maxSize: number): MiddlewareHandler {
  const tooLarge = () => {
    throw new ApiError(413, "invalid_request_error", "body_too_large", `Request bodies are limited to ${maxSize / 1024} KiB.`);
  };
  const streaming = honoBodyLimit({ maxSize, onError: tooLarge });
  return function bodyLimit(c, next) {
    const chunked = c.req.header("transfer-encoding") !== undefined;
    const length = c.req.header("content-length");
    if (!chunked && length !== undefined) return Number.parseInt(length, 10) > maxSize ? tooLarge() : next();
    if (!chunked) return next();
    return streaming(c, next);
  };
}
