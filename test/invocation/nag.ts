import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthValidation } from '../app/validation-report';

/** One unacknowledged cdk-nag finding. */
export interface NagFinding {
  readonly rule: string;
  readonly severity: string;
  readonly constructPath: string;
}

/** An app whose synth runs cdk-nag's AwsSolutions pack, writing into a fresh temporary directory. */
export function appWithNag(props: AppProps = {}): App {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'nag-')), ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/**
 * Synthesizes an app that has validation plugins and returns every finding left unacknowledged
 * (cdk-nag 3 makes synth fail on errors; the report names them all).
 */
export function nagFindings(app: App): NagFinding[] {
  return synthValidation(app).violations.map(({ rule, severity, constructPath }) => ({ rule, severity, constructPath }));
}
