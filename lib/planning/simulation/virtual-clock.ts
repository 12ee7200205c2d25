import type { Cancel, Clock } from '../engines/clock';
import { MinHeap } from '../engines/min-heap';

interface Event {
  readonly at: number;
  /** Insertion order: events at the same time run in the order they were set. */
  readonly order: number;
  readonly task: () => void;
  cancelled: boolean;
}

/** Simulated time: tasks run in time order, each at its time, as fast as the host can. */
export class VirtualClock implements Clock {
  private time = 0;
  private order = 0;
  private readonly events = new MinHeap<Event>((a, b) => a.at < b.at || (a.at === b.at && a.order < b.order));

  public now(): number {
    return this.time;
  }

  public at(timeMs: number, task: () => void): Cancel {
    const event: Event = { at: Math.max(timeMs, this.time), order: this.order++, task, cancelled: false };
    this.events.push(event);
    return () => {
      event.cancelled = true;
    };
  }

  /** Runs every task, including the ones tasks set, until none is left. */
  public run(): void {
    for (let event = this.events.pop(); event; event = this.events.pop()) {
      if (event.cancelled) continue;
      this.time = event.at;
      event.task();
    }
  }
}
