/** Whether a decode endpoint can take the prompt's KV blocks from the prefill worker. */
export class DecodeKvCapability {
  /** The endpoint pulls the KV blocks from the prefill worker (vLLM NIXL consumer). */
  public static readonly NIXL_PULL = new DecodeKvCapability('nixl-pull', true);
  /** The endpoint cannot ingest KV: the router sends it the whole prompt again ("prompt replay"). */
  public static readonly PROMPT_REPLAY = new DecodeKvCapability('prompt-replay', false);

  private constructor(
    /** Short name, for descriptions. */
    public readonly name: string,
    /** True when the endpoint ingests KV blocks instead of recomputing the prompt. */
    public readonly canIngestKv: boolean,
  ) {}

  public toString(): string {
    return this.name;
  }
}
