/** In-process wake-ups: a worker sleeping on a queue is woken when work lands in it. */
export class Watchers {
  readonly #listeners = new Map<string, Set<() => void>>();

  add(queue: string, listener: () => void): () => void {
    let set = this.#listeners.get(queue);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(queue, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  notify(queue: string): void {
    for (const listener of this.#listeners.get(queue) ?? []) {
      try {
        listener();
      } catch {
        // A listener only schedules work; its failure must not fail the commit that woke it.
      }
    }
  }
}
