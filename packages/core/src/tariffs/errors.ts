/** Why a quote could not be made. */
export type TariffErrorCode = "invalid_context" | "currency_mismatch" | "method_not_priced" | "no_fare" | "unknown_category";

/**
 * Thrown by the quote functions when the context cannot be priced by the tariff.
 * `path` names the offending context field (e.g. "history[2].tapped_at"), for the
 * API's `param`. A valid tariff never makes a quote throw for a valid context.
 */
export class TariffError extends Error {
  override readonly name = "TariffError";
  constructor(
    readonly code: TariffErrorCode,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}
