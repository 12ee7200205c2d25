import { DecodeBatch, DecodeLoad, PrefillQueue, VirtualClock } from '../../lib/planning';

describe('PrefillQueue: one prompt at a time, in arrival order', () => {
  test('prompts complete back to back in the order they came', () => {
    const clock = new VirtualClock();
    const queue = new PrefillQueue(clock);
    const done: string[] = [];
    clock.at(0, () => queue.submit(100, (at) => done.push(`a@${at}`)));
    clock.at(10, () => queue.submit(50, (at) => done.push(`b@${at}`)));
    clock.at(20, () => queue.submit(10, (at) => done.push(`c@${at}`)));
    clock.at(500, () => queue.submit(5, (at) => done.push(`d@${at}`)));
    clock.run();
    expect(done).toEqual(['a@100', 'b@150', 'c@160', 'd@505']);
    expect(queue.busyMs).toBe(165);
    expect(queue.depth).toBe(0);
  });

  test('a prompt cancelled while it waits leaves the queue; one cancelled while computing still holds the worker', () => {
    const clock = new VirtualClock();
    const queue = new PrefillQueue(clock);
    const done: string[] = [];
    clock.at(0, () => {
      const running = queue.submit(100, () => done.push('running'));
      const waiting = queue.submit(100, () => done.push('waiting'));
      queue.submit(10, (at) => done.push(`last@${at}`));
      running.cancel();
      waiting.cancel();
    });
    clock.run();
    expect(done).toEqual(['last@110']);
  });

  test('run() rejects with the signal\'s reason when the caller goes away', async () => {
    const never = { now: () => 0, at: () => () => undefined };
    const queue = new PrefillQueue(never);
    const controller = new AbortController();
    const running = queue.run(1000, controller.signal);
    controller.abort(new Error('client gone'));
    await expect(running).rejects.toThrow('client gone');
    // Nothing to compute with nobody ahead (timing none): no turn to wait for.
    await expect(new PrefillQueue(never).run(0)).resolves.toBeUndefined();
  });
});

describe('DecodeBatch: continuous batching', () => {
  const recorded = (stepMs: (load: DecodeLoad) => number, limits = { maxSequences: 100, kvCapacityTokens: Infinity }) => {
    const clock = new VirtualClock();
    const loads: DecodeLoad[] = [];
    const batch = new DecodeBatch(clock, (load) => (loads.push(load), stepMs(load)), limits);
    return { clock, batch, loads };
  };

  test('each step gives every sequence a token; a sequence joins at the next step boundary; step time follows the batch', () => {
    const { clock, batch, loads } = recorded((load) => 10 * load.sequences);
    const events: string[] = [];
    clock.at(0, () => batch.join({ promptTokens: 100, outputTokens: 3, onFirstToken: (at) => events.push(`a first@${at}`), onDone: (at) => events.push(`a done@${at}`) }));
    clock.at(5, () => batch.join({ promptTokens: 50, outputTokens: 2, onFirstToken: (at) => events.push(`b first@${at}`), onDone: (at) => events.push(`b done@${at}`) }));
    clock.run();
    // a alone 0-10; a and b 10-30 and 30-50 (b joined at 10, not 5); b done at 50 with its 2 tokens, a at 50 with 3.
    expect(events).toEqual(['a first@10', 'b first@30', 'a done@50', 'b done@50']);
    // KV read per step: the prompts plus the tokens so far.
    expect(loads).toEqual([
      { sequences: 1, contextTokens: 100 },
      { sequences: 2, contextTokens: 101 + 50 },
      { sequences: 2, contextTokens: 102 + 51 },
    ]);
  });

  test('beyond the batch limit or the KV room a sequence waits its turn', () => {
    const { clock, batch } = recorded(() => 10, { maxSequences: 1, kvCapacityTokens: Infinity });
    const done: string[] = [];
    clock.at(0, () => {
      batch.join({ promptTokens: 10, outputTokens: 2, onDone: (at) => done.push(`a@${at}`) });
      batch.join({ promptTokens: 10, outputTokens: 2, onDone: (at) => done.push(`b@${at}`) });
    });
    clock.run();
    expect(done).toEqual(['a@20', 'b@40']);

    const room = recorded(() => 10, { maxSequences: 10, kvCapacityTokens: 30 });
    const order: string[] = [];
    room.clock.at(0, () => {
      room.batch.join({ promptTokens: 18, outputTokens: 2, onDone: (at) => order.push(`a@${at}`) });
      room.batch.join({ promptTokens: 18, outputTokens: 2, onDone: (at) => order.push(`b@${at}`) });
      room.batch.join({ promptTokens: 5, outputTokens: 1, onDone: (at) => order.push(`c@${at}`) });
    });
    room.clock.run();
    // b does not fit beside a (20 + 20 > 30); c would, but waits behind b (arrival order, no overtaking) and joins with it.
    expect(order).toEqual(['a@20', 'c@30', 'b@40']);
  });

  test('a cancelled sequence leaves at once and its KV no longer costs the others', () => {
    const { clock, batch, loads } = recorded((load) => load.contextTokens / 10);
    let first: { cancel(): void } | undefined;
    clock.at(0, () => {
      first = batch.join({ promptTokens: 1000, outputTokens: 100, onDone: () => undefined });
      batch.join({ promptTokens: 10, outputTokens: 3, onDone: () => undefined });
    });
    clock.at(150, () => first!.cancel());
    clock.run();
    expect(loads.at(-1)).toEqual({ sequences: 1, contextTokens: 12 });
    expect(batch.activeSequences).toBe(0);
  });

  test('streaming (a listener per token, a wake per step) and sleeping to the next last token give the same times', () => {
    const run = (listen: boolean) => {
      const { clock, batch } = recorded((load) => 1 + load.sequences * 0.5 + load.contextTokens * 0.001);
      const times: number[] = [];
      const tokens: number[] = [];
      for (let i = 0; i < 20; i++) {
        clock.at(i * 7, () =>
          batch.join({
            promptTokens: 100 * i,
            outputTokens: 5 + i * 3,
            onToken: listen ? (index) => tokens.push(index) : undefined,
            onFirstToken: (at) => times.push(at),
            onDone: (at) => times.push(at),
          }),
        );
      }
      clock.run();
      return { times, tokens: tokens.length };
    };
    const streamed = run(true);
    expect(streamed.tokens).toBe(Array.from({ length: 20 }, (_, i) => 5 + i * 3).reduce((a, b) => a + b, 0));
    expect(run(false).times).toEqual(streamed.times);
  });
});
