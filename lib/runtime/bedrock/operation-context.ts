import type { GatewayRequest, GatewayResponse } from '../http/http-types';
import type { Generation, GenerationEnd, PromptInput, SamplingParameters } from '../routing/generation';
import type { ModelRoute } from '../routing/registry';
import type { Router } from '../routing/router';
import type { RequestTrace } from './request-trace';

/**
 * What an operation gets from the gateway once the request is admitted and its model found:
 * everything it needs to answer, and nothing of the admission itself but `settle`.
 */
export interface OperationContext {
  readonly request: GatewayRequest;
  readonly route: ModelRoute;
  readonly router: Router;
  readonly trace: RequestTrace;
  /** Headers every answer carries: the request id. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Hands the request's slot back and logs its trace. The gateway does it when an operation
   * returns a whole answer; a streamed answer calls it once, when its stream has ended.
   */
  readonly settle: () => void;
}

/** One Bedrock operation: the request's body in, the answer in that operation's framing out. */
export type OperationHandler = (context: OperationContext) => Promise<GatewayResponse>;

/** Runs the prompt through the router; the trace keeps the generation, for its timings and its clean-up. */
export async function startGeneration(context: OperationContext, prompt: PromptInput, params: SamplingParameters): Promise<Generation> {
  context.trace.generation = await context.router.generate({
    route: context.route,
    prompt,
    maxTokens: params.maxTokens,
    temperature: params.temperature,
    topP: params.topP,
    stopSequences: params.stopSequences,
    signal: context.request.signal,
  });
  return context.trace.generation;
}

/** The whole output of a generation, for the operations that answer in one piece; the trace records how it ended. */
export async function collectAnswer(context: OperationContext, generation: Generation): Promise<{ text: string; end: GenerationEnd }> {
  let text = '';
  let next = await generation.deltas.next();
  while (!next.done) {
    text += next.value.text;
    next = await generation.deltas.next();
  }
  context.trace.end = next.value;
  return { text, end: next.value };
}
