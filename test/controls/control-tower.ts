import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { appWithNag, nagFindings } from '../invocation/nag';

/** One unacknowledged finding of a validation plugin: the rule and the construct it names. */
export interface ControlFinding {
  readonly rule: string;
  readonly constructPath: string;
}

/**
 * An app whose synth runs cdk-nag's AwsSolutions pack and AWS Control Tower's proactive controls
 * (`@cdklabs/cdk-validator-cfnguard`, its bundled cfn-guard binary and rules: no network).
 */
export function appWithControls(props: AppProps = {}): App {
  const app = appWithNag(props);
  Validations.of(app).addPlugins(new CfnGuardValidator());
  return app;
}

/**
 * Every finding left unacknowledged by either plugin, as `rule constructPath` pairs. The report
 * lists what an acknowledgement did not cover even when a partial acknowledgement turned the
 * plugin's report into a success (cfn-guard violations carry no severity).
 */
export function controlFindings(app: App): ControlFinding[] {
  return nagFindings(app).map((f) => ({ rule: f.rule, constructPath: f.constructPath }));
}
