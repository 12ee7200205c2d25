import { CfnCondition, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';

/** Zone names CDK returns for an environment-specific stack before a context lookup filled them in. */
const DUMMY_ZONES = ['dummy1a', 'dummy1b', 'dummy1c'];

/**
 * The VPC an `EfaNetwork` creates (`Vpc` in `scope`): two Availability Zones, each with a public
 * subnet (for the one NAT gateway; no public addresses mapped at launch) and a private subnet with
 * egress. The EFA subnet is the private subnet of the first zone, `efaZone` when given; the other
 * zone carries the second half of the subnets the router functions and interface endpoints use.
 */
export function createEfaVpc(scope: Construct, efaZone?: string): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ...(efaZone ? { availabilityZones: [efaZone, secondZone(scope, efaZone)] } : { maxAzs: 2 }),
    natGateways: 1,
    subnetConfiguration: [
      // The NAT gateway has its Elastic IP; nothing else in these subnets needs an address mapped
      // at launch (AWS Control Tower CT.EC2.PR.11).
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      // A /20 leaves room for many multi-interface instances: each EFA-only interface takes no IP,
      // but the primary ENA interface and the endpoints do.
      { name: 'Efa', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 20 },
    ],
  });
  acknowledgeRestrictDefaultSecurityGroupProvider(scope);
  return vpc;
}

/**
 * A second zone beside `efaZone`: the first other zone of the stack's region when the stack knows
 * its zones (an environment with looked-up zones), else, decided at deploy time, the region's
 * second zone if `efaZone` is its first and its first otherwise (`Fn::GetAZs` with a condition).
 */
function secondZone(scope: Construct, efaZone: string): string {
  const stack = Stack.of(scope);
  const known = stack.availabilityZones.filter((zone) => !Token.isUnresolved(zone) && !DUMMY_ZONES.includes(zone));
  if (known.length > 0) {
    const other = known.find((zone) => zone !== efaZone);
    if (!other) {
      throw new Error(
        `EfaNetwork '${scope.node.path}': the region's known Availability Zones (${known.join(', ')}) hold no zone besides ` +
          `${efaZone} for the router and the endpoints. Give your own \`vpc\` with subnets in two zones.`,
      );
    }
    return other;
  }
  const zones = Fn.getAzs();
  const efaZoneIsFirst = new CfnCondition(scope, 'EfaZoneIsRegionsFirst', {
    expression: Fn.conditionEquals(efaZone, Fn.select(0, zones)),
  });
  return Token.asString(Fn.conditionIf(efaZoneIsFirst.logicalId, Fn.select(1, zones), Fn.select(0, zones)));
}

/**
 * `@aws-cdk/aws-ec2:restrictDefaultSecurityGroup` (cdk.json) makes the VPC remove the default
 * security group's rules through a CDK-provided custom resource, a Lambda function outside any VPC.
 */
function acknowledgeRestrictDefaultSecurityGroupProvider(scope: Construct): void {
  const provider = Stack.of(scope).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
  if (!provider) return;
  Validations.of(provider).acknowledge({
    id: 'cdk-validator-cfnguard::lambda_inside_vpc_check',
    reason: 'CT.LAMBDA.PR.3: aws-cdk-lib\'s provider that strips the VPC\'s default security group of its rules runs at ' +
      'deployment only, calls only the EC2 API and holds no data; CDK offers no VPC placement for it.',
  });
}
