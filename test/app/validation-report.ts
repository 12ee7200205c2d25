import * as fs from 'fs';
import * as path from 'path';
import type { App } from 'aws-cdk-lib';

/** One finding of a policy validation plugin, on one construct. */
export interface ValidationFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly severity: string;
  readonly constructPath: string;
}

/** One acknowledged finding, with the acknowledgement's reason. */
export interface AcknowledgedFinding extends ValidationFinding {
  readonly reason: string;
}

/** What the plugins of an app's synth reported: the findings left, and those acknowledged. */
export interface ValidationOutcome {
  /** Whether `app.synth()` threw (a plugin's report failed the synth). */
  readonly synthFailed: boolean;
  readonly violations: ValidationFinding[];
  readonly acknowledged: AcknowledgedFinding[];
}

interface ReportViolation {
  readonly ruleName: string;
  readonly severity?: string;
  readonly reason?: string;
  readonly violatingConstructs: Array<{ readonly constructPath: string }>;
}

/**
 * Synthesizes `app` and reads its validation report (aws-cdk-lib writes one whenever a plugin is
 * registered). A failed validation leaves its report behind; any other synth error is the test's.
 */
export function synthValidation(app: App): ValidationOutcome {
  const reportFile = path.join(app.outdir, 'validation-report.json');
  let synthFailed = false;
  try {
    app.synth();
  } catch (e) {
    if (!fs.existsSync(reportFile)) throw e;
    synthFailed = true;
  }
  if (!fs.existsSync(reportFile)) return { synthFailed, violations: [], acknowledged: [] };
  const report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as {
    pluginReports: Array<{ pluginName: string; violations: ReportViolation[]; suppressedViolations?: ReportViolation[] }>;
  };
  const findings = (plugin: string, violations: ReportViolation[]) =>
    violations.flatMap((v) =>
      v.violatingConstructs.map((c) => ({ plugin, rule: v.ruleName, severity: v.severity ?? '', constructPath: c.constructPath, reason: v.reason ?? '' })),
    );
  return {
    synthFailed,
    violations: report.pluginReports.flatMap((p) => findings(p.pluginName, p.violations)).map(({ reason: _reason, ...finding }) => finding),
    acknowledged: report.pluginReports.flatMap((p) => findings(p.pluginName, p.suppressedViolations ?? [])),
  };
}
