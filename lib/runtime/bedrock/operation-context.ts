import type { GatewayRequest, GatewayResponse } from '../http/http-types';
import { collectAnswer, type CollectedAnswer } from '../routing/collect-answer';
import type { Generation, GenerationInput } from '../routing/generation';
import type { ModelRegistry, ModelRoute } from '../routing/registry';
import type { Router } from '../routing/router';
import type { RequestTrace } from './request-trace';

/**
 * What an operation gets from the gateway once the request is admitted: everything it needs to
 * answer, and nothing of the admission itself but `settle`.
 */
export interface OperationContext {
  readonly request: GatewayRequest;
  readonly registry: ModelRegistry;
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

/** The context of an operation whose model the path named (the Bedrock operations). */
export interface ModelOperationContext extends OperationContext {
  readonly route: ModelRoute;
}

/** One operation: the request's body in, the answer in that operation's framing out. */
export type OperationHandler<C extends OperationContext = ModelOperationContext> = (context: C) => Promise<GatewayResponse>;

/** Runs the request through the router; the trace keeps the generation, for its timings and its clean-up. */
export async function startGeneration(context: OperationContext, input: Omit<GenerationInput, 'signal'>): Promise<Generation> {
  context.trace.generation = await context.router.generate({ ...input, signal: context.request.signal, routing: context.trace.routing });
  return context.trace.generation;
}

/** The whole output of a generation, for the operations that answer in one piece; the trace records how it ended. */
export async function collectWholeAnswer(context: OperationContext, generation: Generation): Promise<CollectedAnswer> {
  const answer = await collectAnswer(generation);
  context.trace.end = answer.end;
  return answer;
}
