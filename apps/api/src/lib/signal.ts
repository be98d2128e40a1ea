/** A wake-up call between the request path and background workers in one process. */
export class Signal {
  private readonly listeners = new Set<() => void>();
  notify(): void {
    for (const fn of this.listeners) fn();
  }
  on(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
