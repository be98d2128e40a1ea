// Writes src/styles/palette.css from src/styles/palette.ts (the brand colours, written once).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { paletteCss } from "../src/styles/palette";

const target = fileURLToPath(new URL("../src/styles/palette.css", import.meta.url));
writeFileSync(target, paletteCss());
console.log(`wrote ${target}`);
