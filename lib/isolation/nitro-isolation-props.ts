import type * as kms from 'aws-cdk-lib/aws-kms';

/** Dedicated Host placement for the instances. */
export interface DedicatedHostOptions {
  /**
   * The host resource group (AWS License Manager) the instances launch onto; Auto Scaling needs
   * one to place instances on Dedicated Hosts.
   */
  readonly hostResourceGroupArn: string;
}

/** Options of {@link NitroIsolation}. */
export interface NitroIsolationProps {
  /**
   * Enable AWS Nitro Enclaves on every instance. Refused on types without enclave support (trn1).
   * @default false
   */
  readonly enclaves?: boolean;
  /**
   * Run every instance on Dedicated Hosts (tenancy `host`). Refused on types without Dedicated Host
   * support (only trn1.2xlarge and trn1.32xlarge have it) and with a placement group.
   * @default - default tenancy
   */
  readonly dedicatedHosts?: DedicatedHostOptions;
  /**
   * Customer-managed KMS key set on every EBS volume that names none. Instances that Auto Scaling
   * launches need the key to allow the `AWSServiceRoleForAutoScaling` service-linked role:
   * `DisaggregatedInference` passes this key to its fleets, which grant that; give your own fleets
   * the key as their `volumeKey` for the same.
   * @default - volumes keep the key they name, or the AWS-managed EBS key
   */
  readonly volumeKey?: kms.IKey;
}
