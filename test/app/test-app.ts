import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, StackProps } from 'aws-cdk-lib';
import { buildDefaultApp, buildDefaultStack, type DefaultApp } from '../../lib/app';

/** The context of cdk.json (feature flags included), so tests synthesize what `cdk synth` does. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

/** An app with cdk.json's context plus `context`. */
export function testApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, ...context } });
}

/** A stack in a fresh test app. */
export function testStack(props?: StackProps, context?: Record<string, unknown>): Stack {
  return new Stack(testApp(context), 'Test', props);
}

/** Runs `fn` with CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION set as given (undefined: unset). */
export function withCdkEnv<T>(account: string | undefined, region: string | undefined, fn: () => T): T {
  const saved = [process.env.CDK_DEFAULT_ACCOUNT, process.env.CDK_DEFAULT_REGION];
  const set = (name: string, value?: string) => (value === undefined ? delete process.env[name] : (process.env[name] = value));
  set('CDK_DEFAULT_ACCOUNT', account);
  set('CDK_DEFAULT_REGION', region);
  try {
    return fn();
  } finally {
    set('CDK_DEFAULT_ACCOUNT', saved[0]);
    set('CDK_DEFAULT_REGION', saved[1]);
  }
}

/**
 * The default app's stack as `cdk synth` builds it (cdk.json context plus `context`, e.g.
 * `{ mode: 'mock' }`), without an environment, and without the controls: each of their synths
 * costs seconds, and test/app/controls.test.ts runs them on every app the default app makes.
 */
export function defaultApp(context: Record<string, unknown> = {}): DefaultApp {
  return withCdkEnv(undefined, undefined, () => buildDefaultStack(testApp(context)));
}

/** The default app as `cdk synth` builds it, with its controls (cdk-nag and cfn-guard). */
export function defaultAppWithControls(context: Record<string, unknown> = {}): DefaultApp {
  return withCdkEnv(undefined, undefined, () => buildDefaultApp(testApp(context)));
}

/** A two-day, two-instance Capacity Block as the default app's context. */
export const CAPACITY_BLOCK_CONTEXT = {
  capacityBlockReservationId: 'cr-0123456789abcdef0',
  capacityBlockStart: '2030-08-05T11:30:00Z',
  capacityBlockEnd: '2030-08-07T11:30:00Z',
  capacityBlockInstanceCount: '2',
};
