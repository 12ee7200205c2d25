import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import * as ts from 'typescript';

/**
 * The import boundaries of the design (see the README's architecture section), checked on a
 * source tree's import graph. The graph is read with the TypeScript compiler's parser, so every
 * form of import counts: `import` and `import type`, `export ... from`, `import x = require()`,
 * `require()`, `import()` and `import('x').T` in types. A type-only import does not load code, but
 * it still ties one room to another: the declarations would not compile without it.
 */

/** What an import names: a file of the project (relative to the root, `/`-separated) or a package. */
export type ImportTarget = { readonly file: string } | { readonly package: string };

export interface BoundaryRule {
  readonly name: string;
  /** The project files the rule constrains (paths relative to the root, `/`-separated). */
  readonly constrains: (file: string) => boolean;
  /** Whether `importer` (constrained, or reached from a constrained file) may not import `target`. */
  readonly forbids: (target: ImportTarget, importer: string, graph: ImportGraph) => boolean;
}

/** An import that crosses a boundary. */
export interface Crossing {
  readonly rule: string;
  /**
   * The shortest chain of imports from a constrained file to what it may not reach: project files,
   * then the forbidden file or package. Two entries when the crossing is direct.
   */
  readonly chain: readonly string[];
}

const isFile = (target: ImportTarget): target is { readonly file: string } => 'file' in target;
const under = (folder: string) => (file: string) => file.startsWith(`${folder}/`);

/** The CDK packages code that runs outside CDK (the local server, Lambda bundles, the mock CLI) must never load. */
const CDK_PACKAGES = ['aws-cdk-lib', 'constructs'];
/** lib/ folders that are not construct code. */
const NON_CONSTRUCT_FOLDERS = ['runtime', 'mock', 'planning', 'hardware'];
/**
 * The one import of lib/mock a construct may make: the environment contract of the mock workers'
 * Lambda entry points, which the mock deployment construct bundles and configures.
 */
const MOCK_ENTRY_CONTRACT = { importer: 'lib/invocation/mock-workers.ts', target: 'lib/mock/lambda/worker-environment.ts' };

export const DESIGN_BOUNDARIES: readonly BoundaryRule[] = [
  {
    name: 'runtime, mock and planning import neither aws-cdk-lib nor constructs',
    // bin/mock.ts and bin/plan.ts too: the mock and planner CLIs run with plain node, no CDK.
    constrains: (file) => ['lib/runtime', 'lib/mock', 'lib/planning'].some((folder) => under(folder)(file)) || file === 'bin/mock.ts' || file === 'bin/plan.ts',
    // A package that needs them (cdk-nag, say) pulls them in as surely as an import of them.
    forbids: (target, importer, graph) => !isFile(target) && graph.packageNeedsAny(target.package, importer, CDK_PACKAGES),
  },
  {
    name: 'runtime never imports the mock',
    constrains: under('lib/runtime'),
    forbids: (target) => isFile(target) && under('lib/mock')(target.file),
  },
  {
    name: 'hardware imports nothing of the project outside lib/hardware',
    constrains: under('lib/hardware'),
    forbids: (target) => isFile(target) && !under('lib/hardware')(target.file),
  },
  {
    name: "constructs never import the mock, but for the mock entry points' environment contract",
    constrains: (file) => {
      const parts = file.split('/');
      if (parts[0] !== 'lib') return false;
      return parts.length === 2 || !NON_CONSTRUCT_FOLDERS.includes(parts[1]);
    },
    forbids: (target, importer) =>
      isFile(target) &&
      under('lib/mock')(target.file) &&
      !(importer === MOCK_ENTRY_CONTRACT.importer && target.file === MOCK_ENTRY_CONTRACT.target),
  },
];

/** Every crossing of `rules` in the tree at `root` (which holds `lib/`, and perhaps `bin/`). */
export function checkBoundaries(root: string, rules: readonly BoundaryRule[] = DESIGN_BOUNDARIES): Crossing[] {
  const graph = new ImportGraph(root);
  return rules.flatMap((rule) => crossingsOf(rule, graph));
}

/**
 * A breadth-first walk from every file the rule constrains, all at once, so each file is reached
 * by its shortest chain; each forbidden import is reported once, and not followed.
 */
function crossingsOf(rule: BoundaryRule, graph: ImportGraph): Crossing[] {
  const crossings: Crossing[] = [];
  const chains = new Map<string, string[]>();
  const queue: string[] = [];
  for (const file of graph.files.filter(rule.constrains)) {
    chains.set(file, [file]);
    queue.push(file);
  }
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const chain = chains.get(next)!;
    for (const target of graph.importsOf(next)) {
      const name = isFile(target) ? target.file : target.package;
      if (rule.forbids(target, next, graph)) crossings.push({ rule: rule.name, chain: [...chain, name] });
      else if (isFile(target) && !chains.has(target.file)) {
        chains.set(target.file, [...chain, target.file]);
        queue.push(target.file);
      }
    }
  }
  return crossings;
}

const BUILTINS = new Set(builtinModules);
const COMPILER_OPTIONS: ts.CompilerOptions = { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, resolveJsonModule: true };

/** The imports of a tree's TypeScript files, read on demand. */
export class ImportGraph {
  /** The project's own files: every .ts file under lib/ and bin/. */
  public readonly files: readonly string[];
  private readonly imports = new Map<string, ImportTarget[]>();
  private readonly packageDependencies = new Map<string, Set<string>>();

  constructor(private readonly root: string) {
    this.files = ['lib', 'bin'].flatMap((folder) => tsFiles(root, folder)).sort();
  }

  /** What a project file imports, in source order, without Node's built-in modules. */
  public importsOf(file: string): ImportTarget[] {
    let targets = this.imports.get(file);
    if (!targets) {
      targets = this.read(file);
      this.imports.set(file, targets);
    }
    return targets;
  }

  /** Every project file `file` reaches through imports, itself included. */
  public reachableFrom(file: string): Set<string> {
    const seen = new Set([file]);
    for (const next of seen) {
      for (const target of this.importsOf(next)) if (isFile(target)) seen.add(target.file);
    }
    return seen;
  }

  /** Whether a package, as `importer` resolves it, is one of `names` or needs one of them (dependencies, peer and optional dependencies, transitively). */
  public packageNeedsAny(name: string, importer: string, names: readonly string[]): boolean {
    if (names.includes(name)) return true;
    const dir = packageDir(name, path.dirname(path.join(this.root, importer)));
    return dir !== undefined && names.some((needed) => this.dependencyClosure(dir).has(needed));
  }

  private dependencyClosure(dir: string): Set<string> {
    let closure = this.packageDependencies.get(dir);
    if (closure) return closure;
    closure = new Set();
    this.packageDependencies.set(dir, closure); // before recursing: dependency cycles end here
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const dependency of Object.keys(manifest[field] ?? {})) {
        closure.add(dependency);
        const dependencyDir = packageDir(dependency, dir);
        if (dependencyDir) for (const indirect of this.dependencyClosure(dependencyDir)) closure.add(indirect);
      }
    }
    return closure;
  }

  private read(file: string): ImportTarget[] {
    const absolute = path.join(this.root, file);
    if (!/\.tsx?$/.test(file)) return []; // JSON and other assets import nothing
    const source = ts.createSourceFile(absolute, fs.readFileSync(absolute, 'utf8'), ts.ScriptTarget.Latest, true);
    const targets: ImportTarget[] = [];
    for (const specifier of moduleSpecifiers(source)) {
      if (specifier.startsWith('node:') || BUILTINS.has(specifier)) continue;
      if (!specifier.startsWith('.') && !path.isAbsolute(specifier)) {
        targets.push({ package: packageName(specifier) });
        continue;
      }
      const resolved = ts.resolveModuleName(specifier, absolute, COMPILER_OPTIONS, ts.sys).resolvedModule;
      if (!resolved) throw new Error(`${file}: cannot resolve the import '${specifier}'`);
      targets.push({ file: path.relative(this.root, resolved.resolvedFileName).split(path.sep).join('/') });
    }
    return targets;
  }
}

/** Every module specifier in a source file, in source order. */
function moduleSpecifiers(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) found.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `@scope/name/sub` -> `@scope/name`; `name/sub` -> `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Where Node would find a package from `fromDir`: the nearest node_modules that has it. */
function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

function tsFiles(root: string, folder: string): string[] {
  const dir = path.join(root, folder);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => `${folder}/${name.split(path.sep).join('/')}`);
}
