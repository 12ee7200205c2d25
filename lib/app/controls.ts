import {
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * A policy validation plugin whose violations all count as errors: those that say no severity get
 * `error`. cfn-guard's violations say none, and aws-cdk-lib 2.276.0 recomputes a report's success
 * after acknowledgements as "no violation of severity error or fatal" (`collectSuppressions` in
 * core/lib/private/synthesis-validation.js), so once one cfn-guard finding is acknowledged every
 * other one would print as an ERROR while the synth still succeeds.
 */
export class ErrorSeverityPlugin implements IPolicyValidationPlugin {
  public readonly name: string;
  public readonly version?: string;
  public readonly ruleIds?: string[];

  constructor(private readonly plugin: IPolicyValidationPlugin) {
    this.name = plugin.name;
    this.version = plugin.version;
    this.ruleIds = plugin.ruleIds;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = this.plugin.validate(context);
    return { ...report, violations: report.violations.map((v) => ({ ...v, severity: v.severity ?? 'error' })) };
  }
}

/**
 * The controls every synth of the app runs: cdk-nag's AwsSolutions pack and AWS Control Tower's
 * proactive controls (the cfn-guard rules bundled in @cdklabs/cdk-validator-cfnguard, which ships
 * its own cfn-guard binary and runs offline). A finding fails the synth unless it is acknowledged
 * on its resource with a reason (`Validations.of(construct).acknowledge`).
 */
export function addControls(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ErrorSeverityPlugin(new CfnGuardValidator()));
}
