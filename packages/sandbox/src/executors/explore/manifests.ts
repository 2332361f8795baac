/**
 * The manifests EXPLORE reports, as its output spells them (snake_case). The code index parses them
 * (`codeindex/manifests.ts`: smol-toml, yaml, fast-xml-parser); this is the output shape.
 */
import type { ManifestFact } from '../../codeindex/types';

export interface ManifestInfo {
  path: string;
  kind: string;
  name?: string;
  dependencies: string[];
  dev_dependencies?: string[];
  /** Workspace patterns as written (`packages/*`). */
  workspaces?: string[];
  /** Files named as entry points (package.json main/bin/exports, Cargo bins …), relative to the manifest's directory. */
  entries?: string[];
  scripts?: Record<string, string>;
  /** package.json `type`, or the tsconfig `module` setting. */
  module_system?: string;
  /** tsconfig: `strict` and other telling compiler options. */
  compiler_options?: Record<string, string | boolean>;
  parse_error?: string;
}

export function toManifestInfo(m: ManifestFact): ManifestInfo {
  return {
    path: m.path,
    kind: m.kind,
    ...(m.name !== undefined ? { name: m.name } : {}),
    dependencies: m.dependencies,
    ...(m.devDependencies !== undefined ? { dev_dependencies: m.devDependencies } : {}),
    ...(m.workspaces !== undefined ? { workspaces: m.workspaces } : {}),
    ...(m.entries !== undefined ? { entries: m.entries } : {}),
    ...(m.scripts !== undefined ? { scripts: m.scripts } : {}),
    ...(m.moduleSystem !== undefined ? { module_system: m.moduleSystem } : {}),
    ...(m.compilerOptions !== undefined ? { compiler_options: m.compilerOptions } : {}),
    ...(m.parseError !== undefined ? { parse_error: m.parseError } : {}),
  };
}
