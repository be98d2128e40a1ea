import { createRouter } from "../../lib/router.js";
import { apiKeyRoutes } from "../api-keys/index.js";
import { memberRoutes } from "../members/index.js";
import { securityEventRoutes } from "../security-events/index.js";
import { authRoutes } from "./index.js";

/** Accounts for people: sign-in, sessions, second factors, members, API keys, the audit log (one mount in app.ts). */
export const accountRoutes = createRouter()
  .route("/", authRoutes)
  .route("/", memberRoutes)
  .route("/", apiKeyRoutes)
  .route("/", securityEventRoutes);
