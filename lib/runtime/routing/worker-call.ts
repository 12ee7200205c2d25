import { CompletionRequest, PATHS } from '../openai/worker-protocol';
import { GenerationInput, isChat } from './generation';

/**
 * The OpenAI-compatible request one generation sends its workers: the endpoint (chat or plain
 * completion) and the fields the prefill and the decode request share. Each stage adds its own
 * (`max_tokens`, streaming, `kv_transfer_params`) and the decode stage its own `model`.
 */
export interface WorkerCall {
  readonly path: string;
  readonly body: Pick<CompletionRequest, 'model' | 'messages' | 'prompt' | 'temperature' | 'top_p' | 'stop'>;
}

export function workerCall(input: GenerationInput): WorkerCall {
  const { route, prompt } = input;
  return {
    path: isChat(prompt) ? PATHS.chatCompletions : PATHS.completions,
    body: {
      model: route.config.prefillModel,
      ...prompt,
      temperature: input.temperature,
      top_p: input.topP,
      stop: input.stopSequences,
    },
  };
}
