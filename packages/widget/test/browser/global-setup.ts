// Browser tests load what the API serves from dist/: build it once before they run.
// @ts-expect-error plain ESM build script without types
import { buildBundles } from "../../scripts/bundle.mjs";

export default async function setup(): Promise<void> {
  await buildBundles();
}
