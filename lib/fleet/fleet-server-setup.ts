import { createHash } from 'crypto';
import { Annotations, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
// The flattening cdk-nag names its findings with, so that the acknowledgement matches it exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { FleetTelemetry } from './fleet-telemetry';
import { IModelArtifactCache, ModelArtifactCache } from './model-artifact-cache';
import type { TrainiumFleetOptions } from './trainium-fleet-props';
import { VllmServeOptions, vllmServeArguments, vllmUserData } from './vllm-server';
import { resolveTimeLimits, timeLimitEnvironment } from './vllm-time-limits';

/** What a fleet hands over to set up its servers. */
export interface FleetServerSetupInput {
  readonly role: iam.IRole;
  readonly serve: VllmServeOptions;
  readonly instanceTypeName: string;
  readonly options: TrainiumFleetOptions;
  readonly healthCheckGracePeriod: Duration;
  /** The fleet, for messages. */
  readonly description: string;
}

/** The servers' user data and the resources it relies on. */
export interface FleetServerSetup {
  readonly userData: ec2.UserData;
  readonly artifactCache: IModelArtifactCache;
  readonly telemetry: FleetTelemetry;
}

/**
 * Everything a fleet's servers boot with besides the network: vLLM's time limits, the artifact
 * cache (its entries for this fleet, and the role's access to exactly those), the CloudWatch agent
 * and its log groups (`Telemetry`), and the user data that puts them together.
 */
export function setUpFleetServers(scope: Construct, input: FleetServerSetupInput): FleetServerSetup {
  const { options, serve, role } = input;
  const timeLimits = resolveTimeLimits(options, input.description);
  if (input.healthCheckGracePeriod.toSeconds() < timeLimits.engineReadyTimeout.toSeconds()) {
    Annotations.of(scope).addWarningV2(
      'cdk-disaggregated-inference:gracePeriodBelowEngineReadyTimeout',
      `healthCheckGracePeriod (${input.healthCheckGracePeriod.toHumanString()}) is shorter than engineReadyTimeout ` +
        `(${timeLimits.engineReadyTimeout.toHumanString()}): Auto Scaling may replace a host that is still loading its model.`,
    );
  }
  const artifactCache = options.artifactCache ?? new ModelArtifactCache(scope, 'ArtifactCache');
  const compiledEntry = `compiled/${configurationKey(scope, input.instanceTypeName, vllmServeArguments(serve))}`;
  const cachedWeights = serve.model.cachedWeights;
  const weightsEntry = cachedWeights ? `weights/${cachedWeights.cacheName}` : undefined;
  for (const entry of weightsEntry ? [compiledEntry, weightsEntry] : [compiledEntry]) {
    artifactCache.grantEntryReadWrite(role, entry);
    acknowledgeEntryWildcard(role, artifactCache, entry);
  }

  const telemetry = new FleetTelemetry(scope, 'Telemetry', {
    fleetName: scope.node.path,
    serverPort: serve.port,
    logRetention: options.logRetention ?? logs.RetentionDays.ONE_YEAR,
  });
  const userData = vllmUserData({
    ...serve,
    timeLimitEnvironment: timeLimitEnvironment(timeLimits),
    artifactCache: {
      bucketName: artifactCache.bucket.bucketName,
      compiledEntryKey: `${artifactCache.keyPrefix}${compiledEntry}`,
      weightsEntryKey: weightsEntry ? `${artifactCache.keyPrefix}${weightsEntry}` : undefined,
    },
    agentBootCommands: telemetry.agentBootCommands,
  });
  return { userData, artifactCache, telemetry };
}

/** cdk-nag's AwsSolutions-IAM5 on the role's object grant of one cache entry, named as cdk-nag names it. */
function acknowledgeEntryWildcard(role: iam.IRole, cache: IModelArtifactCache, entry: string): void {
  const objects = Stack.of(role).resolve(cache.bucket.arnForObjects(`${cache.keyPrefix}${entry}/*`));
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(objects)}]`,
    reason: `The objects of one artifact-cache entry (${entry}/): a host stages and loads the entry's files, whose names the ` +
      'Neuron compiler and the model repository choose; the role reaches no other key of the bucket.',
  });
}

/**
 * 16 hex digits of a digest of what the compiled artifacts depend on at synth time: the instance
 * type and the `vllm serve` arguments (model, tensor parallelism, sequence length, KV role, extra
 * arguments). vllm-neuron keys its own cache on the compiler, SDK and graph too (compilation_cache.md,
 * "Cache Key"); the image id the boot appends covers the SDK. Tokens are resolved first, so the
 * key is the same on every synth.
 */
function configurationKey(scope: Construct, instanceTypeName: string, serveArguments: string[]): string {
  const resolved = JSON.stringify(Stack.of(scope).resolve([instanceTypeName, ...serveArguments]));
  return createHash('sha256').update(resolved).digest('hex').slice(0, 16);
}
