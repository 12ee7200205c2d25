import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

// AWS Control Tower's proactive controls as @cdklabs/cdk-validator-cfnguard reports them: by the
// guard rule name (e.g. `lambda_inside_vpc_check` for CT.LAMBDA.PR.3), acknowledged with the
// plugin's name in front. The app runs the plugin; constructs acknowledge the findings they cause
// on purpose, like cdk-nag's.

/** The acknowledgement id of a cfn-guard rule, e.g. `cdk-validator-cfnguard::lambda_inside_vpc_check`. */
export function guardRuleId(ruleName: string): string {
  return `cdk-validator-cfnguard::${ruleName}`;
}

/** Acknowledges the cfn-guard rule `ruleName` on `scope` and everything under it, with the reason. */
export function acknowledgeGuardRule(scope: IConstruct, ruleName: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: guardRuleId(ruleName), reason });
}
