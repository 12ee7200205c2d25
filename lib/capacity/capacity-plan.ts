import * as fs from 'node:fs';
import * as path from 'node:path';
import { Annotations, attachCustomSynthesis, ISynthesisSession, Names, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Cs3DecodeEndpoint, IDecodeEndpoint, TrainiumDecodeFleet } from '../decode';
import { TrainiumServerFleet } from '../fleet';
import { DEFAULT_PREFILL_INSTANCE_TYPE, getModelSpec, ModelSpec } from '../hardware';
import { DecodeTier, KvHandoff, ServingConfig } from '../planning/serving-config';
import { FleetEvaluation, plan, PlanInput } from '../planning/planner/planner';
import { planReport, PlanReport } from '../planning/report/plan-report';
import { LengthDistribution, Workload } from '../planning/simulation/workload';
import { Slo } from '../planning/planner/slo';
import { InferenceWorkload, ServiceLevelObjective } from './inference-workload';

/** Properties of a {@link CapacityPlan}. */
export interface CapacityPlanProps {
  /**
   * The prefill fleet, judged at its maximum capacity.
   * @default - none: every decode tier takes the whole prompt (prompt replay), so no prefill fleet is planned
   */
  readonly prefill?: TrainiumServerFleet;
  /**
   * The catalog model served, by any name the catalog knows.
   * @default - the prefill fleet's served model name
   */
  readonly model?: string;
  /** The decode endpoint: a Trainium decode fleet (at its maximum capacity) or a CS-3 endpoint. */
  readonly decode: IDecodeEndpoint;
  readonly workload: InferenceWorkload;
  readonly slo: ServiceLevelObjective;
}

/** The id of the warning a plan gives when the configured capacities miss the SLO (acknowledge it with `Annotations.acknowledgeWarning`). */
export const SLO_NOT_MET_WARNING = '@cdk-disaggregated-inference/capacity:sloNotMet';

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

/**
 * The planner at synth: simulates the configured fleets (at their maximum capacities) under the
 * workload, and adds the plan to the cloud assembly: an info annotation with the predicted figures,
 * the whole plan as JSON beside the stack's template, and a warning naming the smallest
 * prefill:decode counts that would meet the SLO when the configured ones do not.
 *
 * The file is written by the construct's own synthesis (`attachCustomSynthesis`, as aws-iam's
 * policy report for `customizeRoles` writes `iam-policy-report.json` into the assembly; "custom
 * synthesis is a valid (and the only) way for construct libraries to emit artifacts during
 * synthesis", aws/aws-cdk pull request 35457).
 */
export class CapacityPlan extends Construct {
  /** Whether the configured capacities meet the SLO in the simulation. */
  public readonly meetsSlo: boolean;
  /** The smallest prefill host count that meets the SLO (0 when decode replays every prompt); undefined when none does. */
  public readonly recommendedPrefillHosts?: number;
  /** The smallest decode host count that meets the SLO; undefined when none does. */
  public readonly recommendedDecodeHosts?: number;
  /** The plan's file name in the cloud assembly, beside the stack's template. */
  public readonly fileName: string;

  constructor(scope: Construct, id: string, props: CapacityPlanProps) {
    super(scope, id);
    const input = planInput(props);
    const result = plan(input);
    const report = planReport(input, result);
    this.meetsSlo = result.given.meetsSlo;
    this.recommendedPrefillHosts = result.recommended?.fleet.prefillHosts;
    this.recommendedDecodeHosts = result.recommended?.fleet.decodeHosts;
    this.fileName = `${Names.uniqueId(this)}.plan.json`;
    Annotations.of(this).addInfo(`${summary(report)} The plan: ${this.fileName} in the cloud assembly.`);
    if (!this.meetsSlo) Annotations.of(this).addWarningV2(SLO_NOT_MET_WARNING, shortfall(report));
    const json = JSON.stringify(report, undefined, 2) + '\n';
    // session.outdir is the assembly directory the stack's template is written to.
    attachCustomSynthesis(this, {
      onSynthesize: (session: ISynthesisSession) => fs.writeFileSync(path.join(session.outdir, this.fileName), json),
    });
  }
}

/** What the planner needs, read off the constructs. */
function planInput(props: CapacityPlanProps): PlanInput {
  const { prefill, decode } = props;
  if (!prefill && decode.kvCapability.canIngestKv) {
    throw new Error(`${decode.node.path}: a decode endpoint that pulls KV needs the prefill fleet in its capacity plan; pass \`prefill\`.`);
  }
  const model = catalogModel(props.model ?? prefill?.servedModelName, prefill ?? decode);
  let decodeTier: DecodeTier;
  let decodeHosts: number;
  if (decode instanceof TrainiumDecodeFleet) {
    decodeTier = DecodeTier.trainium(decode.instanceTypeSpec.name, decode.tensorParallelDegree);
    decodeHosts = capacity(decode);
  } else if (decode instanceof Cs3DecodeEndpoint) {
    decodeTier = DecodeTier.cs3();
    decodeHosts = 1;
  } else {
    throw new Error(`${decode.node.path}: a capacity plan needs a TrainiumDecodeFleet or a Cs3DecodeEndpoint for decode; an endpoint built elsewhere has no hardware to plan with.`);
  }
  const config: ServingConfig = {
    model,
    // Without a prefill fleet (prompt replay) the prefill tier serves nothing; the catalog's default type stands in.
    prefill: prefill
      ? { instanceType: prefill.instanceTypeSpec.name, tensorParallelDegree: prefill.tensorParallelDegree }
      : { instanceType: DEFAULT_PREFILL_INSTANCE_TYPE },
    decode: decodeTier,
    kvHandoff: decode.kvCapability.canIngestKv ? KvHandoff.PULL : KvHandoff.REPLAY,
  };
  return { config, workload: workload(props.workload), slo: slo(props.slo), fleet: { prefillHosts: prefill ? capacity(prefill) : 0, decodeHosts } };
}

/** The catalog model served, by name (a fleet's served model name: a Hugging Face model's id unless set). */
function catalogModel(name: string | undefined, servedBy: Construct): ModelSpec {
  try {
    if (name === undefined) throw new Error('No model name was given.');
    return getModelSpec(name);
  } catch (error) {
    throw new Error(`${servedBy.node.path}: a capacity plan needs the model's shape from the catalog. ${(error as Error).message} Set the fleet's servedModelName (or the plan's model) to one.`);
  }
}

function capacity(fleet: TrainiumServerFleet): number {
  if (Token.isUnresolved(fleet.maxCapacity)) {
    throw new Error(`${fleet.node.path}: maxCapacity is a token; a capacity plan needs it as a number.`);
  }
  return fleet.maxCapacity;
}

function workload(w: InferenceWorkload): Workload {
  return {
    requestsPerSecond: w.requestsPerSecond,
    inputTokens: LengthDistribution.parse(w.inputTokens?.spec ?? '2000'),
    outputTokens: LengthDistribution.parse(w.outputTokens?.spec ?? '500'),
    prefixCacheHitRate: w.prefixCacheHitRate,
    concurrency: w.concurrency,
  };
}

function slo(s: ServiceLevelObjective): Slo {
  const target = (duration: ServiceLevelObjective['timeToFirstToken'], percentile = 90) =>
    duration === undefined ? undefined : { ms: duration.toMilliseconds({ integral: false }), percentile };
  return { ttft: target(s.timeToFirstToken, s.timeToFirstTokenPercentile), tpot: target(s.timePerOutputToken, s.timePerOutputTokenPercentile) };
}

function figures(e: FleetEvaluation): string {
  return (
    `TTFT p50/p90/p99 ${ms(e.ttftMs.p50)}/${ms(e.ttftMs.p90)}/${ms(e.ttftMs.p99)} ms, TPOT ${ms(e.tpotMs.p50)}/${ms(e.tpotMs.p90)}/${ms(e.tpotMs.p99)} ms, ` +
    `goodput ${e.goodput.toFixed(2)} requests/s` +
    (e.cost.usdPerHour === undefined ? '' : `, $${e.cost.usdPerHour.toFixed(2)}/h`)
  );
}

function summary(report: PlanReport): string {
  const { fleet } = report.given;
  return (
    `Capacity plan (simulated): at ${report.workload.requestsPerSecond} requests/s of ${report.workload.inputTokens}-token prompts and ` +
    `${report.workload.outputTokens}-token answers, ${fleet.prefillHosts} prefill (${report.prefill}) and ${fleet.decodeHosts} decode (${report.decode}) ` +
    `hosts give ${figures(report.given)}; SLO ${report.slo}: ${report.given.meetsSlo ? 'met' : 'missed'}.`
  );
}

function shortfall(report: PlanReport): string {
  const { fleet } = report.given;
  const configured = `The configured capacities (${fleet.prefillHosts} prefill, ${fleet.decodeHosts} decode hosts) cannot meet the SLO ${report.slo}`;
  if (!report.recommended) return `${configured}: no fleet can, ${report.unreachable}.`;
  const { prefillHosts, decodeHosts } = report.recommended.fleet;
  return `${configured} (predicted ${figures(report.given)}): ${prefillHosts} prefill and ${decodeHosts} decode hosts would (${figures(report.recommended)}).`;
}
