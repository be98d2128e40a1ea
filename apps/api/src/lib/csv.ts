/**
 * CSV as the API writes it (RFC 4180): comma-separated, CRLF line ends, one header row, a cell
 * quoted only when it holds a quote, comma or line break. Numbers are written as they are.
 */
export function csvCell(value: string | number): string {
  if (typeof value === "number") return String(value);
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The whole file: the header, then each row, every line ended by CRLF. */
export function csvFile(header: readonly string[], rows: Iterable<readonly (string | number)[]>): string {
  const lines = [header.map(csvCell).join(",")];
  for (const row of rows) lines.push(row.map(csvCell).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** A text cell that a spreadsheet never reads as a formula (CSV injection). */
export function csvText(s: string | null): string {
  const t = s ?? "";
  return /^[=+\-@\t\r]/.test(t) ? `'${t}` : t;
}
