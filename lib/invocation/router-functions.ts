import { Duration, Stack } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { REGISTRY_ENV_VAR } from '../runtime/lambda/environment';
import type { RegistryConfig } from '../runtime/routing/registry-config';
import { RuntimeEntry, RuntimeFunction } from './runtime-function';

/** What the router functions are built from. */
export interface RouterFunctionsProps {
  readonly role: iam.IRole;
  /** The key encrypting the functions' log groups. */
  readonly logEncryptionKey: kms.IKey;
  /** The registry derived from the constructs; each function caps its total time limit below its own timeout. */
  readonly registry: RegistryConfig;
  readonly bufferedTimeout: Duration;
  readonly streamingTimeout: Duration;
  /** Where the functions run: a VPC, its subnets and the router's security groups, or nothing outside a VPC. */
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** The router functions, both running the router entry point: one per API Gateway integration kind. */
export interface RouterFunctions {
  /** Converse, InvokeModel, CountTokens, the OpenAI-compatible models list (`RouterFunction`). */
  readonly buffered: lambda.Function;
  /** ConverseStream, InvokeModelWithResponseStream, the OpenAI-compatible chat completions (`StreamingRouterFunction`). */
  readonly streaming: lambda.Function;
}

/** The two router functions, in `scope`. */
export function createRouterFunctions(scope: Construct, props: RouterFunctionsProps): RouterFunctions {
  const common = {
    role: props.role,
    logEncryptionKey: props.logEncryptionKey,
    vpc: props.vpc,
    vpcSubnets: props.vpcSubnets,
    securityGroups: props.securityGroups,
  };
  const buffered = new RuntimeFunction(scope, 'RouterFunction', {
    ...common,
    entry: RuntimeEntry.ROUTER,
    handler: 'handler',
    description: 'Bedrock-style router: buffered operations (Converse, InvokeModel, CountTokens, OpenAI models)',
    timeout: props.bufferedTimeout,
    environment: { [REGISTRY_ENV_VAR]: registryJson(scope, props.registry, props.bufferedTimeout) },
  });
  const streaming = new RuntimeFunction(scope, 'StreamingRouterFunction', {
    ...common,
    entry: RuntimeEntry.ROUTER,
    handler: 'streamingHandler',
    description: 'Bedrock-style router: streaming operations (ConverseStream, InvokeModelWithResponseStream, OpenAI chat completions)',
    timeout: props.streamingTimeout,
    environment: { [REGISTRY_ENV_VAR]: registryJson(scope, props.registry, props.streamingTimeout) },
  });
  return { buffered, streaming };
}

/** The registry as the function's environment holds it, its total time limit within `functionTimeout`. */
function registryJson(scope: Construct, registry: RegistryConfig, functionTimeout: Duration): string {
  // The router answers ModelTimeoutException before Lambda or API Gateway cut the request off.
  const totalMs = functionTimeout.toMilliseconds() - Duration.seconds(1).toMilliseconds();
  const capped: RegistryConfig = {
    models: registry.models.map((m) => ({
      ...m,
      timeouts: { ...m.timeouts, totalMs: Math.min(m.timeouts?.totalMs ?? totalMs, totalMs) },
    })),
  };
  return Stack.of(scope).toJsonString(capped);
}
