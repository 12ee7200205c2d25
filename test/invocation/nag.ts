import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

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
 * Synthesizes an app that has the AwsSolutions plugin and returns every finding left
 * unacknowledged (cdk-nag 3 makes synth fail on errors; the report names them all).
 */
export function nagFindings(app: App): NagFinding[] {
  const reportFile = path.join(app.outdir, 'validation-report.json');
  try {
    app.synth();
  } catch (e) {
    // A failed validation leaves its report behind; any other synth error is the test's failure.
    if (!fs.existsSync(reportFile)) throw e;
  }
  if (!fs.existsSync(reportFile)) return [];
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    pluginReports: { violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[];
  };
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.flatMap((v) =>
      v.violatingConstructs.map((c) => ({ rule: v.ruleName, severity: v.severity, constructPath: c.constructPath })),
    ),
  );
}
