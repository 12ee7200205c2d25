#!/usr/bin/env node
/**
 * The planner: what TTFT, TPOT, goodput and cost a fleet gives under a workload, and the smallest
 * prefill:decode counts that meet an SLO, before anyone pays for a Trainium hour.
 * `npm run plan -- --help` lists the options.
 */
import { runPlanCli } from '../lib/planning/cli/plan-cli';

process.exitCode = runPlanCli(
  process.argv.slice(2),
  (text) => process.stdout.write(text),
  (text) => process.stderr.write(text),
);
