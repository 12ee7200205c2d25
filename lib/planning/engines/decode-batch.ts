import type { Cancel, Clock } from './clock';
import { MinHeap } from './min-heap';

/** What one decode step works on: the batch and the KV it reads. */
export interface DecodeLoad {
  /** Sequences in the step (each gets one token). */
  readonly sequences: number;
  /** Tokens of context the step attends over, summed over its sequences (the KV it reads). */
  readonly contextTokens: number;
}

/** What a decode engine holds at once. */
export interface DecodeLimits {
  /** Sequences in one batch (vLLM's `max_num_seqs`). */
  readonly maxSequences: number;
  /** Tokens of KV the engine can hold, summed over its sequences. */
  readonly kvCapacityTokens: number;
}

/** One sequence to decode. */
export interface DecodeRequest {
  /** The prompt, whose KV the sequence starts with. */
  readonly promptTokens: number;
  /** Tokens to generate (at least 1). */
  readonly outputTokens: number;
  /** Every token, at the end of its step; with such a listener the engine wakes every step (streams). */
  readonly onToken?: (index: number, atMs: number) => void;
  /** The first token, at the end of the sequence's first step. */
  readonly onFirstToken?: (atMs: number) => void;
  /** The last token, when the sequence leaves the batch. */
  readonly onDone?: (atMs: number) => void;
}

/** A sequence in the engine. */
export interface DecodeTicket {
  /** Leaves the batch (or the queue) now; no more callbacks. */
  cancel(): void;
}

interface Sequence {
  readonly request: DecodeRequest;
  /** Steps completed when the sequence was admitted; its token i ends step admittedAt + i + 1. */
  admittedAt: number;
  finishStep: number;
  state: 'waiting' | 'active' | 'gone';
}

/**
 * Continuous batching, the contention rule of decode: the engine runs steps back to back; each
 * step gives every sequence in the batch one token and takes `stepMs` of the batch (the timing
 * rules: weights read once per step, KV read per sequence). A sequence joins at the next step
 * boundary when the batch has room (at most `maxSequences`, and the KV of its prompt and whole
 * answer fits what is left of `kvCapacityTokens`; no preemption), else it waits in arrival order.
 * The mock's decode worker streams through this class on the real clock; the planner's simulation
 * runs it on a virtual clock, where it sleeps from one first or last token to the next instead of
 * waking every step.
 */
export class DecodeBatch {
  private readonly waiting: Sequence[] = [];
  private readonly active = new Set<Sequence>();
  private readonly finishing = new MinHeap<Sequence>((a, b) => a.finishStep < b.finishStep);
  private justAdmitted: Sequence[] = [];
  private listeners = 0;
  private stepsDone = 0;
  /** End of the step in progress; undefined while idle. */
  private stepEnd: number | undefined;
  private kvTokens = 0;
  private reservedTokens = 0;
  private wake: Cancel | undefined;
  private busy = 0;
  private sequenceMs = 0;

  constructor(
    private readonly clock: Clock,
    private readonly stepMs: (load: DecodeLoad) => number,
    private readonly limits: DecodeLimits,
  ) {}

  /** Sequences in the batch now. */
  public get activeSequences(): number {
    return this.active.size;
  }

  /** Time spent stepping so far, in ms. */
  public get busyMs(): number {
    return this.busy;
  }

  /** Step time multiplied by the batch, summed: divided by a duration, the mean batch. */
  public get sequenceStepMs(): number {
    return this.sequenceMs;
  }

  public join(request: DecodeRequest): DecodeTicket {
    if (!(request.outputTokens >= 1)) throw new Error(`outputTokens must be at least 1; got ${request.outputTokens}.`);
    const now = this.clock.now();
    this.advance(now);
    const sequence: Sequence = { request, admittedAt: 0, finishStep: 0, state: 'waiting' };
    this.waiting.push(sequence);
    if (this.stepEnd === undefined) this.startStep(now);
    this.schedule();
    return { cancel: () => this.cancel(sequence) };
  }

  private cancel(sequence: Sequence): void {
    if (sequence.state === 'gone') return;
    this.advance(this.clock.now());
    if (sequence.state === 'waiting') {
      this.waiting.splice(this.waiting.indexOf(sequence), 1);
    } else if (sequence.state === 'active') {
      this.leave(sequence, sequence.request.promptTokens + (this.stepsDone - sequence.admittedAt));
    }
    sequence.state = 'gone';
    this.schedule();
  }

  /** Completes every step that has ended by `now`. */
  private advance(now: number): void {
    while (this.stepEnd !== undefined && this.stepEnd <= now) this.finishStep(this.stepEnd);
  }

  private finishStep(end: number): void {
    this.stepsDone++;
    for (const sequence of this.justAdmitted) if (sequence.state === 'active') sequence.request.onFirstToken?.(end);
    this.justAdmitted = [];
    if (this.listeners > 0) {
      for (const sequence of this.active) sequence.request.onToken?.(this.stepsDone - sequence.admittedAt - 1, end);
    }
    this.kvTokens += this.active.size;
    for (let top = this.finishing.peek(); top && top.finishStep <= this.stepsDone; top = this.finishing.peek()) {
      this.finishing.pop();
      if (top.state !== 'active') continue;
      this.leave(top, top.request.promptTokens + top.request.outputTokens);
      top.state = 'gone';
      top.request.onDone?.(end);
    }
    this.startStep(end);
  }

  private leave(sequence: Sequence, contextTokens: number): void {
    this.active.delete(sequence);
    this.kvTokens -= contextTokens;
    this.reservedTokens -= sequence.request.promptTokens + sequence.request.outputTokens;
    if (sequence.request.onToken) this.listeners--;
  }

  private fits(sequence: Sequence): boolean {
    if (this.active.size === 0) return true; // one sequence always runs, or nothing ever would
    const need = sequence.request.promptTokens + sequence.request.outputTokens;
    return this.active.size < this.limits.maxSequences && this.reservedTokens + need <= this.limits.kvCapacityTokens;
  }

  private startStep(atMs: number): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0])) {
      const sequence = this.waiting.shift()!;
      sequence.state = 'active';
      sequence.admittedAt = this.stepsDone;
      sequence.finishStep = this.stepsDone + sequence.request.outputTokens;
      this.active.add(sequence);
      this.finishing.push(sequence);
      this.justAdmitted.push(sequence);
      this.kvTokens += sequence.request.promptTokens;
      this.reservedTokens += sequence.request.promptTokens + sequence.request.outputTokens;
      if (sequence.request.onToken) this.listeners++;
    }
    if (this.active.size === 0) {
      this.stepEnd = undefined;
      return;
    }
    const duration = this.stepMs({ sequences: this.active.size, contextTokens: this.kvTokens });
    this.busy += duration;
    this.sequenceMs += duration * this.active.size;
    this.stepEnd = atMs + duration;
  }

  /** Sets the next wake-up: the end of this step when something happens then, else the next last token. */
  private schedule(): void {
    this.wake?.();
    this.wake = undefined;
    if (this.stepEnd === undefined) return;
    const eventful = this.listeners > 0 || this.justAdmitted.length > 0 || (this.waiting.length > 0 && this.fits(this.waiting[0]));
    const at = eventful ? this.stepEnd : this.nextFinishTime();
    this.wake = this.clock.at(at, () => {
      this.wake = undefined;
      this.advance(this.clock.now());
      this.schedule();
    });
  }

  /**
   * When the next sequence finishes, if nothing joins or leaves before: the steps up to then,
   * timed exactly as `startStep` will time them.
   */
  private nextFinishTime(): number {
    let top = this.finishing.peek();
    while (top && top.state !== 'active') {
      this.finishing.pop();
      top = this.finishing.peek();
    }
    let at = this.stepEnd!;
    if (!top) return at;
    const sequences = this.active.size;
    let contextTokens = this.kvTokens + sequences;
    for (let step = this.stepsDone + 2; step <= top.finishStep; step++) {
      at += this.stepMs({ sequences, contextTokens });
      contextTokens += sequences;
    }
    return at;
  }
}
