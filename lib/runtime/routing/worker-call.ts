import { CompletionRequest, PATHS } from '../openai/worker-protocol';
import { GenerationInput, isChat } from './generation';

/**
 * The OpenAI-compatible request one generation sends its workers: the endpoint (chat or plain
 * completion) and the fields the prefill and the decode request share (the prompt, with its
 * tools: the chat template renders them into the prompt both sides compute). Each stage adds its
 * own (`max_tokens`, streaming, `kv_transfer_params`) and the decode stage its own `model`.
 */
export interface WorkerCall {
  readonly path: string;
  readonly body: Omit<CompletionRequest, 'max_tokens' | 'stream' | 'stream_options' | 'kv_transfer_params'>;
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
      ...input.extra,
    },
  };
}
